/**
 * The L1 contracts as the node sees them: ABIs (from the Hardhat artifacts of contracts/), typed
 * bindings (the typechain types of the compiled ABIs: compile-time only, so a fresh clone runs
 * before its first compile), the batch header in its Solidity shape, and decoding of custom-error
 * reverts.
 */
import * as fs from "fs";
import * as path from "path";
import { Contract, Interface, type ContractRunner, type InterfaceAbi, type Provider } from "ethers";
import type { Bridge, FraudProver, Inbox } from "../../typechain-types";
import { headerToAbi, type BatchHeader } from "../../core/batch";
import { hexToBytes } from "../../core/bytes";
import { checkDictionary } from "../../core/flz";

const ROOT = path.resolve(__dirname, "..", "..");

export class ArtifactError extends Error {}

/** Path of a contract's Hardhat artifact. */
export function artifactPath(name: string, sub = ""): string {
  return path.join(ROOT, "artifacts", "contracts", sub, `${name}.sol`, `${name}.json`);
}

export function artifactsPresent(): boolean {
  return fs.existsSync(artifactPath("Inbox")) && fs.existsSync(artifactPath("Bridge"));
}

const abis = new Map<string, InterfaceAbi>();

/** ABI of a compiled contract (run `npx hardhat compile` first; the CLI does it when needed). */
export function abiOf(name: string, sub = ""): InterfaceAbi {
  const k = `${sub}/${name}`;
  let a = abis.get(k);
  if (!a) {
    const p = artifactPath(name, sub);
    if (!fs.existsSync(p)) throw new ArtifactError(`${p} is missing: run \`npx hardhat compile\``);
    a = JSON.parse(fs.readFileSync(p, "utf8")).abi as InterfaceAbi;
    abis.set(k, a);
  }
  return a;
}

/** Bytecode of a compiled contract. */
export function bytecodeOf(name: string, sub = ""): string {
  const p = artifactPath(name, sub);
  if (!fs.existsSync(p)) throw new ArtifactError(`${p} is missing: run \`npx hardhat compile\``);
  return JSON.parse(fs.readFileSync(p, "utf8")).bytecode as string;
}

/** The Inbox at `address`, typed by its compiled ABI. */
export function inboxAt(address: string, runner: ContractRunner): Inbox {
  return new Contract(address, abiOf("Inbox"), runner) as unknown as Inbox;
}

/**
 * The deployment's dictionary of compressed items (protocol.md §7.7): the code of `Inbox.dictionary()` less its
 * leading STOP, empty when none is bound. Throws when the holder's code is not `0x00 || DICT` with DICT of at most
 * 8,192 bytes (L1 refuses to bind one).
 */
export async function readDictionary(inboxAddress: string, provider: Provider): Promise<Uint8Array> {
  const holder = String(await inboxAt(inboxAddress, provider).dictionary());
  if (/^0x0{40}$/i.test(holder)) return new Uint8Array(0);
  const code = hexToBytes((await provider.getCode(holder)) as `0x${string}`);
  if (code.length === 0 || code[0] !== 0) throw new Error(`the Inbox's dictionary ${holder} has no dictionary code (0x00 then the dictionary): is this a moveset deployment?`);
  const dict = code.subarray(1);
  checkDictionary(dict);
  return dict;
}

/** The Bridge at `address`, typed by its compiled ABI. */
export function bridgeAt(address: string, runner: ContractRunner): Bridge {
  return new Contract(address, abiOf("Bridge"), runner) as unknown as Bridge;
}

/**
 * The fraud prover `name` (contracts/fraud/, or the dispute game, contracts/game/) at `address`: typed as the
 * shared FraudProver (commit, committedAt); its kind's `prove` takes the arguments prover/build.ts builds for it,
 * by its own ABI.
 */
export function proverAt(name: string, address: string, runner: ContractRunner): FraudProver {
  return new Contract(address, abiOf(name, name === "DisputeGame" ? "game" : "fraud"), runner) as unknown as FraudProver;
}

let inboxIface: Interface | undefined;
let bridgeIface: Interface | undefined;
export const inboxInterface = (): Interface => (inboxIface ??= new Interface(abiOf("Inbox")));
export const bridgeInterface = (): Interface => (bridgeIface ??= new Interface(abiOf("Bridge")));
let gameIface: Interface | undefined;
/** The dispute game's interface (its events, as the follower reads them; its calls, as its players make them). */
export const gameInterface = (): Interface => (gameIface ??= new Interface(abiOf("DisputeGame", "game")));

/** The header as the ABI takes it (BatchLib.BatchHeader): core's conversion. */
export type SolHeader = ReturnType<typeof headerToAbi>;
export const headerToSol = headerToAbi;

/**
 * The calldata of Inbox.appendBatch(header, data), built as bytes: the ABI's head (selector, the
 * twelve static header words, the data's offset) from ethers with empty data, then the data's
 * length word, the data and its zero padding to a whole word, copied once.
 */
export function appendBatchCalldata(header: BatchHeader, data: Uint8Array): Uint8Array {
  const empty = hexToBytes(inboxInterface().encodeFunctionData("appendBatch", [headerToAbi(header), "0x"]) as `0x${string}`);
  // empty = selector, 13 head words, the length word (0).
  const head = empty.length - 32;
  const out = new Uint8Array(head + 32 + Math.ceil(data.length / 32) * 32);
  out.set(empty.subarray(0, head));
  let n = data.length;
  for (let i = head + 31; n > 0; i--, n = Math.floor(n / 256)) out[i] = n % 256;
  out.set(data, head + 32);
  return out;
}

type HeaderLike = Record<string, unknown> & ArrayLike<unknown>;

/** From an ethers Result (event argument or decoded calldata) or a plain object. */
export function headerFromSol(r: HeaderLike | SolHeader): BatchHeader {
  const o = r as unknown as Record<string, unknown>;
  const big = (k: string, i: number) => BigInt((o[k] ?? (r as ArrayLike<unknown>)[i]) as bigint | string);
  const hex = (k: string, i: number) => hexToBytes(String(o[k] ?? (r as ArrayLike<unknown>)[i]).toLowerCase() as `0x${string}`);
  return {
    index: big("index", 0),
    parent: hex("parent", 1),
    firstSeq: big("firstSeq", 2),
    txCount: big("txCount", 3),
    txRoot: hex("txRoot", 4),
    number: big("number", 5),
    timestamp: big("timestamp", 6),
    feeRecipient: hex("feeRecipient", 7),
    baseFee: big("baseFee", 8),
    depositStart: big("depositStart", 9),
    depositEnd: big("depositEnd", 10),
    dataHash: hex("dataHash", 11),
    l1BaseFee: big("l1BaseFee", 12),
    l1BlobBaseFee: big("l1BlobBaseFee", 13),
  };
}

/** A header as JSON (post-batch files, RPC): numbers as decimal strings, bytes as hex. */
export function headerToJson(h: BatchHeader): Record<string, string> {
  const s = headerToAbi(h);
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : String(v).toLowerCase()]));
}

export function headerFromJson(j: Record<string, unknown>): BatchHeader {
  const fields = ["index", "parent", "firstSeq", "txCount", "txRoot", "number", "timestamp", "feeRecipient", "baseFee", "depositStart", "depositEnd", "dataHash", "l1BaseFee", "l1BlobBaseFee"];
  for (const f of fields) if (j[f] === undefined || j[f] === null) throw new Error(`header field ${f} is missing`);
  const h = headerFromSol(j as unknown as SolHeader);
  if (h.parent.length !== 32 || h.txRoot.length !== 32 || h.dataHash.length !== 32) throw new Error("parent, txRoot and dataHash must be 32 bytes");
  if (h.feeRecipient.length !== 20) throw new Error("feeRecipient must be 20 bytes");
  return h;
}

/**
 * The custom error a failed call or transaction reverted with: name and arguments, decoded from the
 * revert data the error carries (by the Inbox's and the Bridge's ABIs, or `ifaces`), if it can be.
 */
export function revertOf(e: unknown, ifaces?: readonly Interface[]): { name: string; args: unknown[] } | undefined {
  const err = e as { revert?: { name: string; args: unknown[] }; data?: string; info?: { error?: { data?: unknown } }; error?: { data?: unknown } };
  if (err?.revert?.name) return { name: err.revert.name, args: [...err.revert.args] };
  const candidates = [err?.data, err?.info?.error?.data, err?.error?.data, (err?.info?.error?.data as { data?: string })?.data];
  for (const d of candidates) {
    if (typeof d !== "string" || d.length < 10) continue;
    for (const iface of ifaces ?? [inboxInterface(), bridgeInterface()]) {
      try {
        const p = iface.parseError(d);
        if (p) return { name: p.name, args: [...p.args] };
      } catch {
        // not this contract's error
      }
    }
  }
  return undefined;
}
