// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Txc, Frame, Ctx, Entry, Vm, StepConst as K} from "./lib/StepTypes.sol";
import {StepHost as S} from "./lib/StepHost.sol";
import {StepTrees as T} from "./lib/StepTrees.sol";
import {StepOps as O, Account} from "./lib/StepOps.sol";
import {StepFrames as F} from "./lib/StepFrames.sol";
import {StepFamily} from "./lib/StepFamily.sol";
import {CodeReader} from "./lib/CodeReader.sol";

/// @title StepTx
/// @notice One-step verifier family: the transaction's own steps and the copies. The preamble (the transaction
///         rules against the sender's declared keys, buying gas, the nonce), access-list warming (one item a step),
///         the start of the top frame, the settlement (refund, fee), the epilogue's pass over the key table (one
///         entry a step: EIP-6780 deletions, the comparison with `next`, the outputs against the vaults), and the
///         copy micro-step (one destination word a step) (core/step/interp.ts `preamble`, `acl`, `start`,
///         `settle`, `pass`, `copyStep`).
contract StepTx is StepFamily {
    using S for Vm;

    constructor(address registry_) StepFamily(registry_) {}

    /// @inheritdoc StepFamily
    function _step(Vm memory vm) internal view override {
        (bool has, uint256[18] memory p) = vm.getPending();
        // INVARIANT: these steps run a pending operation.
        if (!has) revert WrongFamily();
        uint256 kind = p[0];
        if (kind == K.P_PREAMBLE) return _preamble(vm);
        if (kind == K.P_ACL) return _acl(vm, p);
        if (kind == K.P_START) return _start(vm);
        if (kind == K.P_SETTLE) return _settle(vm, p);
        if (kind == K.P_PASS) return _pass(vm, p);
        if (kind == K.P_COPY) return _copy(vm, p);
        revert WrongFamily();
    }

    // ------------------------------------------------------------------------------------------------ preamble

    function _preamble(Vm memory vm) private pure {
        Txc memory t = vm.getTxc();
        (bool hn, Entry memory n) = T.keyRead(vm, t.origin, K.MARK_NONCE, 0);
        (bool hb, Entry memory b) = T.keyRead(vm, t.origin, K.MARK_BALANCE, 0);
        (bool hc, Entry memory c) = T.keyRead(vm, t.origin, K.MARK_CODE, 0);
        if (!hn || !hb || !hc) vm.terminate(K.SENDER_UNDECLARED);
        // the fee sweeps' credit comes first (protocol.md §6.5); the rules see the credited balance
        uint256 bal;
        unchecked {
            bal = b.cur + t.sweepCredit;
        }
        if (bal < b.cur || t.mode & K.MODE_SWEEP_OVERFLOW != 0) vm.terminate(K.SWEEP_OVERFLOW);
        if (t.txGasLimit > t.blockGasLimit) vm.terminate(K.GAS_LIMIT);
        if (t.nonce >= K.MAX_U64) vm.terminate(K.NONCE_MAX);
        if (t.isCreate == 1 && t.dataLength > K.MAX_INITCODE_SIZE) vm.terminate(K.INITCODE_SIZE);
        if (t.txGasLimit < t.intrinsicGas) vm.terminate(K.INTRINSIC_GAS);
        if (t.maxFee < t.baseFee) vm.terminate(K.FEE_CAP);
        if (O.hasCode(c.cur)) vm.terminate(K.SENDER_NOT_EOA);
        if (t.mode & K.MODE_BLOB_FEE_CAP_LOW != 0) vm.terminate(K.BLOB_FEE_CAP);
        if (bal < t.maxCost) vm.terminate(K.INSUFFICIENT_BALANCE);
        if (n.cur != t.nonce) vm.terminate(K.NONCE);
        // credit and buy gas (one write of b), then the nonce
        if (t.sweepCredit != t.upfront) T.keyWrite(vm, t.origin, K.MARK_BALANCE, 0, bal - t.upfront, b.flags);
        if (c.cur == K.KECCAK_EMPTY) O.writeKeyValue(vm, t.origin, K.MARK_CODE, 0);
        T.keyWrite(vm, t.origin, K.MARK_NONCE, 0, n.cur + 1, n.flags);
        uint256[10] memory a;
        vm.setPending(t.aclCount > 0 ? K.P_ACL : K.P_START, a);
    }

    function _acl(Vm memory vm, uint256[18] memory p) private pure {
        Txc memory t = vm.getTxc();
        uint256 i = p[1];
        (bool isSlot, uint256 addr, uint256 slot) = T.aclItem(vm, i);
        T.warmTouch(vm, isSlot ? S.h2(K.TAG_WARM_SLOT, addr, slot) : S.h1(K.TAG_WARM_ADDR, addr));
        uint256[10] memory a;
        if (i + 1 < t.aclCount) {
            a[0] = i + 1;
            vm.setPending(K.P_ACL, a);
        } else {
            vm.setPending(K.P_START, a);
        }
    }

    function _start(Vm memory vm) private pure {
        Txc memory t = vm.getTxc();
        uint256 address_ = t.to;
        if (t.isCreate == 1) {
            address_ = F.createAddress(t.origin, t.nonce);
            F.warmNew(vm, address_);
        }
        Ctx memory c = Ctx({
            kind: t.isCreate == 1 ? K.CREATE : K.CALL,
            depth: 0,
            isStatic: 0,
            addr: address_,
            codeAddress: address_,
            caller: t.origin,
            value: t.value,
            cdRoot: t.isCreate == 1 ? 0 : t.dataRoot,
            cdOffset: 0,
            cdLength: t.isCreate == 1 ? 0 : t.dataLength,
            snapshot: vm.worldRef(),
            retOffset: 0,
            retLength: 0
        });
        Frame memory f = F.fresh(S.ctxHash(c), t.isCreate == 1 ? t.initcodeHash : 0, t.isCreate == 1 ? t.dataLength : 0, t.txGasLimit - t.intrinsicGas);
        vm.clearPending();
        vm.setFrame(true, f, c);
    }

    // ------------------------------------------------------------------------------------------------ epilogue

    function _settle(Vm memory vm, uint256[18] memory p) private pure {
        Txc memory t = vm.getTxc();
        uint256 gasUsed = t.txGasLimit - p[1];
        uint256 refund = vm.getWorld().refund;
        uint256 cap = gasUsed / 5;
        gasUsed -= refund < cap ? refund : cap;
        Account memory sender = O.readAccount(vm, t.origin);
        // the unused gas comes back at the gas price (Ethereum mode) or the priority fee (fee-output mode: the base fee
        // is charged on the declared gas, protocol.md §6.5; core/evm/chain.ts unusedGasPrice)
        uint256 back = (t.txGasLimit - gasUsed) * (t.mode & K.MODE_ETHEREUM_FEES != 0 ? t.gasPrice : t.priorityFee);
        // and the L1 data fee is taken (fee-output mode, protocol.md §6.6; 0 otherwise): the preamble's balance rule
        // covered it, and the sender's balance cannot fall during execution (it has no code)
        unchecked {
            if (back != 0 || t.l1Fee != 0) O.writeBalance(vm, t.origin, sender.b + back - t.l1Fee);
        }
        O.normalizeCode(vm, t.origin, sender);
        uint256 miner = gasUsed * t.priorityFee;
        if (t.mode & K.MODE_ETHEREUM_FEES != 0) {
            Account memory cb = O.readAccount(vm, t.coinbase);
            unchecked {
                if (miner != 0) O.writeBalance(vm, t.coinbase, cb.b + miner);
            }
            O.normalizeCode(vm, t.coinbase, cb);
        } else if (miner + t.l1Fee != 0) {
            O.setVault(vm, 0, O.vault(vm, 0) + miner + t.l1Fee);
        }
        uint256[10] memory a;
        vm.setPending(K.P_PASS, a);
    }

    /// @dev One key-table entry per step: EIP-6780 deletions, then the comparison with `next`; past the last entry,
    ///      the fee and withdrawal outputs against the vaults, and ok. a0 entry index, a1 the current account,
    ///      a2 whether it is deleted, a3/a4 the fee output seen and its value, a5/a6 the withdrawal output's.
    function _pass(Vm memory vm, uint256[18] memory p) private pure {
        uint256 i = p[1];
        bool present;
        Entry memory e;
        if (i < K.KEY_CAPACITY) (present, e) = T.entryAt(vm, i);
        if (!present) return _outputs(vm, p);
        p[1] = i + 1;
        if (e.mark == K.MARK_BALANCE) {
            p[2] = e.addr;
            p[3] = e.flags & K.FLAG_CREATED != 0 && e.flags & K.FLAG_DESTRUCTED != 0 ? 1 : 0;
        }
        uint256 cur = e.cur;
        if (p[3] == 1 && e.addr == p[2] && _accountMark(e.mark)) {
            // every key of a deleted account is written 0, as the validator's deleteAccount does (protocol.md §6.1)
            T.entryWrite(vm, i, 0);
            cur = 0;
        }
        if (e.mark == K.MARK_FEE) {
            // this transaction's fee output; an f entry of an earlier seq is a sweep, checked by its own rules
            if (e.slot == vm.getTxc().seq) {
                p[4] = 1;
                p[5] = e.next;
            }
        } else if (e.mark == K.MARK_WITHDRAWAL) {
            p[6] = 1;
            p[7] = e.next;
        } else if (cur != e.next) {
            vm.terminate(K.NEXT_MISMATCH);
        }
        vm.setPendingRaw(p);
    }

    function _accountMark(uint256 m) private pure returns (bool) {
        return m == K.MARK_BALANCE || m == K.MARK_CODE || m == K.MARK_NONCE || m == K.MARK_STORAGE;
    }

    /// @dev Past the last entry: the fee and withdrawal outputs against the vaults, then ok.
    function _outputs(Vm memory vm, uint256[18] memory p) private pure {
        uint256 fee = O.vault(vm, 0);
        uint256 wd = O.vault(vm, 1);
        if ((p[4] == 1 ? p[5] : 0) != fee) vm.terminate(K.FEE_OUTPUT);
        if ((p[6] == 1 ? p[7] : 0) != wd) vm.terminate(K.WITHDRAWAL_OUTPUT);
        vm.terminate(K.OK);
    }

    // ------------------------------------------------------------------------------------------------ copies

    /// @dev One destination word of a copy: a0 source (0 memory, 1 call data, 2 return data, 3 code), a1 code hash,
    ///      a2 base, a3 limit, a4 offset, a5 destination, a6 length, a7 word, a8 backward.
    function _copy(Vm memory vm, uint256[18] memory p) private view {
        Frame memory f = vm.getFrame();
        uint256 w = p[8];
        uint256 lo = 32 * w > p[6] ? 32 * w : p[6];
        uint256 hi = 32 * w + 32 < p[6] + p[7] ? 32 * w + 32 : p[6] + p[7];
        f.memRoot = T.writeBytes(vm, f.memRoot, lo, _source(vm, f, p, p[5] + (lo - p[6]), hi - lo));
        bool backward = p[9] == 1;
        if (backward ? w == p[6] >> 5 : w == (p[6] + p[7] - 1) >> 5) return vm.clearPending();
        p[8] = backward ? w - 1 : w + 1;
        vm.setPendingRaw(p);
    }

    /// @dev `n` source bytes from offset `rel` of the copy's source (zero past its limit).
    function _source(Vm memory vm, Frame memory f, uint256[18] memory p, uint256 rel, uint256 n) private view returns (bytes memory data) {
        uint256 sel = p[1];
        if (sel != 3) {
            uint256 root = sel == 0 ? f.memRoot : sel == 1 ? vm.getCtx().cdRoot : f.rdRoot;
            return O.readRef(vm, root, p[3], p[4], rel, n);
        }
        // code: its data contracts end at its size, so reads past it are zero
        if (p[2] == 0 || rel >= p[4]) return new bytes(n);
        // INVARIANT: the source code is registered (an unregistered one would read as zeros: another step).
        O.requireRegistered(vm, p[2]);
        data = CodeReader.read(vm.registry, bytes32(p[2]), p[3] + rel, n);
        for (uint256 k = p[4] - rel; k < n; ++k) data[k] = 0;
    }
}
