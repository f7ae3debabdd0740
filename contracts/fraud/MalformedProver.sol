// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TxProver, TxProof} from "./TxProver.sol";
import {BatchLib} from "../lib/BatchLib.sol";
import {TxCodec} from "../lib/TxCodec.sol";
import {Decoders} from "../lib/Decoders.sol";
import {Flz} from "../lib/Flz.sol";
import {FaultKind, IInbox} from "../interfaces/IInbox.sol";

/// @title MalformedProver
/// @notice Proves a transaction malformed (protocol.md §6 steps 1, 2, 4, §9): a compressed item that does not
///         expand (§7.7, `not-expandable`), it does not decode, its
///         moves are unsorted or repeat a key, it declares an output it may not or a malformed or foreign fee
///         sweep, its witness has a stray blob, or (wrapped) its raw Ethereum transaction does not decode for
///         the rollup's chain.
contract MalformedProver is TxProver {
    constructor(address inbox_) TxProver(inbox_) {}

    /// @notice Proves transaction `p` of batch `h` malformed. Commit first (see FraudProver).
    function prove(BatchLib.BatchHeader calldata h, TxProof calldata p, bytes32 salt) external {
        _reveal(keccak256(abi.encode(h, p)), salt);
        _checkBatch(h);
        (uint256 seq,) = _loadPosted(h, p);
        // INVARIANT: the transaction is malformed.
        if (!_malformed(h, p.tx, seq)) revert NoFault();
        _settle(h.index, FaultKind.MALFORMED);
    }

    /// @dev Decoding runs in one external call (to this contract) so that its failure can be observed:
    ///      a decoder's own error means malformed, anything else (out of gas included) does not.
    function _malformed(BatchLib.BatchHeader calldata h, bytes calldata item, uint256 seq) private view returns (bool) {
        try this.decodedFault(item, seq, h.feeRecipient, IInbox(inbox).l2ChainId(), IInbox(inbox).dictionary()) returns (
            bool fault
        ) {
            return fault;
        } catch (bytes memory revertData) {
            return _isDecoderError(revertData);
        }
    }

    /// @notice Expands posted item `item` with the dictionary held by `dictionary` (§7.7) and decodes it (reverting
    ///         with the decoder's error if it does not expand or does not decode, its raw Ethereum transaction
    ///         included), and returns whether it breaks a structural rule of the malformed kind:
    ///         unsorted or repeated keys, an output it may not declare, a stray witness blob, or a withdrawal
    ///         output that is not its (validly signed) sender's.
    /// @dev External and pure: anyone may call it; the prover calls it to catch the decoder's revert.
    function decodedFault(bytes calldata item, uint256 seq, address feeRecipient, uint256 chainId, address dictionary)
        external
        view
        returns (bool)
    {
        TxCodec.Tx memory t = TxCodec.decode(Flz.expandFrom(item, dictionary));
        (bool ok, uint8 reason,) = TxCodec.checkStructure(t, seq, feeRecipient);
        if (!ok && (reason == TxCodec.MOVES_UNSORTED || reason == TxCodec.DUPLICATE_KEY
                || reason == TxCodec.UNEXPECTED_OUTPUT || reason == TxCodec.BAD_OUTPUT || reason == TxCodec.BAD_SWEEP
                || reason == TxCodec.UNUSED_WITNESS))
        {
            return true;
        }
        if (t.txType == TxCodec.TYPE_DEPOSIT) return false;
        address sender;
        if (t.txType == TxCodec.TYPE_WRAPPED) {
            (, sender,) = Decoders.ethTx(t.raw, chainId);
        } else {
            sender = TxCodec.recoverSigner(t);
        }
        if (sender == address(0)) return false; // a signature fault, not this kind
        (uint8 r2,) = TxCodec.checkOutputOwner(t.moves, sender, seq);
        return r2 == TxCodec.UNEXPECTED_OUTPUT;
    }
}
