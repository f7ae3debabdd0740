/**
 * Every fault the verifier can name is provable on L1 (issue 10; docs/protocol.md §6, §7.4, §11.4).
 *
 * For each code the core can report in a posted batch, a batch is built whose transaction has that fault first,
 * combined with as many of the faults that come after it in the order of §6 as it allows (an invalid signature, a
 * foreign chain id, a withdrawal output it may not claim, a wrong declared gas, undeclared or wrong sender state):
 * a prover that relied on a later check would then refuse. The batch goes through the verifier's own path
 * (node/validation/check.ts checkBatch against a UTXO store holding the chain before it), and EVERY one-step fault it
 * names — not only the one the watchtower picks (prover/fault.ts cheapestProvable) — is proven with the proof the
 * watchtower builds (prover/build.ts buildProof): commit, reveal, the batch rolled back.
 *
 * The cases cover every code the core's source can raise (scanned from core/ below), except the few that no
 * posted batch can carry, each listed with the reason.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { ethers } from "hardhat";
import type { Contract } from "ethers";
import { takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { L2Sim, L2_CHAIN_ID, wrapped } from "../helpers/l2sim";
import { alice, bob, carol, deploy, deployCompressed, now, post, setup, signed, TEST_DICTIONARY } from "../helpers/prover-chain";
import { compressItem, FLZ_ITEM, NO_DICTIONARY } from "../../core/flz";
import { declaredGas } from "../../core/gas";
import { TxType, encodeTx, decodeTx, type Tx, type MoveTx, type WrappedTx, type DepositTx } from "../../core/tx";
import type { BatchTx } from "../../core/batch";
import { Mark, type Key } from "../../core/keys";
import { sortMoves, type Move } from "../../core/moves";
import { bytesToHex, hexToBytes, keccak256, MAX_U256 } from "../../core/bytes";
import { signMoveTx } from "../../core/sign";
import type { TxFault } from "../../core/errors";
import { LevelUtxoStore } from "../../node/state/utxo-store";
import { checkBatch, InThreadValidator, txMovesOf } from "../../node/validation/check";
import { buildProof } from "../../prover/build";
import { cheapestProvable } from "../../prover/fault";
import { cleanupTmp, tmpDir, ROOT } from "../e2e/helpers";
import { prove } from "../security/helpers";

const KEY = hexToBytes(alice.privateKey as `0x${string}`);
const A = hexToBytes(alice.address.toLowerCase() as `0x${string}`);
const B = hexToBytes(bob as `0x${string}`);
const C = hexToBytes(carol as `0x${string}`);
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** What a case posts: the batch's transactions, which one carries the fault under test, deposits it consumes. */
interface Made {
  txs: Array<Tx | Uint8Array | BatchTx>;
  target: number;
  deposits?: bigint;
  onL1?: (c: Record<string, Contract>, poster: HardhatEthersSigner) => Promise<void>;
}
interface Case {
  /** The fault the verifier names first for the target transaction: `kind/code`. */
  fault: string;
  /** The later faults it carries as well. */
  with: string;
  fixture?: typeof deploy;
  /** The deployment's dictionary of compressed items (protocol.md §7.7), for a fixture that binds one. */
  dictionary?: Uint8Array;
  make: (sim: L2Sim, ts: bigint) => Promise<Made>;
}

const move = (o: Partial<Move>): Move => ({ mask: 0, ref: false, mark: Mark.Balance, intx: 0n, addr: A, slot: 0n, prev: 0n, next: 0n, ...o });

/** A move transaction signed by alice (nonce 1 after the fixture), unfilled. */
function moveTx(o: Partial<MoveTx> = {}): MoveTx {
  const t: MoveTx = { type: TxType.Move, chainId: L2_CHAIN_ID, nonce: 1n, maxPriorityFeePerGas: 2n, maxFeePerGas: 100n, gasLimit: 100_000n, to: B, value: 5n, data: new Uint8Array(0), moves: [], witness: [], sig: { yParity: 0, r: 0n, s: 0n }, ...o };
  return signMoveTx(t, KEY);
}

/** Re-signs a (filled) move transaction with changed fields: its moves are unsigned (mask 0), so they stay. */
const resign = (t: MoveTx, o: Partial<MoveTx>): MoveTx => signMoveTx({ ...t, ...o }, KEY);

/**
 * The hostile base of the pre-signature cases: a move transaction of another chain (1) with an invalid signature
 * (s = 0), claiming a withdrawal output of 10 ETH and declaring other gas than its limit. `moves` replaces its moves.
 */
function hostile(seq: bigint, moves?: Move[]): BatchTx {
  const t: MoveTx = {
    type: TxType.Move, chainId: 1n, nonce: 0n, maxPriorityFeePerGas: 0n, maxFeePerGas: 7n, gasLimit: 21_000n, to: A, value: 0n, data: new Uint8Array(0), witness: [],
    sig: { yParity: 0, r: 1n, s: 0n },
    moves: moves ?? [move({ mark: Mark.Withdrawal, slot: seq, next: 10n ** 19n })],
  };
  return { gas: 1n, tx: encodeTx(t) };
}

/** A wrapped transaction whose raw Ethereum transaction is signed for chain 1 (does not decode for the rollup). */
async function foreignWrapped(moves: Move[] = []): Promise<WrappedTx> {
  return { ...wrapped(await signed({ chainId: 1n, to: bob, value: 5n, nonce: 1 })), moves };
}

/** Alice's payment to carol, filled at `offset` of the batch (valid). */
async function payment(sim: L2Sim, ts: bigint, offset = 0, o: Record<string, unknown> = {}): Promise<WrappedTx> {
  return (await sim.fill(wrapped(await signed({ to: carol, value: 5n, nonce: 1, ...o })), offset, ts)) as WrappedTx;
}

/** `t` with another raw transaction (its moves as filled for the original). */
async function swapRaw(t: WrappedTx, o: Record<string, unknown>): Promise<WrappedTx> {
  return { ...t, raw: hexToBytes((await signed({ to: carol, value: 5n, nonce: 1, ...o })) as `0x${string}`) };
}

const withMoves = <T extends Tx>(t: T, f: (ms: Move[]) => Move[]): T => ({ ...t, moves: sortMoves(f([...t.moves])) }) as T;
const isAlice = (m: Move, mark: number) => m.mark === mark && bytesToHex(m.addr) === alice.address.toLowerCase();

/** A queued deposit of 777 wei to carol (queue entry 1), and its DepositTx as queued, with `moves`. */
function queuedDeposit(sim: L2Sim, poster: string) {
  const e = { from: hexToBytes(poster.toLowerCase() as `0x${string}`), to: C, value: 777n };
  sim.deposits.push(e);
  const tx = (o: Partial<DepositTx> = {}): DepositTx => ({ type: TxType.Deposit, index: 1n, ...e, moves: [move({ addr: C, next: 777n })], ...o });
  const onL1 = async (c: Record<string, Contract>, p: HardhatEthersSigner) => {
    await (await c.Bridge.connect(p).getFunction("deposit")(carol, { value: 777n })).wait();
  };
  return { tx, onL1 };
}

let POSTER = "";

const DICT = hexToBytes(TEST_DICTIONARY as `0x${string}`);

/** `tx` posted as a compressed item against the test dictionary (protocol.md §7.7), its declared gas its limit. */
function compressedEntry(tx: Tx): BatchTx {
  const item = compressItem(encodeTx(tx), DICT);
  expect(item[0], "the item compresses").to.equal(FLZ_ITEM);
  return { gas: declaredGas(tx), tx: item };
}

const CASES: Case[] = [
  {
    fault: "malformed/not-expandable",
    with: "a compressed valid payment before it (read as valid only when expanded with the deployment's dictionary), and a match reaching before the dictionary",
    fixture: deployCompressed,
    dictionary: DICT,
    make: async (s, ts) => {
      const t = await payment(s, ts);
      // A 3-byte match at distance 8,192: before the dictionary's first byte (124 bytes, nothing output yet).
      return { txs: [compressedEntry(t), { gas: 21_000n, tx: Uint8Array.of(FLZ_ITEM, 0x3f, 0xff) }], target: 1 };
    },
  },
  // ---- decoding (malformed) -------------------------------------------------------------------------------
  { fault: "malformed/trailing-bytes", with: "", make: async (s, ts) => ({ txs: [Uint8Array.from([...encodeTx(await payment(s, ts)), 0])], target: 0 }) },
  { fault: "malformed/truncated", with: "", make: async (s, ts) => ({ txs: [encodeTx(await payment(s, ts)).slice(0, -1)], target: 0 }) },
  { fault: "malformed/unknown-type", with: "", make: async () => ({ txs: [Uint8Array.of(0x05, 0x00)], target: 0 }) },
  { fault: "malformed/invalid-value", with: "an empty raw transaction", make: async () => ({ txs: [Uint8Array.of(0x02, 0x00, 0x00, 0x00)], target: 0 }) },
  {
    fault: "malformed/non-canonical",
    with: "a chain id varint with a needless byte",
    make: async (s, ts) => {
      const enc = encodeTx(await s.fill(moveTx(), 0, ts));
      // chain id 901 = varint 0x85 0x07; written 0x85 0x87 0x00 it is the same number, not canonical.
      expect([enc[1], enc[2]]).to.deep.equal([0x85, 0x07]);
      return { txs: [Uint8Array.from([enc[0], 0x85, 0x87, 0x00, ...enc.slice(3)])], target: 0 };
    },
  },
  { fault: "malformed/oversized", with: "1,025 moves announced", make: async () => ({ txs: [Uint8Array.of(0x02, 0x01, 0xc0, 0x81, 0x08)], target: 0 }) },

  // ---- before the signature: each on a transaction of another chain with an invalid signature -------------------
  {
    fault: "malformed/moves-unsorted",
    with: "foreign chain id, invalid signature, a stolen withdrawal output, wrong declared gas",
    make: async (s) => ({ txs: [hostile(s.nextSeq, [move({ mark: Mark.Withdrawal, slot: s.nextSeq, next: 10n ** 19n }), move({ addr: C })])], target: 0 }),
  },
  {
    fault: "malformed/duplicate-key",
    with: "foreign chain id, invalid signature, a stolen withdrawal output, wrong declared gas",
    make: async (s) => ({ txs: [hostile(s.nextSeq, [move({ addr: C }), move({ addr: C, next: 1n }), move({ mark: Mark.Withdrawal, slot: s.nextSeq, next: 10n ** 19n })])], target: 0 }),
  },
  {
    fault: "input/intx-not-before",
    with: "foreign chain id, invalid signature, a stolen withdrawal output, wrong declared gas",
    make: async (s) => ({ txs: [hostile(s.nextSeq, [move({ intx: s.nextSeq + 5n, prev: 1n, next: 1n }), move({ mark: Mark.Withdrawal, slot: s.nextSeq, next: 10n ** 19n })])], target: 0 }),
  },
  {
    fault: "signature/mask-on-unsigned",
    with: "a raw transaction of another chain (does not decode), a stolen withdrawal output",
    make: async (s) => ({ txs: [{ gas: 0n, tx: encodeTx(await foreignWrapped([move({ mask: 0x20, addr: B, next: 1n }), move({ mark: Mark.Withdrawal, addr: B, slot: s.nextSeq, next: 10n ** 19n })])) }], target: 0 }),
  },
  {
    fault: "malformed/unexpected-output",
    with: "foreign chain id, invalid signature, wrong declared gas (a fee output of someone but the fee recipient)",
    make: async (s) => ({ txs: [hostile(s.nextSeq, [move({ mark: Mark.Fee, addr: C, slot: s.nextSeq, next: 10n ** 19n })])], target: 0 }),
  },
  {
    fault: "malformed/bad-output",
    with: "foreign chain id, invalid signature, wrong declared gas",
    make: async (s) => ({ txs: [hostile(s.nextSeq, [move({ mark: Mark.Withdrawal, slot: s.nextSeq, prev: 1n, next: 10n ** 19n })])], target: 0 }),
  },
  {
    fault: "malformed/bad-sweep",
    with: "foreign chain id, invalid signature, wrong declared gas",
    make: async (s) => ({ txs: [hostile(s.nextSeq, [move({ mark: Mark.Fee, intx: 1n, slot: 1n, prev: 5n, next: 5n })])], target: 0 }),
  },
  {
    fault: "malformed/unused-witness",
    with: "foreign chain id, invalid signature, wrong declared gas",
    make: async (s) => {
      const t = decodeTx(hostile(s.nextSeq).tx) as MoveTx;
      return { txs: [{ gas: 1n, tx: encodeTx({ ...t, witness: [Uint8Array.of(0x60, 0x00)] }) }], target: 0 };
    },
  },
  {
    fault: "malformed/bad-ethereum-tx",
    with: "a withdrawal output of another address, wrong declared gas",
    make: async (s) => ({ txs: [{ gas: 7n, tx: encodeTx(await foreignWrapped([move({ mark: Mark.Withdrawal, addr: B, slot: s.nextSeq, next: 10n ** 19n })])) }], target: 0 }),
  },
  {
    fault: "signature/bad-signature",
    with: "foreign chain id (the attack of issue 10: a move transaction), a stolen withdrawal output, wrong declared gas",
    make: async (s) => ({ txs: [hostile(s.nextSeq)], target: 0 }),
  },
  {
    fault: "signature/bad-signature",
    with: "a wrapped transaction whose r is not below n; a withdrawal output of another address, wrong declared gas",
    make: async (s, ts) => {
      const good = await payment(s, ts);
      const t = ethers.Transaction.from(ethers.hexlify(good.raw));
      const fields = [t.chainId, t.nonce, t.maxPriorityFeePerGas, t.maxFeePerGas, t.gasLimit, t.to, t.value, t.data, [], 0n, N, 1n].map((v) => (typeof v === "bigint" || typeof v === "number" ? ethers.toBeArray(v) : v));
      const raw = ethers.concat(["0x02", ethers.encodeRlp(fields as never)]);
      const moves = [...good.moves, move({ mark: Mark.Withdrawal, addr: B, slot: s.nextSeq, next: 1n })];
      return { txs: [{ gas: 1n, tx: encodeTx(withMoves({ ...good, raw: hexToBytes(raw as `0x${string}`) }, () => moves)) }], target: 0 };
    },
  },

  // ---- after the signature: validly signed, with every later fault it can carry ----------------------------------
  {
    fault: "rules/chain-id",
    with: "a withdrawal output of another address, wrong declared gas, wrong nonce",
    make: async (s, ts) => {
      const t = (await s.fill(moveTx(), 0, ts)) as MoveTx;
      const bad = resign(withMoves(t, (ms) => [...ms, move({ mark: Mark.Withdrawal, addr: B, slot: s.nextSeq, next: 1n })]), { chainId: 1n, nonce: 9n });
      return { txs: [{ gas: 1n, tx: encodeTx(bad) }], target: 0 };
    },
  },
  {
    fault: "malformed/unexpected-output",
    with: "(the owner rule, after the signature) wrong declared gas, undeclared sender nonce",
    make: async (s, ts) => {
      const t = await payment(s, ts);
      const bad = withMoves(t, (ms) => [...ms.filter((m) => !isAlice(m, Mark.Nonce)), move({ mark: Mark.Withdrawal, addr: B, slot: s.nextSeq, next: 1n })]);
      return { txs: [{ gas: 1n, tx: encodeTx(bad) }], target: 0 };
    },
  },
  {
    fault: "rules/declared-gas",
    with: "undeclared sender nonce, wrong nonce",
    make: async (s, ts) => {
      const t = await swapRaw(await payment(s, ts), { nonce: 9 });
      return { txs: [{ gas: 21_000n, tx: encodeTx(withMoves(t, (ms) => ms.filter((m) => !isAlice(m, Mark.Nonce)))) }], target: 0 };
    },
  },
  {
    fault: "rules/declared-gas",
    with: "a deposit declaring gas",
    make: async (s) => {
      const d = queuedDeposit(s, POSTER);
      return { txs: [{ gas: 1n, tx: encodeTx(d.tx()) }], target: 0, deposits: 1n, onL1: d.onL1 };
    },
  },
  {
    fault: "rules/sender-undeclared",
    with: "wrong nonce, too little balance",
    make: async (s, ts) => {
      const t = await swapRaw(await payment(s, ts), { nonce: 9, value: 10n ** 20n });
      return { txs: [withMoves(t, (ms) => ms.filter((m) => !isAlice(m, Mark.Nonce)))], target: 0 };
    },
  },
  { fault: "rules/intrinsic-gas", with: "wrong nonce", make: async (s, ts) => ({ txs: [await swapRaw(await payment(s, ts), { gasLimit: 20_000n, nonce: 9 })], target: 0 }) },
  { fault: "rules/fee-cap", with: "wrong nonce", make: async (s, ts) => ({ txs: [await swapRaw(await payment(s, ts), { maxFeePerGas: 6n, maxPriorityFeePerGas: 1n, nonce: 9 })], target: 0 }) },
  {
    fault: "rules/sender-not-eoa",
    with: "too little balance, wrong nonce (and the code hash it declares is not the sender's: an input fault)",
    make: async (s, ts) => {
      const t = await swapRaw(await payment(s, ts), { nonce: 9, value: 10n ** 20n });
      const h = BigInt(bytesToHex(keccak256(Uint8Array.of(0x60))));
      return { txs: [withMoves(t, (ms) => ms.map((m) => (isAlice(m, Mark.Code) ? { ...m, prev: h, next: h } : m)))], target: 0 };
    },
  },
  { fault: "rules/insufficient-balance", with: "wrong nonce", make: async (s, ts) => ({ txs: [await swapRaw(await payment(s, ts), { value: 10n ** 20n, nonce: 9 })], target: 0 }) },
  { fault: "rules/nonce", with: "", make: async (s, ts) => ({ txs: [await swapRaw(await payment(s, ts), { nonce: 9 })], target: 0 }) },
  {
    fault: "rules/sweep-overflow",
    with: "a sweep of an output that does not exist (an input fault), wrong nonce",
    make: async (s, ts) => {
      const t = await swapRaw(await payment(s, ts), { nonce: 9 });
      return { txs: [withMoves(t, (ms) => [...ms, move({ mark: Mark.Fee, intx: 1n, slot: 1n, prev: MAX_U256 })])], target: 0 };
    },
  },
  {
    fault: "rules/bad-fields",
    with: "a move transaction whose priority fee is above its fee cap; wrong nonce",
    make: async (s, ts) => {
      const t = (await s.fill(moveTx(), 0, ts)) as MoveTx;
      return { txs: [resign(t, { maxPriorityFeePerGas: 101n, nonce: 9n })], target: 0 };
    },
  },
  {
    fault: "rules/bad-fields",
    with: "a move transaction with nonce 2^64 − 1 (ethereumjs refuses the field before the rule)",
    make: async (s, ts) => ({ txs: [resign((await s.fill(moveTx(), 0, ts)) as MoveTx, { nonce: 2n ** 64n - 1n })], target: 0 }),
  },
  {
    fault: "rules/bad-fields",
    with: "a move transaction creating a contract from 49,153 bytes of initcode (refused as a field); wrong nonce",
    make: async (s, ts) => ({ txs: [resign((await s.fill(moveTx(), 0, ts)) as MoveTx, { to: null, data: new Uint8Array(49_153), gasLimit: 5_000_000n, nonce: 9n })], target: 0 }),
  },

  // ---- the deposit queue (deposit) -----------------------------------------------------------------------------
  {
    fault: "deposit/not-a-deposit",
    with: "the hostile move transaction in the place of a queued deposit",
    make: async (s) => {
      const d = queuedDeposit(s, POSTER);
      return { txs: [hostile(s.nextSeq)], target: 0, deposits: 1n, onL1: d.onL1 };
    },
  },
  {
    fault: "deposit/deposit-mismatch",
    with: "another amount than queued (its moves consistent with it)",
    make: async (s) => {
      const d = queuedDeposit(s, POSTER);
      return { txs: [d.tx({ value: 778n, moves: [move({ addr: C, next: 778n })] })], target: 0, deposits: 1n, onL1: d.onL1 };
    },
  },
  {
    fault: "deposit/unexpected-deposit",
    with: "a deposit outside the batch's range",
    make: async (s) => {
      const d = queuedDeposit(s, POSTER);
      return { txs: [d.tx()], target: 0, deposits: 0n, onL1: d.onL1 };
    },
  },
  {
    fault: "deposit/deposit-moves",
    with: "a queued deposit crediting another address",
    make: async (s) => {
      const d = queuedDeposit(s, POSTER);
      return { txs: [d.tx({ moves: [move({ addr: B, next: 777n })] })], target: 0, deposits: 1n, onL1: d.onL1 };
    },
  },
  {
    fault: "deposit/deposit-amount",
    with: "a queued deposit crediting one wei more",
    make: async (s) => {
      const d = queuedDeposit(s, POSTER);
      return { txs: [d.tx({ moves: [move({ addr: C, next: 778n })] })], target: 0, deposits: 1n, onL1: d.onL1 };
    },
  },
  {
    fault: "signature/mask-on-unsigned",
    with: "a queued deposit with a signed move",
    make: async (s) => {
      const d = queuedDeposit(s, POSTER);
      return { txs: [d.tx({ moves: [move({ addr: C, next: 777n, mask: 0x20 })] })], target: 0, deposits: 1n, onL1: d.onL1 };
    },
  },

  // ---- the walk (input, double-use) ---------------------------------------------------------------------------
  {
    fault: "input/no-such-outpoint",
    with: "a producer that never wrote the key",
    make: async (s, ts) => ({ txs: [withMoves(await payment(s, ts), (ms) => ms.map((m) => (m.mark === Mark.Balance && bytesToHex(m.addr) === carol ? { ...m, intx: 1n } : m)))], target: 0 }),
  },
  {
    fault: "input/prev-mismatch",
    with: "a balance one wei above the producer's (and a next that follows it: the standalone check passes)",
    make: async (s, ts) => ({ txs: [withMoves(await payment(s, ts), (ms) => ms.map((m) => (isAlice(m, Mark.Balance) ? { ...m, prev: m.prev + 1n, next: m.next + 1n } : m)))], target: 0 }),
  },
  {
    fault: "double-use/consumed",
    with: "two transactions spending alice's outputs of seq 2",
    make: async (s, ts) => {
      const t = await payment(s, ts);
      const u = await payment(s, ts, 1, { to: bob, value: 6n });
      return { txs: [t, u], target: 1 };
    },
  },
  {
    fault: "double-use/reference-after-consume",
    with: "a reference to alice's balance of seq 2, which the transaction before it consumed",
    make: async (s, ts) => {
      const t = await payment(s, ts);
      const u = await payment(s, ts, 1, { to: bob, value: 6n });
      return { txs: [t, withMoves(u, (ms) => ms.map((m) => (isAlice(m, Mark.Balance) ? { ...m, ref: true, next: m.prev } : m)))], target: 1 };
    },
  },
];

/**
 * Codes the core can raise that no posted batch can carry, and why. Every other code the core's source raises must
 * have a case above.
 */
const UNREACHABLE: Record<string, string> = {
  "rules/gas-limit": "a gas limit above the block's would be declared as the batch's gas (§7.3), and L1 refuses a batch declaring more than 30M (§7.5): declared-gas is named instead",
  "rules/unprotected": "only when a node refuses unprotected transactions at its RPC (§12.2); a batch accepts them (§5.4)",
  "rules/blob-fee-cap": "blob transactions do not decode for the rollup (bad-ethereum-tx) before any rule",
  "rules/rejected": "the EVM refusing a transaction that passed every rule: no known input (a node failure if it happens)",
  "rules/nonce-max": "ethereumjs refuses a nonce of 2^64 − 1 when it builds the transaction: a wrapped one does not decode (bad-ethereum-tx), a move transaction's fields are refused (bad-fields, a case above)",
  "rules/initcode-size": "as nonce-max: initcode above 49,152 bytes is bad-ethereum-tx (wrapped) or bad-fields (move, a case above)",
  "malformed/over-limit": "the filler's refusal of a transaction it cannot post, never a batch's verdict",
  "execution/next-mismatch": "execution faults are settled by the dispute game (§11.5), not a one-step proof",
  "execution/undeclared-key": "as next-mismatch",
  "execution/missing-code": "as next-mismatch",
  "execution/fee-output": "as next-mismatch",
  "execution/withdrawal-output": "as next-mismatch",
};

/** Every `kind/code` the core's source can raise: InvalidTxError, the decoder's codes, the walk's codes. */
function coreCodes(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) {
        const src = fs.readFileSync(p, "utf8");
        for (const m of src.matchAll(/new InvalidTxError\(\s*"([a-z-]+)",\s*"([a-z0-9-]+)"/g)) out.add(`${m[1]}/${m[2]}`);
        for (const m of src.matchAll(/kind: "(input|double-use)"[^}\n]*?code: "([a-z-]+)"/g)) out.add(`${m[1]}/${m[2]}`);
        for (const m of src.matchAll(/InvalidTxError\("execution", mark === Mark\.Fee \? "([a-z-]+)" : "([a-z-]+)"/g)) [m[1], m[2]].forEach((c) => out.add(`execution/${c}`));
      }
    }
  };
  walk(path.join(ROOT, "core"));
  const decode = fs.readFileSync(path.join(ROOT, "core/errors.ts"), "utf8").match(/export type DecodeCode = ([^;]+);/)![1];
  for (const m of decode.matchAll(/"([a-z-]+)"/g)) out.add(`malformed/${m[1]}`);
  return out;
}

describe("every fault the verifier names is proven on L1 by the watchtower's path (issue 10)", function () {
  this.timeout(600_000);
  const covered = new Set<string>();
  let store: LevelUtxoStore;
  let validator: InThreadValidator;

  before(async () => {
    // The chain before each case's batch (the fixture's two honest batches), in the verifier's UTXO store.
    const { sim, poster } = await setup();
    POSTER = poster.address;
    store = await LevelUtxoStore.open(path.join(tmpDir("moveset-provable-"), "utxo"), { genesis: sim.genesis.map((e) => [e.key, e.value] as [Key, bigint]) });
    for (const b of sim.batches) await store.applyBatch(b.header.index, txMovesOf(b.header, b.txs.map((t) => decodeTx(t.tx))));
    validator = await InThreadValidator.create(L2_CHAIN_ID);
  });
  after(async () => {
    await store?.close();
    cleanupTmp();
  });

  for (const c of CASES)
    it(`${c.fault}${c.with ? `, with ${c.with}` : ""}`, async () => {
      const { c: contracts, poster, challenger, sim } = await setup(c.fixture);
      const ts = await now();
      const m = await c.make(sim, ts);
      if (m.onL1) await m.onL1(contracts, poster);
      const b = await post(contracts, poster, sim, m.txs, ts, m.deposits ?? 0n, false);
      const queue = [];
      for (let i = b.header.depositStart; i < b.header.depositEnd; i++) {
        const d = sim.deposits[Number(i)];
        queue.push({ index: i, from: bytesToHex(d.from), to: bytesToHex(d.to), value: d.value });
      }
      const res = await checkBatch(b.header, b.data, L2_CHAIN_ID, queue, validator, store, c.dictionary ?? NO_DICTIONARY);
      const named = (res.faults ?? []).filter((f) => f.txIndex === m.target).map((f) => `${f.kind}/${f.code}`);
      expect(named, "the verifier's faults of the target transaction").to.include(c.fault);
      covered.add(c.fault);
      // Every one-step fault it names, each from the same L1 state.
      const oneStep = (res.faults ?? []).filter((f) => f.kind !== "execution");
      expect(cheapestProvable(res.faults!), "the watchtower's choice").to.be.oneOf(oneStep);
      for (const f of oneStep) {
        const snap = await takeSnapshot();
        const proof = await buildProof(f as TxFault, { ...sim.view(), dictionary: c.dictionary });
        expect(await prove(contracts, challenger, proof), `the proof of ${f.kind}/${f.code} (transaction ${f.txIndex})`).to.equal("rolled back");
        await snap.restore();
      }
    });

  it("the cases cover every code the core can raise in a posted batch", () => {
    const missing = [...coreCodes()].filter((k) => !covered.has(k) && !(k in UNREACHABLE));
    expect(missing, "codes without a case (add one, or say in UNREACHABLE why no batch carries them)").to.deep.equal([]);
    for (const k of Object.keys(UNREACHABLE)) expect(coreCodes().has(k), `${k} is no longer a code of the core`).to.equal(true);
  });
});
