// Worker-thread entry for TypeScript modules: registers ts-node (transpile only) in the worker,
// then loads the module named in workerData.script.
"use strict";
const path = require("path");
const { workerData } = require("worker_threads");
require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "tsconfig.json") });
require(workerData.script);
