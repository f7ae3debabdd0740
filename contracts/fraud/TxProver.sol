// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FraudProver} from "./FraudProver.sol";
import {BatchLib} from "../lib/BatchLib.sol";
import {Merkle} from "../lib/Merkle.sol";
import {TxCodec} from "../lib/TxCodec.sol";
import {EthTx, EthTxFields} from "../lib/EthTx.sol";
import {IInbox} from "../interfaces/IInbox.sol";

/// @notice One transaction of a batch, with its Merkle proof against the batch's txRoot.
struct TxProof {
    uint256 txIndex;
    bytes tx;
    bytes32[] siblings;
}

/// @title TxProver
/// @notice What the single-transaction provers share: inclusion of a transaction in a batch, the
///         header of a batch that may already be final (for a producer or an earlier spender), and
///         decoding that can be observed to fail without trusting the gas the challenger supplied.
abstract contract TxProver is FraudProver {
    /// @notice The transaction is not leaf `txIndex` of the batch.
    error NotInBatch(uint256 batchIndex, uint256 txIndex);
    /// @notice The referenced batch is not live, or its header is not the stored one.
    error NotStoredHeader(uint256 batchIndex);
    /// @notice The proof shows no fault of this kind.
    error NoFault();

    constructor(address inbox_) FraudProver(inbox_) {}

    /// @notice Requires `p.tx` to be leaf `p.txIndex` of header `h` and returns its seq.
    function _included(BatchLib.BatchHeader calldata h, TxProof calldata p) internal pure returns (uint256 seq) {
        // INVARIANT: the transaction is the batch's leaf txIndex (index < txCount, exact proof length).
        if (!Merkle.verifyCalldata(h.txRoot, TxCodec.leafHash(p.tx), p.txIndex, h.txCount, p.siblings)) {
            revert NotInBatch(h.index, p.txIndex);
        }
        return h.firstSeq + p.txIndex;
    }

    /// @notice Requires `h` to be the stored header of a live batch (final or not).
    function _stored(BatchLib.BatchHeader calldata h) internal view {
        // INVARIANT: the batch is live and this is its header.
        if (h.index >= IInbox(inbox).batchCount() || IInbox(inbox).headerHash(h.index) != BatchLib.hashCalldata(h)) {
            revert NotStoredHeader(h.index);
        }
    }

    /// @notice Decodes a transaction; reverts with the decoder's DecodeError when it does not decode.
    /// @dev External so that a prover can observe the failure with try/catch (see {_decodeFails}).
    function decodeTx(bytes calldata enc) external pure returns (uint8 txType) {
        return TxCodec.decode(enc).txType;
    }

    /// @notice Decodes a raw Ethereum transaction for chain `chainId`; reverts with EthTx's errors.
    function decodeEthTx(bytes calldata raw, uint256 chainId) external pure returns (uint8 txType) {
        return EthTx.decodeFor(raw, chainId).txType;
    }

    /// @notice True iff `reason` is revert data with a custom-error selector, i.e. the decoder itself
    ///         refused. An out-of-gas (empty data), a panic or a string error never counts, so the proof
    ///         cannot be made to succeed by starving the call of gas (63/64 rule).
    function _isDecoderError(bytes memory reason) internal pure returns (bool) {
        if (reason.length < 4) return false;
        bytes4 sel = bytes4(reason);
        return sel != bytes4(0x4e487b71) && sel != bytes4(0x08c379a0);
    }
}
