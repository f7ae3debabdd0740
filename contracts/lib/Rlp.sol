// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Rlp
/// @notice Strict RLP reader over `bytes memory`: it accepts exactly the canonical encodings that
/// the ethereumjs rlp package `RLP.decode` (v10) accepts, and reverts with a custom error otherwise:
///  * a single byte below 0x80 is never wrapped as a one-byte string (0x81 0x00..0x7f);
///  * the long form (0xb8.., 0xf8..) is never used for a payload of at most 55 bytes;
///  * a long-form length has no leading zero byte;
///  * every item lies within its enclosing list (or the input);
///  * nothing follows the outermost item (`validateWhole`).
/// Positions are byte offsets into the `bytes` (0 = its first byte), never memory addresses.
/// Nothing here recurses: nesting depth costs memory, never call depth, so a deeply nested input
/// fails only with these errors or out of gas, never with a stack overflow.
library Rlp {
    /// @notice The item at `offset` (or its length bytes) runs past the end of its enclosing list or
    /// of the input, or there is no item at all.
    error RlpTruncated(uint256 offset);
    /// @notice The item at `offset` wraps a single byte below 0x80 as a one-byte string.
    error RlpNonCanonicalSingleByte(uint256 offset);
    /// @notice The item at `offset` uses the long form for a payload of at most 55 bytes.
    error RlpNonCanonicalLength(uint256 offset);
    /// @notice The long-form length of the item at `offset` starts with a zero byte.
    error RlpLeadingZeroLength(uint256 offset);
    /// @notice Bytes follow the outermost item, which ends at `offset`.
    error RlpTrailingBytes(uint256 offset);

    /// @notice Reads the header of the item at `off`, which must lie entirely within [off, end).
    /// @return isList whether the item is a list
    /// @return payload offset of its payload (for a single byte below 0x80: that byte)
    /// @return length payload length in bytes
    function header(bytes memory b, uint256 off, uint256 end)
        internal
        pure
        returns (bool isList, uint256 payload, uint256 length)
    {
        // err: 0 ok, 1 truncated, 2 wrapped single byte, 3 long form for a short payload, 4 zero-led length.
        uint256 err;
        assembly ("memory-safe") {
            // INVARIANT: the item starts inside its container, and the container inside the input.
            err := or(iszero(lt(off, end)), gt(end, mload(b)))
            let w := mload(add(add(b, 0x20), off))
            payload := off
            length := 1
            if and(iszero(err), gt(w, 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff)) {
                isList := gt(shr(248, w), 0xbf)
                // The prefix relative to 0x80 (strings) or 0xc0 (lists): a short length, or 55 +
                // the number of length bytes.
                length := sub(shr(248, w), add(0x80, shl(6, isList)))
                payload := add(off, 1)
                if gt(length, 55) {
                    let ll := sub(length, 55)
                    // The length bytes must be there; for a string, ethereumjs also wants one byte
                    // after them before it reads them. INVARIANT: a length has no leading zero byte.
                    switch gt(add(add(off, ll), sub(2, isList)), end)
                    case 1 { err := 1 }
                    default { if iszero(byte(1, w)) { err := 4 } }
                    length := shr(sub(256, shl(3, ll)), shl(8, w))
                    payload := add(payload, ll)
                    // INVARIANT: the long form only for payloads above 55 bytes.
                    if and(iszero(err), lt(length, 56)) { err := 3 }
                }
                if iszero(err) {
                    switch gt(add(payload, length), end)
                    case 1 { err := 1 }
                    default {
                        // INVARIANT: a single byte below 0x80 is its own encoding.
                        if and(and(iszero(isList), eq(length, 1)), lt(byte(1, w), 0x80)) { err := 2 }
                    }
                }
            }
        }
        if (err != 0) _fail(err, off);
    }

    function _fail(uint256 err, uint256 off) private pure {
        if (err == 1) revert RlpTruncated(off);
        if (err == 2) revert RlpNonCanonicalSingleByte(off);
        if (err == 3) revert RlpNonCanonicalLength(off);
        revert RlpLeadingZeroLength(off);
    }

    /// @notice Checks the whole item at `off` (every nested item, at any depth) against [off, end).
    /// @return itemEnd offset just after the item
    function validate(bytes memory b, uint256 off, uint256 end) internal pure returns (uint256 itemEnd) {
        (bool isList, uint256 p, uint256 n) = header(b, off, end);
        unchecked {
            itemEnd = p + n;
        }
        if (!isList) return itemEnd;
        // Explicit stack of the ends of the enclosing lists (no recursion, see the library notice).
        uint256[] memory stack; // allocated at the first nested list
        uint256 depth;
        uint256 cur = p;
        uint256 curEnd = itemEnd;
        while (true) {
            if (cur == curEnd) {
                if (depth == 0) break;
                unchecked {
                    --depth;
                }
                curEnd = stack[depth];
                continue;
            }
            (isList, p, n) = header(b, cur, curEnd);
            unchecked {
                if (isList) {
                    if (depth == stack.length) stack = _grow(stack);
                    stack[depth++] = curEnd;
                    curEnd = p + n;
                    cur = p;
                } else {
                    cur = p + n;
                }
            }
        }
    }

    function _grow(uint256[] memory stack) private pure returns (uint256[] memory bigger) {
        bigger = new uint256[](stack.length == 0 ? 8 : stack.length * 2);
        for (uint256 i; i < stack.length; ++i) bigger[i] = stack[i];
    }

    /// @notice Checks that `b[off:]` is exactly one valid item.
    function validateWhole(bytes memory b, uint256 off) internal pure {
        uint256 end = validate(b, off, b.length);
        if (end != b.length) revert RlpTrailingBytes(end);
    }

    /// @notice Number of items in the list payload [payload, payload + length) (already validated).
    function count(bytes memory b, uint256 payload, uint256 length) internal pure returns (uint256 n) {
        uint256 end = payload + length;
        uint256 cur = payload;
        while (cur < end) {
            (, uint256 p, uint256 l) = header(b, cur, end);
            unchecked {
                cur = p + l;
                ++n;
            }
        }
    }

    /// @notice Big-endian unsigned integer of the payload [payload, payload + length), length ≤ 32.
    /// Does not check canonical form (no leading zeros): callers decide what they accept.
    function toUint(bytes memory b, uint256 payload, uint256 length) internal pure returns (uint256 v) {
        // A bounds check against a caller's mistake, kept message-less to stay cheap.
        // solhint-disable-next-line gas-custom-errors, reason-string
        require(length <= 32);
        if (length == 0) return 0;
        assembly ("memory-safe") {
            v := shr(sub(256, mul(8, length)), mload(add(add(b, 0x20), payload)))
        }
    }

    /// @notice The byte at `off` (which must be inside `b`).
    function byteAt(bytes memory b, uint256 off) internal pure returns (uint256 v) {
        // A bounds check against a caller's mistake, kept message-less to stay cheap.
        // solhint-disable-next-line gas-custom-errors, reason-string
        require(off < b.length);
        assembly ("memory-safe") {
            v := byte(0, mload(add(add(b, 0x20), off)))
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Writing canonical encodings to scratch memory (for hashing re-encoded data).

    /// @notice Length in bytes of the minimal big-endian form of `v` (0 for 0).
    function byteLength(uint256 v) internal pure returns (uint256 n) {
        while (v != 0) {
            unchecked {
                ++n;
            }
            v >>= 8;
        }
    }

    /// @notice Length of the canonical encoding of the integer `v`.
    function uintLength(uint256 v) internal pure returns (uint256) {
        if (v < 0x80) return 1;
        unchecked {
            return 1 + byteLength(v);
        }
    }

    /// @notice Writes the canonical encoding of the integer `v` at memory address `ptr`.
    /// @return next memory address after it
    function writeUint(uint256 ptr, uint256 v) internal pure returns (uint256 next) {
        if (v == 0) {
            assembly ("memory-safe") {
                mstore8(ptr, 0x80)
            }
            return ptr + 1;
        }
        if (v < 0x80) {
            assembly ("memory-safe") {
                mstore8(ptr, v)
            }
            return ptr + 1;
        }
        uint256 n = byteLength(v);
        assembly ("memory-safe") {
            mstore8(ptr, add(0x80, n))
            mstore(add(ptr, 1), shl(sub(256, mul(8, n)), v))
        }
        unchecked {
            return ptr + 1 + n;
        }
    }

    /// @notice Writes the header of a list with a payload of `length` bytes at memory address `ptr`.
    /// @return next memory address after it
    function writeListHeader(uint256 ptr, uint256 length) internal pure returns (uint256 next) {
        if (length < 56) {
            assembly ("memory-safe") {
                mstore8(ptr, add(0xc0, length))
            }
            return ptr + 1;
        }
        uint256 n = byteLength(length);
        assembly ("memory-safe") {
            mstore8(ptr, add(0xf7, n))
            mstore(add(ptr, 1), shl(sub(256, mul(8, n)), length))
        }
        unchecked {
            return ptr + 1 + n;
        }
    }

    /// @notice Length of a list header for a payload of `length` bytes.
    function listHeaderLength(uint256 length) internal pure returns (uint256) {
        if (length < 56) return 1;
        unchecked {
            return 1 + byteLength(length);
        }
    }
}
