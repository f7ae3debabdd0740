// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Txc, World, Entry, Vm, StepConst as K} from "./StepTypes.sol";
import {StepHost as S} from "./StepHost.sol";

/// @notice An SMT item (docs/step-machine.md §2.2): d siblings from depth d up to 1, and the depth-d subtree:
///         empty (t = 0) or the single pair (k', v') (t = 1).
struct SmtItem {
    uint256 d;
    uint256 t;
    uint256 k;
    uint256 v;
    uint256[] sib;
}

/// @title StepTrees
/// @notice The step machine's Merkle structures as the verifier reads them from a proof (docs/step-machine.md
///         §2, §4): openings of fixed-depth trees (memory, key table, access list), the key table's KEY and entry
///         items, compact-SMT items (warm set, transient storage, created code), and INPUT. Twin of
///         core/step/{mem,keytable,smt,tree}.ts.
library StepTrees {
    using S for Vm;

    // ================================================================================================ fixed-depth trees

    /// @notice Reads an opening's mask and siblings (a ZERO sibling is a mask bit, not a word).
    function siblings(Vm memory vm, uint256 depth) internal pure returns (uint256[] memory sib) {
        uint256 mask = vm.word();
        // INVARIANT: the mask has a bit per level, no more.
        if (mask >> depth != 0) revert S.BadProof(S.BAD_MEM);
        sib = new uint256[](depth);
        for (uint256 l = 0; l < depth; ++l) if ((mask >> l) & 1 == 0) sib[l] = vm.word();
    }

    /// @notice The root of a tree whose leaf `index` is `value`, with these siblings (level 0 upward).
    function climb(uint256 value, uint256 index, uint256[] memory sib) internal pure returns (uint256 h) {
        h = value;
        uint256 n = sib.length;
        for (uint256 l = 0; l < n; ++l) {
            h = (index >> l) & 1 == 1 ? S.node(sib[l], h) : S.node(h, sib[l]);
        }
    }

    // ================================================================================================ memory trees

    /// @notice [MEM] Word `i` of the memory tree `root`.
    function memWord(Vm memory vm, uint256 root, uint256 i) internal pure returns (uint256 value) {
        value = vm.word();
        uint256[] memory sib = siblings(vm, K.MEM_DEPTH);
        // INVARIANT: the word is the tree's (and inside its fixed depth).
        if (i >= K.MAX_MEM_WORDS || climb(value, i, sib) != root) revert S.BadProof(S.BAD_MEM);
    }

    /// @notice [MEM] Bytes [off, off + len) of the tree `root` (len ≥ 1): one opening per word, in order.
    function readBytes(Vm memory vm, uint256 root, uint256 off, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len + 96);
        uint256 first = off >> 5;
        uint256 last = (off + len - 1) >> 5;
        uint256 shift = off & 31;
        uint256 base;
        assembly ("memory-safe") {
            base := add(out, 32)
        }
        for (uint256 w = first; w <= last; ++w) {
            uint256 v = memWord(vm, root, w);
            // word w covers bytes [32w, 32w + 32): in `out` it starts at 32(w − first) − shift
            uint256 at = base + 32 * (w - first);
            assembly ("memory-safe") {
                // written 32 bytes to the right of where it belongs, then the whole buffer is read shifted
                mstore(add(at, 32), v)
            }
        }
        assembly ("memory-safe") {
            // bytes [off, off + len) sit at base + 32 + shift; move them to base
            mcopy(base, add(add(base, 32), shift), len)
            mstore(out, len)
        }
    }

    /// @notice [MEM] Writes `data` at [off, off + len) of the tree `root`; returns the new root. One opening per word,
    ///         each against the root left by the writes before it.
    function writeBytes(Vm memory vm, uint256 root, uint256 off, bytes memory data) internal pure returns (uint256) {
        uint256 len = data.length;
        uint256 o = 0;
        while (o < len) {
            uint256 a = off + o;
            uint256 w = a >> 5;
            uint256 lo = a & 31;
            uint256 n = 32 - lo < len - o ? 32 - lo : len - o;
            uint256 old = vm.word();
            uint256[] memory sib = siblings(vm, K.MEM_DEPTH);
            // INVARIANT: the word is the tree's (and inside its fixed depth).
            if (w >= K.MAX_MEM_WORDS || climb(old, w, sib) != root) revert S.BadProof(S.BAD_MEM);
            uint256 chunk;
            assembly ("memory-safe") {
                chunk := mload(add(add(data, 32), o))
            }
            // bytes [lo, lo + n) of the word come from data[o, o + n)
            uint256 mask = n == 32 ? type(uint256).max : ((uint256(1) << (8 * n)) - 1) << (8 * (32 - lo - n));
            uint256 v = (old & ~mask) | ((chunk >> (8 * lo)) & mask);
            root = climb(v, w, sib);
            o += n;
        }
        return root;
    }

    /// @notice The memory-tree root of a byte string (a precompile's output): depth 17, ZERO beyond its end.
    function bytesRoot(bytes memory b) internal pure returns (uint256) {
        uint256 n = (b.length + 31) / 32;
        if (n == 0) return 0;
        uint256[] memory level = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 v;
            assembly ("memory-safe") {
                v := mload(add(add(b, 32), shl(5, i)))
            }
            if (32 * i + 32 > b.length) v &= ~(type(uint256).max >> (8 * (b.length - 32 * i)));
            level[i] = v;
        }
        for (uint256 l = 0; l < K.MEM_DEPTH; ++l) {
            uint256 m = (n + 1) / 2;
            for (uint256 i = 0; i < m; ++i) level[i] = S.node(level[2 * i], 2 * i + 1 < n ? level[2 * i + 1] : 0);
            n = m;
        }
        return level[0];
    }

    // ================================================================================================ key table

    function keyCmp(Entry memory e, uint256 a, uint256 m, uint256 s) internal pure returns (int256) {
        if (e.addr != a) return e.addr < a ? -1 : int256(1);
        if (e.mark != m) return e.mark < m ? -1 : int256(1);
        if (e.slot != s) return e.slot < s ? -1 : int256(1);
        return 0;
    }

    /// @notice An entry opening at `pos`: present, the 7 fields if present, mask and siblings. Checked against the
    ///         key-table root.
    function entryOpening(Vm memory vm, uint256 pos) internal pure returns (bool present, Entry memory e, uint256[] memory sib) {
        uint256 p = vm.word();
        // INVARIANT: present is a boolean.
        if (p > 1) revert S.BadProof(S.BAD_KEY);
        present = p == 1;
        e = Entry(0, 0, 0, 0, 0, 0, 0);
        if (present) vm.words(S.ptr(e), 7);
        sib = siblings(vm, K.KEY_DEPTH);
        // INVARIANT: the entry is the table's leaf pos.
        if (climb(present ? S.entryHash(e) : 0, pos, sib) != vm.world.keyRoot) revert S.BadProof(S.BAD_KEY);
    }

    /// @notice [KEY] Whether key (a, m, s) is declared, and its entry and position (docs/step-machine.md §4).
    function keyItem(Vm memory vm, uint256 a, uint256 m, uint256 s)
        internal
        pure
        returns (bool found, uint256 pos, Entry memory e, uint256[] memory sib)
    {
        vm.getWorld();
        pos = vm.word();
        // INVARIANT: the position is in the table.
        if (pos > K.KEY_CAPACITY) revert S.BadProof(S.BAD_KEY);
        if (pos < K.KEY_CAPACITY) {
            bool present;
            (present, e, sib) = entryOpening(vm, pos);
            if (present && keyCmp(e, a, m, s) == 0) return (true, pos, e, sib);
            // INVARIANT: undeclared: the entry at pos is absent or above the key...
            if (present && keyCmp(e, a, m, s) < 0) revert S.BadProof(S.BAD_KEY);
        }
        if (pos > 0) {
            (bool p2, Entry memory e2,) = entryOpening(vm, pos - 1);
            // INVARIANT: ...and the entry before it is present and below the key.
            if (!p2 || keyCmp(e2, a, m, s) >= 0) revert S.BadProof(S.BAD_KEY);
        }
        return (false, pos, e, sib);
    }

    /// @notice [KEY] The entry of a key, or found = false if undeclared.
    function keyRead(Vm memory vm, uint256 a, uint256 m, uint256 s) internal pure returns (bool found, Entry memory e) {
        (found,, e,) = keyItem(vm, a, m, s);
    }

    /// @notice [KEY] Writes a declared key's current value and flags (ends the machine, undeclared-key, otherwise).
    function keyWrite(Vm memory vm, uint256 a, uint256 m, uint256 s, uint256 cur, uint256 flags) internal pure {
        (bool found, uint256 pos, Entry memory e, uint256[] memory sib) = keyItem(vm, a, m, s);
        if (!found) vm.terminate(K.UNDECLARED_KEY);
        if (e.cur == cur && e.flags == flags) return;
        e.cur = cur;
        e.flags = flags;
        vm.world.keyRoot = climb(S.entryHash(e), pos, sib);
    }

    /// @notice [ENTRY] Entry i (present false past the end).
    function entryAt(Vm memory vm, uint256 i) internal pure returns (bool present, Entry memory e) {
        vm.getWorld();
        (present, e,) = entryOpening(vm, i);
    }

    /// @notice [ENTRY] Writes entry i's current value.
    function entryWrite(Vm memory vm, uint256 i, uint256 cur) internal pure {
        vm.getWorld();
        (bool present, Entry memory e, uint256[] memory sib) = entryOpening(vm, i);
        // INVARIANT: the entry exists.
        if (!present) revert S.BadProof(S.BAD_KEY);
        e.cur = cur;
        vm.world.keyRoot = climb(S.entryHash(e), i, sib);
    }

    // ================================================================================================ SMT

    function bitOf(uint256 k, uint256 j) internal pure returns (uint256) {
        return (k >> (255 - j)) & 1;
    }

    /// @notice [SMT] An item for key k.
    function smtItem(Vm memory vm) internal pure returns (SmtItem memory it) {
        it.d = vm.word();
        it.t = vm.word();
        // INVARIANT: a depth within the key's bits; t is 0 or 1.
        if (it.d > 256 || it.t > 1) revert S.BadProof(S.BAD_SMT);
        if (it.t == 1) {
            it.k = vm.word();
            it.v = vm.word();
        }
        it.sib = new uint256[](it.d);
        for (uint256 i = 0; i < it.d; ++i) it.sib[i] = vm.word();
        // INVARIANT: the item stops where the path does (canonical): below the root, the depth-d subtree's sibling
        //            is not empty. Otherwise an empty subtree could be shown deeper than it is, and an insertion
        //            from that item would give another root than the set's (two post-states for one step).
        if (it.d > 0 && it.sib[0] == 0) revert S.BadProof(S.BAD_SMT);
    }

    function smtClimb(uint256 k, uint256 d, uint256 sub, uint256[] memory sib) internal pure returns (uint256 h) {
        h = sub;
        for (uint256 i = 0; i < d; ++i) {
            uint256 j = d - i;
            h = bitOf(k, j - 1) == 0 ? S.node(h, sib[i]) : S.node(sib[i], h);
        }
    }

    function smtLeaf(uint256 k, uint256 v) internal pure returns (uint256) {
        return S.h2(K.TAG_SMT_LEAF, k, v);
    }

    /// @notice Checks the item against `root`; returns whether it shows k present and its value.
    function smtCheck(uint256 root, uint256 k, SmtItem memory it) internal pure returns (bool present, uint256 v) {
        // INVARIANT: the item proves the set's root.
        if (smtClimb(k, it.d, it.t == 1 ? smtLeaf(it.k, it.v) : 0, it.sib) != root) revert S.BadProof(S.BAD_SMT);
        present = it.t == 1 && it.k == k;
        v = present ? it.v : 0;
    }

    /// @notice The root after setting k to v, from an item proving the current root.
    function smtSet(uint256 k, uint256 v, SmtItem memory it) internal pure returns (uint256) {
        uint256 sub;
        if (it.t == 0 || it.k == k) {
            sub = smtLeaf(k, v);
        } else {
            uint256 p = it.d;
            while (p < 256 && bitOf(k, p) == bitOf(it.k, p)) ++p;
            uint256 lk = smtLeaf(k, v);
            uint256 lo = smtLeaf(it.k, it.v);
            sub = bitOf(k, p) == 0 ? S.node(lk, lo) : S.node(lo, lk);
            for (uint256 j = p; j > it.d; --j) sub = bitOf(k, j - 1) == 0 ? S.node(sub, 0) : S.node(0, sub);
        }
        return smtClimb(k, it.d, sub, it.sib);
    }

    /// @notice [SMT warm] Whether `key` was warm; makes it warm.
    function warmTouch(Vm memory vm, uint256 key) internal pure returns (bool was) {
        World memory w = vm.getWorld();
        SmtItem memory it = smtItem(vm);
        (was,) = smtCheck(w.warmRoot, key, it);
        if (!was) w.warmRoot = smtSet(key, 1, it);
    }

    /// @notice [SMT tstore]
    function tload(Vm memory vm, uint256 key) internal pure returns (uint256 v) {
        World memory w = vm.getWorld();
        (, v) = smtCheck(w.tstoreRoot, key, smtItem(vm));
    }

    /// @notice [SMT tstore]
    function tstore(Vm memory vm, uint256 key, uint256 v) internal pure {
        World memory w = vm.getWorld();
        SmtItem memory it = smtItem(vm);
        smtCheck(w.tstoreRoot, key, it);
        w.tstoreRoot = smtSet(key, v, it);
    }

    /// @notice [SMT created]
    function createdHas(Vm memory vm, uint256 h) internal pure returns (bool present) {
        (present,) = smtCheck(vm.created, h, smtItem(vm));
    }

    /// @notice [SMT created]
    function createdAdd(Vm memory vm, uint256 h) internal pure {
        SmtItem memory it = smtItem(vm);
        smtCheck(vm.created, h, it);
        vm.created = smtSet(h, 1, it);
    }

    // ================================================================================================ access list, input

    /// @notice [ACL] Access-list item i: (isSlot, address, slot).
    function aclItem(Vm memory vm, uint256 i) internal pure returns (bool isSlot, uint256 addr, uint256 slot) {
        Txc memory t = vm.getTxc();
        uint256 kind = vm.word();
        addr = vm.word();
        slot = vm.word();
        // INVARIANT: an item is an address (slot 0) or a slot.
        if (kind > 1 || (kind == 0 && slot != 0)) revert S.BadProof(S.BAD_ACL);
        isSlot = kind == 1;
        uint256 leaf = isSlot ? S.h2(K.TAG_ACL_SLOT, addr, slot) : S.h1(K.TAG_ACL_ADDR, addr);
        // INVARIANT: the item is leaf i of the transaction's access list.
        if (i >= t.aclCount || climb(leaf, i, siblings(vm, K.ACL_DEPTH)) != t.aclRoot) revert S.BadProof(S.BAD_ACL);
    }

    /// @notice [INPUT] The `length` bytes a precompile step consumes, checked against their keccak `digest`.
    function input(Vm memory vm, uint256 digest, uint256 length) internal pure returns (bytes memory b) {
        uint256 n = vm.word();
        // INVARIANT: the input has the length the step expects.
        if (n != length) revert S.BadProof(S.BAD_INPUT);
        uint256 nw = (n + 31) / 32;
        b = new bytes(nw * 32);
        uint256 p;
        assembly ("memory-safe") {
            p := add(b, 32)
        }
        vm.words(p, nw);
        uint256 h;
        uint256 tail;
        assembly ("memory-safe") {
            mstore(b, n)
            h := keccak256(p, n)
            // the padding: the top 32 − n mod 32 bytes of the word at p + n
            if mod(n, 32) { tail := and(mload(add(p, n)), not(shr(mul(8, sub(32, mod(n, 32))), not(0)))) }
        }
        // INVARIANT: the bytes are the digest's, zero-padded.
        if (h != digest || tail != 0) revert S.BadProof(S.BAD_INPUT);
    }
}
