/**
 * The fraud provers' test chain (contracts/fraud/, docs/protocol.md §9, §11.4): the deployment with the six real
 * provers (deploy/Moveset.ts) and a simulated honest L2 (test/helpers/l2sim.ts) with two batches — a deposit of
 * 10 ETH to alice, then alice pays bob — on which a test posts the batch it proves. Shared by the provers' tests
 * (test/contracts/fraud/provers.test.ts) and the watchtower's every-fault test (test/prover/provable-faults.test.ts).
 */
import { ethers, ignition } from "hardhat";
import type { Contract, TransactionRequest } from "ethers";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { movesetModule, PROVERS } from "../../deploy/Moveset";
import { L2Sim, L2_CHAIN_ID, BASE_FEE, headerArgs, wrapped, type SimBatch } from "./l2sim";
import { TxType, encodeTx, decodeTx, type Tx, type DepositTx } from "../../core/tx";
import type { BatchTx } from "../../core/batch";
import { hexToBytes } from "../../core/bytes";
import { commitmentOf, type ProofCall } from "../../prover/build";

export const BOND = ethers.parseEther("1");
export const WINDOW = 3600n;
export const BPS = 5000n;
export const alice = new ethers.Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
export const bob = "0x90f79bf6eb2c4f870365e785982e1f101e93b906";
export const carol = "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65";

export async function deploy() {
  return deployWith();
}

/** The same, with alice as the fee recipient of every batch: her payment in batch 1 leaves her a fee output (seq 2) to sweep. */
export async function deploySweeping() {
  return deployWith(hexToBytes(alice.address.toLowerCase() as `0x${string}`));
}

/**
 * The same, on a deployment bound to a dictionary of compressed items (protocol.md §7.7): alice's, bob's and carol's
 * addresses and a zero run, so that their transactions compress against it.
 */
export const TEST_DICTIONARY = "0x" + [alice.address, bob, carol].map((a) => a.slice(2).toLowerCase()).join("") + "00".repeat(64);
export async function deployCompressed() {
  return deployWith(undefined, TEST_DICTIONARY);
}

async function deployWith(feeRecipient?: Uint8Array, dictionary?: string) {
  const id = dictionary === undefined ? "ProversTest" : "ProversFlzTest";
  const mod = movesetModule(id, PROVERS, { dictionary });
  const params = { [id]: { l2ChainId: L2_CHAIN_ID, bondSize: BOND, challengeWindow: WINDOW, inclusionDelay: 86_400n, rewardBps: BPS, minBaseFee: BASE_FEE } };
  const c = (await ignition.deploy(mod, { parameters: params })) as unknown as Record<string, Contract>;
  const [poster, challenger] = await ethers.getSigners();
  // Each live, non-final batch locks a bond of its own: enough for the fixture's and each test's batches.
  await (await c.Inbox.connect(poster).getFunction("bond")({ value: 8n * BOND })).wait();
  // The deployment commits to the predeploys (the module's default genesis, protocol.md §7.6): so does the simulated chain.
  const sim = (await L2Sim.create(feeRecipient)).withPredeploys();
  // Batch 0: a deposit of 10 ETH to alice.
  await (await c.Bridge.connect(poster).getFunction("deposit")(alice.address, { value: ethers.parseEther("10") })).wait();
  sim.deposits.push({ from: hexToBytes(poster.address.toLowerCase() as `0x${string}`), to: hexToBytes(alice.address.toLowerCase() as `0x${string}`), value: ethers.parseEther("10") });
  const dep: DepositTx = { type: TxType.Deposit, index: 0n, from: sim.deposits[0].from, to: sim.deposits[0].to, value: sim.deposits[0].value, moves: [] };
  const ts0 = await now();
  const d = await sim.fill(dep, 0, ts0);
  await post(c, poster, sim, [d], ts0, 1n);
  // Batch 1: alice pays bob.
  const ts1 = await now();
  const t1 = await sim.fill(wrapped(await signed({ to: bob, value: 1000n, nonce: 0 })), 0, ts1);
  await post(c, poster, sim, [t1], ts1);
  return { c, poster, challenger, feeRecipient, base: { batches: [...sim.batches], deposits: [...sim.deposits] } };
}

/** The fixture, with a fresh simulated L2 replaying its honest batches (loadFixture restores only L1). */
export async function setup(fixture: typeof deploy = deploy) {
  const f = await loadFixture(fixture);
  const sim = (await L2Sim.create(f.feeRecipient)).withPredeploys();
  sim.deposits.push(...f.base.deposits);
  for (const b of f.base.batches) {
    sim.apply(b.txs.map((t) => decodeTx(t.tx)), b.header.firstSeq);
    sim.record(b);
  }
  return { ...f, sim };
}

export async function now(): Promise<bigint> {
  return BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
}

export function signed(fields: TransactionRequest): Promise<string> {
  return alice.signTransaction({ chainId: L2_CHAIN_ID, type: 2, maxFeePerGas: 100n, maxPriorityFeePerGas: 2n, gasLimit: 100_000n, ...fields });
}

/** Posts `txs` as the next batch; honest ones (apply) also advance the simulated state. */
export async function post(c: Record<string, Contract>, poster: HardhatEthersSigner, sim: L2Sim, txs: Array<Tx | Uint8Array | BatchTx>, ts: bigint, deposits = 0n, apply = true): Promise<SimBatch> {
  const enc = txs.map((t) => (t instanceof Uint8Array || !("type" in t) ? t : encodeTx(t)));
  const { header, data, txs: entries } = sim.header(enc, ts, deposits);
  await (await c.Inbox.connect(poster).getFunction("appendBatch")(headerArgs(header), data)).wait();
  const b = { header, txs: entries, data };
  if (apply) sim.apply(txs as Tx[], header.firstSeq);
  sim.record(b);
  return b;
}

/** Commits, mines a block, reveals. Returns the reveal and the gas cost of the commitment. */
export async function reveal(c: Record<string, Contract>, who: HardhatEthersSigner, proof: ProofCall) {
  const salt = ethers.hexlify(ethers.randomBytes(32));
  const prover = c[proof.prover];
  const rc = await (await prover.connect(who).getFunction("commit")(commitmentOf(who.address, proof.proofHash, salt))).wait();
  await mine(1);
  const commitCost: bigint = BigInt(rc!.gasUsed) * BigInt(rc!.gasPrice);
  return { tx: prover.connect(who).getFunction(proof.method)(...proof.args, salt), commitCost };
}

