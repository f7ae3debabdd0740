// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {World, Frame, Ctx, Entry, Vm, StepConst as K} from "./lib/StepTypes.sol";
import {StepHost as S} from "./lib/StepHost.sol";
import {StepTrees as T} from "./lib/StepTrees.sol";
import {StepOps as O, Account} from "./lib/StepOps.sol";
import {StepInstr, Instr} from "./lib/StepInstr.sol";
import {StepFamily} from "./lib/StepFamily.sol";

/// @title StepState
/// @notice One-step verifier family: the instructions that read accounts and storage — BALANCE, SELFBALANCE,
///         EXTCODESIZE, EXTCODECOPY, EXTCODEHASH, SLOAD and SSTORE with EIP-2929 warm/cold and EIP-2200/3529 gas and
///         refunds (core/step/interp.ts `run`, `sstore`).
contract StepState is StepFamily {
    using S for Vm;

    constructor(address registry_) StepFamily(registry_) {}

    /// @inheritdoc StepFamily
    function _step(Vm memory vm) internal view override {
        Frame memory f = _running(vm);
        (bool go, Instr memory ins) = StepInstr.begin(vm, f);
        if (!go) return;
        uint256 op = ins.op;
        if (!ins.dynamic && !O.charge(f, ins.gas)) return;
        uint256 next = f.pc + 1;
        if (op == 0x31) {
            uint256 a = vm.pop() & K.MASK_160;
            if (!O.charge(f, O.warmAddress(vm, a) ? 100 : 2600)) return;
            Ctx memory c = vm.getCtx();
            vm.push(a == c.addr ? O.readKey(vm, a, K.MARK_BALANCE, 0).cur : O.readAccount(vm, a).b);
        } else if (op == 0x3b) {
            uint256 a = vm.pop() & K.MASK_160;
            if (!O.charge(f, O.warmAddress(vm, a) ? 100 : 2600)) return;
            (, uint256 size) = _codeOf(vm, a);
            vm.push(size);
        } else if (op == 0x3c) {
            return _extcodecopy(vm, f, next);
        } else if (op == 0x3f) {
            uint256 a = vm.pop() & K.MASK_160;
            if (!O.charge(f, O.warmAddress(vm, a) ? 100 : 2600)) return;
            Account memory acc;
            acc.c = O.readKey(vm, a, K.MARK_CODE, 0).cur;
            if (acc.c != 0) O.needCode(vm, acc.c);
            acc.n = O.readKey(vm, a, K.MARK_NONCE, 0).cur;
            acc.b = O.readKey(vm, a, K.MARK_BALANCE, 0).cur;
            vm.push(O.isEmpty(acc) ? 0 : acc.c == 0 ? K.KECCAK_EMPTY : acc.c);
        } else if (op == 0x47) {
            vm.push(O.readKey(vm, vm.getCtx().addr, K.MARK_BALANCE, 0).cur);
        } else if (op == 0x54) {
            uint256 slot = vm.pop();
            Ctx memory c = vm.getCtx();
            if (!O.charge(f, O.warmSlot(vm, c.addr, slot) ? 100 : 2100)) return;
            vm.push(O.readKey(vm, c.addr, K.MARK_STORAGE, slot).cur);
        } else if (op == 0x55) {
            return _sstore(vm, f, next);
        } else {
            revert WrongFamily();
        }
        f.pc = next;
    }

    function _extcodecopy(Vm memory vm, Frame memory f, uint256 next) private view {
        uint256 a = vm.pop() & K.MASK_160;
        uint256 dst = vm.pop();
        uint256 off = vm.pop();
        uint256 len = vm.pop();
        (uint256 mc, uint256 w) = O.expansion(f, dst, len);
        uint256 access = O.warmAddress(vm, a) ? 100 : 2600;
        if (!O.charge(f, O.satAdd(mc, O.linear(access, 3, len)))) return;
        O.setMemSize(f, w);
        f.pc = next;
        if (len == 0) return;
        (uint256 c, uint256 size) = _codeOf(vm, a);
        O.startCopy(vm, 3, c, 0, size, off, dst, len, false);
    }

    /// @dev An account's code hash, its availability checked, and its size.
    function _codeOf(Vm memory vm, uint256 a) private view returns (uint256 c, uint256 size) {
        c = O.readKey(vm, a, K.MARK_CODE, 0).cur;
        if (c != 0) O.needCode(vm, c);
        size = O.codeSize(vm, c);
    }

    /// @dev SSTORE: EIP-2200's gas with EIP-2929's cold surcharge and EIP-3529's refunds, the original value being
    ///      the key's declared prev; the 2300-gas sentry; static calls halt.
    function _sstore(Vm memory vm, Frame memory f, uint256 next) private pure {
        Ctx memory c = vm.getCtx();
        if (c.isStatic == 1) return O.fail(f);
        uint256 slot = vm.pop();
        uint256 v = vm.pop();
        Entry memory e = O.readKey(vm, c.addr, K.MARK_STORAGE, slot);
        uint256 cur = e.cur;
        uint256 orig = e.prev;
        if (f.gas <= K.STIPEND) return O.fail(f);
        bool warm = O.warmSlot(vm, c.addr, slot);
        World memory w = vm.getWorld();
        uint256 refund0 = w.refund;
        int256 refund = int256(refund0);
        uint256 cost;
        if (cur == v) {
            cost = 100;
        } else if (orig == cur) {
            if (orig == 0) {
                cost = 20_000;
            } else {
                if (v == 0) refund += 4800;
                cost = 2900;
            }
        } else {
            if (orig != 0) {
                if (cur == 0) {
                    refund -= 4800;
                    if (refund < 0) return O.fail(f);
                } else if (v == 0) {
                    refund += 4800;
                }
            }
            if (orig == v) refund += orig == 0 ? int256(19_900) : warm ? int256(2800) : int256(4900);
            cost = 100;
        }
        if (!warm) cost += 2100;
        if (!O.charge(f, cost)) return;
        if (uint256(refund) != refund0) w.refund = uint256(refund);
        if (v != cur) T.keyWrite(vm, c.addr, K.MARK_STORAGE, slot, v, e.flags);
        f.pc = next;
    }
}
