#!/usr/bin/env -S node --single-threaded-gc
// The `moveset` command: runs the TypeScript CLI through ts-node (transpile only, its output cached:
// bin/ts-register.js), so it works right after `npm ci` with no build step.
//
// --single-threaded-gc: each thread collects its own garbage on its own thread. A verifier runs as
// many validation workers as cores; V8's default parallel GC helper threads then compete with the
// workers for the cores, and 2 workers ran 1.66-1.73x one instead of 1.85-1.95x (docs/BENCHMARKS.md).
// V8 only takes this flag at start-up (setting it at run time crashes), hence the shebang.
"use strict";
// ts-node, with its output cached on disk (bin/ts-register.js).
require("./ts-register").register();
require("../cli/main").main(process.argv).catch((err) => {
  // An error a person can act on is one line (cli/errors.ts); anything else is a bug and keeps its stack.
  const line = require("../cli/errors").oneLine(err);
  console.error(line !== undefined ? `moveset: ${line}` : err && err.stack ? err.stack : String(err));
  process.exit(1);
});
