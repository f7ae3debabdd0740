/**
 * The code a transaction may use besides its own witness (protocol.md §6.2): code carried by the
 * witness of a transaction with a lower seq in the same chain. `KnownCode` records, for every code
 * hash, the lowest seq whose witness carries it, and answers a transaction at seq `s` only with
 * code first carried below `s`. Code created by executing a transaction is not recorded: it counts
 * only within that transaction.
 *
 * Hashes are keccak256 of the code, 0x-hex, lower case.
 */
import { bytesToHex } from "./bytes";
import { TxType, codeHash, type Tx } from "./tx";

/** A code blob and the seq of the first transaction whose witness carries it. */
export interface PostedCode {
  seq: bigint;
  code: Uint8Array;
}

export class KnownCode {
  private readonly byHash = new Map<string, PostedCode>();

  constructor(entries?: Iterable<readonly [string, PostedCode]>) {
    if (entries) for (const [h, p] of entries) this.add(h, p.seq, p.code);
  }

  get size(): number {
    return this.byHash.size;
  }

  /**
   * Records `code` (whose hash is `hash`) as carried by the witness of transaction `seq`; an
   * earlier seq already recorded stays. Returns true if the record is new or moved earlier.
   */
  add(hash: string, seq: bigint, code: Uint8Array): boolean {
    const h = hash.toLowerCase();
    const had = this.byHash.get(h);
    if (had && had.seq <= seq) return false;
    this.byHash.set(h, { seq, code });
    return true;
  }

  /** Records every blob of the witness of transaction `seq` (nothing for a deposit). */
  addTx(seq: bigint, tx: Tx): void {
    if (tx.type === TxType.Deposit) return;
    for (const c of tx.witness) this.add(bytesToHex(codeHash(c)), seq, c);
  }

  /** The code of `hash` if the witness of a transaction before `seq` carries it. */
  before(hash: string, seq: bigint): Uint8Array | undefined {
    const p = this.byHash.get(hash);
    return p && p.seq < seq ? p.code : undefined;
  }

  /** The seq of the first transaction whose witness carries `hash`. */
  seqOf(hash: string): bigint | undefined {
    return this.byHash.get(hash.toLowerCase())?.seq;
  }

  /** Forgets the code first carried at `seq` or later (those transactions left the chain). Returns the hashes forgotten. */
  forgetFrom(seq: bigint): string[] {
    const gone: string[] = [];
    for (const [h, p] of this.byHash) if (p.seq >= seq) gone.push(h);
    for (const h of gone) this.byHash.delete(h);
    return gone;
  }

  entries(): IterableIterator<[string, PostedCode]> {
    return this.byHash.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, PostedCode]> {
    return this.byHash.entries();
  }
}
