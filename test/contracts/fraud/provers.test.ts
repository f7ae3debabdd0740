/**
 * The single-transaction fraud provers (contracts/fraud/, docs/protocol.md §9, §11.4): for each kind an
 * invalid batch is built with the TypeScript core, posted, and proven (commit, then reveal): the batch
 * and its successors are gone and the challenger is paid. The same proof against the honest version of
 * that batch reverts. The TypeScript validator (or walk) must classify each bad transaction as the
 * same kind the L1 prover settles.
 */
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import type { Contract } from "ethers";
import { mine } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { L2Sim, wrapped, SimBatch } from "../../helpers/l2sim";
import { Tx, TxType, DepositTx, encodeTx, decodeTx, WrappedTx } from "../../../core/tx";
import type { BatchTx } from "../../../core/batch";
import { Mark, type Key } from "../../../core/keys";
import { hexToBytes, bytesToHex } from "../../../core/bytes";
import { InvalidTxError, DecodeError } from "../../../core/errors";
import { validateTx, checkDepositPosition } from "../../../core/validate";
import { MemoryUtxoSet } from "../../../core/walk";
import { buildProof, commitmentOf } from "../../../prover/build";
import { TxFault, KIND_NUMBER } from "../../../prover/fault";
import { BOND, BPS, alice, bob, carol, deploy, deploySweeping, setup, now, signed, post, reveal } from "../../helpers/prover-chain";

/** The kind the TypeScript side gives a transaction at `seq` (validator, then the walk over the sim's history). */
async function tsKind(sim: L2Sim, b: SimBatch, position: number, ts: bigint, history: SimBatch[]): Promise<string> {
  const seq = b.header.firstSeq + BigInt(position);
  const ctx = { ...sim.ctx(seq, ts), declaredGas: b.txs[position].gas };
  try {
    const tx = decodeTx(b.txs[position].tx);
    checkDepositPosition(tx, position, b.header.depositStart, b.header.depositEnd, sim.deposits[Number(b.header.depositStart) + position]);
    await validateTx(tx, ctx, sim.ex, (h) => sim.state.code(h));
  } catch (e) {
    if (e instanceof InvalidTxError || e instanceof DecodeError) return e.kind;
    throw e;
  }
  const set = new MemoryUtxoSet(sim.genesis.map((e) => [e.key, e.value] as [Key, bigint]));
  for (const h of history) h.txs.forEach((t, i) => set.applyTx(h.header.firstSeq + BigInt(i), decodeTx(t.tx).moves));
  for (let i = 0; i < position; i++) set.applyTx(b.header.firstSeq + BigInt(i), decodeTx(b.txs[i].tx).moves);
  const f = set.applyTx(seq, decodeTx(b.txs[position].tx).moves);
  return f ? f.kind : "valid";
}

describe("fraud provers: one transaction, one L1 transaction", function () {
  this.timeout(300_000);

  /**
   * Posts `bad` as batch 2 and proves `fault`, then (in a fresh fixture) posts `good` and checks the
   * same-shaped proof reverts.
   */
  async function proveAndRefute(
    make: (sim: L2Sim, ts: bigint, poster: string) => Promise<{ bad: Array<Tx | Uint8Array | BatchTx>; good: Array<Tx | Uint8Array | BatchTx>; fault: Omit<TxFault, "batchIndex" | "seq" | "message">; deposits?: bigint; onL1?: (c: Record<string, Contract>, p: HardhatEthersSigner) => Promise<void> }>,
    fixture: typeof deploy = deploy,
  ) {
    // The invalid batch.
    {
      const { c, poster, challenger, sim } = await setup(fixture);
      const ts = await now();
      const m = await make(sim, ts, poster.address);
      if (m.onL1) await m.onL1(c, poster);
      const history = [...sim.batches];
      const b = await post(c, poster, sim, m.bad, ts, m.deposits ?? 0n, false);
      // A successor batch (honest) that must fall with it.
      await post(c, poster, sim, [], ts).catch(() => undefined);
      const seq = b.header.firstSeq + BigInt(m.fault.txIndex);
      expect(await tsKind(sim, b, m.fault.txIndex, ts, history)).to.equal(m.fault.kind, "the TypeScript verdict");
      const fault: TxFault = { ...m.fault, batchIndex: b.header.index, seq, message: "" };
      const proof = await buildProof(fault, sim.view());
      const balBefore = await ethers.provider.getBalance(challenger.address);
      const r = await reveal(c, challenger, proof);
      const tx = await r.tx;
      const rc = await tx.wait();
      await expect(tx).to.emit(c.Inbox, "BatchesRolledBack").withArgs(b.header.index, 1n, challenger.address, KIND_NUMBER[fault.kind], (BOND * BPS) / 10_000n, BOND - (BOND * BPS) / 10_000n);
      expect(await c.Inbox.getFunction("batchCount")()).to.equal(b.header.index);
      const balAfter = await ethers.provider.getBalance(challenger.address);
      expect(balAfter - balBefore + BigInt(rc!.gasUsed) * BigInt(rc!.gasPrice) + r.commitCost).to.equal((BOND * BPS) / 10_000n);
      console.log(`      gas of the ${fault.kind} proof: ${rc!.gasUsed}`);
      gasOf[fault.kind] = Number(rc!.gasUsed);
    }
    // The honest batch: the same proof reverts.
    {
      const { c, poster, challenger, sim } = await setup(fixture);
      const ts = await now();
      const m = await make(sim, ts, poster.address);
      if (m.onL1) await m.onL1(c, poster);
      const history = [...sim.batches];
      const b = await post(c, poster, sim, m.good, ts, m.deposits ?? 0n, false);
      const seq = b.header.firstSeq + BigInt(m.fault.txIndex);
      expect(await tsKind(sim, b, m.fault.txIndex, ts, history)).to.equal("valid");
      const fault: TxFault = { ...m.fault, batchIndex: b.header.index, seq, message: "" };
      const proof = await buildProof(fault, sim.view()).catch(() => undefined);
      if (proof) await expect((await reveal(c, challenger, proof)).tx).to.be.reverted;
      expect(await c.Inbox.getFunction("batchCount")()).to.equal(b.header.index + 1n);
    }
  }

  const gasOf: Record<string, number> = {};
  after(() => {
    if (Object.keys(gasOf).length) console.log(`      proof gas: ${JSON.stringify(gasOf)}`);
  });

  it("malformed: a transaction that does not decode", async () => {
    await proveAndRefute(async (sim, ts) => {
      const good = await sim.fill(wrapped(await signed({ to: carol, value: 5n, nonce: 1 })), 0, ts);
      const enc = encodeTx(good);
      return { bad: [Uint8Array.from([...enc, 0x00])], good: [good], fault: { txIndex: 0, kind: "malformed", code: "trailing-bytes" } };
    });
  });

  it("malformed: moves out of order", async () => {
    await proveAndRefute(async (sim, ts) => {
      const good = await sim.fill(wrapped(await signed({ to: carol, value: 5n, nonce: 1 })), 0, ts);
      const moves = [...good.moves];
      [moves[0], moves[1]] = [moves[1], moves[0]];
      return { bad: [{ ...good, moves } as Tx], good: [good], fault: { txIndex: 0, kind: "malformed", code: "moves-unsorted" } };
    });
  });

  it("signature: a signed mask on a wrapped transaction", async () => {
    await proveAndRefute(async (sim, ts) => {
      const good = await sim.fill(wrapped(await signed({ to: carol, value: 5n, nonce: 1 })), 0, ts);
      return { bad: [{ ...good, moves: good.moves.map((m, i) => (i === 0 ? { ...m, mask: 0x20 } : m)) } as Tx], good: [good], fault: { txIndex: 0, kind: "signature", code: "mask-on-unsigned" } };
    });
  });

  it("input: a move naming a producer that never wrote its key", async () => {
    await proveAndRefute(async (sim, ts) => {
      const good = await sim.fill(wrapped(await signed({ to: carol, value: 5n, nonce: 1 })), 0, ts);
      // carol's balance was never written: it is genesis (intx 0). Name seq 1 (the deposit to alice) instead.
      const i = good.moves.findIndex((m) => m.mark === Mark.Balance && bytesToHex(m.addr) === carol);
      return { bad: [{ ...good, moves: good.moves.map((m, j) => (j === i ? { ...m, intx: 1n } : m)) } as Tx], good: [good], fault: { txIndex: 0, kind: "input", code: "no-such-outpoint", moveIndex: i } };
    });
  });

  it("input (genesis): a move naming genesis whose prev is not the key's genesis value (a predeploy's nonce), shown against the Inbox's genesis commitment", async () => {
    await proveAndRefute(async (sim, ts) => {
      sim.withPredeploys();
      const multicall = "0xca11bde05977b3631167028862be2a173976ca11";
      const good = await sim.fill(wrapped(await signed({ to: multicall, value: 0n, nonce: 1, data: "0x3408e470" /* getChainId() */ })), 0, ts);
      const i = good.moves.findIndex((m) => m.mark === Mark.Nonce && bytesToHex(m.addr) === multicall);
      expect(good.moves[i]).to.deep.include({ intx: 0n, prev: 1n, ref: true });
      // Declared as if genesis had left it at 0: execution is the same (a callee's nonce is not read), the input is wrong.
      const bad = { ...good, moves: good.moves.map((m, j) => (j === i ? { ...m, prev: 0n, next: 0n } : m)) } as Tx;
      return { bad: [bad], good: [good], fault: { txIndex: 0, kind: "input", code: "prev-mismatch", moveIndex: i } };
    });
  });

  it("input (genesis): `prove` refuses intx 0 when the genesis allocation is not empty, and a wrong genesis proof is refused", async () => {
    const { c, poster, challenger, sim } = await setup();
    sim.withPredeploys();
    const ts = await now();
    const multicall = "0xca11bde05977b3631167028862be2a173976ca11";
    const good = await sim.fill(wrapped(await signed({ to: multicall, value: 0n, nonce: 1, data: "0x3408e470" })), 0, ts);
    const i = good.moves.findIndex((m) => m.mark === Mark.Nonce && bytesToHex(m.addr) === multicall);
    const bad = { ...good, moves: good.moves.map((m, j) => (j === i ? { ...m, prev: 0n, next: 0n } : m)) } as Tx;
    const b = await post(c, poster, sim, [bad], ts, 0n, false);
    const fault: TxFault = { batchIndex: b.header.index, txIndex: 0, seq: b.header.firstSeq, kind: "input", code: "prev-mismatch", moveIndex: i, message: "" };
    const proof = await buildProof(fault, sim.view());
    expect(proof.method).to.equal("proveGenesis");
    // The same fault through `prove` (as if genesis were empty): refused.
    const plain = await buildProof(fault, { ...sim.view(), genesis: [] });
    await expect((await reveal(c, challenger, plain)).tx).to.be.revertedWithCustomError(c.InputProver, "NotGenesis");
    // A proof of another key's leaf: it shows nothing for this key.
    const [leaf] = proof.args[3] as { index: bigint; addr: string; mark: number; slot: bigint; value: bigint; siblings: string[] }[];
    const other = await buildProof(fault, { ...sim.view(), genesis: sim.genesis.filter((e) => !(bytesToHex(e.key.addr) === multicall && e.key.mark === Mark.Nonce)) }).catch(() => undefined);
    if (other) await expect((await reveal(c, challenger, other)).tx).to.be.revertedWithCustomError(c.InputProver, "BadGenesisProof");
    expect(leaf.value).to.equal(1n);
    expect(await c.Inbox.getFunction("batchCount")()).to.equal(b.header.index + 1n);
  });

  it("double-use: two transactions consuming the same outpoint", async () => {
    await proveAndRefute(async (sim, ts) => {
      const t = await sim.fill(wrapped(await signed({ to: carol, value: 5n, nonce: 1 })), 0, ts);
      const u = await sim.fill(wrapped(await signed({ to: bob, value: 6n, nonce: 1 })), 1, ts);
      // Both spend alice's nonce and balance as of seq 2; only one of them may.
      const i = u.moves.findIndex((m) => m.mark === Mark.Nonce && bytesToHex(m.addr) === alice.address.toLowerCase());
      // The honest version spends alice's outputs of t instead.
      sim.state.apply(sim.nextSeq, t);
      const u2 = await sim.fill(wrapped(await signed({ to: bob, value: 6n, nonce: 2 })), 1, ts);
      return { bad: [t, u], good: [t, u2], fault: { txIndex: 1, kind: "double-use", code: "consumed", moveIndex: i, spentBy: 3n } };
    });
  });

  it("deposit: a deposit that credits another amount than L1 queued", async () => {
    await proveAndRefute(async (sim, ts, poster) => {
      const e = { from: hexToBytes(poster.toLowerCase() as `0x${string}`), to: hexToBytes(carol as `0x${string}`), value: 777n };
      sim.deposits.push(e);
      const good = await sim.fill({ type: TxType.Deposit, index: 1n, ...e, moves: [] } as DepositTx, 0, ts);
      const bad = await sim.fill({ type: TxType.Deposit, index: 1n, ...e, value: 778n, moves: [] } as DepositTx, 0, ts);
      return {
        bad: [bad],
        good: [good],
        deposits: 1n,
        fault: { txIndex: 0, kind: "deposit", code: "queue-mismatch" },
        onL1: async (c, p) => {
          await (await c.Bridge.connect(p).getFunction("deposit")(carol, { value: 777n })).wait();
        },
      };
    });
  });

  it("rules: a nonce that is not the sender's declared nonce", async () => {
    await proveAndRefute(async (sim, ts) => {
      const good = (await sim.fill(wrapped(await signed({ to: carol, value: 5n, nonce: 1 })), 0, ts)) as WrappedTx;
      const bad: WrappedTx = { ...good, raw: hexToBytes((await signed({ to: carol, value: 5n, nonce: 7 })) as `0x${string}`) };
      return { bad: [bad], good: [good], fault: { txIndex: 0, kind: "rules", code: "nonce" } };
    });
  });

  it("rules: a transaction declaring other gas than its gas limit (protocol.md §7.3)", async () => {
    await proveAndRefute(async (sim, ts) => {
      const good = await sim.fill(wrapped(await signed({ to: carol, value: 5n, nonce: 1 })), 0, ts);
      // The batch's gas total is what L1 caps and prices; a transaction must declare its gas limit
      // (100,000 here): claiming less would let a batch hold more work than the limit.
      return { bad: [{ gas: 21_000n, tx: encodeTx(good) }], good: [good], fault: { txIndex: 0, kind: "rules", code: "declared-gas" } };
    });
  });

  it("rules: a transaction declaring more gas than its gas limit (the honest batch declares it exactly)", async () => {
    await proveAndRefute(async (sim, ts) => {
      const good = await sim.fill(wrapped(await signed({ to: carol, value: 5n, nonce: 1 })), 0, ts);
      return { bad: [{ gas: 100_001n, tx: encodeTx(good) }], good: [{ gas: 100_000n, tx: encodeTx(good) }], fault: { txIndex: 0, kind: "rules", code: "declared-gas" } };
    });
  });

  it("rules: a deposit declaring gas", async () => {
    await proveAndRefute(async (sim, ts, poster) => {
      const e = { from: hexToBytes(poster.toLowerCase() as `0x${string}`), to: hexToBytes(carol as `0x${string}`), value: 777n };
      sim.deposits.push(e);
      const d = await sim.fill({ type: TxType.Deposit, index: 1n, ...e, moves: [] } as DepositTx, 0, ts);
      return {
        bad: [{ gas: 1n, tx: encodeTx(d) }],
        good: [d],
        deposits: 1n,
        fault: { txIndex: 0, kind: "rules", code: "declared-gas" },
        onL1: async (c, p) => {
          await (await c.Bridge.connect(p).getFunction("deposit")(carol, { value: 777n })).wait();
        },
      };
    });
  });

  it("rules: a balance that covers value and gas but not the L1 data fee of its batch's L1 price (protocol.md §6.6)", async () => {
    await proveAndRefute(async (sim, ts) => {
      const a = alice.address.toLowerCase();
      const balance = sim.state.latest(Mark.Balance, a, 0n).value;
      const gas = 100_000n * 100n; // signed()'s gas limit × fee cap
      // honest: room for the L1 fee (about 4 × tokens × 2 × 7 wei)
      sim.l1BaseFee = 7n;
      const good = await sim.fill(wrapped(await signed({ to: carol, value: balance - gas - 10n ** 6n, nonce: 1 })), 0, ts);
      // invalid: filled as if L1 charged nothing, all the balance spent on value and gas; the batch declares 7 wei
      sim.l1BaseFee = 0n;
      const bad = await sim.fill(wrapped(await signed({ to: carol, value: balance - gas, nonce: 1 })), 0, ts);
      sim.l1BaseFee = 7n;
      return { bad: [bad], good: [good], fault: { txIndex: 0, kind: "rules", code: "insufficient-balance" } };
    });
  });

  describe("fee sweeps (protocol.md §6.5): each prover understands them", () => {
    /** alice's payment that needs her swept fee output (seq 2) to cover it: valid with the sweep, not without. */
    async function needsSweep(sim: L2Sim, ts: bigint) {
      const a = alice.address.toLowerCase();
      const out = sim.state.feeOutputs(a, 10);
      expect(out).to.have.length(1);
      const balance = sim.state.latest(Mark.Balance, a, 0n).value;
      const value = balance + out[0].value - 100_000n * 100n; // all she has, her fee output included
      const good = await sim.fill(wrapped(await signed({ to: carol, value, nonce: 1 })), 0, ts, 16);
      const sweep = good.moves.findIndex((m) => m.mark === Mark.Fee && m.slot === out[0].seq);
      expect(sweep).to.be.greaterThan(-1);
      return { good, sweep, out: out[0] };
    }

    it("rules: the credit counts: a payment covered only by the sweep is valid; without the sweep it is a rules fault", async () => {
      await proveAndRefute(async (sim, ts) => {
        const { good, sweep } = await needsSweep(sim, ts);
        const bad = { ...good, moves: good.moves.filter((_, i) => i !== sweep) } as Tx;
        return { bad: [bad], good: [good], fault: { txIndex: 0, kind: "rules", code: "insufficient-balance" } };
      }, deploySweeping);
    });

    it("malformed: a sweep that leaves a value", async () => {
      await proveAndRefute(async (sim, ts) => {
        const { good, sweep } = await needsSweep(sim, ts);
        const bad = { ...good, moves: good.moves.map((m, i) => (i === sweep ? { ...m, next: 1n } : m)) } as Tx;
        return { bad: [bad], good: [good], fault: { txIndex: 0, kind: "malformed", code: "bad-sweep", moveIndex: sweep } };
      }, deploySweeping);
    });

    it("malformed: a sweep of someone else's fee output", async () => {
      await proveAndRefute(async (sim, ts) => {
        const { good, sweep } = await needsSweep(sim, ts);
        const c = hexToBytes(carol as `0x${string}`);
        const { sortMoves } = await import("../../../core/moves");
        const bad = { ...good, moves: sortMoves(good.moves.map((m, i) => (i === sweep ? { ...m, addr: c } : m))) } as Tx;
        const at = bad.moves.findIndex((m) => m.mark === Mark.Fee && bytesToHex(m.addr) === carol);
        return { bad: [bad], good: [good], fault: { txIndex: 0, kind: "malformed", code: "unexpected-output", moveIndex: at } };
      }, deploySweeping);
    });

    it("input: a sweep that overstates the output (and the balance it credits)", async () => {
      await proveAndRefute(async (sim, ts) => {
        const { good, sweep } = await needsSweep(sim, ts);
        const a = alice.address.toLowerCase();
        const bad = { ...good, moves: good.moves.map((m, i) => (i === sweep ? { ...m, prev: m.prev + 1n } : m.mark === Mark.Balance && bytesToHex(m.addr) === a ? { ...m, next: m.next + 1n } : m)) } as Tx;
        return { bad: [bad], good: [good], fault: { txIndex: 0, kind: "input", code: "prev-mismatch", moveIndex: sweep } };
      }, deploySweeping);
    });

    it("double-use: the same fee output swept twice", async () => {
      await proveAndRefute(async (sim, ts) => {
        const a = alice.address.toLowerCase();
        const out = sim.state.feeOutputs(a, 10)[0];
        const t = await sim.fill(wrapped(await signed({ to: carol, value: 5n, nonce: 1 })), 0, ts, 16);
        sim.state.apply(sim.nextSeq, t);
        // The second transaction sweeps the output again (its balance credited again).
        const u2 = (await sim.fill(wrapped(await signed({ to: carol, value: 6n, nonce: 2 })), 1, ts, 16)) as WrappedTx;
        expect(u2.moves.some((m) => m.mark === Mark.Fee && m.slot === out.seq)).to.equal(false);
        const { sortMoves } = await import("../../../core/moves");
        const again = { mask: 0, ref: false, mark: Mark.Fee, intx: out.seq, addr: hexToBytes(a as `0x${string}`), slot: out.seq, prev: out.value, next: 0n };
        const u = { ...u2, moves: sortMoves([...u2.moves.map((m) => (m.mark === Mark.Balance && bytesToHex(m.addr) === a ? { ...m, next: m.next + out.value } : m)), again]) } as Tx;
        const i = u.moves.findIndex((m) => m.mark === Mark.Fee && m.slot === out.seq);
        return { bad: [t, u], good: [t, u2], fault: { txIndex: 1, kind: "double-use", code: "consumed", moveIndex: i, spentBy: 3n } };
      }, deploySweeping);
    });
  });

  it("a proof cannot be replayed by a front-runner who did not commit", async () => {
    const { c, poster, challenger, sim } = await setup();
    const ts = await now();
    const good = await sim.fill(wrapped(await signed({ to: carol, value: 5n, nonce: 1 })), 0, ts);
    const b = await post(c, poster, sim, [Uint8Array.from([...encodeTx(good), 0])], ts, 0n, false);
    const proof = await buildProof({ batchIndex: b.header.index, txIndex: 0, seq: b.header.firstSeq, kind: "malformed", code: "", message: "" }, sim.view());
    const [, , thief] = await ethers.getSigners();
    const salt = ethers.hexlify(ethers.randomBytes(32));
    await (await c.MalformedProver.connect(challenger).getFunction("commit")(commitmentOf(challenger.address, proof.proofHash, salt))).wait();
    await mine(1);
    await expect(c.MalformedProver.connect(thief).getFunction("prove")(...proof.args, salt)).to.be.revertedWithCustomError(c.MalformedProver, "NotCommitted");
    await (await c.MalformedProver.connect(challenger).getFunction("prove")(...proof.args, salt)).wait();
    void hre;
  });
});
