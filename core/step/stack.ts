/**
 * The EVM stack as a hash chain (docs/step-machine.md §2.3): push(h, x) = keccak(h || x) from
 * tag("stack"). `ConsStack` is the stepper's persistent stack (a linked list with memoized chain
 * hashes: checkpoints share it); `StackView` is the verifier's, built from the revealed top items.
 */
import { keccakWords, tag } from "./words";

export const STACK_LIMIT = 1024;

interface Cell {
  readonly v: bigint;
  readonly below: Cell | null;
  readonly n: number;
  h?: bigint;
}

export function emptyStackHash(): bigint {
  return tag("stack");
}

function cellHash(c: Cell | null): bigint {
  if (c === null) return emptyStackHash();
  if (c.h !== undefined) return c.h;
  // iterative: find the deepest cell without a memo, then hash upward
  const todo: Cell[] = [];
  let x: Cell | null = c;
  while (x !== null && x.h === undefined) {
    todo.push(x);
    x = x.below;
  }
  let h = x === null ? emptyStackHash() : x.h!;
  for (let i = todo.length - 1; i >= 0; i--) {
    h = keccakWords(h, todo[i].v);
    todo[i].h = h;
  }
  return h;
}

/** What the interpreter needs from a stack, stepper or verifier. */
export interface Stack {
  readonly size: number;
  /** Reveals the top k items for this instruction; false (and nothing revealed) if fewer exist. */
  need(k: number): boolean;
  pop(): bigint;
  push(v: bigint): void;
  /** Item i from the top (0 = top), within what need() revealed. */
  peek(i: number): bigint;
  /** Exchanges the top with item n (SWAPn). */
  swap(n: number): void;
  /** Pushes a copy of item n-1 (DUPn). */
  dup(n: number): void;
  hash(): bigint;
}

export class ConsStack implements Stack {
  /** Called when an instruction reveals its stack inputs, while a proof is being recorded. */
  static hook: ((s: ConsStack, k: number) => void) | null = null;
  constructor(private top: Cell | null = null) {}

  get size(): number {
    return this.top === null ? 0 : this.top.n;
  }

  clone(): ConsStack {
    return new ConsStack(this.top);
  }

  /** Top-first list of the top k items (for proofs). */
  items(k: number): bigint[] {
    const out: bigint[] = [];
    let c = this.top;
    for (let i = 0; i < k && c !== null; i++) {
      out.push(c.v);
      c = c.below;
    }
    return out;
  }

  /** Chain hash below the top k items. */
  hashBelow(k: number): bigint {
    let c = this.top;
    for (let i = 0; i < k && c !== null; i++) c = c.below;
    return cellHash(c);
  }

  /** Bottom-first copy (for the differential check against ethereumjs). */
  toArray(): bigint[] {
    const out: bigint[] = [];
    for (let c = this.top; c !== null; c = c.below) out.push(c.v);
    return out.reverse();
  }

  need(k: number): boolean {
    if (this.size < k) return false;
    if (ConsStack.hook) ConsStack.hook(this, k);
    return true;
  }

  pop(): bigint {
    const c = this.top!;
    this.top = c.below;
    return c.v;
  }

  push(v: bigint): void {
    this.top = { v, below: this.top, n: (this.top === null ? 0 : this.top.n) + 1 };
  }

  peek(i: number): bigint {
    let c = this.top!;
    for (; i > 0; i--) c = c.below!;
    return c.v;
  }

  swap(n: number): void {
    const cells: Cell[] = [];
    let c = this.top!;
    for (let i = 0; i < n; i++) {
      cells.push(c);
      c = c.below!;
    }
    const deep = c;
    const vals = cells.map((x) => x.v);
    // rebuild from `deep` upward with the top and item n exchanged
    let below: Cell | null = { v: vals[0], below: deep.below, n: deep.n };
    for (let i = n - 1; i >= 1; i--) below = { v: vals[i], below, n: below.n + 1 };
    this.top = { v: deep.v, below, n: below.n + 1 };
  }

  dup(n: number): void {
    this.push(this.peek(n - 1));
  }

  hash(): bigint {
    return cellHash(this.top);
  }
}

/** The verifier's stack: the revealed top items, the chain below them, and what the step pushes. */
export class StackView implements Stack {
  /** Bottom-first: revealed items, then pushed ones. */
  private items: bigint[] = [];
  private below: bigint;
  private revealed = false;
  constructor(
    private readonly preHash: bigint,
    private n: number,
    private readonly read: () => bigint,
  ) {
    this.below = preHash;
  }

  get size(): number {
    return this.n;
  }

  need(k: number): boolean {
    if (this.n < k) return false;
    if (this.revealed) throw new Error("stack revealed twice in one step");
    this.revealed = true;
    const top: bigint[] = [];
    for (let i = 0; i < k; i++) top.push(this.read());
    const below = this.read();
    let h = below;
    for (let i = k - 1; i >= 0; i--) h = keccakWords(h, top[i]);
    if (h !== this.preHash) throw new ProofError("stack items do not match the stack hash");
    this.below = below;
    this.items = top.reverse();
    return true;
  }

  pop(): bigint {
    if (this.items.length === 0) throw new Error("pop beyond the revealed stack");
    this.n--;
    return this.items.pop()!;
  }

  push(v: bigint): void {
    this.items.push(v);
    this.n++;
  }

  peek(i: number): bigint {
    if (i >= this.items.length) throw new Error("peek beyond the revealed stack");
    return this.items[this.items.length - 1 - i];
  }

  swap(n: number): void {
    const a = this.items.length - 1;
    const t = this.items[a];
    this.items[a] = this.items[a - n];
    this.items[a - n] = t;
  }

  dup(n: number): void {
    this.push(this.peek(n - 1));
  }

  hash(): bigint {
    let h = this.below;
    for (const v of this.items) h = keccakWords(h, v);
    return h;
  }
}

/** A proof that does not prove what it claims. */
export class ProofError extends Error {}
