/**
 * Key spaces of the node's string-keyed LevelDB stores are sublevels. Stores written before that
 * kept them under hand-built prefixes (`ev:`, `verdict:`, ...); `moveToSublevels` moves such
 * records, once, on open: each key under a prefix goes to its sublevel without the prefix. It moves
 * them in chunks, each chunk one atomic write that puts the new key and deletes the old one, so a
 * crash midway loses nothing and the next open moves the rest. Sublevel keys begin with `!`, which
 * no old prefix does, so old and new never meet.
 */
import type { Level } from "level";
import type { AbstractSublevel } from "abstract-level";

export type StringDb = Level<string, string>;
export type StringSublevel = AbstractSublevel<StringDb, string | Buffer | Uint8Array, string, string>;

/** The sublevel `name` of a string-keyed store, with string keys and values. */
export function stringSublevel(db: StringDb, name: string): StringSublevel {
  return db.sublevel<string, string>(name, { keyEncoding: "utf8", valueEncoding: "utf8" });
}

export interface KeySpaceMove {
  /** The old prefix (`ev:`), or a single old key when `exact`. */
  prefix: string;
  /** The sublevel it moves to. */
  sublevel: string;
  /** `prefix` is one whole key, which keeps its name minus nothing: it moves to `key` in the sublevel. */
  exact?: { key: string };
}

const CHUNK = 10_000;

/** The exclusive upper bound of the keys starting with `prefix`. */
function after(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** Moves every record of the old key spaces into its sublevel; returns how many moved. */
export async function moveToSublevels(db: StringDb, moves: readonly KeySpaceMove[]): Promise<number> {
  let moved = 0;
  for (const m of moves) {
    const sub = stringSublevel(db, m.sublevel);
    if (m.exact) {
      const v = await db.get(m.prefix);
      if (v === undefined) continue;
      await db.batch().put(m.exact.key, v, { sublevel: sub }).del(m.prefix).write();
      moved++;
      continue;
    }
    for (;;) {
      const wb = db.batch();
      let n = 0;
      for await (const [k, v] of db.iterator({ gte: m.prefix, lt: after(m.prefix), limit: CHUNK })) {
        wb.put(k.slice(m.prefix.length), v, { sublevel: sub });
        wb.del(k);
        n++;
      }
      if (n === 0) {
        await wb.close();
        break;
      }
      await wb.write();
      moved += n;
    }
  }
  return moved;
}
