/**
 * A worker thread's cache of contract code by code hash (node/rpc/call-worker.ts). Code is named by the
 * keccak256 of its bytes, so what the node's thread answered for a hash holds for every later job: the
 * code of a token or a pool crosses to the worker once instead of once per fill (each crossing is a
 * message each way, the main thread's largest cost of a fill: docs/BENCHMARKS.md, "Third pass").
 * Bounded by bytes (a call's state override may carry up to a request's worth of code): the least
 * recently used entries go first.
 */

/** The bytes of code a worker keeps (at most 1,000 contracts of the 24 KB limit: EIP-170 × ~1,300). */
export const CODE_CACHE_BYTES = 32 * 1024 * 1024;

export class CodeCache {
  private readonly map = new Map<string, Uint8Array>();
  private bytes = 0;

  constructor(readonly maxBytes: number) {}

  /** The code with hash `hash`, if kept (then it becomes the most recently used). */
  get(hash: string): Uint8Array | undefined {
    const c = this.map.get(hash);
    if (c !== undefined) {
      this.map.delete(hash);
      this.map.set(hash, c);
    }
    return c;
  }

  /** Keeps `code` as the code with hash `hash` (what the node's thread answered), dropping the least recently used past the bound. */
  put(hash: string, code: Uint8Array): void {
    if (code.length > this.maxBytes) return;
    const old = this.map.get(hash);
    if (old !== undefined) {
      this.map.delete(hash);
      this.bytes -= old.length;
    }
    this.map.set(hash, code);
    this.bytes += code.length;
    for (const [k, v] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.map.delete(k);
      this.bytes -= v.length;
    }
  }

  get size(): number {
    return this.map.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }
}
