/**
 * MemoryState: a full state view held in memory (the latest index plus code by hash). Coordinators
 * in tests, the conformance runner's tools and benchmarks use it to fill moves and apply them.
 */
import { bytesToHex, keccak256 } from "./bytes";
import { Key, Mark, keyIdOf } from "./keys";
import type { Move } from "./moves";
import type { StateView } from "./fill";
import type { Tx } from "./tx";
import { TxType } from "./tx";

export class MemoryState implements StateView {
  private values = new Map<string, { seq: bigint; value: bigint }>();
  private codes = new Map<string, Uint8Array>();

  /** Sets a genesis value (seq 0). */
  setGenesis(key: Key, value: bigint): this {
    this.values.set(keyIdOf(bytesToHex(key.addr), key.mark, key.slot), { seq: 0n, value });
    return this;
  }

  addCode(code: Uint8Array): string {
    const h = bytesToHex(keccak256(code));
    if (code.length) this.codes.set(h, code);
    return h;
  }

  latest(mark: number, addrHex: string, slot: bigint): { seq: bigint; value: bigint } {
    return this.values.get(keyIdOf(addrHex, mark, slot)) ?? { seq: 0n, value: 0n };
  }

  code(hashHex: string): Uint8Array | undefined {
    return this.codes.get(hashHex);
  }

  /** Unspent fee outputs of `addrHex` (their key's newest version is the output itself), oldest first. */
  feeOutputs(addrHex: string, limit: number): { seq: bigint; value: bigint }[] {
    const prefix = `${addrHex.toLowerCase()}/${String.fromCharCode(Mark.Fee)}/`;
    const out: { seq: bigint; value: bigint }[] = [];
    for (const [id, v] of this.values) if (id.startsWith(prefix) && v.value > 0n && v.seq === BigInt("0x" + id.slice(prefix.length))) out.push(v);
    out.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
    return out.slice(0, limit);
  }

  /** Applies the moves of transaction `seq` (consuming moves create new versions) and keeps its witness code. */
  apply(seq: bigint, tx: Tx): void {
    for (const m of tx.moves as Move[]) if (!m.ref) this.values.set(keyIdOf(bytesToHex(m.addr), m.mark, m.slot), { seq, value: m.next });
    if (tx.type !== TxType.Deposit) for (const c of tx.witness) this.addCode(c);
  }
}
