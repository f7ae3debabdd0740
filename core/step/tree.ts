/** A static fixed-depth tree of ZERO-on-ZERO nodes over word leaves (docs/step-machine.md §2.1). */
import { node } from "./words";

export class FixedTree {
  private levels: bigint[][] = [];
  constructor(
    readonly depth: number,
    leaves: readonly bigint[],
  ) {
    if (leaves.length > 2 ** depth) throw new RangeError(`${leaves.length} leaves do not fit depth ${depth}`);
    let level = leaves.slice();
    this.levels.push(level);
    for (let l = 0; l < depth; l++) {
      const next: bigint[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(node(level[i], i + 1 < level.length ? level[i + 1] : 0n));
      level = next;
      this.levels.push(level);
    }
  }

  root(): bigint {
    return this.levels[this.depth][0] ?? 0n;
  }

  /** Siblings of leaf i from level 0 upward. */
  siblings(i: number): bigint[] {
    const out: bigint[] = [];
    let j = i;
    for (let l = 0; l < this.depth; l++) {
      out.push(this.levels[l][j ^ 1] ?? 0n);
      j >>= 1;
    }
    return out;
  }
}
