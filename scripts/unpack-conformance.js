#!/usr/bin/env node
// Unpacks Ethereum state tests once and prints the folder to run, for `npm run conformance` and
// `npm run conformance:sample`.
//
//   node scripts/unpack-conformance.js --sample      the CI sample kept in this repository
//                                                    (conformance/vectors/cancun-sample.tar.gz)
//   node scripts/unpack-conformance.js [tarball]     the full public Cancun suite: the given tarball,
//                                                    else $MOVESET_CONFORMANCE_TARBALL, else
//                                                    ../shared/conformance/cancun-state-tests.tar.gz
//
// A tarball is unpacked into .moveset/<its name>/ (once: a marker file remembers it). The folder is
// printed on stdout; messages go to stderr.
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

const root = path.join(__dirname, "..");
const arg = process.argv[2];
const sample = arg === "--sample";
const tarball = sample
  ? path.join(root, "conformance", "vectors", "cancun-sample.tar.gz")
  : path.resolve(arg || process.env.MOVESET_CONFORMANCE_TARBALL || path.join(root, "..", "shared", "conformance", "cancun-state-tests.tar.gz"));

if (!fs.existsSync(tarball)) {
  console.error(`conformance tarball not found at ${tarball}.`);
  console.error("Pass the path of a GeneralStateTests tarball (npm run conformance -- <file.tar.gz>), set MOVESET_CONFORMANCE_TARBALL,");
  console.error("or run `npx moveset conformance <folder>` on an unpacked suite. `npm run conformance:sample` needs nothing outside the repository.");
  process.exit(1);
}
const name = path.basename(tarball).replace(/\.tar\.gz$|\.tgz$/, "");
const dest = path.join(root, ".moveset", name);
const marker = path.join(dest, ".unpacked");
const stamp = `${tarball} ${fs.statSync(tarball).size}`;
if (!fs.existsSync(marker) || fs.readFileSync(marker, "utf8").split("\n")[0] !== stamp) {
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", dest], { stdio: "inherit" });
  fs.writeFileSync(marker, stamp + "\n");
  console.error(`unpacked ${tarball} into ${dest}`);
}
process.stdout.write(dest + "\n");
