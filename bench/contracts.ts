/**
 * The benchmark's contracts (contracts/test/Token.sol, contracts/test/Pool.sol): creation bytecode
 * and ABI. Taken from Hardhat's artifacts when they were built from the sources on disk; otherwise
 * compiled here with the pinned solc-js and the project's settings (hardhat.config.ts), so
 * `moveset bench` needs no prior `npx hardhat compile` and never builds the other contracts.
 */
import * as fs from "fs";
import * as path from "path";

export interface ContractArtifact {
  contractName: string;
  abi: unknown[];
  /** Creation bytecode, 0x-hex. */
  bytecode: string;
}

const ROOT = path.join(__dirname, "..");
const SOURCES = { Token: "contracts/test/Token.sol", Pool: "contracts/test/Pool.sol" } as const;
export type BenchContract = keyof typeof SOURCES;

/** Must match hardhat.config.ts. */
const SETTINGS = { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun", viaIR: false } as const;

function fromHardhat(name: BenchContract): ContractArtifact | undefined {
  const src = SOURCES[name];
  const dir = path.join(ROOT, "artifacts", src);
  try {
    const art = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), "utf8"));
    const dbg = JSON.parse(fs.readFileSync(path.join(dir, `${name}.dbg.json`), "utf8"));
    const info = JSON.parse(fs.readFileSync(path.join(dir, dbg.buildInfo), "utf8"));
    // Fresh only if built from exactly the source on disk.
    if (info.input?.sources?.[src]?.content !== fs.readFileSync(path.join(ROOT, src), "utf8")) return undefined;
    return { contractName: name, abi: art.abi, bytecode: art.bytecode };
  } catch {
    return undefined;
  }
}

let compiled: Record<string, ContractArtifact> | undefined;

function compileWithSolc(): Record<string, ContractArtifact> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc");
  const sources: Record<string, { content: string }> = {};
  for (const src of Object.values(SOURCES)) sources[src] = { content: fs.readFileSync(path.join(ROOT, src), "utf8") };
  const input = {
    language: "Solidity",
    sources,
    settings: { ...SETTINGS, outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors ?? []).filter((e: { severity: string }) => e.severity === "error");
  if (errors.length) throw new Error(`solc: ${errors.map((e: { formattedMessage: string }) => e.formattedMessage).join("\n")}`);
  const res: Record<string, ContractArtifact> = {};
  for (const [name, src] of Object.entries(SOURCES)) {
    const c = out.contracts[src][name];
    res[name] = { contractName: name, abi: c.abi, bytecode: "0x" + c.evm.bytecode.object };
  }
  return res;
}

/** Token and Pool, from fresh Hardhat artifacts or compiled on the spot. */
export function loadBenchContracts(): Record<BenchContract, ContractArtifact> {
  const t = fromHardhat("Token");
  const p = fromHardhat("Pool");
  if (t && p) return { Token: t, Pool: p };
  compiled ??= compileWithSolc();
  return { Token: compiled.Token, Pool: compiled.Pool };
}
