// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The one error of every strict decoder (docs/protocol.md §3.3), twin of core/errors.ts DecodeError.
/// @param code   Reason, numbered in the order of the TypeScript `DecodeCode` union:
///               0 truncated, 1 non-canonical, 2 oversized, 3 trailing-bytes, 4 unknown-type, 5 invalid-value,
///               6 not-expandable (a compressed item, §7.7, contracts/lib/Flz.sol).
/// @param offset Byte offset, relative to the start of the decoded input, exactly as the TypeScript core
///               reports it (the start of the offending value, or the position where input ran out).
error DecodeError(uint8 code, uint256 offset);

/// @title DecodeCodes
/// @notice The `code` values of {DecodeError}.
library DecodeCodes {
    /// @notice Input ends early.
    uint8 internal constant TRUNCATED = 0;
    /// @notice A value has a shorter or otherwise preferred encoding, or a list is out of canonical order.
    uint8 internal constant NON_CANONICAL = 1;
    /// @notice A length or count beyond a limit of §5.5 (or a varint ≥ 2^64, a compact u256 longer than 32).
    uint8 internal constant OVERSIZED = 2;
    /// @notice Input continues after the value.
    uint8 internal constant TRAILING_BYTES = 3;
    /// @notice Unknown transaction type or batch version.
    uint8 internal constant UNKNOWN_TYPE = 4;
    /// @notice A field outside its domain (unknown mark, flag not 0/1, yParity not 0/1, empty raw tx).
    uint8 internal constant INVALID_VALUE = 5;
    /// @notice A compressed item (§7.7) whose FastLZ blocks do not expand (a block past the item's end, a match
    ///         before the dictionary, an output past MAX_TX_BYTES).
    uint8 internal constant NOT_EXPANDABLE = 6;
}

/// @title Reader
/// @notice Strict cursor over `bytes memory` implementing the canonical codec of docs/protocol.md §3
///         (twin of core/codec.ts `Reader`): unsigned LEB128 varints (≤ 64 bits), compact u256, fixed
///         bytes, length-prefixed bytes, end of input. Every failure reverts with {DecodeError}, with the
///         same code and offset as the TypeScript reader.
/// @dev The hot paths are assembly over the cursor's two words (buf pointer, pos). Each assembly block
///      computes `err` (0 = none, else code + 1) and `off`; the revert itself is in Solidity.
library Reader {
    /// @notice Largest length prefix any byte string may carry (16 MiB), core/codec.ts MAX_BYTES.
    uint256 internal constant MAX_BYTES = 1 << 24;

    /// @notice A position in a byte string. `pos` is relative to the start of `buf`.
    struct Cursor {
        bytes buf;
        uint256 pos;
    }

    /// @notice A cursor at the start of `buf` (no copy).
    function init(bytes memory buf) internal pure returns (Cursor memory c) {
        c.buf = buf;
    }

    /// @notice Bytes left after the cursor.
    function remaining(Cursor memory c) internal pure returns (uint256) {
        return c.buf.length - c.pos;
    }

    /// @notice Memory address of byte `pos` of `buf`.
    function ptr(Cursor memory c, uint256 pos) internal pure returns (uint256 p) {
        assembly ("memory-safe") {
            p := add(add(mload(c), 0x20), pos)
        }
    }

    function _fail(uint256 err, uint256 off) private pure {
        revert DecodeError(uint8(err - 1), off);
    }

    /// @notice One byte.
    function u8(Cursor memory c) internal pure returns (uint8 v) {
        uint256 err;
        uint256 off;
        assembly ("memory-safe") {
            let buf := mload(c)
            let pos := mload(add(c, 0x20))
            switch lt(pos, mload(buf))
            case 1 {
                v := byte(0, mload(add(add(buf, 0x20), pos)))
                mstore(add(c, 0x20), add(pos, 1))
            }
            default {
                // INVARIANT: the input holds one more byte (truncated where it ends).
                err := 1
                off := pos
            }
        }
        if (err != 0) _fail(err, off);
    }

    /// @notice Unsigned LEB128 of a value < 2^64, canonical, at most 10 bytes (§3.1).
    function varint(Cursor memory c) internal pure returns (uint64 v) {
        uint256 err;
        uint256 off;
        assembly ("memory-safe") {
            let buf := mload(c)
            let len := mload(buf)
            let data := add(buf, 0x20)
            let start := mload(add(c, 0x20))
            let pos := start
            let result := 0
            for { let i := 0 } 1 { i := add(i, 1) } {
                // INVARIANT: a varint has at most 10 bytes (oversized at its start).
                if eq(i, 10) {
                    err := 3
                    off := start
                    break
                }
                // INVARIANT: the input does not end inside a varint (truncated where it ends).
                if iszero(lt(pos, len)) {
                    err := 1
                    off := pos
                    break
                }
                let b := byte(0, mload(add(data, pos)))
                pos := add(pos, 1)
                result := or(result, shl(mul(7, i), and(b, 0x7f)))
                if iszero(and(b, 0x80)) {
                    // INVARIANT: no redundant zero group, except the single byte 0x00 (non-canonical at its start).
                    if and(iszero(b), gt(i, 0)) {
                        err := 2
                        off := start
                    }
                    break
                }
            }
            // INVARIANT: the value fits 64 bits (oversized at its start).
            if and(iszero(err), gt(result, 0xffffffffffffffff)) {
                err := 3
                off := start
            }
            if iszero(err) {
                v := result
                mstore(add(c, 0x20), pos)
            }
        }
        if (err != 0) _fail(err, off);
    }

    /// @notice A varint that must not exceed `max` (core/codec.ts `count`).
    function count(Cursor memory c, uint256 max) internal pure returns (uint256 v) {
        uint256 start = c.pos;
        v = varint(c);
        // INVARIANT: counts and lengths stay within their limit (§5.5).
        if (v > max) revert DecodeError(DecodeCodes.OVERSIZED, start);
    }

    /// @notice Compact u256: a length byte 0..32, then that many big-endian bytes without a leading zero (§3.2).
    function u256c(Cursor memory c) internal pure returns (uint256 v) {
        uint256 err;
        uint256 off;
        assembly ("memory-safe") {
            let buf := mload(c)
            let len := mload(buf)
            let data := add(buf, 0x20)
            let start := mload(add(c, 0x20))
            for {} 1 {} {
                // INVARIANT: the length byte is there (truncated where the input ends).
                if iszero(lt(start, len)) {
                    err := 1
                    off := start
                    break
                }
                let l := byte(0, mload(add(data, start)))
                let pos := add(start, 1)
                // INVARIANT: at most 32 value bytes (oversized at the start).
                if gt(l, 32) {
                    err := 3
                    off := start
                    break
                }
                if iszero(l) {
                    mstore(add(c, 0x20), pos)
                    break
                }
                // INVARIANT: the value bytes are there (truncated after the length byte).
                if gt(l, sub(len, pos)) {
                    err := 1
                    off := pos
                    break
                }
                let w := mload(add(data, pos))
                // INVARIANT: no leading zero byte (non-canonical at the start).
                if iszero(shr(248, w)) {
                    err := 2
                    off := start
                    break
                }
                v := shr(shl(3, sub(32, l)), w)
                mstore(add(c, 0x20), add(pos, l))
                break
            }
        }
        if (err != 0) _fail(err, off);
    }

    /// @notice Skips `len` raw bytes and returns where they start (core/codec.ts `fixed`, without a copy).
    function skip(Cursor memory c, uint256 len) internal pure returns (uint256 offset) {
        bool short;
        assembly ("memory-safe") {
            offset := mload(add(c, 0x20))
            // INVARIANT: the input holds len more bytes (truncated where the value starts).
            short := gt(len, sub(mload(mload(c)), offset))
            if iszero(short) { mstore(add(c, 0x20), add(offset, len)) }
        }
        if (short) revert DecodeError(DecodeCodes.TRUNCATED, offset);
    }

    /// @notice 20 raw bytes as an address.
    function addr(Cursor memory c) internal pure returns (address a) {
        uint256 offset = skip(c, 20);
        assembly ("memory-safe") {
            a := shr(96, mload(add(add(mload(c), 0x20), offset)))
        }
    }

    /// @notice 32 raw bytes.
    function b32(Cursor memory c) internal pure returns (bytes32 w) {
        uint256 offset = skip(c, 32);
        assembly ("memory-safe") {
            w := mload(add(add(mload(c), 0x20), offset))
        }
    }

    /// @notice A length-prefixed byte string of at most `max` bytes, located but not copied.
    /// @return offset Start of the bytes in the input.
    /// @return len    Their length.
    function bytesRef(Cursor memory c, uint256 max) internal pure returns (uint256 offset, uint256 len) {
        len = count(c, max);
        offset = skip(c, len);
    }

    /// @notice A length-prefixed byte string of at most `max` bytes, copied out.
    function bytesCopy(Cursor memory c, uint256 max) internal pure returns (bytes memory out) {
        (uint256 offset, uint256 len) = bytesRef(c, max);
        out = slice(c, offset, len);
    }

    /// @notice Copy of `len` bytes of the input at `offset` (bounds already checked by the caller).
    function slice(Cursor memory c, uint256 offset, uint256 len) internal pure returns (bytes memory out) {
        uint256 src = ptr(c, offset);
        out = new bytes(len);
        assembly ("memory-safe") {
            mcopy(add(out, 32), src, len)
        }
    }

    /// @notice keccak256 of `len` bytes of the input at `offset` (bounds already checked by the caller).
    function hashRange(Cursor memory c, uint256 offset, uint256 len) internal pure returns (bytes32 h) {
        uint256 src = ptr(c, offset);
        assembly ("memory-safe") {
            h := keccak256(src, len)
        }
    }

    /// @notice Requires the input to be fully consumed.
    function end(Cursor memory c) internal pure {
        // INVARIANT: nothing follows the value (trailing-bytes where it ends).
        if (c.pos != c.buf.length) revert DecodeError(DecodeCodes.TRAILING_BYTES, c.pos);
    }
}
