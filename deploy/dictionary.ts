/**
 * The compressed items' dictionary a deployment binds (protocol.md §7.7): `moveset deploy --dictionary` and
 * `moveset devnet --compress` name it as
 *   default  the shipped one, deploy/flz-dictionary.hex (scripts/gen-dictionary.ts generates it; a test keeps
 *            the file what the script makes);
 *   none     no dictionary (compressed items expand with the empty one; the coordinator then posts raw items);
 *   <file>   a file of hex (an optional 0x, whitespace ignored) of 1 to MAX_FLZ_DICT_BYTES bytes.
 */
import * as fs from "fs";
import * as path from "path";
import { MAX_FLZ_DICT_BYTES } from "../core/flz";

/** The shipped dictionary (hex, one line). */
export const DEFAULT_DICTIONARY_FILE = path.join(__dirname, "flz-dictionary.hex");

/** A dictionary that cannot be bound: the message says what is wrong with it and where. */
export class DictionaryError extends Error {}

/** The bytes of a dictionary written as hex (`what` names it in errors): 1 to MAX_FLZ_DICT_BYTES bytes. */
export function parseDictionaryHex(text: string, what: string): Uint8Array {
  let s = text.replace(/\s+/g, "");
  if (s.startsWith("0x") || s.startsWith("0X")) s = s.slice(2);
  if (s.length === 0) throw new DictionaryError(`${what}: empty (to deploy without a dictionary, use "none")`);
  const bad = s.search(/[^0-9a-fA-F]/);
  if (bad >= 0) throw new DictionaryError(`${what}: not hex (${JSON.stringify(s[bad])} at hex digit ${bad})`);
  if (s.length % 2 !== 0) throw new DictionaryError(`${what}: an odd number of hex digits (${s.length})`);
  const n = s.length / 2;
  if (n > MAX_FLZ_DICT_BYTES) throw new DictionaryError(`${what}: ${n} bytes, over the limit of ${MAX_FLZ_DICT_BYTES} (MAX_FLZ_DICT_BYTES, protocol.md §7.7)`);
  return Uint8Array.from(Buffer.from(s, "hex"));
}

/** Reads a dictionary file of hex. */
export function readDictionaryFile(file: string): Uint8Array {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DictionaryError(code === "ENOENT" ? `dictionary file ${file} does not exist` : `cannot read dictionary file ${file}: ${(e as Error).message}`);
  }
  return parseDictionaryHex(text, `dictionary file ${file}`);
}

/** The shipped dictionary's bytes. */
export function defaultDictionary(): Uint8Array {
  return readDictionaryFile(DEFAULT_DICTIONARY_FILE);
}

/** What `--dictionary <spec>` binds: `default` the shipped dictionary, `none` nothing (undefined), else a hex file. */
export function resolveDictionary(spec: string): Uint8Array | undefined {
  const s = spec.trim();
  if (s === "none") return undefined;
  if (s === "default") return defaultDictionary();
  if (s === "") throw new DictionaryError(`--dictionary: expected default, none or a file of hex`);
  return readDictionaryFile(path.resolve(s));
}
