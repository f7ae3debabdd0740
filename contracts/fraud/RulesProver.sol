// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TxProver, TxProof} from "./TxProver.sol";
import {BatchLib} from "../lib/BatchLib.sol";
import {TxCodec} from "../lib/TxCodec.sol";
import {MoveLib} from "../lib/MoveLib.sol";
import {EthTx, EthTxFields} from "../lib/EthTx.sol";
import {Decoders} from "../lib/Decoders.sol";
import {L1Fee} from "../lib/L1Fee.sol";
import {FaultKind, IInbox} from "../interfaces/IInbox.sol";

/// @title RulesProver
/// @notice Proves a transaction-rule fault (protocol.md §6 step 7) against the sender's declared nonce,
///         balance and code hash: a declared gas (§7.3) that is not the transaction's gas limit (0 for a
///         deposit), gas limit above the block's, nonce at 2^64−1, initcode too large, gas
///         limit below the intrinsic gas, fee cap below the base fee, priority fee above the fee cap,
///         sender with code, balance (with the fee outputs it sweeps) below value + gasLimit × feeCap + the L1 data
///         fee (§6.6), or
///         that balance above 2^256 − 1, wrong nonce, wrong chain id, or the sender's keys not declared.
contract RulesProver is TxProver {
    uint256 public constant L2_BLOCK_GAS_LIMIT = 30_000_000;
    uint256 public constant MAX_INITCODE = 49152;

    /// @notice The common fields of both signed shapes.
    struct Fields {
        address sender;
        uint256 chainId;
        uint256 nonce;
        uint256 gasLimit;
        uint256 maxFee;
        uint256 maxPriority;
        uint256 value;
        bool isCreate;
        uint256 dataLength;
        uint256 intrinsic;
    }

    constructor(address inbox_) TxProver(inbox_) {}

    function prove(BatchLib.BatchHeader calldata h, TxProof calldata p, bytes32 salt) external {
        _reveal(keccak256(abi.encode(h, p)), salt);
        _checkBatch(h);
        (uint256 seq, bytes memory enc) = _load(h, p);
        TxCodec.Tx memory t = TxCodec.decode(enc);
        // The declared gas (§7.3) is checked first: it needs no signature, and a deposit has no other rule.
        if (t.txType == TxCodec.TYPE_DEPOSIT) {
            // INVARIANT: a deposit declares 0 gas, and breaks no transaction rule.
            if (p.gas == 0) revert NoFault();
            _settle(h.index, FaultKind.RULES);
            return;
        }
        Fields memory f = _fields(t);
        if (p.gas != f.gasLimit) {
            _settle(h.index, FaultKind.RULES);
            return;
        }
        // INVARIANT: the signature is valid (otherwise it is a signature fault).
        if (f.sender == address(0)) revert NoFault();
        // INVARIANT: the transaction breaks a rule.
        uint256 l1Fee = L1Fee.l1Fee(enc, t.moves, f.sender, h.feeRecipient, seq, h.l1BaseFee, h.l1BlobBaseFee);
        if (!_breaks(t.moves, f, h.baseFee, seq, l1Fee)) revert NoFault();
        _settle(h.index, FaultKind.RULES);
    }

    function _fields(TxCodec.Tx memory t) private view returns (Fields memory f) {
        if (t.txType == TxCodec.TYPE_MOVE) {
            TxCodec.MoveBody memory b = t.move;
            f.sender = TxCodec.recoverSigner(t);
            f.chainId = b.chainId;
            f.nonce = b.nonce;
            f.gasLimit = b.gasLimit;
            f.maxFee = b.maxFeePerGas;
            f.maxPriority = b.maxPriorityFeePerGas;
            f.value = b.value;
            f.isCreate = !b.hasTo;
            f.dataLength = b.data.length;
            f.intrinsic = _intrinsic(b.data, f.isCreate);
        } else if (t.txType == TxCodec.TYPE_WRAPPED) {
            uint256 chainId = IInbox(inbox).l2ChainId();
            (EthTxFields memory e, address sender, uint256 intrinsic) = Decoders.ethTx(t.raw, chainId);
            f.sender = sender;
            f.chainId = chainId; // decodeFor already refused any other chain id
            f.nonce = e.nonce;
            f.gasLimit = e.gasLimit;
            f.maxFee = e.maxFeePerGas;
            f.maxPriority = e.maxPriorityFeePerGas;
            f.value = e.value;
            f.isCreate = e.isCreate;
            f.dataLength = e.dataLength;
            f.intrinsic = intrinsic;
        } else {
            revert NoFault(); // deposits have no transaction rules
        }
    }

    function _breaks(MoveLib.Move[] memory moves, Fields memory f, uint256 baseFee, uint256 seq, uint256 l1Fee)
        private
        view
        returns (bool)
    {
        (bool hasN, uint256 nonce) = _declared(moves, f.sender, MoveLib.MARK_NONCE);
        (bool hasB, uint256 balance) = _declared(moves, f.sender, MoveLib.MARK_BALANCE);
        // Fee sweeps are the sender's balance before the rules (§6.5); a credit past 2^256 − 1 is sweep-overflow.
        (uint256 credit, bool over) = TxCodec.sweepCredit(moves, seq);
        if (over || credit > type(uint256).max - balance) return true;
        balance += credit;
        (bool hasC, uint256 code) = _declared(moves, f.sender, MoveLib.MARK_CODE);
        if (f.chainId != IInbox(inbox).l2ChainId()) return true;
        if (f.maxPriority > f.maxFee) return true;
        if (!hasN || !hasB || !hasC) return true;
        if (f.gasLimit > L2_BLOCK_GAS_LIMIT) return true;
        if (f.nonce >= type(uint64).max) return true;
        if (f.isCreate && f.dataLength > MAX_INITCODE) return true;
        if (f.gasLimit < f.intrinsic) return true;
        if (f.maxFee < baseFee) return true;
        if (code != 0) return true;
        if (!_covers(balance, f, l1Fee)) return true;
        return nonce != f.nonce;
    }

    /// @dev Whether `balance` covers value + gasLimit × feeCap + the L1 data fee (§6.6); past 2^256 − 1 none does.
    function _covers(uint256 balance, Fields memory f, uint256 l1Fee) private pure returns (bool) {
        (uint256 fee, bool overflow) = _mul(f.gasLimit, f.maxFee);
        if (overflow) return false;
        unchecked {
            uint256 cost = fee + f.value;
            if (cost < fee || cost + l1Fee < cost) return false;
            return balance >= cost + l1Fee;
        }
    }

    /// @dev The prev of the sender's move with `mark` (slot 0), if declared.
    function _declared(MoveLib.Move[] memory moves, address who, uint8 mark) private pure returns (bool, uint256) {
        for (uint256 i = 0; i < moves.length; ++i) {
            if (moves[i].addr == who && moves[i].mark == mark && moves[i].slot == 0) return (true, moves[i].prev);
        }
        return (false, 0);
    }

    function _mul(uint256 a, uint256 b) private pure returns (uint256 r, bool overflow) {
        unchecked {
            r = a * b;
            overflow = a != 0 && r / a != b;
        }
    }

    /// @dev Cancun intrinsic gas of a move transaction (empty access list), counting the data a word at a time.
    function _intrinsic(bytes memory data, bool isCreate) private pure returns (uint256 gas) {
        uint256 len = data.length;
        uint256 nonZero = EthTx.nonZeroBytes(data, 0, len);
        gas = EthTx.TX_GAS + nonZero * EthTx.TX_DATA_NONZERO_GAS + (len - nonZero) * EthTx.TX_DATA_ZERO_GAS;
        if (isCreate) gas += EthTx.TX_CREATION_GAS + EthTx.INITCODE_WORD_GAS * ((len + 31) / 32);
    }
}
