#!/usr/bin/env node
// The `moveset` command: runs the TypeScript CLI through ts-node (transpile only), so it works
// right after `npm ci` with no build step.
"use strict";
const path = require("path");
require("ts-node").register({
  transpileOnly: true,
  project: path.join(__dirname, "..", "tsconfig.json"),
});
require("../cli/main").main(process.argv).catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
