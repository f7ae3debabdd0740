// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Domains} from "./Domains.sol";
import {DecodeError, DecodeCodes} from "./Reader.sol";
import {Merkle} from "./Merkle.sol";

/// @title BatchLib
/// @notice Batch headers and batch data (docs/protocol.md §7), twin of core/batch.ts.
///         batchData := version:u8 (0x01) count:varint (bytes-encoded tx)*;
///         dataHash = keccak(tag(batch-data) || batchData); txRoot = Merkle root of keccak(tag(tx-leaf) || tx).
library BatchLib {
    /// @notice The only batch data version.
    uint8 internal constant VERSION = 0x01;
    /// @notice Most transactions in one batch (core/batch.ts MAX_BATCH_TXS).
    uint256 internal constant MAX_TXS = 1 << 16;
    /// @notice Largest transaction (core/codec.ts MAX_BYTES).
    uint256 internal constant MAX_TX_BYTES = 1 << 24;

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
    }

    /// @notice keccak(tag(batch-header) || abi.encode(the twelve fields)) (core/batch.ts headerHash).
    /// @dev The struct is static, so abi.encode(h) is exactly the twelve 32-byte words.
    function hash(BatchHeader memory h) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(Domains.BATCH_HEADER, abi.encode(h)));
    }

    /// @notice {hash} of a header in calldata.
    function hashCalldata(BatchHeader calldata h) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(Domains.BATCH_HEADER, abi.encode(h)));
    }

    /// @notice Parses batch data strictly (as core/batch.ts splitBatchData) and commits to it.
    /// @return txRoot   Merkle root of the transactions' leaves, in order.
    /// @return count    Number of transactions.
    /// @return dataHash keccak(tag(batch-data) || data).
    function parseData(bytes calldata data) internal pure returns (bytes32 txRoot, uint256 count, bytes32 dataHash) {
        bytes32[] memory leaves;
        (leaves, dataHash) = parseLeaves(data);
        count = leaves.length;
        txRoot = Merkle.rootInPlace(leaves);
    }

    /// @notice Parses batch data strictly and returns every transaction's leaf and the data hash.
    /// @dev Reverts with DecodeError exactly where core/batch.ts splitBatchData throws: an empty input is
    ///      truncated at 0; a version other than 0x01 is unknown-type at 0; the count is a canonical
    ///      varint ≤ 2^16 (oversized at 1); each transaction a varint length ≤ 2^24 then that many bytes;
    ///      nothing may follow. The data is copied to memory once, right after the batch-data tag, and
    ///      each leaf is hashed in place by writing the tx-leaf tag over the 32 bytes in front of the
    ///      transaction and restoring them afterwards.
    function parseLeaves(bytes calldata data) internal pure returns (bytes32[] memory leaves, bytes32 dataHash) {
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
                // INVARIANT: a transaction has at most 2^24 bytes (oversized at its length).
                if gt(l, 0x1000000) { fail(s, 2, pos) }
                // INVARIANT: the transaction's bytes are all there (truncated after its length).
                if gt(l, sub(len, np)) { fail(s, 0, np) }
            }

            let len := data.length
            let p := mload(0x40)
            mstore(p, dataTag)
            let base := add(p, 32)
            calldatacopy(base, data.offset, len)
            dataHash := keccak256(p, add(len, 32))

            // INVARIANT: the data holds a version byte (truncated at 0).
            if iszero(len) { fail(sel, 0, 0) }
            // INVARIANT: the version is 0x01 (unknown-type at 0).
            if iszero(eq(byte(0, mload(base)), 1)) { fail(sel, 4, 0) }

            let n, pos := readVarint(base, len, 1, sel)
            // INVARIANT: at most 2^16 transactions (oversized at the count).
            if gt(n, 0x10000) { fail(sel, 2, 1) }

            let q := and(add(add(base, len), 31), not(31))
            mstore(q, n)
            let out := add(q, 32)
            let endOut := add(out, shl(5, n))
            let dataEnd := add(base, len)
            let ptr := add(base, pos)
            for {} lt(out, endOut) { out := add(out, 32) } {
                // Fast path: a one- or two-byte canonical length (every tx below 16 KiB) whose bytes are
                // all there, with one bounds check. Anything else goes to exactLength, which accepts
                // longer lengths and otherwise reverts with readVarint's code and offset.
                let w := mload(ptr) // may read past dataEnd: then the bounds check below fails
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
                if gt(add(t, l), dataEnd) {
                    // always reverts (truncated, or the varint's own fault)
                    let np := 0
                    l, np := exactLength(base, len, sub(ptr, base), sel)
                    t := add(base, np)
                }
                let s := sub(t, 32)
                let saved := mload(s)
                mstore(s, leafTag)
                mstore(out, keccak256(s, add(l, 32)))
                mstore(s, saved)
                ptr := add(t, l)
            }
            // INVARIANT: nothing follows the last transaction (trailing-bytes).
            if iszero(eq(ptr, dataEnd)) { fail(sel, 3, sub(ptr, base)) }
            mstore(0x40, endOut)
            leaves := q
        }
    }
}
