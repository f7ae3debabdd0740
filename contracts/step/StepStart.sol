// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Txc, StepConst as K} from "./lib/StepTypes.sol";
import {StepHost as S} from "./lib/StepHost.sol";
import {StepTrees as T} from "./lib/StepTrees.sol";
import {BatchLib} from "../lib/BatchLib.sol";
import {MoveLib} from "../lib/MoveLib.sol";
import {TxCodec} from "../lib/TxCodec.sol";
import {EthTx, EthTxFields} from "../lib/EthTx.sol";
import {Rlp} from "../lib/Rlp.sol";
import {L1Fee} from "../lib/L1Fee.sol";

/// @title StepStart
/// @notice The step-0 state of a transaction, computed on L1 from its bytes, its seq and its batch header alone
///         (docs/step-machine.md §5; core/step/init.ts `initialMachine`, `txConstOf`): TxConst from the decoded
///         transaction and the batch's block environment in fee-output mode, World with the key table of its moves
///         (every entry's current value its prev), no frame, no suspended frames, the pending preamble.
/// @dev A transaction that cannot start the machine reverts: it does not decode, is a deposit, its signature does
///      not recover, its moves are not sorted with each key once (the key table's adjacency proofs rely on it), a
///      move transaction names another chain or fields ethereumjs refuses, or its access list is not made of
///      addresses and 32-byte keys. Each of those is a fault with its own one-step proof.
contract StepStart {
    /// @notice The transaction cannot start the machine (`why`: 1 deposit, 2 signature, 3 moves, 4 chain id,
    ///         5 fields, 6 access list, 7 too many moves).
    error CannotStart(uint256 why);

    /// @notice Block gas limit of the rollup (protocol.md §7.2).
    uint256 internal constant L2_BLOCK_GAS_LIMIT = 30_000_000;

    /// @notice The state hash at step 0 of `txBytes` at seq `seq` of the batch with header `h` on chain `chainId`.
    function startState(bytes calldata txBytes, uint256 seq, BatchLib.BatchHeader calldata h, uint256 chainId)
        external
        pure
        returns (bytes32)
    {
        TxCodec.Tx memory t = TxCodec.decode(txBytes);
        // INVARIANT: deposits run no EVM (their faults are one-step).
        if (t.txType == TxCodec.TYPE_DEPOSIT) revert CannotStart(1);
        (uint8 verdict,) = TxCodec.checkMovesStructure(t.moves, seq);
        // INVARIANT: moves sorted, each key once, every intx before the seq (the key table's order).
        if (verdict != TxCodec.OK) revert CannotStart(3);
        // INVARIANT: the key table holds every move.
        if (t.moves.length > K.KEY_CAPACITY) revert CannotStart(7);
        Txc memory c = _txc(t, seq, h, chainId);
        // the L1 data fee (protocol.md §6.6): the balance must cover it upfront, settlement takes it
        c.l1Fee = L1Fee.l1Fee(txBytes, t.moves, address(uint160(c.origin)), h.feeRecipient, seq, h.l1BaseFee, h.l1BlobBaseFee);
        unchecked {
            c.maxCost += c.l1Fee;
        }
        uint256[7] memory st;
        st[1] = S.hashAt(K.TAG_TXCONST, S.ptr(c), 31);
        uint256[6] memory world;
        world[0] = _keyRoot(t.moves);
        st[2] = _hashWords(K.TAG_WORLD, world);
        st[4] = uint256(K.TAG_PARENTS);
        uint256[18] memory pending;
        pending[0] = K.P_PREAMBLE;
        st[5] = S.hashAt(K.TAG_PENDING, S.ptr(pending), 18);
        uint256 p;
        assembly ("memory-safe") {
            p := st
        }
        return bytes32(S.stateHashOf(p));
    }

    function _hashWords(bytes32 tag, uint256[6] memory w) private pure returns (uint256 h) {
        uint256 p;
        assembly ("memory-safe") {
            p := w
        }
        return S.hashAt(tag, p, 6);
    }

    /// @dev TxConst (§3.1) in fee-output mode with the batch's environment.
    function _txc(TxCodec.Tx memory t, uint256 seq, BatchLib.BatchHeader calldata h, uint256 chainId) private pure returns (Txc memory c) {
        c.seq = seq;
        c.chainId = chainId;
        c.number = h.number;
        c.timestamp = h.timestamp;
        c.coinbase = K.FEE_VAULT;
        c.feeRecipient = uint160(h.feeRecipient);
        c.baseFee = h.baseFee;
        c.blockGasLimit = L2_BLOCK_GAS_LIMIT;
        c.prevRandao = uint256(h.parent);
        c.blobBaseFee = 1;
        c.blobHashes = S.h1(K.TAG_BLOB_HASHES, 0);
        bytes memory data;
        uint256 prio;
        if (t.txType == TxCodec.TYPE_MOVE) {
            TxCodec.MoveBody memory b = t.move;
            // INVARIANT: a move transaction names the rollup's chain.
            if (b.chainId != chainId) revert CannotStart(4);
            // INVARIANT: fields ethereumjs accepts (priority fee within the fee cap, gasLimit × feeCap < 2^256).
            if (b.maxPriorityFeePerGas > b.maxFeePerGas) revert CannotStart(5);
            if (b.maxFeePerGas != 0 && uint256(b.gasLimit) > type(uint256).max / b.maxFeePerGas) revert CannotStart(5);
            address from = TxCodec.recoverSigner(t);
            // INVARIANT: the signature recovers.
            if (from == address(0)) revert CannotStart(2);
            c.origin = uint160(from);
            c.nonce = b.nonce;
            c.maxFee = b.maxFeePerGas;
            prio = b.maxPriorityFeePerGas;
            c.txGasLimit = b.gasLimit;
            c.isCreate = b.hasTo ? 0 : 1;
            c.to = uint160(b.to);
            c.value = b.value;
            data = b.data;
            c.intrinsicGas = _intrinsic(data, !b.hasTo);
            c.gasPrice = _effective(c.maxFee, prio, h.baseFee, true);
        } else {
            bytes memory raw = t.raw;
            EthTxFields memory f = EthTx.decodeFor(raw, chainId);
            address from = EthTx.sender(raw, f);
            // INVARIANT: the signature recovers.
            if (from == address(0)) revert CannotStart(2);
            c.origin = uint160(from);
            c.nonce = f.nonce;
            c.maxFee = f.maxFeePerGas;
            prio = f.maxPriorityFeePerGas;
            c.txGasLimit = f.gasLimit;
            c.isCreate = f.isCreate ? 1 : 0;
            c.to = uint160(f.to);
            c.value = f.value;
            data = new bytes(f.dataLength);
            uint256 off = f.dataOffset;
            uint256 n = f.dataLength;
            assembly ("memory-safe") {
                mcopy(add(data, 32), add(add(raw, 32), off), n)
            }
            c.intrinsicGas = EthTx.intrinsicGas(raw, f);
            c.gasPrice = _effective(c.maxFee, prio, h.baseFee, f.txType == 2);
            if (f.txType != 0) (c.aclRoot, c.aclCount) = _acl(raw, f.txType);
        }
        c.priorityFee = c.gasPrice >= h.baseFee ? c.gasPrice - h.baseFee : 0;
        unchecked {
            // as the stepper hashes it (a word is the value mod 2^256); a balance never covers an overflowing cost
            c.maxCost = c.value + c.txGasLimit * c.maxFee;
        }
        c.upfront = c.txGasLimit * c.gasPrice;
        bool overflow;
        (c.sweepCredit, overflow) = TxCodec.sweepCredit(t.moves, seq);
        if (overflow) c.mode |= K.MODE_SWEEP_OVERFLOW;
        c.dataRoot = T.bytesRoot(data);
        c.dataLength = data.length;
        if (c.isCreate == 1) c.initcodeHash = uint256(keccak256(data));
    }

    /// @dev EIP-1559's effective gas price (the fee cap for legacy and EIP-2930 transactions).
    function _effective(uint256 maxFee, uint256 prio, uint256 baseFee, bool is1559) private pure returns (uint256) {
        if (!is1559) return maxFee;
        if (maxFee < baseFee) return 0;
        return maxFee < baseFee + prio ? maxFee : baseFee + prio;
    }

    /// @dev Cancun's intrinsic gas of a move transaction (no access list).
    function _intrinsic(bytes memory data, bool isCreate) private pure returns (uint256 g) {
        g = 21_000;
        for (uint256 i = 0; i < data.length; ++i) g += data[i] == 0 ? 4 : 16;
        if (isCreate) g += 32_000 + 2 * ((data.length + 31) / 32);
    }

    /// @dev The key table's root (§3.4): entry i is the i-th move, its current value its prev, no flags.
    function _keyRoot(MoveLib.Move[] memory moves) private pure returns (uint256) {
        uint256 n = moves.length;
        if (n == 0) return 0;
        uint256[] memory level = new uint256[](n);
        uint256[7] memory e;
        uint256 p;
        assembly ("memory-safe") {
            p := e
        }
        for (uint256 i = 0; i < n; ++i) {
            MoveLib.Move memory m = moves[i];
            e[0] = uint160(m.addr);
            e[1] = m.mark;
            e[2] = m.slot;
            e[3] = m.prev;
            e[4] = m.next;
            e[5] = m.prev;
            e[6] = 0;
            level[i] = S.hashAt(K.TAG_KEY_ENTRY, p, 7);
        }
        return _treeRoot(level, K.KEY_DEPTH);
    }

    function _treeRoot(uint256[] memory level, uint256 depth) private pure returns (uint256) {
        uint256 n = level.length;
        for (uint256 l = 0; l < depth; ++l) {
            uint256 m = (n + 1) / 2;
            for (uint256 i = 0; i < m; ++i) level[i] = S.node(level[2 * i], 2 * i + 1 < n ? level[2 * i + 1] : 0);
            n = m;
        }
        return level[0];
    }

    /// @dev The access list flattened (§3.6): per entry H("acl-addr", address), then H("acl-slot", address, key) per
    ///      key; its depth-16 tree's root and item count. The list is field 7 (EIP-2930) or 8 (EIP-1559).
    function _acl(bytes memory raw, uint256 txType) private pure returns (uint256 root, uint256 count) {
        (uint256 lp, uint256 lend) = _aclList(raw, txType);
        uint256[] memory items = new uint256[](Rlp.count(raw, lp, lend - lp) + _keyCount(raw, lp, lend));
        for (uint256 q = lp; q < lend;) {
            (, uint256 ep, uint256 el) = Rlp.header(raw, q, lend);
            count = _aclEntry(raw, ep, ep + el, items, count);
            q = ep + el;
        }
        // INVARIANT: the tree holds every item.
        if (count > 1 << K.ACL_DEPTH) revert CannotStart(6);
        root = count == 0 ? 0 : _treeRoot(items, K.ACL_DEPTH);
    }

    /// @dev The access list's payload [lp, lend): field 7 (EIP-2930) or 8 (EIP-1559) of the typed transaction.
    function _aclList(bytes memory raw, uint256 txType) private pure returns (uint256 lp, uint256 lend) {
        (, uint256 p, uint256 n) = Rlp.header(raw, 1, raw.length);
        uint256 end = p + n;
        uint256 field = txType == 1 ? 7 : 8;
        for (uint256 i = 0; i < field; ++i) {
            (, uint256 ip, uint256 il) = Rlp.header(raw, p, end);
            p = ip + il;
        }
        uint256 ll;
        (, lp, ll) = Rlp.header(raw, p, end);
        lend = lp + ll;
    }

    /// @dev The items of one entry [address, [keys…]] (payload [ep, eend)) appended at items[count…].
    function _aclEntry(bytes memory raw, uint256 ep, uint256 eend, uint256[] memory items, uint256 count) private pure returns (uint256) {
        (, uint256 ap, uint256 al) = Rlp.header(raw, ep, eend);
        uint256 a = Rlp.toUint(raw, ap, al);
        items[count++] = S.h1(K.TAG_ACL_ADDR, a);
        (bool kl, uint256 kp, uint256 kn) = Rlp.header(raw, ap + al, eend);
        if (!kl) return count;
        for (uint256 r = kp; r < kp + kn;) {
            uint256 key;
            (key, r) = _item(raw, r, kp + kn);
            items[count++] = S.h2(K.TAG_ACL_SLOT, a, key);
        }
        return count;
    }

    /// @dev The integer of the RLP string at r, and where the next item starts.
    function _item(bytes memory raw, uint256 r, uint256 end) private pure returns (uint256 v, uint256 next) {
        (, uint256 vp, uint256 vl) = Rlp.header(raw, r, end);
        return (Rlp.toUint(raw, vp, vl), vp + vl);
    }

    function _keyCount(bytes memory raw, uint256 lp, uint256 lend) private pure returns (uint256 n) {
        for (uint256 q = lp; q < lend;) {
            (, uint256 ep, uint256 el) = Rlp.header(raw, q, lend);
            (, uint256 ap, uint256 al) = Rlp.header(raw, ep, ep + el);
            (bool kl, uint256 kp, uint256 kn) = Rlp.header(raw, ap + al, ep + el);
            if (kl) n += Rlp.count(raw, kp, kn);
            q = ep + el;
        }
    }
}
