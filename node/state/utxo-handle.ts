/**
 * A replaceable LevelUtxoStore: the store has no undo, so rewinding it (after an L1 rollback or
 * reorg) means wiping it and applying the surviving batches again. Everything that reads the
 * store holds this handle, so it sees the new store.
 */
import * as fs from "fs";
import { LevelUtxoStore } from "./utxo-store";
import type { TxMoves } from "../../core/walk";
import type { Key } from "../../core/keys";

export class UtxoHandle {
  private constructor(
    private _store: LevelUtxoStore,
    readonly dir: string,
    private readonly genesis: readonly [Key, bigint][],
    private readonly indexes: boolean,
  ) {}

  /**
   * Opens (or creates) the store with the genesis allocation (protocol.md §7.6; none by default). `indexes`: keep
   * the latest and fee-output indexes (default; what a coordinator and the RPC read), not for a verifier's store.
   */
  static async open(dir: string, genesis: readonly [Key, bigint][] = [], opts: { indexes?: boolean } = {}): Promise<UtxoHandle> {
    fs.mkdirSync(dir, { recursive: true });
    const indexes = opts.indexes ?? true;
    return new UtxoHandle(await LevelUtxoStore.open(dir, { genesis, indexes }), dir, genesis, indexes);
  }

  get store(): LevelUtxoStore {
    return this._store;
  }

  /** Wipes the store, then applies `batches` (index 0, 1, ... in order). */
  async rebuild(batches: AsyncIterable<TxMoves[]> | Iterable<TxMoves[]>): Promise<void> {
    await this._store.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
    fs.mkdirSync(this.dir, { recursive: true });
    this._store = await LevelUtxoStore.open(this.dir, { genesis: this.genesis, indexes: this.indexes });
    let i = 0n;
    for await (const txs of batches) {
      const f = await this._store.applyBatch(i, txs);
      if (f) throw new Error(`rebuilding the UTXO set: batch ${i} does not apply (${f.kind}/${f.code} at seq ${f.seq})`);
      i++;
    }
  }

  async close(): Promise<void> {
    await this._store.close();
  }
}
