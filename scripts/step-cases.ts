/**
 * Synthetic rollup transactions (fee-output mode) for the step vectors and the stepper's tests:
 * the vaults, creations and deposits, EIP-6780 deletion, access lists, storage and transient
 * storage, every exceptional halt, the precompile limits, and mutants ending in every fault the
 * machine names.
 */
import { ethers } from "ethers";
import { Executor } from "../core/evm/execute";
import { Mark } from "../core/keys";
import { bytesToHex, hexToBytes } from "../core/bytes";
import type { TxContext } from "../core/context";
import { TxType, type WrappedTx } from "../core/tx";
import type { Move } from "../core/moves";
import { opName } from "../core/step/classify";
import { syntheticTx, SYN_CONTRACT, SYN_KEY, SYN_CHAIN_ID } from "../bench/synthetic";

const OPS = new Map<string, number>();
for (let op = 0; op < 256; op++) OPS.set(opName(op), op);

/** A tiny assembler: opcode names, and PUSHn followed by a hex literal. */
export function asm(src: string): Uint8Array {
  const out: number[] = [];
  const t = src.trim().split(/\s+/);
  for (let i = 0; i < t.length; i++) {
    const name = t[i].toUpperCase();
    if (name.startsWith("0X")) throw new Error(`literal ${t[i]} without PUSH`);
    const op = OPS.get(name);
    if (op === undefined) throw new Error(`unknown opcode ${t[i]}`);
    out.push(op);
    if (op >= 0x60 && op <= 0x7f) {
      const n = op - 0x5f;
      const lit = BigInt(t[++i]);
      for (let k = n - 1; k >= 0; k--) out.push(Number((lit >> BigInt(8 * k)) & 0xffn));
    }
  }
  return new Uint8Array(out);
}

const call = (to: string, value: string, gas = "GAS") => `PUSH1 0 PUSH1 0 PUSH1 0 PUSH1 0 PUSH32 ${value} PUSH20 ${to} ${gas} CALL`;
const OTHER = "0x00000000000000000000000000000000c0de0002";
const WD_VAULT = "0x7700000000000000000000000000000000000000";

export interface SyntheticCase {
  name: string;
  tx: WrappedTx;
  ctx: TxContext;
}

function withMoves(tx: WrappedTx, f: (moves: Move[]) => Move[]): WrappedTx {
  return { ...tx, moves: f(tx.moves.map((m) => ({ ...m }))) };
}

function isSender(m: Move, mark: number): boolean {
  return m.mark === mark && bytesToHex(m.addr) === new ethers.Wallet(SYN_KEY).address.toLowerCase();
}

export async function syntheticCases(ex: Executor): Promise<SyntheticCase[]> {
  const out: SyntheticCase[] = [];
  const add = async (name: string, code: Uint8Array, o: Parameters<typeof syntheticTx>[2] = {}) => {
    const s = await syntheticTx(ex, code, o);
    out.push({ name, tx: s.tx, ctx: s.ctx });
    return s;
  };

  // the vaults: a withdrawal, a payment to COINBASE (the fee vault), a balance read of it
  const vaults = await add("vaults", asm(`${call(WD_VAULT, "5")} POP ${call("0xfee0000000000000000000000000000000000000", "3")} POP COINBASE BALANCE POP SELFBALANCE POP STOP`), { value: 100n });
  // storage and transient storage: set, reset, clear (refund), TSTORE/TLOAD
  await add("storage", asm("PUSH1 7 PUSH1 1 SSTORE PUSH1 0 PUSH1 1 SSTORE PUSH1 0 PUSH1 2 SSTORE PUSH1 9 PUSH1 3 TSTORE PUSH1 3 TLOAD PUSH1 4 TLOAD ADD POP PUSH1 2 SLOAD POP STOP"), { storage: { "2": 5n } });
  // an access list warms an address and a slot
  await add("access-list", asm("PUSH1 1 SLOAD POP PUSH20 0x00000000000000000000000000000000c0de0002 BALANCE POP STOP"), {
    accessList: [{ address: bytesToHex(SYN_CONTRACT), storageKeys: ["0x" + "00".repeat(31) + "01"] }, { address: OTHER, storageKeys: [] }],
    contracts: { [OTHER]: asm("STOP") },
  });
  // the fee recipient sweeps two fee outputs into its balance, pays with them, and earns a new one
  const sweep = await add("sweep", asm("STOP"), { feeOutputs: [10n ** 17n, 3n * 10n ** 16n] });
  // a top-level creation with a code deposit
  await add("create-top", asm("PUSH1 0x2a PUSH1 0 MSTORE8 PUSH1 1 PUSH1 0 RETURN"), { create: true });
  // CREATE2 of a contract that self-destructs while being created (EIP-6780: deleted at the end)
  const init = "0x73" + OTHER.slice(2) + "ff";
  await add("create2-selfdestruct", asm(`PUSH22 ${init} PUSH1 0 MSTORE PUSH1 1 PUSH1 22 PUSH1 10 PUSH1 0 CREATE2 POP STOP`), { contracts: { [OTHER]: asm("STOP") } });
  // the same, then the creator sends value to the self-destructed account: its balance is deleted at the end
  await add("create2-selfdestruct-funded", asm(`PUSH22 ${init} PUSH1 0 MSTORE PUSH1 1 PUSH1 22 PUSH1 10 PUSH1 0 CREATE2 PUSH1 0 PUSH1 0 PUSH1 0 PUSH1 0 PUSH1 5 DUP6 GAS CALL POP POP STOP`), {
    value: 100n,
    contracts: { [OTHER]: asm("STOP") },
  });
  // a call into another contract that returns data, copied back; MCOPY both ways; KECCAK256
  await add(
    "call-return",
    asm(`${call(OTHER, "0")} POP RETURNDATASIZE PUSH1 0 PUSH1 0 RETURNDATACOPY PUSH1 40 PUSH1 0 PUSH1 3 MCOPY PUSH1 40 PUSH1 3 PUSH1 0 MCOPY PUSH1 70 PUSH1 1 KECCAK256 POP STOP`),
    { contracts: { [OTHER]: asm("PUSH32 0x1122334455667788990011223344556677889900112233445566778899001122 PUSH1 0 MSTORE PUSH1 40 PUSH1 0 RETURN") } },
  );
  // halts
  await add("halt-underflow", asm("POP"));
  await add("halt-overflow", asm("JUMPDEST PUSH0 PUSH1 0 JUMP"));
  await add("halt-invalid-jump", asm("PUSH1 3 JUMP"));
  await add("halt-invalid", asm("INVALID"));
  await add("halt-undefined", new Uint8Array([0x0c]));
  await add("halt-static", asm(`PUSH1 0 PUSH1 0 PUSH1 0 PUSH1 0 PUSH20 ${OTHER} GAS STATICCALL POP STOP`), { contracts: { [OTHER]: asm("PUSH1 1 PUSH1 0 SSTORE") } });
  await add("halt-oog", asm("JUMPDEST PUSH1 0 JUMP"), { gasLimit: 60_000n });
  await add("halt-returndata-bounds", asm("PUSH1 1 PUSH1 0 PUSH1 0 RETURNDATACOPY"));
  await add("halt-code-size", asm("PUSH2 0x6001 PUSH1 0 RETURN"), { create: true, gasLimit: 10_000_000n });
  await add("halt-code-ef", asm("PUSH1 0xef PUSH1 0 MSTORE8 PUSH1 1 PUSH1 0 RETURN"), { create: true });
  await add("halt-initcode-size", asm("PUSH2 0xc001 PUSH1 0 PUSH1 0 CREATE"), { gasLimit: 5_000_000n });
  await add("call-insufficient-balance", asm(`${call(OTHER, "1000")} POP STOP`), { contracts: { [OTHER]: asm("STOP") } });
  // CREATE2(value 0, offset 0, size 0, salt 7) twice: the second lands on the first's address (nonce 1)
  await add("create-collision", asm(`PUSH1 7 PUSH1 0 PUSH1 0 PUSH1 0 CREATE2 POP PUSH1 7 PUSH1 0 PUSH1 0 PUSH1 0 CREATE2 POP STOP`));
  // precompile limits: MODEXP with a 1025-byte base, BLAKE2F with 2^22 + 1 rounds
  await add("limit-modexp", asm(`PUSH2 0x0401 PUSH1 0 MSTORE PUSH1 1 PUSH1 32 MSTORE PUSH1 1 PUSH1 64 MSTORE ${call("0x0000000000000000000000000000000000000005", "0").replace("PUSH1 0 PUSH1 0 PUSH1 0 PUSH1 0", "PUSH1 32 PUSH1 0 PUSH1 200 PUSH1 0")} POP STOP`));
  await add("limit-blake2f", asm(`PUSH4 0x00400001 PUSH1 0xe0 SHL PUSH1 0 MSTORE PUSH1 1 PUSH1 212 MSTORE8 ${call("0x0000000000000000000000000000000000000009", "0").replace("PUSH1 0 PUSH1 0 PUSH1 0 PUSH1 0", "PUSH1 64 PUSH1 0 PUSH1 213 PUSH1 0")} POP STOP`));

  // faults the machine names, as mutants of a filled transaction
  const base = vaults;
  const mut = (name: string, tx: WrappedTx) => out.push({ name, tx, ctx: base.ctx });
  const storage = out.find((c) => c.name === "storage")!;
  mut("fault-next-mismatch", withMoves(base.tx, (ms) => ms.map((m) => (m.mark === Mark.Nonce ? { ...m, ref: false, next: m.next + 1n } : m))));
  mut("fault-fee-output", withMoves(base.tx, (ms) => ms.map((m) => (m.mark === Mark.Fee ? { ...m, next: m.next + 1n } : m))));
  mut("fault-withdrawal-output", withMoves(base.tx, (ms) => ms.map((m) => (m.mark === Mark.Withdrawal ? { ...m, next: m.next + 1n } : m))));
  out.push({ name: "fault-undeclared-key", tx: withMoves(storage.tx, (ms) => ms.filter((m) => m.mark !== Mark.Storage || m.slot !== 2n)), ctx: storage.ctx });
  mut("fault-missing-code", { ...base.tx, witness: [] });
  mut("fault-sender-undeclared", withMoves(base.tx, (ms) => ms.filter((m) => !isSender(m, Mark.Nonce))));
  mut("fault-nonce", withMoves(base.tx, (ms) => ms.map((m) => (isSender(m, Mark.Nonce) ? { ...m, prev: m.prev + 1n } : m))));
  mut("fault-insufficient-balance", withMoves(base.tx, (ms) => ms.map((m) => (isSender(m, Mark.Balance) ? { ...m, prev: 5n } : m))));
  out.push({ name: "fault-sweep-overflow", tx: withMoves(sweep.tx, (ms) => ms.map((m) => (isSender(m, Mark.Balance) ? { ...m, prev: (1n << 256n) - 10n } : m))), ctx: sweep.ctx });
  mut("fault-sender-not-eoa", withMoves(base.tx, (ms) => ms.map((m) => (isSender(m, Mark.Code) ? { ...m, prev: 1n, next: 1n } : m))));
  // static rules: the same declared moves under another signed transaction
  const wallet = new ethers.Wallet(SYN_KEY);
  for (const [name, fields] of [
    ["fault-gas-limit", { gasLimit: 30_000_001n }],
    ["fault-intrinsic-gas", { gasLimit: 21_000n, data: "0x01" }],
    ["fault-fee-cap", { maxFeePerGas: 6n, maxPriorityFeePerGas: 1n }],
  ] as const) {
    const defaults = { type: 2, chainId: SYN_CHAIN_ID, nonce: 0, to: bytesToHex(SYN_CONTRACT), gasLimit: 1_000_000n, maxFeePerGas: 10n, maxPriorityFeePerGas: 2n, value: 0n };
    const raw = await wallet.signTransaction({ ...defaults, ...fields });
    mut(name, { type: TxType.Wrapped, raw: hexToBytes(raw as `0x${string}`), moves: base.tx.moves.filter((m) => m.mark !== Mark.Fee && m.mark !== Mark.Withdrawal), witness: base.tx.witness });
  }
  return out;
}
