#!/usr/bin/env node
// Unpacks Ethereum's Cancun state tests (../shared/conformance/cancun-state-tests.tar.gz, or
// $MOVESET_CONFORMANCE_TARBALL) into .moveset/state-tests once.
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

const root = path.join(__dirname, "..");
const tarball = process.env.MOVESET_CONFORMANCE_TARBALL || path.join(root, "..", "shared", "conformance", "cancun-state-tests.tar.gz");
const dest = path.join(root, ".moveset", "state-tests");
const marker = path.join(dest, ".unpacked");

if (fs.existsSync(marker)) process.exit(0);
if (!fs.existsSync(tarball)) {
  console.error(`conformance tarball not found at ${tarball}: set MOVESET_CONFORMANCE_TARBALL to its path`);
  process.exit(1);
}
fs.mkdirSync(dest, { recursive: true });
execFileSync("tar", ["-xzf", tarball, "-C", dest], { stdio: "inherit" });
fs.writeFileSync(marker, new Date().toISOString() + "\n");
console.error(`unpacked ${tarball} into ${dest}`);
