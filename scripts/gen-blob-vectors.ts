/**
 * Shared vectors of batches in blobs (core/blob.ts; Solidity: contracts/lib/BlobLib.sol and
 * contracts/fraud/DataProver.sol): blobs built from a payload and element patches, with the KZG commitment,
 * versioned hash, EIP-4844 challenge point z, the polynomial's value y there, what the poster declares, and the
 * `data` fault's verdict (null: no fault).
 *
 *   npx ts-node --transpile-only scripts/gen-blob-vectors.ts
 *
 * writes test/vectors/blob.json. test/core/blob.test.ts re-derives it from the core (and fails until it is
 * regenerated on purpose); test/contracts/fraud/data-prover.test.ts posts every vector's blob on Hardhat's L1
 * and proves it with the DataProver, which must succeed exactly for the vectors with a fault.
 *
 * A payload is a list of segments, concatenated: `{ hex }` (those bytes) or `{ byte, count }` (`count` copies of
 * one byte); it is packed 31 bytes per field element (packBlob), then each patch sets element `element` to the
 * 32-byte word `word`.
 */
import * as fs from "fs";
import * as path from "path";
import { bytesToHex, concatBytes, hexToBytes } from "../core/bytes";
import { encodeBatchData, batchGas, txRootOf, MAX_BATCH_BYTES, type BatchTx } from "../core/batch";
import { BLOB_PAYLOAD_BYTES, blobChallenge, blobDataFault, evaluateBlob, packBlob, versionedHash } from "../core/blob";
import { Writer } from "../core/codec";
import { loadBlobKzg } from "../node/l1/blob-kzg";
import { VECTOR_DIR, serialize } from "./gen-vectors";

export type Segment = { hex: string } | { byte: number; count: number };
export interface BlobCase {
  name: string;
  payload: Segment[];
  patches: { element: number; word: string }[];
  declared: { txCount: string; gas: string; txRoot: string };
}

/** The bytes that segments describe. */
export function payloadOf(segs: readonly Segment[]): Uint8Array {
  return concatBytes(...segs.map((s) => ("hex" in s ? hexToBytes(s.hex as `0x${string}`) : new Uint8Array(s.count).fill(s.byte))));
}

/** The blob a case describes. */
export function blobOfCase(c: Pick<BlobCase, "payload" | "patches">): Uint8Array {
  const blob = packBlob(payloadOf(c.payload));
  for (const p of c.patches) blob.set(hexToBytes(p.word as `0x${string}`), p.element * 32);
  return blob;
}

/** Batch framing (§7.3) without encodeBatchData's limits, for the cases that break them. */
const rawFraming = (txs: BatchTx[]) => {
  const w = new Writer().u8(0x02).varint(txs.length);
  for (const t of txs) w.varint(t.gas).bytes(t.tx);
  return w.finish();
};
const txBytes = (n: number, len: number) => Uint8Array.from({ length: len }, (_, i) => (n * 131 + i * 7 + 3) & 0xff);
const honestOf = (txs: BatchTx[]) => ({ txCount: String(txs.length), gas: String(batchGas(txs)), txRoot: bytesToHex(txRootOf(txs)) });
/** `b` as segments: runs of 64 or more equal bytes as `{ byte, count }`, the rest as `{ hex }`. */
function segments(b: Uint8Array): Segment[] {
  const out: Segment[] = [];
  let lit = 0;
  for (let i = 0; i < b.length; ) {
    let j = i;
    while (j < b.length && b[j] === b[i]) j++;
    if (j - i >= 64) {
      if (lit < i) out.push({ hex: bytesToHex(b.subarray(lit, i)) });
      out.push({ byte: b[i], count: j - i });
      lit = j;
    }
    i = j;
  }
  if (lit < b.length) out.push({ hex: bytesToHex(b.subarray(lit)) });
  return out;
}
const hex = (b: Uint8Array): Segment => ({ hex: bytesToHex(b) });

export function blobCases(): BlobCase[] {
  const two: BatchTx[] = [
    { gas: 21_000n, tx: txBytes(1, 180) },
    { gas: 0n, tx: txBytes(2, 75) },
  ];
  const twoData = encodeBatchData(two);
  const ok = honestOf(two);
  const cases: BlobCase[] = [];
  const add = (name: string, payload: Segment[], declared = ok, patches: BlobCase["patches"] = []) =>
    cases.push({ name, payload: segments(payloadOf(payload)), patches, declared });
  add("honest: two transactions", [hex(twoData)]);
  add("another txRoot declared", [hex(twoData)], { ...ok, txRoot: bytesToHex(txRootOf([two[1], two[0]])) });
  add("another transaction count declared", [hex(twoData)], { ...ok, txCount: "3" });
  add("another gas declared", [hex(twoData)], { ...ok, gas: "21001" });
  add("a nonzero byte after the data", [hex(twoData), { byte: 0, count: 5 }, { byte: 1, count: 1 }]);
  add("a nonzero last byte of the payload", [hex(twoData), { byte: 0, count: BLOB_PAYLOAD_BYTES - twoData.length - 1 }, { byte: 0x80, count: 1 }]);
  add("a field element's top byte is not 0", [hex(twoData)], ok, [{ element: 40, word: "0x01" + "00".repeat(31) }]);
  add("the data's first element's top byte is not 0", [hex(twoData)], ok, [{ element: 0, word: "0x0102" + bytesToHex(twoData).slice(4, 64) }]);
  add("batch data version 0x01", [{ hex: "0x01" }, hex(twoData.subarray(1))]);
  add("an all-zero blob (version 0)", [], { txCount: "1", gas: "0", txRoot: bytesToHex(txRootOf([{ gas: 0n, tx: new Uint8Array(0) }])) });
  const empties = (n: number): BatchTx[] => Array.from({ length: n }, () => ({ gas: 0n, tx: new Uint8Array(0) }));
  add("MAX_BLOB_TXS (4,096) transactions", [hex(encodeBatchData(empties(4096)))], honestOf(empties(4096)));
  add("MAX_BLOB_TXS + 1 transactions", [hex(rawFraming(empties(4097)))], honestOf(empties(4096)));
  const over: BatchTx[] = [
    { gas: 20_000_000n, tx: txBytes(3, 10) },
    { gas: 10_000_001n, tx: txBytes(4, 10) },
  ];
  add("declared gas over the batch limit in the framing", [hex(rawFraming(over))], { txCount: "2", gas: "30000000", txRoot: bytesToHex(txRootOf(over)) });
  // Two transactions filling the data to exactly MAX_BATCH_BYTES, then one byte more.
  const fill = (extra: number): BatchTx[] => {
    const a = 60_000;
    const b = MAX_BATCH_BYTES - 1 - 1 - (1 + 3 + a) - (1 + 3) + extra;
    return [
      { gas: 0n, tx: new Uint8Array(a).fill(0xab) },
      { gas: 0n, tx: new Uint8Array(b).fill(0xcd) },
    ];
  };
  const full = encodeBatchData(fill(0));
  if (full.length !== MAX_BATCH_BYTES) throw new Error(`full batch is ${full.length} bytes`);
  add("data of exactly MAX_BATCH_BYTES", [hex(full)], honestOf(fill(0)));
  add("data one byte over MAX_BATCH_BYTES", [hex(rawFraming(fill(1)))], honestOf(fill(1)));
  return cases;
}

export async function blobVectors() {
  const kzg = await loadBlobKzg();
  return {
    cases: blobCases().map((c) => {
      const blob = blobOfCase(c);
      const commitment = kzg.commitment(blob);
      const z = blobChallenge(blob, commitment);
      const fault = blobDataFault(blob, { txCount: BigInt(c.declared.txCount), gas: BigInt(c.declared.gas), txRoot: hexToBytes(c.declared.txRoot as `0x${string}`) });
      return {
        ...c,
        commitment: bytesToHex(commitment),
        versionedHash: bytesToHex(versionedHash(commitment)),
        z: "0x" + z.toString(16).padStart(64, "0"),
        y: "0x" + evaluateBlob(blob, z).toString(16).padStart(64, "0"),
        fault: fault?.reason ?? null,
      };
    }),
  };
}

if (require.main === module) {
  void blobVectors().then((v) => {
    fs.writeFileSync(path.join(VECTOR_DIR, "blob.json"), serialize(v));
    console.log(`wrote ${v.cases.length} blob vectors`);
  });
}
