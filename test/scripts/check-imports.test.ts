/**
 * The source tree's import rules (scripts/check-imports.ts): the repository keeps them, and the
 * checker finds each kind of violation in a small tree made to break them.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { importGraph, violations } from "../../scripts/check-imports";

describe("the source tree's import rules", () => {
  it("the repository: no file cycle, no cycle between the node's roles, nothing under node/ imports cli/ or client/, client/ imports no cli/, core/ imports only core/", () => {
    expect(violations(importGraph(path.resolve(__dirname, "../..")))).to.deep.equal([]);
  });

  it("finds each kind of violation in a tree that breaks the rules", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-imports-"));
    const put = (f: string, src: string) => {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), src);
    };
    try {
      put("core/a.ts", 'import { b } from "./b";\nexport const a = 1;');
      put("core/b.ts", 'import type { a } from "./a";\nexport const b = 2;');
      put("core/c.ts", 'import { x } from "../node/state/x";');
      put("node/state/x.ts", 'export const x = await import("../coordinator/y");');
      put("node/coordinator/y.ts", 'import { x } from "../state/z";\nimport { run } from "../../cli/main";');
      put("node/state/z.ts", 'import "../coordinator/w";\nexport const x = 1;');
      put("node/coordinator/w.ts", "export {};");
      put("cli/main.ts", "export function run() {}");
      put("node/coordinator/w2.ts", 'import { bridge } from "../../client/bridge";');
      put("client/bridge.ts", 'import { run } from "../cli/main";\nexport const bridge = 1;');
      const v = violations(importGraph(root));
      expect(v).to.include("import cycle between files: core/a.ts -> core/b.ts");
      expect(v).to.include("core/c.ts imports node/state/x.ts: core/ imports nothing outside core/");
      expect(v).to.include("node/coordinator/y.ts imports cli/main.ts: nothing under node/ imports from cli/");
      expect(v).to.include("import cycle between the node's roles: node/coordinator -> node/state");
      expect(v).to.include("node/coordinator/w2.ts imports client/bridge.ts: nothing under node/ imports from client/");
      expect(v).to.include("client/bridge.ts imports cli/main.ts: nothing under client/ imports from cli/");
      expect(v).to.have.length(6);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
