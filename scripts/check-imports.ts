/**
 * The source tree's import rules (README, "Layout"), checked from the code's own imports:
 *   - no import cycle between files;
 *   - no cycle between the node's roles (node/<folder>, and node/<file>.ts each a role of its own);
 *   - nothing under node/ imports from cli/ or client/ (the command line and a user's tools are built
 *     on the node, not the reverse);
 *   - nothing under client/ imports from cli/ (the user's tools are a library the command line uses);
 *   - core/ imports nothing of the repository outside core/ (the pure protocol core is the ground).
 * Static, dynamic and type-only imports all count.
 *
 *   npx ts-node --transpile-only scripts/check-imports.ts     (exit 1 and the violations, if any)
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/** The folders whose TypeScript is checked. */
export const SOURCE_DIRS = ["core", "node", "prover", "cli", "client", "bench", "conformance", "deploy", "scripts"];

export interface ImportGraph {
  /** File (relative to the root, `/`-separated) -> the repository files it imports. */
  edges: Map<string, Set<string>>;
}

function listTs(root: string, dir: string, out: string[]): void {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return;
  for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) listTs(root, rel, out);
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(rel);
  }
}

/** The repository file a relative specifier names (`x`, `x.ts`, `x/index.ts`), or undefined. */
function resolve(root: string, from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const c of [base, `${base}.ts`, `${base}/index.ts`, `${base}.js`]) if (fs.existsSync(path.join(root, c)) && fs.statSync(path.join(root, c)).isFile()) return c;
  return undefined;
}

export function importGraph(root: string, dirs: readonly string[] = SOURCE_DIRS): ImportGraph {
  const files: string[] = [];
  for (const d of dirs) listTs(root, d, files);
  const edges = new Map<string, Set<string>>();
  for (const f of files) {
    const info = ts.preProcessFile(fs.readFileSync(path.join(root, f), "utf8"), true, true);
    const to = new Set<string>();
    for (const i of info.importedFiles) {
      const r = resolve(root, f, i.fileName);
      if (r !== undefined && r !== f) to.add(r);
      else if (r === f) to.add(f); // a file importing itself is a cycle too
    }
    edges.set(f, to);
  }
  return { edges };
}

/** Strongly connected components with more than one node, or a node with a self-edge (Tarjan). */
export function cycles(edges: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || edges.get(v)?.has(v)) out.push(scc.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** The role of a node file: its folder under node/ (`node/coordinator`), or the file itself. */
export function roleOf(file: string): string | undefined {
  const parts = file.split("/");
  if (parts[0] !== "node") return undefined;
  return parts.length > 2 ? `node/${parts[1]}` : file;
}

/** Every violation of the rules, in words (empty: the tree keeps them). */
export function violations(g: ImportGraph): string[] {
  const out: string[] = [];
  for (const c of cycles(g.edges)) out.push(`import cycle between files: ${c.join(" -> ")}`);
  const roles = new Map<string, Set<string>>();
  for (const [f, to] of g.edges) {
    const rf = roleOf(f);
    for (const t of to) {
      if (f.startsWith("node/") && t.startsWith("cli/")) out.push(`${f} imports ${t}: nothing under node/ imports from cli/`);
      if (f.startsWith("node/") && t.startsWith("client/")) out.push(`${f} imports ${t}: nothing under node/ imports from client/`);
      if (f.startsWith("client/") && t.startsWith("cli/")) out.push(`${f} imports ${t}: nothing under client/ imports from cli/`);
      if (f.startsWith("core/") && !t.startsWith("core/")) out.push(`${f} imports ${t}: core/ imports nothing outside core/`);
      const rt = roleOf(t);
      if (rf && rt && rf !== rt) {
        if (!roles.has(rf)) roles.set(rf, new Set());
        roles.get(rf)!.add(rt);
      }
    }
  }
  for (const c of cycles(roles)) out.push(`import cycle between the node's roles: ${c.join(" -> ")}`);
  return out;
}

if (require.main === module) {
  const v = violations(importGraph(path.resolve(__dirname, "..")));
  for (const line of v) console.error(line);
  process.exit(v.length ? 1 : 0);
}
