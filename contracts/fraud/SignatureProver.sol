// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TxProver, TxProof} from "./TxProver.sol";
import {BatchLib} from "../lib/BatchLib.sol";
import {TxCodec} from "../lib/TxCodec.sol";
import {Decoders} from "../lib/Decoders.sol";
import {FaultKind, IInbox} from "../interfaces/IInbox.sol";

/// @title SignatureProver
/// @notice Proves a signature or mask fault (protocol.md §6 step 3): a deposit or wrapped transaction
///         with a signed (mask ≠ 0) move, a move transaction whose signature is not valid, or a wrapped
///         transaction whose signature does not recover.
contract SignatureProver is TxProver {
    constructor(address inbox_) TxProver(inbox_) {}

    /// @notice Proves transaction `p` of batch `h` badly signed. Commit first (see FraudProver).
    function prove(BatchLib.BatchHeader calldata h, TxProof calldata p, bytes32 salt) external {
        _reveal(keccak256(abi.encode(h, p)), salt);
        _checkBatch(h);
        (, bytes memory enc) = _load(h, p);
        TxCodec.Tx memory t = TxCodec.decode(enc);
        bool fault;
        if (t.txType != TxCodec.TYPE_MOVE) {
            (uint8 reason,) = TxCodec.checkMasks(t.moves);
            fault = reason == TxCodec.MASK_ON_UNSIGNED;
        }
        if (!fault && t.txType == TxCodec.TYPE_MOVE) fault = TxCodec.recoverSigner(t) == address(0);
        if (!fault && t.txType == TxCodec.TYPE_WRAPPED) {
            (, address sender,) = Decoders.ethTx(t.raw, IInbox(inbox).l2ChainId());
            fault = sender == address(0);
        }
        // INVARIANT: a mask is on an unsigned-moves transaction, or the signature is not valid.
        if (!fault) revert NoFault();
        _settle(h.index, FaultKind.SIGNATURE);
    }
}
