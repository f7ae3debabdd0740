#!/usr/bin/env node
// Rebuilds conformance/vectors/cancun-sample.tar.gz, the CI sample: every 25th JSON file (by sorted
// path, the order `moveset conformance` walks) of an unpacked state-test folder.
//   node scripts/make-conformance-sample.js <unpacked folder> [k=25]
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

const [dir, kArg] = process.argv.slice(2);
if (!dir || !fs.existsSync(dir)) {
  console.error("usage: node scripts/make-conformance-sample.js <unpacked folder> [k=25]");
  process.exit(1);
}
const k = Number(kArg ?? 25);
const files = [];
const walk = (p) => {
  if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e));
  else if (p.endsWith(".json")) files.push(path.relative(dir, p));
};
walk(dir);
const picked = files.filter((_, i) => i % k === 0);
const out = path.join(__dirname, "..", "conformance", "vectors", "cancun-sample.tar.gz");
execFileSync("tar", ["-czf", out, "-C", dir, ...picked]);
console.error(`${picked.length} of ${files.length} files -> ${out}`);
