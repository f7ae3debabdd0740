// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Domains} from "./Domains.sol";
import {Reader, DecodeError, DecodeCodes} from "./Reader.sol";

/// @title MoveLib
/// @notice Moves (docs/protocol.md §1, §4), twin of core/moves.ts and core/keys.ts: decoding, key order,
///         the mask-aware signed commitment and the moves' sighash digest.
library MoveLib {
    using Reader for Reader.Cursor;

    /// @notice One move. `mask` is bits 0..6 of the flags byte, `ref` its bit 7. A reference move has
    ///         next == prev. Marks b, n, c have slot 0.
    struct Move {
        uint8 mask;
        bool ref;
        uint8 mark;
        uint64 intx;
        address addr;
        uint256 slot;
        uint256 prev;
        uint256 next;
    }

    /// @notice Mark 's': storage slot `slot` of `addr`.
    uint8 internal constant MARK_STORAGE = 0x73;
    /// @notice Mark 'b': balance of `addr`.
    uint8 internal constant MARK_BALANCE = 0x62;
    /// @notice Mark 'n': nonce of `addr`.
    uint8 internal constant MARK_NONCE = 0x6e;
    /// @notice Mark 'c': code hash of `addr` (0 when no code).
    uint8 internal constant MARK_CODE = 0x63;
    /// @notice Mark 'f': fee output of `addr` created by transaction `slot`.
    uint8 internal constant MARK_FEE = 0x66;
    /// @notice Mark 'w': withdrawal output to L1 address `addr` created by transaction `slot`.
    uint8 internal constant MARK_WITHDRAWAL = 0x77;

    /// @notice Mask bits (§4.2).
    uint8 internal constant MASK_MARK = 0x01;
    uint8 internal constant MASK_INTX = 0x02;
    uint8 internal constant MASK_ADDR = 0x04;
    uint8 internal constant MASK_SLOT = 0x08;
    uint8 internal constant MASK_PREV = 0x10;
    uint8 internal constant MASK_NEXT = 0x20;
    uint8 internal constant MASK_KIND = 0x40;
    uint8 internal constant MASK_ALL = 0x7f;
    /// @notice Flags bit: reference move.
    uint8 internal constant FLAG_REF = 0x80;
    /// @notice Mark-byte bit (every mark is below 0x80): the move's address is the previous move's in
    ///         the same list, and the addr field is omitted (§4.1).
    uint8 internal constant MARK_SAME_ADDR = 0x80;
    /// @notice The `prevAddr` of the first move of a list: no previous move (above every address).
    uint256 internal constant NO_PREV = 1 << 160;

    /// @notice Whether `mark` is one of the six marks.
    function isKnownMark(uint8 mark) internal pure returns (bool) {
        return mark == MARK_STORAGE || mark == MARK_BALANCE || mark == MARK_NONCE || mark == MARK_CODE
            || mark == MARK_FEE || mark == MARK_WITHDRAWAL;
    }

    /// @notice Whether a move of this mark encodes a slot (all but the account marks b, n, c).
    function markHasSlot(uint8 mark) internal pure returns (bool) {
        return mark != MARK_BALANCE && mark != MARK_NONCE && mark != MARK_CODE;
    }

    /// @notice Decodes one move of a list at the cursor (core/moves.ts decodeMove), §4.1:
    ///         flags:u8 mark:u8 intx:varint [addr:bytes20] [slot:u256c] prev:u256c [next:u256c].
    ///         `prevAddr` is the previous move's address, or NO_PREV for the first move of a list.
    function decode(Reader.Cursor memory c, uint256 prevAddr) internal pure returns (Move memory m) {
        uint256 p = decodeFast(c, prevAddr);
        if (p == 0) return decodeExact(c, prevAddr);
        assembly ("memory-safe") {
            m := p
        }
    }

    /// @notice Fast path of {decode}, in assembly, for every well-formed move (all bytes present, canonical
    ///         intx, address and compact values): the memory address of the decoded Move, or 0 if the
    ///         fast path does not apply. It never reports an error: on 0 the cursor is where it was, and
    ///         {decodeExact} decodes the move again, accepting it or reverting with the exact DecodeError
    ///         of the TypeScript core.
    /// @dev Returns a pointer rather than a `Move memory` so that no zeroed struct is allocated per call
    ///      (4096 moves make memory expansion the dominant cost).
    function decodeFast(Reader.Cursor memory c, uint256 prevAddr) internal pure returns (uint256 ptr) {
        assembly ("memory-safe") {
            /// Canonical compact u256 at data[p..len): its value and end, or end 0 if not (fast) decodable.
            function fastU256c(data, len, p) -> v, np {
                if iszero(lt(p, len)) { leave }
                let l := byte(0, mload(add(data, p)))
                if iszero(l) {
                    np := add(p, 1)
                    leave
                }
                let e := add(add(p, 1), l)
                if or(gt(l, 32), gt(e, len)) { leave }
                let w := mload(add(data, add(p, 1)))
                if iszero(byte(0, w)) { leave }
                v := shr(shl(3, sub(32, l)), w)
                np := e
            }

            /// Canonical varint < 2^64 at data[p..len): its value and end, or end 0 if not.
            function fastVarint(data, len, p) -> v, np {
                for { let i := 0 } 1 {} {
                    if iszero(lt(p, len)) { leave }
                    let x := byte(0, mload(add(data, p)))
                    p := add(p, 1)
                    v := or(v, shl(mul(7, i), and(x, 0x7f)))
                    if iszero(and(x, 0x80)) {
                        if and(iszero(x), i) { leave }
                        break
                    }
                    i := add(i, 1)
                    if eq(i, 10) { leave }
                }
                if gt(v, 0xffffffffffffffff) { leave }
                np := p
            }

            /// Writes the move at data[p..len) to the 8 words at m; returns its end, or 0 if the fast
            /// path does not apply (m is then garbage and must not be used).
            function fastMove(data, len, p, out, pa) -> np {
                // Reads up to 32 bytes past the end of the data: whatever they are, the length checks
                // below leave before anything read there is used.
                let w := mload(add(data, p))
                // known marks b c f n s w are bits 0 1 4 12 17 21 above 0x62; slot marks f s w.
                // For marks below 0x62 rel wraps around and shr by >= 256 gives 0.
                let rel := sub(and(byte(1, w), 0x7f), 0x62)
                if iszero(and(shr(rel, 0x221013), 1)) { leave }
                mstore(out, and(byte(0, w), 0x7f))
                mstore(add(out, 0x20), shr(7, byte(0, w)))
                mstore(add(out, 0x40), add(rel, 0x62))
                // flags, mark, intx (one byte in the common case), then the address unless the mark
                // byte's bit 0x80 says it is the previous move's, pa
                switch lt(byte(2, w), 0x80)
                case 1 {
                    mstore(add(out, 0x60), byte(2, w))
                    p := add(p, 3)
                }
                default {
                    let v := 0
                    v, p := fastVarint(data, len, add(p, 2))
                    if iszero(p) { leave }
                    mstore(add(out, 0x60), v)
                }
                switch and(byte(1, w), 0x80)
                case 0 {
                    // written out, it must differ from pa (else non-canonical)
                    p := add(p, 20)
                    let a := shr(96, mload(add(data, sub(p, 20))))
                    if or(gt(p, len), eq(a, pa)) { leave }
                    mstore(add(out, 0x80), a)
                }
                default {
                    // referenced, pa must be an address (the first move of a list has none)
                    if or(gt(p, len), shr(160, pa)) { leave }
                    mstore(add(out, 0x80), pa)
                }
                let v := 0
                if and(shr(rel, 0x220010), 1) {
                    v, p := fastU256c(data, len, p)
                    if iszero(p) { leave }
                }
                mstore(add(out, 0xa0), v)
                v, p := fastU256c(data, len, p)
                if iszero(p) { leave }
                mstore(add(out, 0xc0), v)
                if iszero(shr(7, byte(0, w))) {
                    v, p := fastU256c(data, len, p)
                    if iszero(p) { leave }
                }
                mstore(add(out, 0xe0), v)
                np := p
            }

            let buf := mload(c)
            let mem := mload(0x40)
            let np := fastMove(add(buf, 0x20), mload(buf), mload(add(c, 0x20)), mem, prevAddr)
            if np {
                ptr := mem
                mstore(0x40, add(mem, 0x100))
                mstore(add(c, 0x20), np)
            }
        }
    }

    /// @notice Decodes one move with the general reader (every error exactly as core/moves.ts decodeMove).
    function decodeExact(Reader.Cursor memory c, uint256 prevAddr) internal pure returns (Move memory m) {
        uint256 at = c.pos;
        uint8 flags = c.u8();
        uint8 markByte = c.u8();
        uint8 mark = markByte & ~MARK_SAME_ADDR;
        bool same = markByte & MARK_SAME_ADDR != 0;
        // INVARIANT: the mark is one of s, b, n, c, f, w, and only a move after another names its address.
        if (!isKnownMark(mark) || (same && prevAddr == NO_PREV)) revert DecodeError(DecodeCodes.INVALID_VALUE, at + 1);
        m.mask = flags & MASK_ALL;
        m.ref = flags & FLAG_REF != 0;
        m.mark = mark;
        m.intx = c.varint();
        if (same) {
            m.addr = address(uint160(prevAddr));
        } else {
            m.addr = c.addr();
            // INVARIANT: an address equal to the previous move's is referenced, not written out.
            if (uint160(m.addr) == prevAddr) revert DecodeError(DecodeCodes.NON_CANONICAL, at + 1);
        }
        if (markHasSlot(mark)) m.slot = c.u256c();
        m.prev = c.u256c();
        m.next = m.ref ? m.prev : c.u256c();
    }

    /// @notice Orders keys by their canonical bytes addr || mark || slot: -1, 0 or 1.
    function compareKeys(Move memory a, Move memory b) internal pure returns (int256) {
        if (a.addr != b.addr) return uint160(a.addr) < uint160(b.addr) ? -1 : int256(1);
        if (a.mark != b.mark) return a.mark < b.mark ? -1 : int256(1);
        if (a.slot != b.slot) return a.slot < b.slot ? -1 : int256(1);
        return 0;
    }

    /// @notice The canonical 53-byte key: addr (20) || mark (1) || slot (32).
    function keyBytes(Move memory m) internal pure returns (bytes memory) {
        return abi.encodePacked(m.addr, m.mark, m.slot);
    }

    /// @notice Signed commitment of one move (§4.2): fields outside the mask are zeroed.
    /// @dev keccak(tag || u8 mask || u8 mark|0 || u8 ref|0 || bytes8 intx|0 || bytes20 addr|0
    ///      || bytes32 slot|0 || bytes32 prev|0 || bytes32 next|0), as core/moves.ts moveSigCommitment.
    ///      Reads the struct's words directly (mask, ref, mark, intx, addr, slot, prev, next, in that
    ///      order; each masked to its type) and builds the 159-byte preimage in scratch memory past the
    ///      free pointer (nothing allocated).
    function sigCommitment(Move memory m) internal pure returns (bytes32 h) {
        bytes32 tag = Domains.MOVE_SIG;
        assembly ("memory-safe") {
            let k := and(mload(m), 0x7f)
            // field * (bit set in k)
            let mark := mul(and(mload(add(m, 0x40)), 0xff), and(k, 0x01))
            let ref := mul(iszero(iszero(mload(add(m, 0x20)))), shr(6, and(k, 0x40)))
            let intx := mul(and(mload(add(m, 0x60)), 0xffffffffffffffff), shr(1, and(k, 0x02)))
            let a := mul(and(mload(add(m, 0x80)), 0xffffffffffffffffffffffffffffffffffffffff), shr(2, and(k, 0x04)))
            let p := mload(0x40)
            mstore(p, tag)
            // bytes 32..62: mask, mark, ref, intx (8), addr (20); byte 63 is then overwritten by slot
            mstore(add(p, 32), or(or(shl(248, k), shl(240, mark)), or(or(shl(232, ref), shl(168, intx)), shl(8, a))))
            mstore(add(p, 63), mul(mload(add(m, 0xa0)), shr(3, and(k, 0x08))))
            mstore(add(p, 95), mul(mload(add(m, 0xc0)), shr(4, and(k, 0x10))))
            mstore(add(p, 127), mul(mload(add(m, 0xe0)), shr(5, and(k, 0x20))))
            h := keccak256(p, 159)
        }
    }

    /// @notice The moves' part of the sighash: keccak over the ascending-sorted commitments of every
    ///         move with mask != 0 (core/moves.ts movesSigDigest). keccak of nothing if none is signed.
    /// @dev Sorted by {sortAscending}, O(k log k) even for the 4096 moves a transaction may carry, so a
    ///      fraud proof that needs a sighash stays within a block.
    function movesDigest(Move[] memory moves) internal pure returns (bytes32 digest) {
        uint256 n = moves.length;
        bytes32[] memory commits = new bytes32[](n);
        uint256 k;
        for (uint256 i = 0; i < n; ++i) {
            if (moves[i].mask & MASK_ALL == 0) continue;
            commits[k++] = sigCommitment(moves[i]);
        }
        assembly ("memory-safe") {
            mstore(commits, k)
        }
        sortAscending(commits);
        assembly ("memory-safe") {
            digest := keccak256(add(commits, 32), shl(5, k))
        }
    }

    /// @notice Sorts `a` ascending in place: bottom-up merge sort in assembly, O(n log n) in every case,
    ///         using n words of scratch memory past the free pointer (nothing allocated).
    function sortAscending(bytes32[] memory a) internal pure {
        assembly ("memory-safe") {
            let n := mload(a)
            if gt(n, 1) {
                let bytesN := shl(5, n)
                let src := add(a, 32)
                let dst := mload(0x40)
                let srcEnd := add(src, bytesN)
                for { let w := 32 } lt(w, bytesN) { w := shl(1, w) } {
                    let o := dst
                    for { let l := src } lt(l, srcEnd) {} {
                        let le := add(l, w)
                        if gt(le, srcEnd) { le := srcEnd }
                        let r := le
                        let re := add(le, w)
                        if gt(re, srcEnd) { re := srcEnd }
                        let next := re
                        if lt(r, re) {
                            for {} 1 {} {
                                let lv := mload(l)
                                let rv := mload(r)
                                switch gt(lv, rv)
                                case 0 {
                                    mstore(o, lv)
                                    l := add(l, 32)
                                    o := add(o, 32)
                                    if eq(l, le) { break }
                                }
                                default {
                                    mstore(o, rv)
                                    r := add(r, 32)
                                    o := add(o, 32)
                                    if eq(r, re) { break }
                                }
                            }
                        }
                        mcopy(o, l, sub(le, l))
                        o := add(o, sub(le, l))
                        mcopy(o, r, sub(re, r))
                        o := add(o, sub(re, r))
                        l := next
                    }
                    // the merged run is the source of the next pass
                    let t := src
                    src := dst
                    dst := t
                    srcEnd := add(src, bytesN)
                }
                if iszero(eq(src, add(a, 32))) { mcopy(add(a, 32), src, bytesN) }
            }
        }
    }
}
