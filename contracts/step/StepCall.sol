// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Frame, Ctx, Entry, Vm, StepConst as K} from "./lib/StepTypes.sol";
import {StepHost as S} from "./lib/StepHost.sol";
import {StepTrees as T} from "./lib/StepTrees.sol";
import {StepOps as O, Account} from "./lib/StepOps.sol";
import {StepInstr, Instr} from "./lib/StepInstr.sol";
import {StepFrames as F} from "./lib/StepFrames.sol";
import {StepFamily} from "./lib/StepFamily.sol";
import {Precompiles} from "./lib/Precompiles.sol";
import {Sha256} from "./lib/Sha256.sol";
import {Ripemd160} from "./lib/Ripemd160.sol";

/// @title StepCall
/// @notice One-step verifier family: frames. Entering a frame (the message prologue: value transfer, collision and
///         code checks, precompile starts), leaving one (creation's code rules, revert, return data, the caller's
///         gas and stack), and the instructions that make frames: CALL, CALLCODE, DELEGATECALL, STATICCALL,
///         CREATE, CREATE2, SELFDESTRUCT (core/step/interp.ts `enter`, `enterCreate`, `unwind`, `call`, `create`,
///         `selfdestruct`), with Cancun's gas: EIP-2929 access, value and new-account surcharges, the 63/64 rule,
///         the call stipend, depth 1024.
contract StepCall is StepFamily {
    using S for Vm;

    constructor(address registry_) StepFamily(registry_) {}

    /// @inheritdoc StepFamily
    function _step(Vm memory vm) internal view override {
        (bool has,) = vm.getPending();
        // INVARIANT: frame steps have no pending operation.
        if (has) revert WrongFamily();
        Frame memory f = vm.getFrame();
        if (f.stage == K.ENTER) return _enter(vm, f);
        if (f.stage == K.HALTED) return _unwind(vm, f);
        (bool go, Instr memory ins) = StepInstr.begin(vm, f);
        if (!go) return;
        uint256 op = ins.op;
        if (op == 0xf1 || op == 0xf2 || op == 0xf4 || op == 0xfa) return _call(vm, f, op);
        if (op == 0xf0 || op == 0xf5) return _create(vm, f, op);
        if (op == 0xff) return _selfdestruct(vm, f);
        revert WrongFamily();
    }

    // ------------------------------------------------------------------------------------------------ entering

    function _enter(Vm memory vm, Frame memory f) private view {
        Ctx memory c = vm.getCtx();
        if (c.kind == K.CREATE || c.kind == K.CREATE2) return _enterCreate(vm, f, c);
        bool delegate = c.kind == K.DELEGATECALL;
        bool err;
        Account memory from = O.readAccount(vm, c.caller);
        if (!delegate) {
            if (from.b < c.value) err = true;
            else if (c.value != 0) O.writeBalance(vm, c.caller, from.b - c.value);
            if (!err) O.normalizeCode(vm, c.caller, from);
        }
        Account memory to = O.readAccount(vm, c.addr);
        if (!delegate) {
            if (to.b > type(uint256).max - c.value) err = true;
            else if (c.value != 0) O.writeBalance(vm, c.addr, to.b + c.value);
            if (!err) O.normalizeCode(vm, c.addr, to);
        }
        if (O.isPrecompile(c.codeAddress)) {
            if (err) return O.halt(f, K.REVERT, 0, 0);
            return _precompileStart(vm, f, c);
        }
        uint256 code = c.codeAddress == c.addr ? to.c : O.readKey(vm, c.codeAddress, K.MARK_CODE, 0).cur;
        if (code != 0) O.needCode(vm, code);
        uint256 size = O.codeSize(vm, code);
        if (err) return O.halt(f, K.REVERT, 0, 0);
        if (size == 0) return O.halt(f, K.SUCCESS, 0, 0);
        f.codeHash = code;
        f.codeSize = size;
        f.stage = K.RUN;
    }

    function _precompileStart(Vm memory vm, Frame memory f, Ctx memory c) private pure {
        uint256 id = c.codeAddress;
        uint256 len = c.cdLength;
        if (id == 4) {
            if (!O.charge(f, O.linear(15, 3, len))) return;
            f.memRoot = c.cdRoot;
            return O.halt(f, K.SUCCESS, c.cdOffset, len);
        }
        uint256[10] memory a;
        a[0] = c.cdOffset;
        if (id == 2 || id == 3) {
            if (!O.charge(f, id == 2 ? O.linear(60, 12, len) : O.linear(600, 120, len))) return;
            f.stage = K.RUN;
            a[1] = len;
            vm.setPending(id == 2 ? K.P_SHA256 : K.P_RIPEMD160, a);
            // the hash state starts at the initial chaining value, in its digest form
            vm.pending[11] = id == 2 ? uint256(Sha256.IV) : uint256(bytes32(Ripemd160.IV));
            return;
        }
        f.stage = K.RUN;
        uint256 cap = Precompiles.inputCap(id);
        a[1] = len < cap ? len : cap;
        a[4] = id;
        vm.setPending(K.P_PRECOMPILE_IN, a);
    }

    function _enterCreate(Vm memory vm, Frame memory f, Ctx memory c) private pure {
        Account memory from = O.readAccount(vm, c.caller);
        if (from.b < c.value) return O.fail(f); // unreachable: the caller checked its balance
        if (c.value != 0) O.writeBalance(vm, c.caller, from.b - c.value);
        O.normalizeCode(vm, c.caller, from);
        Account memory to = O.readAccount(vm, c.addr);
        if (to.n != 0 || O.hasCode(to.c)) return O.fail(f); // address collision
        if (to.b > type(uint256).max - c.value) return O.halt(f, K.REVERT, 0, 0);
        if (to.c == K.KECCAK_EMPTY) O.writeKeyValue(vm, c.addr, K.MARK_CODE, 0);
        O.writeKeyValue(vm, c.addr, K.MARK_NONCE, to.n + 1);
        Entry memory be = O.readKey(vm, c.addr, K.MARK_BALANCE, 0);
        T.keyWrite(vm, c.addr, K.MARK_BALANCE, 0, to.b + c.value, be.flags | K.FLAG_CREATED);
        if (f.codeSize == 0) return O.halt(f, K.SUCCESS, 0, 0);
        f.stage = K.RUN;
    }

    // ------------------------------------------------------------------------------------------------ leaving

    function _unwind(Vm memory vm, Frame memory f) private pure {
        Ctx memory c = vm.getCtx();
        bool isCreate = c.kind == K.CREATE || c.kind == K.CREATE2;
        if (isCreate && f.result == K.SUCCESS) {
            uint256 len = f.outLength;
            if (len > K.MAX_CODE_SIZE || f.gas < 200 * len) {
                O.fail(f);
            } else if (len > 0) {
                bytes memory first = T.readBytes(vm, f.memRoot, f.outOffset, 1);
                if (uint8(first[0]) == 0xef) {
                    O.fail(f);
                } else {
                    uint256[10] memory a;
                    a[0] = f.outOffset;
                    a[1] = len;
                    return vm.setPending(K.P_DEPOSIT, a);
                }
            } else {
                f.result = K.DEPOSITED;
            }
        }
        bool ok = f.result == K.SUCCESS || f.result == K.DEPOSITED;
        uint256 childGas = f.result == K.FAIL ? 0 : f.gas;
        if (!ok) vm.restoreWorld(c.snapshot);
        if (c.depth == 0) {
            Frame memory none;
            Ctx memory noCtx;
            vm.setFrame(false, none, noCtx);
            uint256[10] memory s;
            s[0] = childGas;
            return vm.setPending(K.P_SETTLE, s);
        }
        Frame memory child = f;
        Frame memory parent = vm.popFrame();
        parent.gas += childGas;
        if (!isCreate) {
            if (child.result != K.FAIL) {
                parent.rdRoot = child.memRoot;
                parent.rdOffset = child.outOffset;
                parent.rdLength = child.outLength;
            } else {
                parent.rdRoot = 0;
                parent.rdOffset = 0;
                parent.rdLength = 0;
            }
            vm.push(ok ? 1 : 0);
            uint256 n = c.retLength < parent.rdLength ? c.retLength : parent.rdLength;
            if (n > 0) {
                uint256[10] memory a;
                a[0] = 2;
                a[2] = parent.rdOffset;
                a[3] = parent.rdLength;
                a[5] = c.retOffset;
                a[6] = n;
                a[7] = c.retOffset >> 5;
                vm.setPending(K.P_COPY, a);
            }
        } else {
            if (child.result == K.REVERT) {
                parent.rdRoot = child.memRoot;
                parent.rdOffset = child.outOffset;
                parent.rdLength = child.outLength;
            } else {
                parent.rdRoot = 0;
                parent.rdOffset = 0;
                parent.rdLength = 0;
            }
            vm.push(ok ? c.addr : 0);
        }
    }

    // ------------------------------------------------------------------------------------------------ instructions

    function _call(Vm memory vm, Frame memory f, uint256 op) private pure {
        uint256 kind = op == 0xf1 ? K.CALL : op == 0xf2 ? K.CALLCODE : op == 0xf4 ? K.DELEGATECALL : K.STATICCALL;
        uint256[7] memory a; // gas, to, value, inOff, inLen, outOff, outLen
        a[0] = vm.pop();
        a[1] = vm.pop() & K.MASK_160;
        a[2] = kind == K.CALL || kind == K.CALLCODE ? vm.pop() : 0;
        a[3] = vm.pop();
        a[4] = vm.pop();
        a[5] = vm.pop();
        a[6] = vm.pop();
        Ctx memory c = vm.getCtx();
        if (kind == K.CALL && c.isStatic == 1 && a[2] != 0) return O.fail(f);
        uint256 childGas = _callGas(vm, f, kind, a);
        if (childGas == type(uint256).max) return; // the frame failed
        f.rdRoot = 0;
        f.rdOffset = 0;
        f.rdLength = 0;
        if (c.depth >= 1024 || (kind != K.DELEGATECALL && a[2] != 0 && O.readKey(vm, c.addr, K.MARK_BALANCE, 0).cur < a[2])) {
            return vm.push(0);
        }
        f.gas -= childGas;
        F.enterChild(vm, _callCtx(vm, c, f, kind, a), 0, 0, childGas);
    }

    /// @dev Charges a call (memory, access, value, new account), applies the 63/64 rule and the stipend, advances
    ///      pc; returns the child's gas, or MAX when the frame failed.
    function _callGas(Vm memory vm, Frame memory f, uint256 kind, uint256[7] memory a) private pure returns (uint256 childGas) {
        (uint256 mc, uint256 w) = O.expansion2(f, a[3], a[4], a[5], a[6]);
        uint256 cost = O.satAdd(mc, O.warmAddress(vm, a[1]) ? 100 : 2600);
        if (a[2] != 0) cost = O.satAdd(cost, 9000);
        if (kind == K.CALL && a[2] != 0 && O.isEmpty(O.readAccount(vm, a[1]))) cost = O.satAdd(cost, 25_000);
        if (cost > f.gas) {
            O.fail(f);
            return type(uint256).max;
        }
        uint256 rem = f.gas - cost;
        uint256 cap = rem - rem / 64;
        childGas = a[0] < cap ? a[0] : cap;
        f.gas = rem;
        O.setMemSize(f, w);
        ++f.pc;
        if (a[2] != 0) {
            f.gas += K.STIPEND;
            childGas += K.STIPEND;
        }
    }

    /// @dev The context of a call's child: a[1] target, a[2] value, a[3]/a[4] input, a[5]/a[6] return window.
    function _callCtx(Vm memory vm, Ctx memory c, Frame memory f, uint256 kind, uint256[7] memory a) private pure returns (Ctx memory child) {
        bool delegate = kind == K.DELEGATECALL;
        child.kind = kind;
        child.depth = c.depth + 1;
        child.isStatic = c.isStatic == 1 || kind == K.STATICCALL ? 1 : 0;
        child.addr = kind == K.CALL || kind == K.STATICCALL ? a[1] : c.addr;
        child.codeAddress = a[1];
        child.caller = delegate ? c.caller : c.addr;
        child.value = delegate ? c.value : a[2];
        child.cdRoot = f.memRoot;
        child.cdOffset = a[4] == 0 ? 0 : a[3];
        child.cdLength = a[4];
        child.snapshot = vm.worldRef();
        child.retOffset = a[6] == 0 ? 0 : a[5];
        child.retLength = a[6];
    }

    function _create(Vm memory vm, Frame memory f, uint256 op) private pure {
        Ctx memory c = vm.getCtx();
        if (c.isStatic == 1) return O.fail(f);
        uint256[10] memory a; // the pending Initcode: a0 offset, a1 length, a4 value, a5 salt, a6 gas, a7 nonce, a8 kind
        a[4] = vm.pop();
        uint256 off = vm.pop();
        a[1] = vm.pop();
        a[5] = op == 0xf5 ? vm.pop() : 0;
        a[8] = op == 0xf5 ? K.CREATE2 : K.CREATE;
        (uint256 mc, uint256 w) = O.expansion(f, off, a[1]);
        if (!O.charge(f, O.satAdd(O.linear(32_000, op == 0xf5 ? 8 : 2, a[1]), mc))) return;
        O.setMemSize(f, w);
        if (a[1] > K.MAX_INITCODE_SIZE) return O.fail(f);
        a[0] = a[1] == 0 ? 0 : off;
        a[6] = f.gas - f.gas / 64;
        ++f.pc;
        f.rdRoot = 0;
        f.rdOffset = 0;
        f.rdLength = 0;
        if (c.depth >= 1024) return vm.push(0);
        if (O.readKey(vm, c.addr, K.MARK_BALANCE, 0).cur < a[4]) return vm.push(0);
        Entry memory n = O.readKey(vm, c.addr, K.MARK_NONCE, 0);
        if (n.cur >= K.MAX_U64) return vm.push(0);
        T.keyWrite(vm, c.addr, K.MARK_NONCE, 0, n.cur + 1, n.flags);
        a[7] = n.cur;
        vm.setPending(K.P_INITCODE, a);
    }

    function _selfdestruct(Vm memory vm, Frame memory f) private pure {
        Ctx memory c = vm.getCtx();
        if (c.isStatic == 1) return O.fail(f);
        uint256 ben = vm.pop() & K.MASK_160;
        Entry memory own = O.readKey(vm, c.addr, K.MARK_BALANCE, 0);
        uint256 bal = own.cur;
        uint256 cost = 5000;
        Account memory acc;
        bool read;
        if (bal > 0) {
            acc = O.readAccount(vm, ben);
            read = true;
            if (O.isEmpty(acc)) cost += 25_000;
        }
        if (!O.warmAddress(vm, ben)) cost += 2600;
        if (!O.charge(f, cost)) return;
        bool toSelf = ben == c.addr;
        if (!toSelf) {
            if (!read) acc = O.readAccount(vm, ben);
            if (bal != 0) {
                unchecked {
                    O.writeBalance(vm, ben, acc.b + bal);
                }
            }
            O.normalizeCode(vm, ben, acc);
        }
        bool created = own.flags & K.FLAG_CREATED != 0;
        Entry memory e = O.readKey(vm, c.addr, K.MARK_BALANCE, 0);
        T.keyWrite(vm, c.addr, K.MARK_BALANCE, 0, created || !toSelf ? 0 : e.cur, e.flags | K.FLAG_DESTRUCTED);
        O.halt(f, K.SUCCESS, 0, 0);
    }
}
