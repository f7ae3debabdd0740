/**
 * `moveset challenge` for an execution fault: the dispute game (protocol.md §11.5) played from the command line with
 * the watchtower's game player (node/watchtower/game-player.ts): the dispute (commit, then reveal) unless the
 * transaction's game is open already, then every move, step and resolution the honest-play solver gives, until the
 * game ends. `--dry-run` prints the trace and what the dispute would cost, and sends nothing.
 */
import * as path from "path";
import { ethers, Wallet } from "ethers";
import type { TxFault } from "../core/errors";
import { commitmentOf } from "../prover/build";
import type { Deployment } from "../node/config";
import type { L1Client } from "../node/l1/client";
import type { Verifier } from "../node/verifier/verifier";
import { componentLogger, rootLogger } from "../node/log";

export interface GameChallenge {
  v: Verifier;
  l1: L1Client;
  deployment: Deployment;
  headerHash: string;
  fault: TxFault;
  key?: string;
  dryRun?: boolean;
  json?: boolean;
  datadir: string;
  /** Seconds between turns. */
  pollMs?: number;
}

/** Gas of `data` sent to `to` as if `from` had committed to `commitment` (a state override of FraudProver's mapping). */
export async function estimateAsCommitted(l1: L1Client, to: string, data: string, from: string, commitment: string, value = 0n): Promise<{ gas: bigint; method: string }> {
  const abi = ethers.AbiCoder.defaultAbiCoder();
  const inner = ethers.keccak256(abi.encode(["address", "uint256"], [from, 0]));
  const slot = ethers.keccak256(abi.encode(["bytes32", "bytes32"], [commitment, inner]));
  try {
    const tx = { from, to, data, value: ethers.toBeHex(value) };
    return { gas: BigInt(await l1.provider.send("eth_estimateGas", [tx, "latest", { [to]: { stateDiff: { [slot]: ethers.toBeHex(1, 32) } } }])), method: "eth_estimateGas with a state override of the commitment" };
  } catch {
    const bytes = ethers.getBytes(data);
    return { gas: 21000n + bytes.reduce((s, x) => s + (x === 0 ? 4n : 16n), 0n), method: "intrinsic gas of the calldata only (the node does not estimate with state overrides)" };
  }
}

/** Plays (or with dryRun describes) the game of `fault`'s transaction; returns the process exit code. */
export async function challengeExecution(o: GameChallenge): Promise<number> {
  const g = o.deployment.game;
  if (!g) throw new Error("the deployment has no dispute game: an execution fault cannot be proven on it");
  const { GamePlayer } = await import("../node/watchtower/game-player");
  const { Responder, DEFAULT_RESPONDER } = await import("../node/watchtower/responder");
  const { WatchStore } = await import("../node/watchtower/store");
  const log = componentLogger("challenge", rootLogger());
  const wallet = new Wallet(o.key ?? Wallet.createRandom().privateKey, o.l1.provider);
  const store = await WatchStore.open(path.join(o.datadir, "game"));
  const player = new GamePlayer({
    provider: o.l1.provider, game: g, l2ChainId: o.deployment.l2ChainId, responder: new Responder(o.l1.provider, wallet, DEFAULT_RESPONDER, log), store, source: o.v, log,
  });
  const out = (x: Record<string, unknown>) => process.stdout.write((o.json ? JSON.stringify(x) : Object.entries(x).map(([k, v]) => `${k.padEnd(14)} ${v}`).join("\n")) + "\n");
  try {
    const d = await player.disputeArgs(o.headerHash, o.fault.txIndex);
    if (!d) throw new Error(`transaction ${o.fault.txIndex} of batch ${o.fault.batchIndex} cannot start the step machine`);
    const t = d.trace.truth;
    if (t.ok) throw new Error(`the step machine ends ok on transaction ${o.fault.txIndex} (the validator says ${o.fault.code}): not disputing`);
    let id: bigint = await player.game.getFunction("gameOf")(o.headerHash, o.fault.txIndex);
    const open = id !== 0n && Number((await player.game.getFunction("gameData")(id)).status) === 1;
    const calls = await player.disputeCallsFor(d.args);
    const base = { batch: Number(o.fault.batchIndex), tx: o.fault.txIndex, kind: "execution", code: o.fault.code, steps: t.steps, machineEnds: t.statusName, openingClaim: d.args.claim, bond: calls.value.toString() };
    if (o.dryRun) {
      const salt = "0x" + "11".repeat(32);
      const commitment = commitmentOf(wallet.address, calls.proofHash, salt);
      const est = await estimateAsCommitted(o.l1, g.address, calls.revealData(salt), wallet.address, commitment, calls.value);
      out({ ...base, game: open ? Number(id) : null, disputeGas: est.gas.toString(), gasMethod: est.method });
      return 0;
    }
    if (!o.key) throw new Error("--key is needed to play (or use --dry-run)");
    if (!open) {
      const salt = ethers.hexlify(ethers.randomBytes(32));
      const c = await (await wallet.sendTransaction({ to: g.address, data: calls.commitData(wallet.address, salt) })).wait();
      while ((await o.l1.provider.getBlockNumber()) < c!.blockNumber) await new Promise((r) => setTimeout(r, 300));
      const r = await (await wallet.sendTransaction({ to: g.address, data: calls.revealData(salt), value: calls.value })).wait();
      const ev = r!.logs.map((x) => player.game.interface.parseLog(x)).find((x) => x?.name === "GameCreated");
      id = ev!.args.gameId as bigint;
      log.info({ game: id, batch: o.fault.batchIndex, tx: o.fault.txIndex }, "disputed: the game is open");
    }
    let moves = 0;
    for (;;) {
      const now = BigInt(Math.max((await o.l1.provider.getBlock("latest"))!.timestamp, Math.floor(Date.now() / 1000)));
      const view = await player.view(id, now + 1n);
      if (view.status !== "open") {
        const won = view.status === "challenger-won";
        out({ ...base, game: Number(id), status: view.status, claims: view.claims.length - 1, movesMade: moves });
        return won ? 0 : 1;
      }
      moves += (await player.play(view)).filter((a) => a.type === "move").length;
      await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
    }
  } finally {
    await store.close();
  }
}
