// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TxProver, TxProof} from "./TxProver.sol";
import {BatchLib} from "../lib/BatchLib.sol";
import {TxCodec} from "../lib/TxCodec.sol";
import {MoveLib} from "../lib/MoveLib.sol";
import {Genesis} from "../lib/Genesis.sol";
import {FaultKind, IInbox} from "../interfaces/IInbox.sol";

/// @title InputProver
/// @notice Proves an input fault (protocol.md §8): move `moveIndex` of a transaction at seq `s` names a
///         producer `intx ≥ s`; or names a producer transaction that has no consuming move of that key, or whose
///         next for it differs from the declared prev (`prove`); or names genesis (intx 0) with a prev that is not
///         the key's genesis value, which a proof against the Inbox's genesis commitment shows (`proveGenesis`,
///         §7.6).
contract InputProver is TxProver {
    /// @notice The move does not name genesis (use `prove`).
    error NotGenesis();
    /// @notice The genesis proof shows no value for the move's key.
    error BadGenesisProof();

    constructor(address inbox_) TxProver(inbox_) {}

    /// @notice `ph`/`pp` are the producer's batch header and transaction (ignored when intx ≥ s). With an
    ///         empty genesis allocation also intx 0 (every genesis value is 0); otherwise see `proveGenesis`.
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

    /// @notice A move naming genesis (intx 0, before its own seq) whose prev is not its key's genesis value:
    ///         `leaves` show that value against (Inbox.genesisRoot, Inbox.genesisCount) (core/genesis.ts).
    function proveGenesis(BatchLib.BatchHeader calldata h, TxProof calldata p, uint256 moveIndex, Genesis.Leaf[] calldata leaves, bytes32 salt) external {
        _reveal(keccak256(abi.encode(h, p, moveIndex, leaves)), salt);
        _checkBatch(h);
        (, MoveLib.Move memory m) = _loadMove(h, p, moveIndex);
        // INVARIANT: this path is for genesis outpoints (a later producer is shown with `prove`).
        if (m.intx != 0) revert NotGenesis();
        (bool shown, uint256 value) = Genesis.valueOf(IInbox(inbox).genesisRoot(), IInbox(inbox).genesisCount(), m.addr, m.mark, m.slot, leaves);
        // INVARIANT: the genesis value is shown by the allocation L1 committed to.
        if (!shown) revert BadGenesisProof();
        // INVARIANT: the move's prev is not its key's genesis value.
        if (m.prev == value) revert NoFault();
        _settle(h.index, FaultKind.INPUT);
    }

    function _wrongInput(MoveLib.Move memory m, uint256 seq, BatchLib.BatchHeader calldata ph, TxProof calldata pp)
        private
        view
        returns (bool)
    {
        if (m.intx >= seq) return true;
        if (m.intx == 0) {
            // INVARIANT: genesis values other than 0 are shown with `proveGenesis`.
            if (IInbox(inbox).genesisCount() != 0) revert NotGenesis();
            return m.prev != 0;
        }
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
