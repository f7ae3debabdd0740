// Entry for TypeScript modules run off the main thread: registers ts-node (transpile only), then
// loads the module named in workerData.script (a worker thread) or in argv[2] (a child process,
// e.g. the conformance runner's, which can be killed cleanly where a terminated thread holding
// native addons could not be).
"use strict";
const path = require("path");
const { workerData, isMainThread } = require("worker_threads");
require("./ts-register").register(); // ts-node (transpile only), its output cached on disk
require(isMainThread ? path.resolve(process.argv[2]) : workerData.script);
