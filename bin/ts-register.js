// Registers ts-node (transpile only) for bin/moveset.js and bin/ts-worker.js, with a cache of its output on disk:
// every `moveset` process and every worker (validation, RPC calls, conformance) would otherwise transpile the
// same few hundred files again, seconds of CPU each time. An entry is keyed by the file's path and source, the
// tsconfig and the ts-node and TypeScript versions, so an edited file, another compiler or other settings
// never get a stale entry. The cache lives in node_modules/.cache/moveset-ts/ (npm ci starts it afresh);
// MOVESET_TS_CACHE=0 turns it off (each process transpiles, as ts-node alone does). Stack traces keep their
// TypeScript lines: the cached output carries ts-node's inline source map, handed to source-map-support.
"use strict";
const { createHash } = require("crypto");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const project = path.join(root, "tsconfig.json");

function register() {
  const service = require("ts-node").register({ transpileOnly: true, project });
  if (process.env.MOVESET_TS_CACHE === "0") return service;
  const dir = path.join(root, "node_modules", ".cache", "moveset-ts");
  const salt = createHash("sha256")
    .update(`${require("ts-node/package.json").version}\0${require("typescript/package.json").version}\0${fs.readFileSync(project, "utf8")}\0${process.version}\0`)
    .digest();
  const outputs = new Map();
  const compile = service.compile.bind(service);
  service.compile = (code, fileName, lineOffset) => {
    if (lineOffset) return compile(code, fileName, lineOffset);
    const key = createHash("sha256").update(salt).update(fileName).update("\0").update(code).digest("hex");
    const file = path.join(dir, key + ".js");
    let out;
    try {
      out = fs.readFileSync(file, "utf8");
    } catch {
      out = compile(code, fileName);
      try {
        fs.mkdirSync(dir, { recursive: true });
        const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
        fs.writeFileSync(tmp, out);
        fs.renameSync(tmp, file);
      } catch {
        // a cache that cannot be written only costs the next process a transpile
      }
    }
    outputs.set(path.normalize(fileName), out);
    return out;
  };
  // ts-node's source-map-support reads its own in-memory outputs, which a cached file never enters.
  require("@cspotcode/source-map-support").install({ environment: "node", retrieveFile: (p) => outputs.get(path.normalize(p)) || "" });
  return service;
}

module.exports = { register };
