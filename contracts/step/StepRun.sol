// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Txc, Frame, Ctx, Vm, StepConst as K} from "./lib/StepTypes.sol";
import {StepHost as S} from "./lib/StepHost.sol";
import {StepTrees as T} from "./lib/StepTrees.sol";
import {StepOps as O} from "./lib/StepOps.sol";
import {StepInstr, Instr} from "./lib/StepInstr.sol";
import {StepFamily} from "./lib/StepFamily.sol";
import {CodeReader} from "./lib/CodeReader.sol";

/// @title StepRun
/// @notice One-step verifier family: the instructions that need no account, storage or frame change — arithmetic,
///         comparison and bits, stack (PUSH, DUP, SWAP, POP), flow (JUMP, JUMPI, PC, GAS, MSIZE, JUMPDEST, STOP,
///         undefined opcodes), the environment and block, memory (MLOAD, MSTORE, MSTORE8), call data, the starts
///         of KECCAK256 and of the copies (CALLDATACOPY, CODECOPY, RETURNDATACOPY, MCOPY), LOG0–LOG4, RETURN,
///         REVERT, TLOAD and TSTORE (core/step/interp.ts `run`).
contract StepRun is StepFamily {
    using S for Vm;

    constructor(address registry_) StepFamily(registry_) {}

    /// @inheritdoc StepFamily
    function _step(Vm memory vm) internal view override {
        Frame memory f = _running(vm);
        (bool go, Instr memory ins) = StepInstr.begin(vm, f);
        if (!go) return;
        uint256 op = ins.op;
        if (op >= 0x60 && op <= 0x7f) {
            if (!O.charge(f, 3)) return;
            uint256 n = op - 0x5f;
            vm.push(ins.imm >> (8 * (32 - n)));
            f.pc += n + 1;
            return;
        }
        if (op >= 0x80 && op <= 0x8f) {
            if (!O.charge(f, 3)) return;
            vm.push(vm.peek(op - 0x80));
            ++f.pc;
            return;
        }
        if (op >= 0x90 && op <= 0x9f) {
            if (!O.charge(f, 3)) return;
            vm.swap(op - 0x8f);
            ++f.pc;
            return;
        }
        if ((op >= 0x01 && op <= 0x0b) || (op >= 0x10 && op <= 0x1d)) return _arith(vm, f, op, ins.gas);
        if (!ins.dynamic && !O.charge(f, ins.gas)) return;
        uint256 next = f.pc + 1;
        if (op == 0x00) return O.halt(f, K.SUCCESS, 0, 0);
        if (op == 0x20) return _keccak(vm, f, next);
        if (op >= 0x30 && op <= 0x4a && _env(vm, f, op)) {
            f.pc = next;
            return;
        }
        if (op == 0x35) {
            Ctx memory c = vm.getCtx();
            uint256 pos = vm.pop();
            vm.push(O.toWord(O.readRef(vm, c.cdRoot, c.cdOffset, c.cdLength, pos, 32)));
            f.pc = next;
            return;
        }
        if (op == 0x37 || op == 0x39 || op == 0x3e) return _copy(vm, f, op, next);
        if (op == 0x50) {
            vm.pop();
            f.pc = next;
            return;
        }
        if (op >= 0x51 && op <= 0x53) return _memory(vm, f, op, next);
        if (op == 0x56 || op == 0x57) return _jump(vm, f, op, next);
        if (op == 0x5b) {
            // JUMPDEST: nothing beyond its gas
            f.pc = next;
            return;
        }
        if (op == 0x58) vm.push(f.pc);
        else if (op == 0x59) vm.push(f.memSize * 32);
        else if (op == 0x5a) vm.push(f.gas);
        else if (op == 0x5c) {
            uint256 slot = vm.pop();
            vm.push(T.tload(vm, S.h2(K.TAG_TSTORE, vm.getCtx().addr, slot)));
        } else if (op == 0x5d) {
            Ctx memory c = vm.getCtx();
            if (c.isStatic == 1) return O.fail(f);
            uint256 slot = vm.pop();
            uint256 v = vm.pop();
            T.tstore(vm, S.h2(K.TAG_TSTORE, c.addr, slot), v);
        } else if (op == 0x5e) {
            return _mcopy(vm, f, next);
        } else if (op == 0x5f) {
            vm.push(0);
        } else if (op >= 0xa0 && op <= 0xa4) {
            return _log(vm, f, op, ins.gas, next);
        } else if (op == 0xf3 || op == 0xfd) {
            uint256 off = vm.pop();
            uint256 len = vm.pop();
            (uint256 mc, uint256 w) = O.expansion(f, off, len);
            if (!O.charge(f, mc)) return;
            O.setMemSize(f, w);
            return O.halt(f, op == 0xf3 ? K.SUCCESS : K.REVERT, len == 0 ? 0 : off, len);
        } else {
            revert WrongFamily();
        }
        f.pc = next;
    }

    /// @dev Arithmetic, comparison and bit operations: L1's own opcodes compute Cancun's functions.
    function _arith(Vm memory vm, Frame memory f, uint256 op, uint256 gas) private pure {
        if (op == 0x0a) {
            uint256 e = vm.peek(1);
            uint256 bytes_;
            while (e != 0) {
                e >>= 8;
                ++bytes_;
            }
            if (!O.charge(f, gas + 50 * bytes_)) return;
        } else if (!O.charge(f, gas)) {
            return;
        }
        uint256 a = vm.pop();
        uint256 r;
        if (op == 0x15) {
            r = a == 0 ? 1 : 0;
        } else if (op == 0x19) {
            r = ~a;
        } else if (op == 0x08 || op == 0x09) {
            uint256 b = vm.pop();
            uint256 m = vm.pop();
            assembly ("memory-safe") {
                switch op
                case 0x08 { r := addmod(a, b, m) }
                default { r := mulmod(a, b, m) }
            }
        } else {
            uint256 b = vm.pop();
            assembly ("memory-safe") {
                switch op
                case 0x01 { r := add(a, b) }
                case 0x02 { r := mul(a, b) }
                case 0x03 { r := sub(a, b) }
                case 0x04 { r := div(a, b) }
                case 0x05 { r := sdiv(a, b) }
                case 0x06 { r := mod(a, b) }
                case 0x07 { r := smod(a, b) }
                case 0x0a { r := exp(a, b) }
                case 0x0b { r := signextend(a, b) }
                case 0x10 { r := lt(a, b) }
                case 0x11 { r := gt(a, b) }
                case 0x12 { r := slt(a, b) }
                case 0x13 { r := sgt(a, b) }
                case 0x14 { r := eq(a, b) }
                case 0x16 { r := and(a, b) }
                case 0x17 { r := or(a, b) }
                case 0x18 { r := xor(a, b) }
                case 0x1a { r := byte(a, b) }
                case 0x1b { r := shl(a, b) }
                case 0x1c { r := shr(a, b) }
                case 0x1d { r := sar(a, b) }
            }
        }
        vm.push(r);
        ++f.pc;
    }

    /// @dev Environment and block values that are one push (static gas charged already); false if `op` is not one.
    function _env(Vm memory vm, Frame memory f, uint256 op) private pure returns (bool) {
        if (op == 0x30) vm.push(vm.getCtx().addr);
        else if (op == 0x32) vm.push(vm.getTxc().origin);
        else if (op == 0x33) vm.push(vm.getCtx().caller);
        else if (op == 0x34) vm.push(vm.getCtx().value);
        else if (op == 0x36) vm.push(vm.getCtx().cdLength);
        else if (op == 0x38) vm.push(f.codeSize);
        else if (op == 0x3a) vm.push(vm.getTxc().gasPrice);
        else if (op == 0x3d) vm.push(f.rdLength);
        else if (op == 0x40) vm.push(_blockhash(vm, vm.pop()));
        else if (op == 0x41) vm.push(vm.getTxc().coinbase);
        else if (op == 0x42) vm.push(vm.getTxc().timestamp);
        else if (op == 0x43) vm.push(vm.getTxc().number);
        else if (op == 0x44) vm.push(vm.getTxc().prevRandao);
        else if (op == 0x45) vm.push(vm.getTxc().blockGasLimit);
        else if (op == 0x46) vm.push(vm.getTxc().chainId);
        else if (op == 0x48) vm.push(vm.getTxc().baseFee);
        else if (op == 0x49) {
            uint256 i = vm.pop();
            uint256[] memory list = vm.getBlobs();
            vm.push(i < list.length ? list[i] : 0);
        } else if (op == 0x4a) {
            vm.push(vm.getTxc().blobBaseFee);
        } else {
            return false;
        }
        return true;
    }

    /// @dev BLOCKHASH: 0 in the rollup; the state-test convention (keccak of the decimal number) in conformance.
    function _blockhash(Vm memory vm, uint256 n) private pure returns (uint256) {
        Txc memory t = vm.getTxc();
        if (n >= t.number || t.number - n > 256 || t.mode & K.MODE_STATE_TEST_BLOCKHASH == 0) return 0;
        bytes memory d = new bytes(78);
        uint256 len;
        uint256 x = n;
        do {
            d[77 - len] = bytes1(uint8(48 + (x % 10)));
            x /= 10;
            ++len;
        } while (x != 0);
        bytes32 h;
        assembly ("memory-safe") {
            h := keccak256(add(add(d, 32), sub(78, len)), len)
        }
        return uint256(h);
    }

    function _keccak(Vm memory vm, Frame memory f, uint256 next) private pure {
        uint256 off = vm.pop();
        uint256 len = vm.pop();
        (uint256 mc, uint256 w) = O.expansion(f, off, len);
        if (!O.charge(f, O.satAdd(O.linear(30, 6, len), mc))) return;
        O.setMemSize(f, w);
        f.pc = next;
        if (len == 0) return vm.push(K.KECCAK_EMPTY);
        uint256[10] memory a;
        a[0] = off;
        a[1] = len;
        vm.setPending(K.P_KECCAK, a);
    }

    function _copy(Vm memory vm, Frame memory f, uint256 op, uint256 next) private pure {
        uint256 dst = vm.pop();
        uint256 off = vm.pop();
        uint256 len = vm.pop();
        if (op == 0x3e && (off > type(uint256).max - len || off + len > f.rdLength)) return O.fail(f);
        (uint256 mc, uint256 w) = O.expansion(f, dst, len);
        if (!O.charge(f, O.satAdd(O.linear(3, 3, len), mc))) return;
        O.setMemSize(f, w);
        f.pc = next;
        if (len == 0) return;
        if (op == 0x37) {
            Ctx memory c = vm.getCtx();
            return O.startCopy(vm, 1, 0, c.cdOffset, c.cdLength, off, dst, len, false);
        }
        if (op == 0x39) return O.startCopy(vm, 3, f.codeHash, 0, f.codeSize, off, dst, len, false);
        return O.startCopy(vm, 2, 0, f.rdOffset, f.rdLength, off, dst, len, false);
    }

    function _mcopy(Vm memory vm, Frame memory f, uint256 next) private pure {
        uint256 dst = vm.pop();
        uint256 src = vm.pop();
        uint256 len = vm.pop();
        (uint256 mc, uint256 w) = O.expansion2(f, src, len, dst, len);
        if (!O.charge(f, O.satAdd(O.linear(3, 3, len), mc))) return;
        O.setMemSize(f, w);
        f.pc = next;
        if (len == 0) return;
        O.startCopy(vm, 0, 0, 0, type(uint256).max, src, dst, len, dst > src);
    }

    function _memory(Vm memory vm, Frame memory f, uint256 op, uint256 next) private pure {
        uint256 off = vm.pop();
        if (op == 0x51) {
            (uint256 mc, uint256 w) = O.expansion(f, off, 32);
            if (!O.charge(f, O.satAdd(3, mc))) return;
            O.setMemSize(f, w);
            vm.push(O.toWord(T.readBytes(vm, f.memRoot, off, 32)));
            f.pc = next;
            return;
        }
        uint256 v = vm.pop();
        (uint256 mc2, uint256 w2) = O.expansion(f, off, op == 0x52 ? 32 : 1);
        if (!O.charge(f, O.satAdd(3, mc2))) return;
        O.setMemSize(f, w2);
        bytes memory data;
        if (op == 0x52) {
            data = O.wordBytes(v);
        } else {
            data = new bytes(1);
            data[0] = bytes1(uint8(v));
        }
        f.memRoot = T.writeBytes(vm, f.memRoot, off, data);
        f.pc = next;
    }

    function _jump(Vm memory vm, Frame memory f, uint256 op, uint256 next) private view {
        uint256 dest = vm.pop();
        if (op == 0x57 && vm.pop() == 0) {
            f.pc = next;
            return;
        }
        if (dest >= f.codeSize || !CodeReader.isJumpdest(vm.registry, bytes32(f.codeHash), dest)) return O.fail(f);
        f.pc = dest;
    }

    function _log(Vm memory vm, Frame memory f, uint256 op, uint256 gas, uint256 next) private pure {
        if (vm.getCtx().isStatic == 1) return O.fail(f);
        uint256 off = vm.pop();
        uint256 len = vm.pop();
        for (uint256 i = 0; i < op - 0xa0; ++i) vm.pop();
        (uint256 mc, uint256 w) = O.expansion(f, off, len);
        uint256 dataGas = len > type(uint256).max / 8 ? type(uint256).max : 8 * len;
        if (!O.charge(f, O.satAdd(O.satAdd(gas, dataGas), mc))) return;
        O.setMemSize(f, w);
        f.pc = next;
    }
}
