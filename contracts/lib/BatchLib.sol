// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Domains} from "./Domains.sol";
import {DecodeError} from "./Reader.sol";
import {Merkle} from "./Merkle.sol";

/// @title BatchLib
/// @notice Batch headers and batch data (docs/protocol.md §7), twin of core/batch.ts and core/gas.ts.
///         batchData := version:u8 (0x02) count:varint (gas:varint tx:bytes)*;
///         dataHash = keccak(tag(batch-data) || batchData);
///         txRoot = Merkle root of leaf(gas, tx) = keccak(tag(tx-leaf) || bytes8(gas) || tx).
///         The limits of §5.5 (data size, transaction size, declared gas) are part of the data's strict
///         decoding, so a batch over a limit cannot be appended.
library BatchLib {
    /// @notice The only batch data version.
    uint8 internal constant VERSION = 0x02;
    /// @notice Most transactions in one batch (core/batch.ts MAX_BATCH_TXS).
    uint256 internal constant MAX_TXS = 1 << 16;
    /// @notice Most transactions in one blob batch (core/blob.ts MAX_BLOB_TXS, §14.5): bounds the `data` proof's work.
    uint256 internal constant MAX_BLOB_TXS = 4096;
    /// @notice Largest transaction encoding (core/batch.ts MAX_TX_BYTES, §5.5).
    uint256 internal constant MAX_TX_BYTES = 98_304;
    /// @notice Largest compressed item as posted and its first byte (contracts/lib/Flz.sol, core/flz.ts, §7.7).
    uint256 internal constant MAX_FLZ_ITEM_BYTES = 8192;
    uint256 internal constant FLZ_ITEM = 0xf1;
    /// @notice Largest batch data (core/batch.ts MAX_BATCH_BYTES, §5.5).
    uint256 internal constant MAX_DATA_BYTES = 122_880;
    /// @notice Most gas the transactions of one batch may declare together (core/gas.ts BATCH_GAS_LIMIT, §7.5).
    uint256 internal constant MAX_GAS = 30_000_000;
    /// @notice The base fee rule (§7.5, core/gas.ts): EIP-1559's target (half the limit) and change denominator.
    uint256 internal constant GAS_TARGET = MAX_GAS / 2;
    uint256 internal constant BASE_FEE_CHANGE_DENOMINATOR = 8;
    /// @notice Largest base fee (the rule saturates here; no transaction can pay anything near it).
    uint256 internal constant MAX_BASE_FEE = type(uint128).max;

    /// @notice Header of §7.1. `parent` is the previous header's hash (ZERO for batch 0).
    struct BatchHeader {
        uint256 index;
        bytes32 parent;
        uint256 firstSeq;
        uint256 txCount;
        bytes32 txRoot;
        uint256 number;
        uint256 timestamp;
        address feeRecipient;
        uint256 baseFee;
        uint256 depositStart;
        uint256 depositEnd;
        bytes32 dataHash;
        uint256 l1BaseFee;
        uint256 l1BlobBaseFee;
    }

    /// @notice keccak(tag(batch-header) || abi.encode(the fourteen fields)) (core/batch.ts headerHash).
    /// @dev The struct is static, so abi.encode(h) is exactly the fourteen 32-byte words.
    function hash(BatchHeader memory h) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(Domains.BATCH_HEADER, abi.encode(h)));
    }

    /// @notice {hash} of a header in calldata.
    function hashCalldata(BatchHeader calldata h) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(Domains.BATCH_HEADER, abi.encode(h)));
    }

    /// @notice The base fee the batch after one with base fee `parentBaseFee` and declared gas `parentGas` must
    ///         carry (§7.5, core/gas.ts nextBaseFee): EIP-1559's update towards GAS_TARGET, never below
    ///         `minBaseFee`, saturating at MAX_BASE_FEE. Expects parentBaseFee ≤ MAX_BASE_FEE and
    ///         parentGas ≤ MAX_GAS (what L1 stores), so nothing overflows.
    function nextBaseFee(uint256 parentBaseFee, uint256 parentGas, uint256 minBaseFee)
        internal
        pure
        returns (uint256 fee)
    {
        fee = parentBaseFee;
        if (parentGas > GAS_TARGET) {
            uint256 delta = (parentBaseFee * (parentGas - GAS_TARGET)) / GAS_TARGET / BASE_FEE_CHANGE_DENOMINATOR;
            fee += delta == 0 ? 1 : delta;
            if (fee > MAX_BASE_FEE) fee = MAX_BASE_FEE;
        } else if (parentGas < GAS_TARGET) {
            fee -= (parentBaseFee * (GAS_TARGET - parentGas)) / GAS_TARGET / BASE_FEE_CHANGE_DENOMINATOR;
        }
        if (fee < minBaseFee) fee = minBaseFee;
    }

    /// @notice Parses batch data strictly (as core/batch.ts splitBatchData) and commits to it.
    /// @return txRoot   Merkle root of the transactions' leaves, in order.
    /// @return count    Number of transactions.
    /// @return dataHash keccak(tag(batch-data) || data).
    /// @return gasTotal The gas the transactions declare, summed (≤ MAX_GAS).
    function parseData(bytes calldata data)
        internal
        pure
        returns (bytes32 txRoot, uint256 count, bytes32 dataHash, uint256 gasTotal)
    {
        bytes32[] memory leaves;
        (leaves, dataHash, gasTotal) = parseLeaves(data);
        count = leaves.length;
        txRoot = Merkle.rootInPlace(leaves);
    }

    /// @notice Parses batch data strictly and returns every transaction's leaf, the data hash and the gas
    ///         the transactions declare.
    /// @dev Reverts with DecodeError exactly where core/batch.ts splitBatchData throws: an empty input is
    ///      truncated at 0; more than MAX_DATA_BYTES is oversized at 0; a version other than 0x02 is
    ///      unknown-type at 0; the count is a canonical varint ≤ 2^16 (oversized at 1); each transaction is
    ///      a canonical varint gas (oversized at it when the running sum passes MAX_GAS), then a varint
    ///      length ≤ MAX_TX_BYTES then that many bytes, at most MAX_FLZ_ITEM_BYTES if the first is FLZ_ITEM (a
    ///      compressed item, oversized at its length); nothing may follow. The data is copied to memory
    ///      once, right after the batch-data tag (with 32 bytes of slack in front), and each leaf is hashed
    ///      in place by writing the tx-leaf tag and the 8-byte gas over the 40 bytes in front of the
    ///      transaction and restoring them afterwards.
    function parseLeaves(bytes calldata data)
        internal
        pure
        returns (bytes32[] memory leaves, bytes32 dataHash, uint256 gasTotal)
    {
        (leaves, dataHash, gasTotal,) = _parse(data, true, MAX_TXS);
    }

    /// @notice The framing of a blob's payload (§14.5): parses `window` (the payload's first MAX_DATA_BYTES bytes)
    ///         as {parseLeaves} does, but with at most MAX_BLOB_TXS transactions (oversized at 1), the data ending
    ///         where its last transaction ends (the bytes after it are the caller's to check), and no data hash.
    /// @return leaves   Every transaction's leaf.
    /// @return gasTotal The gas the transactions declare, summed (≤ MAX_GAS).
    /// @return end      The data's length: the offset in `window` after its last transaction.
    function parseFramed(bytes calldata window)
        internal
        pure
        returns (bytes32[] memory leaves, uint256 gasTotal, uint256 end)
    {
        (leaves,, gasTotal, end) = _parse(window, false, MAX_BLOB_TXS);
    }

    /// @dev {parseLeaves} (`exact`: nothing may follow the last transaction, and the data hash is computed) and
    ///      {parseFramed} (otherwise: returns where the last transaction ends).
    function _parse(bytes calldata data, bool exact, uint256 maxCount)
        private
        pure
        returns (bytes32[] memory leaves, bytes32 dataHash, uint256 gasTotal, uint256 end)
    {
        bytes32 leafTag = Domains.TX_LEAF;
        bytes32 dataTag = Domains.BATCH_DATA;
        bytes4 sel = DecodeError.selector;
        assembly ("memory-safe") {
            /// Reverts with DecodeError(code, off).
            function fail(s, code, off) {
                mstore(0, s)
                mstore(4, code)
                mstore(36, off)
                revert(0, 68)
            }

            /// Canonical unsigned LEB128 < 2^64 at b[pos..len), as Reader.varint.
            function readVarint(b, len, pos, s) -> v, np {
                let start := pos
                for { let i := 0 } 1 { i := add(i, 1) } {
                    // INVARIANT: a varint has at most 10 bytes (oversized).
                    if eq(i, 10) { fail(s, 2, start) }
                    // INVARIANT: the input does not end inside a varint (truncated).
                    if iszero(lt(pos, len)) { fail(s, 0, pos) }
                    let x := byte(0, mload(add(b, pos)))
                    pos := add(pos, 1)
                    v := or(v, shl(mul(7, i), and(x, 0x7f)))
                    if iszero(and(x, 0x80)) {
                        // INVARIANT: no redundant zero group (non-canonical).
                        if and(iszero(x), gt(i, 0)) { fail(s, 1, start) }
                        break
                    }
                }
                // INVARIANT: the value fits 64 bits (oversized).
                if gt(v, 0xffffffffffffffff) { fail(s, 2, start) }
                np := pos
            }

            /// A transaction's length prefix at pos, exactly as Reader.bytesRef(MAX_TX_BYTES): returns
            /// the length and the position after the prefix, or reverts.
            function exactLength(b, len, pos, s) -> l, np {
                l, np := readVarint(b, len, pos, s)
                // INVARIANT: a transaction has at most MAX_TX_BYTES bytes (oversized at its length).
                if gt(l, MAX_TX_BYTES) { fail(s, 2, pos) }
                // INVARIANT: the transaction's bytes are all there (truncated after its length).
                if gt(l, sub(len, np)) { fail(s, 0, np) }
            }

            /// A canonical varint of one to three bytes at the start of word w: its value and length,
            /// or length 0 (longer, or not canonical: readVarint decides).
            function fastGas(w) -> v, n {
                let b0 := byte(0, w)
                if lt(b0, 0x80) {
                    v := b0
                    n := 1
                    leave
                }
                let b1 := byte(1, w)
                if lt(b1, 0x80) {
                    if b1 {
                        v := or(and(b0, 0x7f), shl(7, b1))
                        n := 2
                    }
                    leave
                }
                let b2 := byte(2, w)
                if and(lt(b2, 0x80), iszero(iszero(b2))) {
                    v := or(or(and(b0, 0x7f), shl(7, and(b1, 0x7f))), shl(14, b2))
                    n := 3
                }
            }

            let len := data.length
            // INVARIANT: the data holds a version byte (truncated at 0).
            if iszero(len) { fail(sel, 0, 0) }
            // INVARIANT: the data is at most MAX_DATA_BYTES (oversized at 0).
            if gt(len, MAX_DATA_BYTES) { fail(sel, 2, 0) }
            let base := add(mload(0x40), 64)
            {
                calldatacopy(base, data.offset, len)
                if exact {
                    mstore(sub(base, 32), dataTag)
                    dataHash := keccak256(sub(base, 32), add(len, 32))
                }
            }

            // INVARIANT: the version is 0x02 (unknown-type at 0).
            if iszero(eq(byte(0, mload(base)), 2)) { fail(sel, 4, 0) }

            let q := and(add(add(base, len), 31), not(31))
            let ptr := 0
            {
                let n, pos := readVarint(base, len, 1, sel)
                // INVARIANT: at most maxCount transactions (2^16; a blob's MAX_BLOB_TXS) (oversized at the count).
                if gt(n, maxCount) { fail(sel, 2, 1) }
                mstore(q, n)
                ptr := add(base, pos)
            }
            let out := add(q, 32)
            let endOut := add(out, shl(5, mload(q)))
            for {} lt(out, endOut) { out := add(out, 32) } {
                // The declared gas, summed. Fast path: a canonical varint of one to three bytes (below
                // 2^21, every gas limit but the largest) that ends inside the data; else readVarint.
                let g := 0
                {
                    let gp := sub(ptr, base)
                    // may read past the data's end: then the bound below fails
                    let n := 0
                    g, n := fastGas(mload(ptr))
                    if or(iszero(n), gt(add(gp, n), len)) {
                        let np := 0
                        g, np := readVarint(base, len, gp, sel)
                        n := sub(np, gp)
                    }
                    gasTotal := add(gasTotal, g)
                    // INVARIANT: the batch declares at most MAX_GAS (oversized at the gas that passes it).
                    if gt(gasTotal, MAX_GAS) { fail(sel, 2, gp) }
                    ptr := add(ptr, n)
                }
                // Fast path: a one- or two-byte canonical length (every tx below 16 KiB) whose bytes are
                // all there, with one bounds check. Anything else goes to exactLength, which accepts
                // longer lengths and otherwise reverts with readVarint's code and offset.
                let w := mload(ptr) // may read past the data's end: then the bounds check below fails
                let l := byte(0, w)
                let t := add(ptr, 1)
                if gt(l, 0x7f) {
                    let b1 := byte(1, w)
                    switch or(gt(b1, 0x7f), iszero(b1))
                    case 0 {
                        l := or(and(l, 0x7f), shl(7, b1))
                        t := add(ptr, 2)
                    }
                    default {
                        let np := 0
                        l, np := exactLength(base, len, sub(ptr, base), sel)
                        t := add(base, np)
                    }
                }
                if gt(add(t, l), add(base, len)) {
                    // always reverts (truncated, or the varint's own fault)
                    let np := 0
                    l, np := exactLength(base, len, sub(ptr, base), sel)
                    t := add(base, np)
                }
                // INVARIANT: a compressed item (first byte FLZ_ITEM) is at most MAX_FLZ_ITEM_BYTES (oversized at its
                //            length, §7.7), so a proof's expansion costs a bounded amount.
                if and(gt(l, MAX_FLZ_ITEM_BYTES), eq(byte(0, mload(t)), FLZ_ITEM)) { fail(sel, 2, sub(ptr, base)) }
                // leaf = keccak(tag || bytes8(g) || tx), hashed in place: the 40 bytes in front of t are
                // overwritten and restored (at least 64 bytes of this buffer lie in front of every
                // transaction: slack, tag, version, count, gas, length).
                {
                    let s1 := mload(sub(t, 40))
                    let s2 := mload(sub(t, 32))
                    mstore(sub(t, 32), g)
                    mstore(sub(t, 40), leafTag)
                    mstore(out, keccak256(sub(t, 40), add(l, 40)))
                    mstore(sub(t, 32), s2)
                    mstore(sub(t, 40), s1)
                }
                ptr := add(t, l)
            }
            end := sub(ptr, base)
            // INVARIANT: nothing follows the last transaction (trailing-bytes), unless the caller checks it.
            if and(exact, iszero(eq(end, len))) { fail(sel, 3, end) }
            mstore(0x40, endOut)
            leaves := q
        }
    }

    /// @notice Merkle leaf of a transaction declaring `declaredGas`: keccak(tag(tx-leaf) || bytes8(declaredGas) || tx)
    ///         (§5.6).
    function leafHash(uint64 declaredGas, bytes memory enc) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(Domains.TX_LEAF, declaredGas, enc));
    }

    /// @notice Copies a transaction from calldata to memory once and hashes its leaf there: returns the leaf
    ///         (as {leafHash}) and the transaction as `bytes memory`, with no other copy.
    /// @dev Layout at the free pointer m: [m+24, m+56) the tag, [m+56, m+64) bytes8(declaredGas), [m+64, ...) the
    ///      transaction; after hashing, the length word is written at m+32, so `enc` = m+32.
    function loadLeaf(uint64 declaredGas, bytes calldata tx_) internal pure returns (bytes32 leaf, bytes memory enc) {
        bytes32 tag = Domains.TX_LEAF;
        assembly ("memory-safe") {
            let m := mload(0x40)
            let len := tx_.length
            enc := add(m, 32)
            mstore(enc, declaredGas) // bytes8(declaredGas) lands at [m+56, m+64)
            mstore(add(m, 24), tag)
            calldatacopy(add(m, 64), tx_.offset, len)
            leaf := keccak256(add(m, 24), add(len, 40))
            mstore(enc, len)
            mstore(0x40, and(add(add(m, 95), len), not(31)))
        }
    }
}
