// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TxProver, TxProof} from "./TxProver.sol";
import {BatchLib} from "../lib/BatchLib.sol";
import {TxCodec} from "../lib/TxCodec.sol";
import {MoveLib} from "../lib/MoveLib.sol";
import {FaultKind} from "../interfaces/IInbox.sol";

/// @title InputProver
/// @notice Proves an input fault (protocol.md §8): move `moveIndex` of a transaction at seq `s` names a
///         producer `intx ≥ s`; or names genesis (intx 0) with a nonzero prev (the rollup's genesis is
///         empty, §11.4); or names a producer transaction that has no consuming move of that key, or whose
///         next for it differs from the declared prev.
contract InputProver is TxProver {
    constructor(address inbox_) TxProver(inbox_) {}

    /// @notice `ph`/`pp` are the producer's batch header and transaction (ignored when intx ≥ s or 0).
    function prove(
        BatchLib.BatchHeader calldata h,
        TxProof calldata p,
        uint256 moveIndex,
        BatchLib.BatchHeader calldata ph,
        TxProof calldata pp,
        bytes32 salt
    ) external {
        _reveal(keccak256(abi.encode(h, p, moveIndex, ph, pp)), salt);
        _checkBatch(h);
        (uint256 seq, MoveLib.Move memory m) = _loadMove(h, p, moveIndex);
        // INVARIANT: the move's input is wrong.
        if (!_wrongInput(m, seq, ph, pp)) revert NoFault();
        _settle(h.index, FaultKind.INPUT);
    }

    function _wrongInput(MoveLib.Move memory m, uint256 seq, BatchLib.BatchHeader calldata ph, TxProof calldata pp)
        private
        view
        returns (bool)
    {
        if (m.intx >= seq) return true;
        if (m.intx == 0) return m.prev != 0;
        _stored(ph);
        (uint256 pseq, bytes memory penc) = _load(ph, pp);
        // INVARIANT: the producer shown is transaction intx.
        if (pseq != m.intx) revert NotInBatch(ph.index, pp.txIndex);
        MoveLib.Move[] memory produced = TxCodec.decode(penc).moves;
        for (uint256 i = 0; i < produced.length; ++i) {
            MoveLib.Move memory q = produced[i];
            if (q.ref || MoveLib.compareKeys(q, m) != 0) continue;
            return q.next != m.prev;
        }
        return true; // the producer created no version of this key
    }
}
