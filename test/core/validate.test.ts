import { expect } from "chai";
import { ethers } from "ethers";
import hre from "hardhat";
import {
  Executor, MemoryState, Mark, TxType, TxContext, WrappedTx, MoveTx, Tx, DepositTx, InvalidTxError,
  fillMoves, validateTx, encodeTx, decodeTx, signMoveTx, hexToBytes, bytesToHex, keyToString, MaskBit, Move,
  FEE_VAULT_HEX, WITHDRAWAL_VAULT_HEX, L2_BLOCK_GAS_LIMIT,
} from "../../core";

const CHAIN = 31337n;
const alice = new ethers.Wallet("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const bob = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const feeRecipient = hexToBytes("0x00000000000000000000000000000000000fee01");

function ctx(seq: bigint, feeMode: "outputs" | "ethereum" = "outputs"): TxContext {
  return {
    seq,
    env: { chainId: CHAIN, number: 5n, timestamp: 1_700_000_000n, coinbase: feeRecipient, baseFee: 7n, gasLimit: L2_BLOCK_GAS_LIMIT, prevRandao: new Uint8Array(32), excessBlobGas: 0n },
    feeMode,
    blockHash: "zero",
    allowUnprotected: false,
    allowBlobTx: false,
  };
}

async function expectInvalid(p: Promise<unknown>, kind: string, code: string): Promise<InvalidTxError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(InvalidTxError);
    const err = e as InvalidTxError;
    expect(`${err.kind}/${err.code}`).to.equal(`${kind}/${code}`, err.message);
    return err;
  }
  throw new Error(`expected ${kind}/${code}, but it was accepted`);
}

const wrap = (raw: string): WrappedTx => ({ type: TxType.Wrapped, raw: hexToBytes(raw as `0x${string}`), moves: [], witness: [] });
const roundTrip = (tx: Tx): Tx => decodeTx(encodeTx(tx));

describe("core: move filling and the standalone validator", function () {
  let ex: Executor;
  let state: MemoryState;
  let nonce: number;
  let seq: bigint;

  const sign = (fields: ethers.TransactionRequest) =>
    alice.signTransaction({ chainId: CHAIN, type: 2, nonce, maxFeePerGas: 100n, maxPriorityFeePerGas: 2n, gasLimit: 100_000n, ...fields });

  /** Fills, checks the filled tx validates, applies it and returns it. */
  async function include(tx: Tx): Promise<Tx> {
    const filled = roundTrip((await fillMoves(tx, state, ctx(seq), ex)).tx);
    await validateTx(filled, ctx(seq), ex);
    state.apply(seq, filled);
    seq++;
    if (tx.type !== TxType.Deposit) nonce++;
    return filled;
  }

  before(async () => {
    ex = await Executor.create(CHAIN);
  });

  beforeEach(() => {
    state = new MemoryState().setGenesis({ mark: Mark.Balance, addr: hexToBytes(alice.address.toLowerCase() as `0x${string}`), slot: 0n }, 10n ** 18n);
    nonce = 0;
    seq = 1n;
  });

  it("fills an ETH transfer: consuming moves for what changes, references for what is read, a fee output", async () => {
    const tx = await include(wrap(await sign({ to: bob, value: 1000n })));
    const byKey = new Map(tx.moves.map((m) => [keyToString(m), m]));
    const a = alice.address.toLowerCase();
    expect(byKey.get(`n:${a}`)!.ref).to.equal(false);
    expect(byKey.get(`n:${a}`)!.next).to.equal(1n);
    expect(byKey.get(`c:${a}`)!.ref).to.equal(true);
    expect(byKey.get(`b:${bob}`)!.next).to.equal(1000n);
    expect(byKey.get(`c:${bob}`)!.ref).to.equal(true);
    const fee = tx.moves.find((m) => m.mark === Mark.Fee)!;
    expect(fee.slot).to.equal(1n);
    expect(fee.next).to.equal(21000n * 2n); // priority fee only; the base fee is burned
    // the base fee on the declared gas (the gas limit, 100,000 at 7), the priority fee on the gas used (§6.5)
    expect(byKey.get(`b:${a}`)!.next).to.equal(10n ** 18n - 1000n - 100_000n * 7n - 21000n * 2n);
    // the vault itself is never state
    expect(tx.moves.some((m) => bytesToHex(m.addr) === FEE_VAULT_HEX)).to.equal(false);
  });

  it("rejects an undeclared access, a wrong next, a wrong fee output, and a mask on a wrapped transaction", async () => {
    const filled = roundTrip((await fillMoves(wrap(await sign({ to: bob, value: 1000n })), state, ctx(1n), ex)).tx);
    const i = filled.moves.findIndex((m) => m.mark === Mark.Balance && bytesToHex(m.addr) === bob);
    const dropped = { ...filled, moves: filled.moves.filter((_, j) => j !== i) } as Tx;
    await expectInvalid(validateTx(dropped, ctx(1n), ex), "execution", "undeclared-key");
    const wrongNext = { ...filled, moves: filled.moves.map((m, j) => (j === i ? { ...m, next: m.next + 1n } : m)) } as Tx;
    const err = await expectInvalid(validateTx(wrongNext, ctx(1n), ex), "execution", "next-mismatch");
    expect(err.moveIndex).to.equal(i);
    const f = filled.moves.findIndex((m) => m.mark === Mark.Fee);
    const wrongFee = { ...filled, moves: filled.moves.map((m, j) => (j === f ? { ...m, next: m.next - 1n } : m)) } as Tx;
    await expectInvalid(validateTx(wrongFee, ctx(1n), ex), "execution", "fee-output");
    const masked = { ...filled, moves: filled.moves.map((m, j) => (j === 0 ? { ...m, mask: MaskBit.Next } : m)) } as Tx;
    await expectInvalid(validateTx(masked, ctx(1n), ex), "signature", "mask-on-unsigned");
    const late = { ...filled, moves: filled.moves.map((m, j) => (j === 0 ? { ...m, intx: 1n } : m)) } as Tx;
    await expectInvalid(validateTx(late, ctx(1n), ex), "input", "intx-not-before");
    const dup = { ...filled, moves: [filled.moves[0], ...filled.moves] } as Tx;
    await expectInvalid(validateTx(dup, ctx(1n), ex), "malformed", "duplicate-key");
    const ethMode = roundTrip((await fillMoves(wrap(await sign({ to: bob, value: 1000n })), state, ctx(1n, "ethereum"), ex)).tx);
    expect(ethMode.moves.some((m) => m.mark === Mark.Fee)).to.equal(false);
    // Ethereum mode: the whole gas price on the gas used, as Ethereum
    expect(ethMode.moves.find((m) => m.mark === Mark.Balance && bytesToHex(m.addr) === alice.address.toLowerCase())!.next).to.equal(10n ** 18n - 1000n - 21000n * 9n);
    await validateTx(ethMode, ctx(1n, "ethereum"), ex);
    // In fee-output mode the coinbase is not credited: its declared balance is wrong.
    await expectInvalid(validateTx(ethMode, ctx(1n, "outputs"), ex), "execution", "next-mismatch");
  });

  it("refuses rule violations with precise reasons", async () => {
    const e = await expectInvalid(fillMoves(wrap(await sign({ to: bob, nonce: 3 })), state, ctx(1n), ex), "rules", "nonce");
    // The error carries the rule's data (no parsing of its message).
    expect(e.detail).to.deep.equal({ nonce: "3", expected: String(nonce) });
    await expectInvalid(fillMoves(wrap(await sign({ to: bob, maxFeePerGas: 6n, maxPriorityFeePerGas: 1n })), state, ctx(1n), ex), "rules", "fee-cap");
    await expectInvalid(fillMoves(wrap(await sign({ to: bob, gasLimit: 20_000n })), state, ctx(1n), ex), "rules", "intrinsic-gas");
    await expectInvalid(fillMoves(wrap(await sign({ to: bob, value: 10n ** 18n })), state, ctx(1n), ex), "rules", "insufficient-balance");
    await expectInvalid(fillMoves(wrap(await sign({ to: bob, gasLimit: L2_BLOCK_GAS_LIMIT + 1n })), state, ctx(1n), ex), "rules", "gas-limit");
    await expectInvalid(fillMoves(wrap(await sign({ to: bob, chainId: 1n })), state, ctx(1n), ex), "signature", "bad-signature").catch(async () =>
      // ethereumjs reports a chain-id mismatch while decoding
      expectInvalid(fillMoves(wrap(await sign({ to: bob, chainId: 1n })), state, ctx(1n), ex), "malformed", "bad-ethereum-tx"),
    );
    await expectInvalid(validateTx(wrap("0xdeadbeef"), ctx(1n), ex), "malformed", "bad-ethereum-tx");
  });

  it("deploys and calls a contract: code travels as witness, storage as moves, logs come out", async () => {
    const art = await hre.artifacts.readArtifact("Counter");
    const deploy = await include(wrap(await sign({ data: art.bytecode, gasLimit: 1_000_000n })));
    expect(deploy.type === TxType.Wrapped && deploy.witness.length).to.equal(1);
    const addr = ethers.getCreateAddress({ from: alice.address, nonce: 0 }).toLowerCase();
    const iface = new ethers.Interface(art.abi);
    const call = await include(wrap(await sign({ to: addr, data: iface.encodeFunctionData("bump", [5]), value: 3n })));
    const slot0 = call.moves.find((m) => m.mark === Mark.Storage && bytesToHex(m.addr) === addr && m.slot === 0n)!;
    expect([slot0.prev, slot0.next, slot0.ref]).to.deep.equal([0n, 5n, false]);
    const code = call.moves.find((m) => m.mark === Mark.Code && bytesToHex(m.addr) === addr)!;
    expect(code.ref).to.equal(true);
    expect(code.intx).to.equal(1n); // produced by the deploying transaction

    // The call again: a missing witness is malformed, a stray witness blob too.
    const again = roundTrip((await fillMoves(wrap(await sign({ to: addr, data: iface.encodeFunctionData("bump", [1]) })), state, ctx(seq), ex)).tx) as WrappedTx;
    const outcome = await validateTx(again, ctx(seq), ex);
    expect(outcome.status).to.equal(1);
    expect(outcome.logs.length).to.equal(1);
    await expectInvalid(validateTx({ ...again, witness: [] }, ctx(seq), ex), "execution", "missing-code");
    await expectInvalid(validateTx({ ...again, witness: [...again.witness, Uint8Array.of(0x60, 0x00)] }, ctx(seq), ex), "malformed", "unused-witness");
    // ... unless the validator already knows the code by hash.
    const known = new Map(again.witness.map((c) => [ethers.keccak256(c), c] as [string, Uint8Array]));
    await validateTx({ ...again, witness: [] }, ctx(seq), ex, (h) => known.get(h));

    // A reverting call is a valid transaction with status 0; its storage stays.
    const reverting = await include(wrap(await sign({ to: addr, data: iface.encodeFunctionData("bump", [5000]) })));
    const s = reverting.moves.find((m) => m.mark === Mark.Storage && m.slot === 0n);
    expect(s === undefined || s.ref).to.equal(true);
  });

  it("fills a move transaction: signed fields stay, open fields are filled, the signature still holds", async () => {
    const key = hexToBytes(alice.privateKey as `0x${string}`);
    const bobB: Move = { mask: MaskBit.Mark | MaskBit.Addr | MaskBit.Kind, ref: false, mark: Mark.Balance, intx: 0n, addr: hexToBytes(bob as `0x${string}`), slot: 0n, prev: 0n, next: 0n };
    const tx: MoveTx = signMoveTx(
      { type: TxType.Move, chainId: CHAIN, nonce: 0n, maxPriorityFeePerGas: 2n, maxFeePerGas: 100n, gasLimit: 50_000n, to: hexToBytes(bob as `0x${string}`), value: 77n, data: new Uint8Array(0), moves: [bobB], witness: [], sig: { yParity: 0, r: 0n, s: 0n } },
      key,
    );
    const filled = (await include(tx)) as MoveTx;
    const b = filled.moves.find((m) => m.mark === Mark.Balance && bytesToHex(m.addr) === bob)!;
    expect([b.mask, b.next]).to.deep.equal([bobB.mask, 77n]);
    // Changing a signed field (the kind: make it a reference) changes the signer: its state is undeclared.
    const tampered = { ...filled, moves: filled.moves.map((m) => (m === b ? { ...m, ref: true, next: m.prev } : m)) };
    await expectInvalid(validateTx(tampered, ctx(1n), ex), "rules", "sender-undeclared");
    // A wrong chain id is a rules fault.
    const other = signMoveTx({ ...tx, chainId: 5n }, key);
    await expectInvalid(fillMoves(other, state, ctx(seq), ex), "rules", "chain-id");
    // With an invalid signature as well, the signature is named: a rules proof needs the signer (protocol.md §6 item 6).
    await expectInvalid(validateTx({ ...other, sig: { ...other.sig, s: 0n } }, ctx(1n), ex), "signature", "bad-signature");
  });

  it("turns ETH sent to the withdrawal vault into a withdrawal output of the sender", async () => {
    const tx = await include(wrap(await sign({ to: WITHDRAWAL_VAULT_HEX, value: 12345n })));
    const w = tx.moves.find((m) => m.mark === Mark.Withdrawal)!;
    expect([bytesToHex(w.addr), w.slot, w.intx, w.prev, w.next]).to.deep.equal([alice.address.toLowerCase(), 1n, 0n, 0n, 12345n]);
    expect(tx.moves.some((m) => bytesToHex(m.addr) === WITHDRAWAL_VAULT_HEX)).to.equal(false);
    const wi = tx.moves.indexOf(w);
    const more = { ...tx, moves: tx.moves.map((m, j) => (j === wi ? { ...m, next: 99999n } : m)) } as Tx;
    await expectInvalid(validateTx(more, ctx(1n), ex), "execution", "withdrawal-output");
    const toBob = { ...tx, moves: tx.moves.map((m, j) => (j === wi ? { ...m, addr: hexToBytes(bob as `0x${string}`) } : m)) } as Tx;
    await expectInvalid(validateTx({ ...toBob, moves: [...toBob.moves].sort((a, b) => Buffer.compare(Buffer.from(a.addr), Buffer.from(b.addr)) || a.mark - b.mark) } as Tx, ctx(1n), ex), "malformed", "unexpected-output");
    const wrongSeq = { ...tx, moves: tx.moves.map((m, j) => (j === wi ? { ...m, slot: 7n } : m)) } as Tx;
    await expectInvalid(validateTx(wrongSeq, ctx(1n), ex), "malformed", "unexpected-output");
  });

  it("validates deposits: exactly the recipient's balance, credited by the value", async () => {
    const dep: DepositTx = { type: TxType.Deposit, index: 0n, from: hexToBytes(alice.address as `0x${string}`), to: hexToBytes(bob as `0x${string}`), value: 5n, moves: [] };
    const filled = (await include(dep)) as DepositTx;
    expect(filled.moves).to.have.length(1);
    expect(filled.moves[0].next).to.equal(5n);
    await expectInvalid(validateTx({ ...filled, moves: [{ ...filled.moves[0], next: 6n }] }, ctx(1n), ex), "deposit", "deposit-amount");
    await expectInvalid(validateTx({ ...filled, moves: [] }, ctx(1n), ex), "deposit", "deposit-moves");
  });
});
