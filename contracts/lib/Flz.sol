// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DecodeError, DecodeCodes} from "./Reader.sol";

/// @title Flz
/// @notice Compressed transaction items (docs/protocol.md §7.7), twin of core/flz.ts: FastLZ level-1 blocks (the format
///         of Solady's `LibZip.flzDecompress`) decoded with the output preloaded with the deployment's dictionary,
///         the output capped at MAX_TX_BYTES. An item whose first byte is FLZ_ITEM is compressed; any other item is
///         a transaction's encoding as it stands. Every failure reverts with DecodeError(NOT_EXPANDABLE, offset of
///         the failing block in the item), as core/flz.ts NotExpandableError.
/// @dev Blocks (b the control byte, t = b >> 5): t = 0 a literal run of (b & 31) + 1 bytes; 1 ≤ t ≤ 6 a match of
///      t + 2 bytes at distance ((b & 31) << 8 | next byte) + 1; t = 7 a match of (next byte) + 9 bytes at distance
///      ((b & 31) << 8 | the byte after) + 1. Copies go a word at a time (a match of distance s < 32 copies a
///      multiple of s bytes a word, which keeps overlapping matches exact), and may write up to 31 bytes past the
///      output's end, beyond the free memory pointer: scratch, zeroed where the result's padding is.
library Flz {
    /// @notice First byte of a compressed item (core/flz.ts FLZ_ITEM).
    uint8 internal constant FLZ_ITEM = 0xf1;
    /// @notice Largest compressed item as posted, marker included (core/flz.ts MAX_FLZ_ITEM_BYTES): L1 refuses a
    ///         longer one at append time (BatchLib).
    uint256 internal constant MAX_ITEM_BYTES = 8192;
    /// @notice Largest dictionary (core/flz.ts MAX_FLZ_DICT_BYTES): FastLZ level 1 reaches 8,192 bytes back.
    uint256 internal constant MAX_DICT_BYTES = 8192;
    /// @notice Largest expansion: a transaction's encoding (BatchLib.MAX_TX_BYTES, §5.5).
    uint256 internal constant MAX_OUTPUT = 98_304;

    /// @notice The transaction encoding posted item `item` stands for: `item` itself, or, if its first byte is
    ///         FLZ_ITEM, the expansion of the blocks after it with dictionary `dict` (reverting if it does not expand).
    function expand(bytes memory item, bytes memory dict) internal pure returns (bytes memory) {
        if (!isCompressed(item)) return item;
        _checkItemSize(item);
        return decompress(item, 1, dict, MAX_OUTPUT);
    }

    /// @notice {expand} with the dictionary held by `holder` (its code after the leading 0x00; none if zero), code-
    ///         copied once to where the expansion reads it.
    function expandFrom(bytes memory item, address holder) internal view returns (bytes memory) {
        if (!isCompressed(item)) return item;
        _checkItemSize(item);
        uint256 d;
        assembly ("memory-safe") {
            if holder {
                d := extcodesize(holder)
                if d {
                    d := sub(d, 1)
                    extcodecopy(holder, add(mload(0x40), 32), 1, d)
                }
            }
        }
        return _run(item, 1, d, MAX_OUTPUT);
    }

    /// @dev A compressed item is at most MAX_ITEM_BYTES: L1 refuses a longer one at append time, but a blob's framing is
    ///      checked only by its `data` fault (§14.5), so the expansion refuses it too (offset 0), and no proof expands
    ///      more than MAX_ITEM_BYTES of blocks (core/flz.ts `item-oversized`).
    function _checkItemSize(bytes memory item) private pure {
        // INVARIANT: a compressed item is at most MAX_ITEM_BYTES (not-expandable at 0).
        if (item.length > MAX_ITEM_BYTES) revert DecodeError(DecodeCodes.NOT_EXPANDABLE, 0);
    }

    /// @notice Whether `item` is compressed (its first byte is FLZ_ITEM).
    function isCompressed(bytes memory item) internal pure returns (bool) {
        return item.length != 0 && uint8(item[0]) == FLZ_ITEM;
    }

    /// @notice The output of the blocks `item[from:]` with the output preloaded with `dict`, at most `maxOut` bytes.
    /// @dev Reverts with DecodeError(NOT_EXPANDABLE, offset in `item` of the block) when a block runs past the item's
    ///      end, a match reaches before the dictionary's first byte, or a block would take the output past `maxOut`
    ///      (checked before it is written). Memory: the dictionary is copied once, the output follows it.
    function decompress(bytes memory item, uint256 from, bytes memory dict, uint256 maxOut)
        internal
        pure
        returns (bytes memory out)
    {
        uint256 d = dict.length;
        assembly ("memory-safe") {
            mcopy(add(mload(0x40), 32), add(dict, 32), d)
        }
        return _run(item, from, d, maxOut);
    }

    /// @dev The decoder, with the `d`-byte dictionary already at the free memory pointer + 32; the output follows it
    ///      and the result's length word overwrites the dictionary's last word.
    function _run(bytes memory item, uint256 from, uint256 d, uint256 maxOut) private pure returns (bytes memory out) {
        bytes4 sel = DecodeError.selector;
        uint8 code = DecodeCodes.NOT_EXPANDABLE;
        assembly ("memory-safe") {
            function fail(s, c, off) {
                mstore(0, s)
                mstore(4, c)
                mstore(36, off)
                revert(0, 68)
            }
            let dst := add(mload(0x40), 32)
            let base := add(dst, d)
            let op := base
            let lim := add(base, maxOut)
            let src := add(item, 32)
            let len := mload(item)
            for { let pos := from } lt(pos, len) {} {
                let w := mload(add(src, pos))
                let c := byte(0, w)
                let t := shr(5, c)
                if iszero(t) {
                    let n := add(c, 1)
                    // INVARIANT: a literal run's bytes are all in the item.
                    if gt(add(add(pos, 1), n), len) { fail(sel, code, pos) }
                    // INVARIANT: the output stays within maxOut.
                    if gt(add(op, n), lim) { fail(sel, code, pos) }
                    mstore(op, mload(add(add(src, pos), 1)))
                    op := add(op, n)
                    pos := add(pos, add(n, 1))
                    continue
                }
                let g := eq(t, 7)
                // INVARIANT: a match's bytes are all in the item.
                if gt(add(pos, add(2, g)), len) { fail(sel, code, pos) }
                let l := add(2, xor(t, mul(g, xor(t, add(7, byte(1, w))))))
                let s := add(or(shl(8, and(0x1f, c)), byte(add(1, g), w)), 1)
                // INVARIANT: a match never reaches before the dictionary's first byte.
                if gt(s, sub(op, dst)) { fail(sel, code, pos) }
                // INVARIANT: the output stays within maxOut.
                if gt(add(op, l), lim) { fail(sel, code, pos) }
                // Copy from b bytes back, min(b, 32) bytes a word. With s ≥ 32, b = s (Solady's loop). With s < 32 the
                // output repeats with period s: once j = b − s bytes are written, the b bytes from op − s are all the
                // period's, so b doubles (while at most 16) and a run of distance 1 takes 13 words for 264 bytes.
                let b := s
                for { let j := 0 } lt(j, l) {} {
                    mstore(add(op, j), mload(sub(add(op, j), b)))
                    j := add(j, xor(b, mul(gt(b, 0x20), xor(b, 0x20))))
                    if lt(b, 17) { b := add(b, b) }
                }
                op := add(op, l)
                pos := add(pos, add(2, g))
            }
            out := sub(base, 32)
            mstore(out, sub(op, base))
            mstore(op, 0)
            mstore(0x40, and(add(op, 63), not(31)))
        }
    }

    /// @notice The dictionary held by `holder` (its code after a leading 0x00 byte); empty if `holder` is zero.
    function dictionaryOf(address holder) internal view returns (bytes memory dict) {
        if (holder == address(0)) return dict;
        assembly ("memory-safe") {
            let n := extcodesize(holder)
            if n { n := sub(n, 1) }
            dict := mload(0x40)
            mstore(dict, n)
            extcodecopy(holder, add(dict, 32), 1, n)
            mstore(0x40, and(add(add(dict, n), 63), not(31)))
        }
    }
}
