/**
 * The shipped compressed-item dictionary (deploy/flz-dictionary.hex, protocol.md §7.7) is what
 * scripts/gen-dictionary.ts generates (so it cannot drift from its recipe), fits MAX_FLZ_DICT_BYTES and
 * compresses a transaction it was not trained on; and `--dictionary <default|none|file>` (deploy/dictionary.ts)
 * refuses bad input with a message that says what is wrong.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_DICTIONARY_FILE, DictionaryError, defaultDictionary, parseDictionaryHex, resolveDictionary } from "../../deploy/dictionary";
import { dictionaryFileText, generateDictionary } from "../../scripts/gen-dictionary";
import { compressItem, expandItem, FLZ_ITEM, MAX_FLZ_DICT_BYTES } from "../../core/flz";
import { bytesToHex } from "../../core/bytes";
import vectors from "../vectors/tx.json";

describe("the shipped compressed-item dictionary (deploy/flz-dictionary.hex)", function () {
  this.timeout(60_000);

  it("is exactly what scripts/gen-dictionary.ts generates, and at most MAX_FLZ_DICT_BYTES", async () => {
    const d = await generateDictionary();
    expect(d.length).to.be.within(MAX_FLZ_DICT_BYTES - 256, MAX_FLZ_DICT_BYTES);
    expect(fs.readFileSync(DEFAULT_DICTIONARY_FILE, "utf8")).to.equal(dictionaryFileText(d), "regenerate: npx ts-node --transpile-only scripts/gen-dictionary.ts");
  });

  it("compresses wrapped transactions it was not trained on better than no dictionary, and they expand back", () => {
    const dict = defaultDictionary();
    const txs = (vectors as { vectors: { encoded?: string }[] }).vectors.map((v) => v.encoded).filter((e): e is string => typeof e === "string" && e.startsWith("0x02"));
    expect(txs.length).to.be.greaterThan(0);
    let withDict = 0;
    let without = 0;
    for (const hex of txs) {
      const enc = Buffer.from(hex.slice(2), "hex");
      const item = compressItem(enc, dict);
      withDict += item.length;
      without += compressItem(enc, new Uint8Array(0)).length;
      expect(bytesToHex(expandItem(item, dict))).to.equal(hex);
    }
    expect(withDict).to.be.lessThan(without);
  });
});

describe("--dictionary <default|none|file> (deploy/dictionary.ts)", () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-dict-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  it("default is the shipped file, none is no dictionary, a file is its hex (0x and whitespace allowed)", () => {
    expect(resolveDictionary("default")).to.deep.equal(defaultDictionary());
    expect(resolveDictionary("none")).to.equal(undefined);
    expect(resolveDictionary(file("ok.hex", "0x00ff\n  a1 b2\n"))).to.deep.equal(Uint8Array.of(0x00, 0xff, 0xa1, 0xb2));
    expect(resolveDictionary(file("max.hex", "ab".repeat(MAX_FLZ_DICT_BYTES)))).to.have.length(MAX_FLZ_DICT_BYTES);
  });

  it("refuses a missing file, non-hex, an odd digit count, empty, and over 8,192 bytes, saying which", () => {
    const refuses = (spec: string, re: RegExp) => expect(() => resolveDictionary(spec)).to.throw(DictionaryError, re);
    refuses(path.join(dir, "nope.hex"), /nope\.hex does not exist/);
    refuses(file("bad.hex", "0x12zz"), /not hex \("z" at hex digit 2\)/);
    refuses(file("odd.hex", "abc"), /odd number of hex digits \(3\)/);
    refuses(file("empty.hex", "0x\n"), /empty \(to deploy without a dictionary, use "none"\)/);
    refuses(file("big.hex", "00".repeat(MAX_FLZ_DICT_BYTES + 1)), /8193 bytes, over the limit of 8192/);
    expect(() => parseDictionaryHex("0x" + "00".repeat(MAX_FLZ_DICT_BYTES), "x")).not.to.throw();
    expect(compressItem(Uint8Array.of(2, 1, 2, 3), defaultDictionary())[0]).not.to.equal(FLZ_ITEM, "a 4-byte encoding stays raw");
  });
});
