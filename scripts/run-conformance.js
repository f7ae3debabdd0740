#!/usr/bin/env node
// `npm run conformance [-- <tarball or folder> ...] [-- moveset conformance flags]`: the full public
// Cancun suite (../shared/conformance, or $MOVESET_CONFORMANCE_TARBALL) when no path is given;
// tarballs are unpacked once into .moveset/, folders are run as they are.
"use strict";
const path = require("path");
const { execFileSync, spawnSync } = require("child_process");

const args = process.argv.slice(2);
const paths = args.filter((a) => !a.startsWith("-") && (a.endsWith(".tar.gz") || a.endsWith(".tgz") || require("fs").existsSync(a)));
const flags = args.filter((a) => !paths.includes(a));
const unpack = (t) => execFileSync(process.execPath, [path.join(__dirname, "unpack-conformance.js"), ...(t ? [t] : [])], { stdio: ["ignore", "pipe", "inherit"] }).toString().trim();
let dirs;
try {
  dirs = paths.length === 0 ? [unpack()] : paths.map((p) => (p.endsWith(".tar.gz") || p.endsWith(".tgz") ? unpack(p) : p));
} catch {
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--single-threaded-gc", path.join(__dirname, "..", "bin", "moveset.js"), "conformance", ...flags, ...dirs], { stdio: "inherit" });
process.exit(r.status ?? 1);
