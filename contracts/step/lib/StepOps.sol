// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Txc, World, Frame, Entry, Vm, StepConst as K} from "./StepTypes.sol";
import {StepHost as S} from "./StepHost.sol";
import {StepTrees as T} from "./StepTrees.sol";
import {CodeReader} from "./CodeReader.sol";
import {ICodeRegistry} from "../interfaces/ICodeRegistry.sol";

/// @notice An account's three keys as a read sees them.
struct Account {
    uint256 n;
    uint256 b;
    uint256 c;
}

/// @title StepOps
/// @notice The helpers the steps share (core/step/interp.ts "small helpers"): gas, memory expansion, halts, account
///         and key reads and writes (vaults included), warm sets, code availability and size.
library StepOps {
    using S for Vm;

    /// @notice Code the step needs is not in the registry (anyone can register it; not a protocol fault).
    error CodeNotRegistered(uint256 codeHash);

    uint256 internal constant MAX = type(uint256).max;

    // ------------------------------------------------------------------------------------------------ gas

    function memCost(uint256 w) internal pure returns (uint256) {
        return 3 * w + (w * w) / 512;
    }

    /// @notice Cost and new size (words) of expanding memory to cover [off, off + len) (len 0: nothing).
    function expansion(Frame memory f, uint256 off, uint256 len) internal pure returns (uint256 cost, uint256 w) {
        return expansion2(f, off, len, 0, 0);
    }

    /// @notice Expansion covering two ranges (CALL's input and output, MCOPY's source and destination). An
    ///         expansion past 2^32 words is priced MAX: no frame can pay it.
    function expansion2(Frame memory f, uint256 o1, uint256 l1, uint256 o2, uint256 l2) internal pure returns (uint256 cost, uint256 w) {
        uint256 cur = f.memSize;
        w = cur;
        bool huge;
        if (l1 != 0) {
            if (o1 > 1 << 64 || l1 > 1 << 64) huge = true;
            else if ((o1 + l1 + 31) / 32 > w) w = (o1 + l1 + 31) / 32;
        }
        if (l2 != 0) {
            if (o2 > 1 << 64 || l2 > 1 << 64) huge = true;
            else if ((o2 + l2 + 31) / 32 > w) w = (o2 + l2 + 31) / 32;
        }
        if (huge || w > 1 << 32) return (MAX, w);
        cost = memCost(w) - memCost(cur);
    }

    function setMemSize(Frame memory f, uint256 w) internal pure {
        if (w > K.MAX_MEM_WORDS) revert S.MachineLimit();
        f.memSize = w;
    }

    /// @notice An exceptional halt: state reverted, all gas consumed.
    function fail(Frame memory f) internal pure {
        f.stage = K.HALTED;
        f.result = K.FAIL;
        f.gas = 0;
        f.outOffset = 0;
        f.outLength = 0;
    }

    function halt(Frame memory f, uint256 result, uint256 off, uint256 len) internal pure {
        f.stage = K.HALTED;
        f.result = result;
        f.outOffset = len == 0 ? 0 : off;
        f.outLength = len;
    }

    /// @notice Charges gas; on shortage the frame fails and false is returned.
    function charge(Frame memory f, uint256 cost) internal pure returns (bool) {
        if (cost > f.gas) {
            fail(f);
            return false;
        }
        f.gas -= cost;
        return true;
    }

    function wordsOf(uint256 x) internal pure returns (uint256) {
        return x > MAX - 31 ? (MAX >> 5) + 1 : (x + 31) / 32;
    }

    /// @notice a + b, saturated at MAX (a price no frame can pay).
    function satAdd(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > MAX - b ? MAX : a + b;
    }

    /// @notice base + perWord · ceil(len / 32), saturated at MAX.
    function linear(uint256 base, uint256 perWord, uint256 len) internal pure returns (uint256) {
        if (len > 1 << 64) return MAX;
        return base + perWord * ((len + 31) / 32);
    }

    /// @notice Starts a copy in steps (core/step/interp.ts startCopy): pending Copy with a0 source (0 memory,
    ///         1 call data, 2 return data, 3 code), a1 code hash, a2 base, a3 limit, a4 offset (clamped to the
    ///         limit), a5 destination, a6 length, a7 the first destination word, a8 backward.
    function startCopy(
        Vm memory vm,
        uint256 sel,
        uint256 codeHash,
        uint256 base,
        uint256 limit,
        uint256 off,
        uint256 dst,
        uint256 len,
        bool backward
    ) internal pure {
        uint256[10] memory a;
        a[0] = sel;
        a[1] = codeHash;
        a[2] = base;
        a[3] = limit;
        a[4] = off > limit ? limit : off;
        a[5] = dst;
        a[6] = len;
        a[7] = backward ? (dst + len - 1) >> 5 : dst >> 5;
        a[8] = backward ? 1 : 0;
        vm.setPending(K.P_COPY, a);
    }

    // ------------------------------------------------------------------------------------------------ references

    /// @notice Bytes [rel, rel + len) of a reference (root, offset, length): zero at or past its length, not read.
    function readRef(Vm memory vm, uint256 root, uint256 offset, uint256 length, uint256 rel, uint256 len)
        internal
        pure
        returns (bytes memory out)
    {
        if (rel >= length) return new bytes(len);
        uint256 avail = len < length - rel ? len : length - rel;
        if (avail == 0) return new bytes(len);
        bytes memory b = T.readBytes(vm, root, offset + rel, avail);
        if (avail == len) return b;
        out = new bytes(len);
        for (uint256 i = 0; i < avail; ++i) out[i] = b[i];
    }

    function toWord(bytes memory b) internal pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := mload(add(b, 32))
        }
        if (b.length < 32) w &= ~(MAX >> (8 * b.length));
    }

    function wordBytes(uint256 v) internal pure returns (bytes memory b) {
        b = new bytes(32);
        assembly ("memory-safe") {
            mstore(add(b, 32), v)
        }
    }

    // ------------------------------------------------------------------------------------------------ accounts

    function isPrecompile(uint256 a) internal pure returns (bool) {
        return a >= 1 && a <= 10;
    }

    /// @notice Whether `a` is a vault in fee-output mode (reads TxConst only for a vault address).
    function isVault(Vm memory vm, uint256 a) internal pure returns (bool) {
        if (a != K.FEE_VAULT && a != K.WD_VAULT) return false;
        return vm.getTxc().mode & K.MODE_ETHEREUM_FEES == 0;
    }

    function vault(Vm memory vm, uint256 which) internal pure returns (uint256) {
        World memory w = vm.getWorld();
        return which == 0 ? w.feeVault : w.wdVault;
    }

    function setVault(Vm memory vm, uint256 which, uint256 v) internal pure {
        World memory w = vm.getWorld();
        if (which == 0) w.feeVault = v;
        else w.wdVault = v;
    }

    /// @notice EIP-2929: whether `a` was warm; makes it warm.
    function warmAddress(Vm memory vm, uint256 a) internal pure returns (bool) {
        if (isPrecompile(a)) return true;
        Txc memory t = vm.getTxc();
        if (a == t.origin || a == t.coinbase || (t.isCreate == 0 && a == t.to)) return true;
        return T.warmTouch(vm, S.h1(K.TAG_WARM_ADDR, a));
    }

    function warmSlot(Vm memory vm, uint256 a, uint256 slot) internal pure returns (bool) {
        return T.warmTouch(vm, S.h2(K.TAG_WARM_SLOT, a, slot));
    }

    /// @notice An account read: its n, b and c keys, in that order (protocol.md §6.1).
    function readAccount(Vm memory vm, uint256 a) internal pure returns (Account memory acc) {
        if (isVault(vm, a)) return Account(0, vault(vm, a == K.FEE_VAULT ? 0 : 1), 0);
        (bool ok, Entry memory e) = T.keyRead(vm, a, K.MARK_NONCE, 0);
        if (!ok) vm.terminate(K.UNDECLARED_KEY);
        acc.n = e.cur;
        (ok, e) = T.keyRead(vm, a, K.MARK_BALANCE, 0);
        if (!ok) vm.terminate(K.UNDECLARED_KEY);
        acc.b = e.cur;
        (ok, e) = T.keyRead(vm, a, K.MARK_CODE, 0);
        if (!ok) vm.terminate(K.UNDECLARED_KEY);
        acc.c = e.cur;
    }

    /// @notice A key read (a vault's balance from World, its other keys 0); ends the machine if undeclared.
    function readKey(Vm memory vm, uint256 a, uint256 mark, uint256 slot) internal pure returns (Entry memory e) {
        if (isVault(vm, a)) {
            return Entry(a, mark, slot, 0, 0, mark == K.MARK_BALANCE ? vault(vm, a == K.FEE_VAULT ? 0 : 1) : 0, 0);
        }
        bool ok;
        (ok, e) = T.keyRead(vm, a, mark, slot);
        if (!ok) vm.terminate(K.UNDECLARED_KEY);
    }

    /// @notice Writes a balance (a vault's goes to World), keeping the entry's flags.
    function writeBalance(Vm memory vm, uint256 a, uint256 v) internal pure {
        if (isVault(vm, a)) return setVault(vm, a == K.FEE_VAULT ? 0 : 1, v);
        Entry memory e = readKey(vm, a, K.MARK_BALANCE, 0);
        T.keyWrite(vm, a, K.MARK_BALANCE, 0, v, e.flags);
    }

    function writeKeyValue(Vm memory vm, uint256 a, uint256 mark, uint256 v) internal pure {
        if (isVault(vm, a)) return;
        Entry memory e = readKey(vm, a, mark, 0);
        T.keyWrite(vm, a, mark, 0, v, e.flags);
    }

    /// @notice What ethereumjs's putAccount does after a change of n or b: a code hash of keccak("") becomes 0.
    function normalizeCode(Vm memory vm, uint256 a, Account memory acc) internal pure {
        if (acc.c == K.KECCAK_EMPTY && !isVault(vm, a)) writeKeyValue(vm, a, K.MARK_CODE, 0);
    }

    function isEmpty(Account memory acc) internal pure returns (bool) {
        return acc.n == 0 && acc.b == 0 && (acc.c == 0 || acc.c == K.KECCAK_EMPTY);
    }

    function hasCode(uint256 c) internal pure returns (bool) {
        return c != 0 && c != K.KECCAK_EMPTY;
    }

    // ------------------------------------------------------------------------------------------------ code

    /// @notice Code needed at `c` (nonzero): available by a live carrier with seq ≤ T's, or created by T (§6.2);
    ///         ends the machine in missing-code otherwise.
    function needCode(Vm memory vm, uint256 c) internal view {
        Txc memory t = vm.getTxc();
        if (ICodeRegistry(vm.registry).carriedBy(bytes32(c), t.seq)) return;
        if (!T.createdHas(vm, c)) vm.terminate(K.MISSING_CODE);
    }

    /// @notice The size of registered code `c` (0 for no code); reverts if `c` is not registered.
    function codeSize(Vm memory vm, uint256 c) internal view returns (uint256 n) {
        if (c == 0) return 0;
        n = CodeReader.size(vm.registry, bytes32(c));
        // INVARIANT: code a step needs is registered (a revert, not a fault: anyone can register it).
        if (n == 0) revert CodeNotRegistered(c);
    }

    /// @notice Reverts unless code `c` is registered: a step that reads code bytes (an instruction, a copy from code)
    ///         must never read the zeros an unregistered code's data contracts give, which would be another step.
    function requireRegistered(Vm memory vm, uint256 c) internal view {
        codeSize(vm, c);
    }
}
