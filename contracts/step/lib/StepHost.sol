// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Txc, World, Frame, Ctx, Entry, StackView, Vm, StepConst as K} from "./StepTypes.sol";

/// @title StepHost
/// @notice What a step reads and writes, from its proof (docs/step-machine.md §3, §4): the Solidity twin of the
///         `Host` of core/step/types.ts as the proof checker implements it. Every function marked [ITEM] reads one
///         proof item at the cursor, in the order the step semantics call it, and checks it against the hash it
///         opens; a write recomputes that hash with the same siblings.
/// @dev Structures are laid out in memory in hashing order, so a tagged hash is taken in place: the tag is written
///      over the word in front of the structure and restored.
library StepHost {
    /// @notice The proof does not prove what it claims (a hash, a bound or a shape does not hold).
    error BadProof(uint256 what);
    /// @notice The proof ends before the step has read all it needs.
    error ProofTooShort();
    /// @notice The proof holds more than the step read.
    error ProofTooLong(uint256 used, uint256 length);
    /// @notice The machine ends in a terminal status (caught by the verifier, which returns the terminal state).
    error Terminated(uint256 status);
    /// @notice A memory tree beyond its fixed depth (only reachable with more gas than the rollup allows).
    error MachineLimit();

    // what BadProof names
    uint256 internal constant BAD_STATE = 1;
    uint256 internal constant BAD_TXC = 2;
    uint256 internal constant BAD_WORLD = 3;
    uint256 internal constant BAD_FRAME = 4;
    uint256 internal constant BAD_CTX = 5;
    uint256 internal constant BAD_PENDING = 6;
    uint256 internal constant BAD_PARENT = 7;
    uint256 internal constant BAD_STACK = 8;
    uint256 internal constant BAD_MEM = 9;
    uint256 internal constant BAD_KEY = 10;
    uint256 internal constant BAD_SMT = 11;
    uint256 internal constant BAD_ACL = 12;
    uint256 internal constant BAD_INPUT = 13;
    uint256 internal constant BAD_BLOBS = 14;
    uint256 internal constant NO_FRAME = 15;

    uint256 internal constant MASK_248 = (1 << 248) - 1;
    uint256 internal constant STACK_CAP = 40;

    // ================================================================================================ words

    /// @notice The next proof word.
    function word(Vm memory vm) internal pure returns (uint256 w) {
        uint256 c = vm.cur;
        // INVARIANT: the step reads no more than the proof holds.
        if (c + 32 > vm.end) revert ProofTooShort();
        assembly ("memory-safe") {
            w := calldataload(c)
        }
        vm.cur = c + 32;
    }

    /// @notice Reads `n` proof words into memory at `at`.
    function words(Vm memory vm, uint256 at, uint256 n) internal pure {
        uint256 c = vm.cur;
        // INVARIANT: the step reads no more than the proof holds.
        if (c + 32 * n > vm.end) revert ProofTooShort();
        assembly ("memory-safe") {
            calldatacopy(at, c, shl(5, n))
        }
        vm.cur = c + 32 * n;
    }

    /// @notice keccak256(tag || the n words at `at`), taken in place.
    function hashAt(bytes32 tag, uint256 at, uint256 n) internal pure returns (uint256 h) {
        assembly ("memory-safe") {
            let t := sub(at, 32)
            let saved := mload(t)
            mstore(t, tag)
            h := keccak256(t, add(32, shl(5, n)))
            mstore(t, saved)
        }
    }

    function h1(bytes32 tag, uint256 a) internal pure returns (uint256 h) {
        assembly ("memory-safe") {
            mstore(0, tag)
            mstore(32, a)
            h := keccak256(0, 64)
        }
    }

    function h2(bytes32 tag, uint256 a, uint256 b) internal pure returns (uint256 h) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, tag)
            mstore(add(m, 32), a)
            mstore(add(m, 64), b)
            h := keccak256(m, 96)
        }
    }

    /// @notice keccak(a || b).
    function k2(uint256 a, uint256 b) internal pure returns (uint256 h) {
        assembly ("memory-safe") {
            mstore(0, a)
            mstore(32, b)
            h := keccak256(0, 64)
        }
    }

    /// @notice node(l, r): ZERO on two ZERO children, else keccak(l || r) (§1).
    function node(uint256 l, uint256 r) internal pure returns (uint256 h) {
        assembly ("memory-safe") {
            if or(l, r) {
                mstore(0, l)
                mstore(32, r)
                h := keccak256(0, 64)
            }
        }
    }

    function ptr(Txc memory t) internal pure returns (uint256 p) {
        assembly ("memory-safe") {
            p := t
        }
    }

    function ptr(World memory t) internal pure returns (uint256 p) {
        assembly ("memory-safe") {
            p := t
        }
    }

    function ptr(Frame memory t) internal pure returns (uint256 p) {
        assembly ("memory-safe") {
            p := t
        }
    }

    function ptr(Ctx memory t) internal pure returns (uint256 p) {
        assembly ("memory-safe") {
            p := t
        }
    }

    function ptr(Entry memory t) internal pure returns (uint256 p) {
        assembly ("memory-safe") {
            p := t
        }
    }

    function ptr(uint256[18] memory t) internal pure returns (uint256 p) {
        assembly ("memory-safe") {
            p := t
        }
    }

    function ctxHash(Ctx memory c) internal pure returns (uint256) {
        return hashAt(K.TAG_FRAME_CTX, ptr(c), 13);
    }

    function frameHashOf(Frame memory f) internal pure returns (uint256) {
        return hashAt(K.TAG_FRAME, ptr(f), 16);
    }

    function entryHash(Entry memory e) internal pure returns (uint256) {
        return hashAt(K.TAG_KEY_ENTRY, ptr(e), 7);
    }

    function emptyStackHash() internal pure returns (uint256) {
        return uint256(K.TAG_STACK);
    }

    // ================================================================================================ state

    /// @notice Reads the pre-state's preimage (status, txc, world, frame, parents, pending, created) and checks it
    ///         against `pre`. Returns the status; for a running state the machine is ready for the step.
    function open(Vm memory vm, uint256 pre, uint256 offset, uint256 length) internal pure returns (uint256 status) {
        vm.cur = offset;
        vm.end = offset + length;
        uint256[7] memory f;
        uint256 p;
        assembly ("memory-safe") {
            p := f
        }
        words(vm, p, 7);
        status = f[0];
        // INVARIANT: the preimage is the pre-state's (the status in the top byte, the hash below it).
        if (status > 255 || stateHashOf(p) != pre) revert BadProof(BAD_STATE);
        vm.txcHash = f[1];
        vm.worldHash = f[2];
        vm.frameHash = f[3];
        vm.parents = f[4];
        vm.pendingHash = f[5];
        vm.created = f[6];
        vm.hasFrame = f[3] != 0;
        vm.hasPending = f[5] != 0;
        vm.stack.items = new uint256[](STACK_CAP);
    }

    /// @notice status · 2^248 + (H("state", the 7 words at p) mod 2^248).
    function stateHashOf(uint256 p) internal pure returns (uint256) {
        uint256 status;
        assembly ("memory-safe") {
            status := mload(p)
        }
        return (status << 248) | (hashAt(K.TAG_STATE, p, 7) & MASK_248);
    }

    /// @notice The terminal state of `status` (§7): everything but the status and TxConst is ZERO.
    function terminalHash(uint256 status, uint256 txc) internal pure returns (uint256) {
        uint256[7] memory f;
        f[0] = status;
        f[1] = txc;
        uint256 p;
        assembly ("memory-safe") {
            p := f
        }
        return stateHashOf(p);
    }

    /// @notice Ends the machine in `status`: the step reads nothing more.
    function terminate(Vm memory vm, uint256 status) internal pure {
        // INVARIANT: a step that ends the machine has read its whole proof.
        if (vm.cur != vm.end) revert ProofTooLong(vm.cur, vm.end);
        revert Terminated(status);
    }

    /// @notice The post-state's hash, after checking the whole proof was read.
    function close(Vm memory vm) internal pure returns (uint256) {
        // INVARIANT: the proof holds exactly what the step read.
        if (vm.cur != vm.end) revert ProofTooLong(vm.cur, vm.end);
        uint256[7] memory f;
        f[1] = vm.txcHash;
        f[2] = vm.worldOpen ? hashAt(K.TAG_WORLD, ptr(vm.world), 6) : vm.worldHash;
        if (vm.hasFrame) {
            if (vm.frameOpen) {
                syncStack(vm);
                f[3] = frameHashOf(vm.frame);
            } else {
                f[3] = vm.frameHash;
            }
        }
        f[4] = vm.parents;
        if (vm.hasPending) f[5] = vm.pendingOpen ? hashAt(K.TAG_PENDING, ptr(vm.pending), 18) : vm.pendingHash;
        f[6] = vm.created;
        uint256 p;
        assembly ("memory-safe") {
            p := f
        }
        return stateHashOf(p);
    }

    // ================================================================================================ TxConst

    /// @notice [TXC] TxConst (at most once per step).
    function getTxc(Vm memory vm) internal pure returns (Txc memory) {
        if (!vm.txcOpen) {
            uint256 p = ptr(vm.txc);
            words(vm, p, 31);
            // INVARIANT: the TxConst shown is the state's.
            if (hashAt(K.TAG_TXCONST, p, 31) != vm.txcHash) revert BadProof(BAD_TXC);
            vm.txcOpen = true;
        }
        return vm.txc;
    }

    /// @notice [BLOBS] The blob versioned hashes (after TXC).
    function getBlobs(Vm memory vm) internal pure returns (uint256[] memory) {
        Txc memory t = getTxc(vm);
        if (!vm.blobsOpen) {
            uint256 n = word(vm);
            // INVARIANT: a transaction has few blob hashes (the rollup: none; Cancun: at most 6).
            if (n > 64) revert BadProof(BAD_BLOBS);
            uint256[] memory b = new uint256[](n + 1);
            b[0] = n;
            uint256 p;
            assembly ("memory-safe") {
                p := add(b, 64)
            }
            words(vm, p, n);
            // INVARIANT: the list is TxConst's.
            if (hashAt(K.TAG_BLOB_HASHES, p - 32, n + 1) != t.blobHashes) revert BadProof(BAD_BLOBS);
            uint256[] memory list = new uint256[](n);
            for (uint256 i = 0; i < n; ++i) list[i] = b[i + 1];
            vm.blobs = list;
            vm.blobsOpen = true;
        }
        return vm.blobs;
    }

    // ================================================================================================ World

    /// @notice [WORLD] Reveals World (at most once per step, again after a revert restored it).
    function getWorld(Vm memory vm) internal pure returns (World memory) {
        if (!vm.worldOpen) {
            uint256 p = ptr(vm.world);
            words(vm, p, 6);
            // INVARIANT: the World shown is the state's.
            if (hashAt(K.TAG_WORLD, p, 6) != vm.worldHash) revert BadProof(BAD_WORLD);
            vm.worldOpen = true;
        }
        return vm.world;
    }

    /// @notice The current World's hash (a frame's snapshot; no item).
    function worldRef(Vm memory vm) internal pure returns (uint256) {
        return vm.worldOpen ? hashAt(K.TAG_WORLD, ptr(vm.world), 6) : vm.worldHash;
    }

    /// @notice A revert: World becomes the snapshot (revealed again if read after).
    function restoreWorld(Vm memory vm, uint256 snapshot) internal pure {
        vm.worldHash = snapshot;
        vm.worldOpen = false;
    }

    // ================================================================================================ frames

    /// @notice [FRAME] The current frame (at most once per step).
    function getFrame(Vm memory vm) internal pure returns (Frame memory) {
        // INVARIANT: a step that needs a frame has one.
        if (!vm.hasFrame) revert BadProof(NO_FRAME);
        if (!vm.frameOpen) {
            uint256 p = ptr(vm.frame);
            words(vm, p, 16);
            // INVARIANT: the frame shown is the state's.
            if (frameHashOf(vm.frame) != vm.frameHash) revert BadProof(BAD_FRAME);
            vm.frameOpen = true;
            resetStack(vm);
        }
        return vm.frame;
    }

    /// @notice [CTX] The current frame's context (at most once per frame per step).
    function getCtx(Vm memory vm) internal pure returns (Ctx memory) {
        Frame memory f = getFrame(vm);
        if (!vm.ctxOpen) {
            uint256 p = ptr(vm.ctx);
            words(vm, p, 13);
            // INVARIANT: the context shown is the frame's.
            if (ctxHash(vm.ctx) != f.ctx) revert BadProof(BAD_CTX);
            vm.ctxOpen = true;
        }
        return vm.ctx;
    }

    /// @notice Makes `f` (with context `c`, already known) the current frame, or leaves execution (`has` false).
    function setFrame(Vm memory vm, bool has, Frame memory f, Ctx memory c) internal pure {
        vm.hasFrame = has;
        vm.frame = f;
        vm.frameOpen = has;
        vm.ctx = c;
        vm.ctxOpen = has;
        resetStack(vm);
    }

    /// @notice Suspends the current frame under `child` (whose context `c` is known).
    function pushFrame(Vm memory vm, Frame memory child, Ctx memory c) internal pure {
        syncStack(vm);
        vm.parents = k2(vm.parents, frameHashOf(vm.frame));
        setFrame(vm, true, child, c);
    }

    /// @notice [PARENT] Drops the current frame; its caller becomes current (its context still a hash).
    function popFrame(Vm memory vm) internal pure returns (Frame memory p) {
        p = Frame(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        words(vm, ptr(p), 16);
        uint256 below = word(vm);
        // INVARIANT: the frame shown is the caller's: the chain of suspended frames ends with it.
        if (k2(below, frameHashOf(p)) != vm.parents) revert BadProof(BAD_PARENT);
        vm.parents = below;
        vm.frame = p;
        vm.frameOpen = true;
        vm.ctx = Ctx(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        vm.ctxOpen = false;
        resetStack(vm);
    }

    // ================================================================================================ stack

    function resetStack(Vm memory vm) private pure {
        StackView memory s = vm.stack;
        s.open = false;
        s.below = vm.frame.stackHash;
        s.size = vm.frame.stackSize;
        s.n = 0;
    }

    /// @notice [STACK] Reveals the top `k` items for this instruction; false (nothing read) if fewer exist.
    function need(Vm memory vm, uint256 k) internal pure returns (bool) {
        StackView memory s = vm.stack;
        if (s.size < k) return false;
        // INVARIANT: an instruction reveals the stack once, and only for its own frame's untouched stack.
        if (s.open || s.n != 0) revert BadProof(BAD_STACK);
        uint256[] memory items = s.items;
        // top first in the proof; kept bottom first
        for (uint256 i = 0; i < k; ++i) items[k - 1 - i] = word(vm);
        uint256 below = word(vm);
        uint256 h = below;
        for (uint256 i = 0; i < k; ++i) h = k2(h, items[i]);
        // INVARIANT: the items and the chain below them are the frame's stack.
        if (h != s.below) revert BadProof(BAD_STACK);
        s.below = below;
        s.n = k;
        s.open = true;
        return true;
    }

    function pop(Vm memory vm) internal pure returns (uint256 v) {
        StackView memory s = vm.stack;
        // INVARIANT: a pop takes a revealed item.
        if (s.n == 0) revert BadProof(BAD_STACK);
        v = s.items[--s.n];
        --s.size;
    }

    function push(Vm memory vm, uint256 v) internal pure {
        StackView memory s = vm.stack;
        s.items[s.n++] = v;
        ++s.size;
    }

    function peek(Vm memory vm, uint256 i) internal pure returns (uint256) {
        StackView memory s = vm.stack;
        // INVARIANT: a peek reads a revealed item.
        if (i >= s.n) revert BadProof(BAD_STACK);
        return s.items[s.n - 1 - i];
    }

    function swap(Vm memory vm, uint256 n) internal pure {
        StackView memory s = vm.stack;
        uint256 a = s.n - 1;
        // INVARIANT: both items are revealed.
        if (n > a) revert BadProof(BAD_STACK);
        (s.items[a], s.items[a - n]) = (s.items[a - n], s.items[a]);
    }

    function stackSize(Vm memory vm) internal pure returns (uint256) {
        return vm.stack.size;
    }

    /// @notice Writes the stack view back into the current frame.
    function syncStack(Vm memory vm) internal pure {
        StackView memory s = vm.stack;
        uint256 h = s.below;
        for (uint256 i = 0; i < s.n; ++i) h = k2(h, s.items[i]);
        vm.frame.stackHash = h;
        vm.frame.stackSize = s.size;
    }

    /// @notice Pushes onto a frame's stack chain without revealing it (a caller's stack on return).
    function pushOnto(Frame memory f, uint256 v) internal pure {
        f.stackHash = k2(f.stackHash, v);
        ++f.stackSize;
    }

    // ================================================================================================ pending

    /// @notice [PENDING] The pending operation (kind, a0…a9, h0…h6), or false if none.
    function getPending(Vm memory vm) internal pure returns (bool has, uint256[18] memory p) {
        if (!vm.hasPending) return (false, p);
        if (!vm.pendingOpen) {
            words(vm, ptr(vm.pending), 18);
            // INVARIANT: the pending operation shown is the state's.
            if (hashAt(K.TAG_PENDING, ptr(vm.pending), 18) != vm.pendingHash) revert BadProof(BAD_PENDING);
            vm.pendingOpen = true;
        }
        return (true, vm.pending);
    }

    function clearPending(Vm memory vm) internal pure {
        vm.hasPending = false;
        vm.pendingOpen = false;
    }

    /// @notice Sets the pending operation `kind` with arguments and a zero hash state (Pending.of).
    function setPending(Vm memory vm, uint256 kind, uint256[10] memory a) internal pure {
        uint256[18] memory p;
        p[0] = kind;
        for (uint256 i = 0; i < 10; ++i) p[1 + i] = a[i];
        setPendingRaw(vm, p);
    }

    function setPendingRaw(Vm memory vm, uint256[18] memory p) internal pure {
        vm.pending = p;
        vm.hasPending = true;
        vm.pendingOpen = true;
    }
}
