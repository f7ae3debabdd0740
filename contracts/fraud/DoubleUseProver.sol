// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TxProver, TxProof} from "./TxProver.sol";
import {BatchLib} from "../lib/BatchLib.sol";
import {MoveLib} from "../lib/MoveLib.sol";
import {FaultKind} from "../interfaces/IInbox.sol";

/// @title DoubleUseProver
/// @notice Proves a double use (protocol.md §8): move `moveIndex` of a transaction at seq `s` consumes or
///         references outpoint (intx, key), which an earlier transaction (seq < s, this or an earlier
///         batch) already consumed with its move `earlierMoveIndex`.
contract DoubleUseProver is TxProver {
    constructor(address inbox_) TxProver(inbox_) {}

    function prove(
        BatchLib.BatchHeader calldata h,
        TxProof calldata p,
        uint256 moveIndex,
        BatchLib.BatchHeader calldata eh,
        TxProof calldata ep,
        uint256 earlierMoveIndex,
        bytes32 salt
    ) external {
        _reveal(keccak256(abi.encode(h, p, moveIndex, eh, ep, earlierMoveIndex)), salt);
        _checkBatch(h);
        (uint256 seq, MoveLib.Move memory m) = _loadMove(h, p, moveIndex);
        _stored(eh);
        (uint256 eseq, MoveLib.Move memory e) = _loadMove(eh, ep, earlierMoveIndex);
        // INVARIANT: an earlier transaction consumed the very outpoint this move uses.
        if (!(eseq < seq && !e.ref && e.intx == m.intx && MoveLib.compareKeys(e, m) == 0)) revert NoFault();
        _settle(h.index, FaultKind.DOUBLE_USE);
    }
}
