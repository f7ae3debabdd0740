/**
 * L1 pricing arithmetic the bench applies to measured bytes and gas (nothing here is a protocol rule):
 *
 *  - blobs (EIP-4844): a blob is 4,096 field elements; the bench packs 31 bytes into each (the low 31
 *    bytes of the 32-byte element, so every element is below the BLS12-381 modulus without checks),
 *    126,976 bytes per blob, and a blob costs 2^17 blob gas, so one field element costs 32 blob gas.
 *    Rounding rule: a batch's data takes whole field elements, ceil(bytes / 31), and blobs are filled
 *    back to back across batches (as an OP Stack batcher fills them with channel frames), so the blob
 *    gas of a batch is 32 × its field elements; `wholeBlobs` gives the other reading (each batch alone
 *    in blobs of its own, its last blob's tail paid for but empty).
 *  - calldata (EIP-2028 and EIP-7623): a zero byte is 1 token and any other byte 4; a transaction's gas
 *    is 21,000 + max(4 × tokens + execution, 10 × tokens), the floor applying when the execution is
 *    small beside the data.
 */

export const FIELD_ELEMENTS_PER_BLOB = 4096;
/** Bytes the bench packs into one field element. */
export const BYTES_PER_FIELD_ELEMENT = 31;
export const BYTES_PER_BLOB = FIELD_ELEMENTS_PER_BLOB * BYTES_PER_FIELD_ELEMENT;
export const GAS_PER_BLOB = 2 ** 17;
export const TX_BASE_GAS = 21_000;
export const STANDARD_TOKEN_GAS = 4;
export const FLOOR_TOKEN_GAS = 10;

/** Field elements that `bytes` bytes of data take. */
export function fieldElementsOf(bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`a byte count must be a whole number >= 0, got ${bytes}`);
  return Math.ceil(bytes / BYTES_PER_FIELD_ELEMENT);
}

/** Blob gas of `bytes` bytes of data, blobs filled back to back (32 blob gas per field element). */
export function blobGasOf(bytes: number): number {
  return (fieldElementsOf(bytes) * GAS_PER_BLOB) / FIELD_ELEMENTS_PER_BLOB;
}

/** Blobs that `bytes` bytes of data take when they start a blob of their own. */
export function wholeBlobs(bytes: number): number {
  return Math.ceil(fieldElementsOf(bytes) / FIELD_ELEMENTS_PER_BLOB);
}

/** EIP-7623 tokens of calldata: a zero byte 1, any other 4. */
export function calldataTokens(data: Uint8Array): number {
  let tokens = 0;
  for (const b of data) tokens += b === 0 ? 1 : 4;
  return tokens;
}

/** Gas of a transaction with calldata `data` whose execution (after the intrinsic cost) uses `execution` gas, under EIP-7623. */
export function l1TxGas(data: Uint8Array, execution: number): number {
  if (!Number.isSafeInteger(execution) || execution < 0) throw new RangeError(`execution gas must be a whole number >= 0, got ${execution}`);
  const tokens = calldataTokens(data);
  return TX_BASE_GAS + Math.max(STANDARD_TOKEN_GAS * tokens + execution, FLOOR_TOKEN_GAS * tokens);
}

/** The EIP-7623 floor of a transaction with calldata `data` (what it pays with no execution at all). */
export function calldataFloor(data: Uint8Array): number {
  return l1TxGas(data, 0);
}

/**
 * The execution gas of a mined Cancun transaction (no floor: before EIP-7623) from its receipt's
 * `gasUsed` and its calldata: gasUsed − 21,000 − 4 × tokens.
 */
export function executionGasOf(gasUsed: number, data: Uint8Array): number {
  const e = gasUsed - TX_BASE_GAS - STANDARD_TOKEN_GAS * calldataTokens(data);
  if (e < 0) throw new RangeError(`gasUsed ${gasUsed} is below the intrinsic cost of its ${data.length} bytes of calldata`);
  return e;
}
