// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TxProver, TxProof} from "./TxProver.sol";
import {BatchLib} from "../lib/BatchLib.sol";
import {TxCodec} from "../lib/TxCodec.sol";
import {FaultKind} from "../interfaces/IInbox.sol";
import {IBridge} from "../interfaces/IBridge.sol";
import {IInbox} from "../interfaces/IInbox.sol";

/// @notice An L1 deposit queue entry.
struct DepositEntry {
    address from;
    address to;
    uint256 value;
}

/// @title DepositProver
/// @notice Proves a deposit fault (protocol.md §11.3, §5.1): transaction `i` of a batch consuming deposits
///         [s, e) is, for i < e − s, not deposit s + i exactly as queued (`entry` must be that queue
///         entry); for i ≥ e − s, a deposit; or a deposit whose moves do not credit the recipient exactly.
contract DepositProver is TxProver {
    /// @notice `entry` is not queue entry `index`.
    error EntryMismatch(uint256 index);

    constructor(address inbox_) TxProver(inbox_) {}

    function prove(BatchLib.BatchHeader calldata h, TxProof calldata p, DepositEntry calldata entry, bytes32 salt)
        external
    {
        _reveal(keccak256(abi.encode(h, p, entry)), salt);
        _checkBatch(h);
        (, bytes memory enc) = _load(h, p);
        TxCodec.Tx memory t = TxCodec.decode(enc);
        bool fault;
        if (p.txIndex < h.depositEnd - h.depositStart) {
            uint256 index = h.depositStart + p.txIndex;
            bytes32 stored = IBridge(IInbox(inbox).bridge()).depositHash(index);
            // INVARIANT: the entry shown is the one L1 queued.
            if (stored != _entryHash(index, entry)) revert EntryMismatch(index);
            fault = t.txType != TxCodec.TYPE_DEPOSIT || t.deposit.index != index || t.deposit.from != entry.from
                || t.deposit.to != entry.to || t.deposit.value != entry.value;
        } else {
            fault = t.txType == TxCodec.TYPE_DEPOSIT;
        }
        if (!fault && t.txType == TxCodec.TYPE_DEPOSIT) {
            (uint8 reason,) = TxCodec.checkDeposit(t);
            fault = reason != TxCodec.OK;
        }
        // INVARIANT: the transaction breaks the deposit rules.
        if (!fault) revert NoFault();
        _settle(h.index, FaultKind.DEPOSIT);
    }

    function _entryHash(uint256 index, DepositEntry calldata e) private view returns (bytes32) {
        return keccak256(
            abi.encodePacked(IBridge(IInbox(inbox).bridge()).DEPOSIT_ENTRY_TAG(), abi.encode(index, e.from, e.to, e.value))
        );
    }
}
