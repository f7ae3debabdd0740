/**
 * The dispute game on the Hardhat network with the mock verifier: a fixture (Bridge, Inbox, MockStepVerifier,
 * DisputeGame registered with setGame, TestProver), batches of made-up transactions, commit-then-reveal disputes and
 * steps, and a Table (test/helpers/game-play.ts) over the contract that mirrors every action into the reference
 * model, so each game is checked claim by claim and payout by payout against it. Test-only.
 */
import { TXPROOF_TYPE as TX_PROOF_TYPE } from "../../prover/build";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { Contract, ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { BatchHeader, headerHash, encodeBatchData, batchDataHash, txRootOf, headerToAbi, GENESIS_PARENT, HEADER_ABI_TYPE } from "../../core/batch";
import { merkleProof, leafHash } from "../../core/merkle";
import { bytesToHex, hexToBytes } from "../../core/bytes";
import { MAX_DEPTH } from "../../core/game";
import { ZERO_ADDRESS, type GameAction, type GameClaim, type GameParams, type GameView } from "../../node/watchtower/game-solver";
import { GameModel } from "./game-model";
import { mockProof, mockSeed, type MockProgram } from "./mock-trace";
import type { Table } from "./game-play";
import { EMPTY_GENESIS_ROOT } from "../../node/config";

export const CHAIN_ID = 901n;
export const BOND = ethers.parseEther("1");
export const WINDOW = 3n * 3600n;
export const REWARD_BPS = 5000n;
export const REWARD = (BOND * REWARD_BPS) / 10_000n;
export const MAX_CLOCK = 3600n;
export const EXTENSION = 300n;
/** Bonds of depth 1 … 26: 0.01 ETH growing by 1/8 per depth (ratio ≤ 2, non-decreasing). */
export const BONDS: bigint[] = Array.from({ length: MAX_DEPTH }, (_, i) => (10n ** 16n * 9n ** BigInt(i)) / 8n ** BigInt(i));

export function gameParams(): GameParams {
  return { maxDepth: MAX_DEPTH, maxClockDuration: MAX_CLOCK, clockExtension: EXTENSION, bonds: [0n, ...BONDS] };
}

export interface Fixture {
  bridge: Contract;
  inbox: Contract;
  game: Contract;
  verifier: Contract;
  prover: Contract;
  signers: HardhatEthersSigner[];
}

/** Deploys the contracts; the first signer bonds and posts. */
export async function deployGame(): Promise<Fixture> {
  const signers = await ethers.getSigners();
  const bridge = (await (await ethers.getContractFactory("Bridge")).deploy()) as unknown as Contract;
  const inbox = (await (await ethers.getContractFactory("Inbox")).deploy(await bridge.getAddress(), CHAIN_ID, BOND, WINDOW, 86_400n, REWARD_BPS, 256n, 7n, EMPTY_GENESIS_ROOT, 0n)) as unknown as Contract;
  await (await bridge.getFunction("setInbox")(await inbox.getAddress())).wait();
  const verifier = (await (await ethers.getContractFactory("MockStepVerifier")).deploy()) as unknown as Contract;
  const game = (await (await ethers.getContractFactory("DisputeGame")).deploy(await inbox.getAddress(), await verifier.getAddress(), MAX_CLOCK, EXTENSION, BONDS)) as unknown as Contract;
  const prover = (await (await ethers.getContractFactory("TestProver")).deploy(await inbox.getAddress())) as unknown as Contract;
  await (await inbox.getFunction("setGame")(await game.getAddress())).wait();
  await (await inbox.getFunction("setProvers")([await prover.getAddress()])).wait();
  await (await inbox.getFunction("bond")({ value: 20n * BOND })).wait();
  return { bridge, inbox, game, verifier, prover, signers };
}

export interface Posted {
  header: BatchHeader;
  txs: Uint8Array[];
  hash: string;
}

/** Made-up transaction bytes of type `type` (0x01 move, 0x00 deposit): nothing decodes them but the mock. */
export function fakeTx(name: string, type = 0x01): Uint8Array {
  return hexToBytes(("0x" + type.toString(16).padStart(2, "0") + ethers.id(name).slice(2)) as `0x${string}`);
}

/** Posts the next batch of `txs` (by `poster`, the first signer by default). */
export async function postBatch(f: Fixture, txs: Uint8Array[], poster?: HardhatEthersSigner, at?: bigint): Promise<Posted> {
  const [index, parent, firstSeq, depositStart] = (await f.inbox.getFunction("tip")()) as [bigint, string, bigint, bigint, bigint];
  const timestamp = at ?? BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  // Nothing decodes the made-up transactions: each declares 0 gas.
  const entries = txs.map((tx) => ({ gas: 0n, tx }));
  const data = encodeBatchData(entries);
  const header: BatchHeader = {
    index,
    parent: index === 0n ? GENESIS_PARENT : hexToBytes(parent as `0x${string}`),
    firstSeq,
    txCount: BigInt(txs.length),
    txRoot: txRootOf(entries),
    number: index + 1n,
    timestamp,
    feeRecipient: hexToBytes("0x00000000000000000000000000000000000fee01"),
    baseFee: BigInt(await f.inbox.getFunction("nextBaseFee")()),
    depositStart,
    depositEnd: depositStart,
    dataHash: batchDataHash(data),
    l1BaseFee: 0n,
    l1BlobBaseFee: 0n,
  };
  const inbox = poster ? f.inbox.connect(poster) : f.inbox;
  await (await inbox.getFunction("appendBatch")(headerToAbi(header), data)).wait();
  return { header, txs, hash: bytesToHex(headerHash(header)) };
}

/** The TxProof of transaction `i` of a posted batch. */
export function txProof(b: Posted, i: number) {
  return { txIndex: BigInt(i), gas: 0n, tx: bytesToHex(b.txs[i]), siblings: merkleProof(b.txs.map((t) => leafHash(0n, t)), i).map(bytesToHex) };
}

/** The program the mock verifier runs for transaction `i` of `b` (set on L1 with setProgram). */
export async function setProgram(f: Fixture, b: Posted, i: number, length: bigint, status: number): Promise<MockProgram> {
  const tx = bytesToHex(b.txs[i]);
  await (await f.verifier.getFunction("setProgram")(tx, length, status)).wait();
  return { seed: mockSeed(tx, b.header.firstSeq + BigInt(i), b.hash, CHAIN_ID, length, status), length, status };
}

const abi = ethers.AbiCoder.defaultAbiCoder();

/** Commits (one block), then disputes transaction `i` of `b` with `claim`. */
export async function dispute(f: Fixture, who: HardhatEthersSigner, b: Posted, i: number, claim: string, o: { value?: bigint; salt?: string; hint?: bigint; ledger?: Ledger } = {}): Promise<ContractTransactionResponse> {
  const salt = o.salt ?? ethers.hexlify(ethers.randomBytes(32));
  const p = txProof(b, i);
  const proofHash = ethers.keccak256(abi.encode([HEADER_ABI_TYPE, TX_PROOF_TYPE, "bytes32"], [headerToAbi(b.header), p, claim]));
  const g = f.game.connect(who);
  await (o.ledger ?? new Ledger()).spend(who.address, g.getFunction("commit")(await g.getFunction("commitmentFor")(who.address, proofHash, salt)));
  return g.getFunction("dispute")(headerToAbi(b.header), p, claim, o.hint ?? 2n ** 64n - 1n, salt, { value: o.value ?? BONDS[0] });
}

/** Commits (one block), then steps. */
export async function step(f: Fixture, who: HardhatEthersSigner, gameId: bigint, claimIndex: number, isAttack: boolean, proof: string, ledger = new Ledger()): Promise<ContractTransactionResponse> {
  const salt = ethers.hexlify(ethers.randomBytes(32));
  const proofHash = ethers.keccak256(abi.encode(["uint256", "uint256", "bool", "bytes32"], [gameId, claimIndex, isAttack, ethers.keccak256(proof)]));
  const g = f.game.connect(who);
  await ledger.spend(who.address, g.getFunction("commit")(await g.getFunction("commitmentFor")(who.address, proofHash, salt)));
  return g.getFunction("step")(gameId, claimIndex, isAttack, proof, salt);
}

const STATUS = ["none", "open", "challenger-won", "defender-won"] as const;

/** The game as the contract shows it, as the solver's GameView (`now` = the next block's earliest time). */
export async function readGame(game: Contract, id: bigint): Promise<GameView> {
  const d = await game.getFunction("gameData")(id);
  const n = Number(await game.getFunction("claimCount")(id));
  const claims: GameClaim[] = [];
  for (let i = 0; i < n; i++) {
    const c = await game.getFunction("claimAt")(id, i);
    claims.push({
      parentIndex: c.parentIndex === 2n ** 32n - 1n ? -1 : Number(c.parentIndex),
      position: c.position,
      value: c.value,
      claimant: c.claimant.toLowerCase(),
      counteredBy: c.counteredBy.toLowerCase(),
      bond: c.bond,
      duration: c.duration,
      timestamp: c.timestamp,
      resolved: c.resolved,
    });
  }
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 1n;
  const status = STATUS[Number(d.status)];
  if (status === "none") throw new Error(`no game ${id}`);
  return { status, absolutePrestate: d.absolutePrestate, claims, now, params: gameParams() };
}

/** Per-address accounting of one game: bonds sent by successful moves. */
export class Ledger {
  readonly bonded = new Map<string, bigint>();
  add(map: Map<string, bigint>, who: string, v: bigint) {
    map.set(who.toLowerCase(), (map.get(who.toLowerCase()) ?? 0n) + v);
  }
  async spend(_who: string, tx: ContractTransactionResponse | Promise<ContractTransactionResponse>) {
    return (await (await tx).wait())!;
  }
}

/**
 * Wei each sender paid for gas in blocks (from, to]: read from the blocks themselves, since Hardhat also mines
 * transactions that revert (their senders pay too).
 */
export async function gasSpent(from: number, to: number): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  for (let n = from + 1; n <= to; n++) {
    const block = await ethers.provider.getBlock(n, true);
    for (const t of block!.prefetchedTransactions) {
      const r = await ethers.provider.getTransactionReceipt(t.hash);
      const k = t.from.toLowerCase();
      out.set(k, (out.get(k) ?? 0n) + r!.gasUsed * r!.gasPrice);
    }
  }
  return out;
}

/**
 * The contract as a Table, every successful action applied to the model too (at the block's time). Steps use the
 * true program's proof (the only proofs that exist); a step or move the contract refuses must be refused by the
 * model as well, and the other way round.
 */
export class ChainTable implements Table {
  constructor(
    readonly f: Fixture,
    readonly id: bigint,
    readonly model: GameModel,
    readonly truth: MockProgram,
    readonly signerOf: (address: string) => HardhatEthersSigner,
    readonly ledger: Ledger,
  ) {}

  view(): Promise<GameView> {
    return readGame(this.f.game, this.id);
  }

  async apply(who: string, a: GameAction): Promise<void> {
    const s = this.signerOf(who);
    const g = this.f.game.connect(s);
    let chainError: string | undefined;
    let at: bigint;
    try {
      const pending =
        a.type === "move"
          ? g.getFunction("move")(this.id, a.parentIndex, a.disputed, a.value, a.isAttack, { value: a.bond })
          : a.type === "resolve"
            ? g.getFunction("resolveClaim")(this.id, a.claimIndex, 0)
            : step(this.f, s, this.id, a.claimIndex, a.isAttack, mockProof(this.truth, a.preStateIndex), this.ledger);
      const rc = await this.ledger.spend(who, pending);
      at = BigInt((await ethers.provider.getBlock(rc.blockNumber))!.timestamp);
      if (a.type === "move") this.ledger.add(this.ledger.bonded, who, a.bond);
    } catch (e) {
      chainError = e instanceof Error ? e.message : String(e);
      at = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 1n;
    }
    // The model applies the action at the transaction's time; a refused one on a copy (it must refuse it too).
    let target = this.model;
    if (chainError !== undefined) {
      target = Object.setPrototypeOf(structuredClone(this.model), GameModel.prototype) as GameModel;
    }
    let modelError: string | undefined;
    try {
      target.now = at;
      target.apply(who.toLowerCase(), a);
    } catch (e) {
      modelError = e instanceof Error ? e.message : String(e);
    }
    if ((chainError === undefined) !== (modelError === undefined)) {
      throw new Error(`contract and model disagree on ${JSON.stringify(a, (_, v) => (typeof v === "bigint" ? v.toString() : v))}: contract ${chainError ?? "ok"}, model ${modelError ?? "ok"}`);
    }
    if (chainError !== undefined) throw new Error(chainError);
  }

  async advance(seconds: bigint): Promise<void> {
    await time.increase(seconds);
  }
}

export { ZERO_ADDRESS };
