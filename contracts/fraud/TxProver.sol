// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FraudProver} from "./FraudProver.sol";
import {BatchLib} from "../lib/BatchLib.sol";
import {Merkle} from "../lib/Merkle.sol";
import {TxCodec} from "../lib/TxCodec.sol";
import {MoveLib} from "../lib/MoveLib.sol";
import {Flz} from "../lib/Flz.sol";
import {IInbox} from "../interfaces/IInbox.sol";

/// @notice One transaction of a batch, with the gas the batch declares for it and its Merkle proof against
///         the batch's txRoot (the leaf commits to both, docs/protocol.md §5.6).
struct TxProof {
    uint256 txIndex;
    uint64 gas;
    bytes tx;
    bytes32[] siblings;
}

/// @title TxProver
/// @notice What the single-transaction provers share: inclusion of a transaction in a batch, the
///         header of a batch that may already be final (for a producer or an earlier spender), and
///         decoding that can be observed to fail without trusting the gas the challenger supplied.
/// @dev Gas is linear in the transaction's size (§5.5): a transaction is copied from calldata to memory
///      once, its leaf hashed there ({BatchLib.loadLeaf}), and decoded from that copy; a proof that needs one
///      move of a transaction frees everything else of its decoding before it reads the next transaction
///      ({_loadMove}), so memory (whose cost grows with its square) holds one decoded transaction at a time.
abstract contract TxProver is FraudProver {
    /// @notice The transaction is not leaf `txIndex` of the batch.
    error NotInBatch(uint256 batchIndex, uint256 txIndex);
    /// @notice The referenced batch is not live, or its header is not the stored one.
    error NotStoredHeader(uint256 batchIndex);

    constructor(address inbox_) FraudProver(inbox_) {}

    /// @notice {_loadPosted}, then the transaction's encoding: the item expanded if it is compressed (§7.7, with the
    ///         deployment's dictionary; reverts with the decoder's DecodeError if it does not expand).
    function _load(BatchLib.BatchHeader calldata h, TxProof calldata p)
        internal
        view
        returns (uint256 seq, bytes memory enc)
    {
        (seq, enc) = _loadPosted(h, p);
        enc = Flz.expandFrom(enc, IInbox(inbox).dictionary());
    }

    /// @notice Copies `p.tx` (the item as posted) to memory (once), requires it to be leaf `p.txIndex` of header `h`
    ///         with the declared gas `p.gas`, and returns its seq and the copy.
    function _loadPosted(BatchLib.BatchHeader calldata h, TxProof calldata p)
        internal
        pure
        returns (uint256 seq, bytes memory enc)
    {
        bytes32 leaf;
        (leaf, enc) = BatchLib.loadLeaf(p.gas, p.tx);
        // INVARIANT: the transaction and its declared gas are the batch's leaf txIndex (index < txCount,
        //            exact proof length).
        if (!Merkle.verifyCalldata(h.txRoot, leaf, p.txIndex, h.txCount, p.siblings)) {
            revert NotInBatch(h.index, p.txIndex);
        }
        seq = h.firstSeq + p.txIndex;
    }

    /// @notice {_load}, then decodes the transaction and keeps only its move `moveIndex` (reverts if it has
    ///         none): the memory of the copy and of the decoding is released, so the next transaction a proof
    ///         loads reuses it.
    function _loadMove(BatchLib.BatchHeader calldata h, TxProof calldata p, uint256 moveIndex)
        internal
        view
        returns (uint256 seq, MoveLib.Move memory m)
    {
        uint256 fp;
        assembly ("memory-safe") {
            fp := mload(0x40)
        }
        bytes memory enc;
        (seq, enc) = _load(h, p);
        MoveLib.Move memory d = TxCodec.decode(enc).moves[moveIndex];
        // The move's eight words go to fp (mcopy handles the overlap), and memory is released past them.
        assembly ("memory-safe") {
            mcopy(fp, d, 256)
            m := fp
            mstore(0x40, add(fp, 256))
        }
    }

    /// @notice Requires `h` to be the stored header of a live batch (final or not).
    function _stored(BatchLib.BatchHeader calldata h) internal view {
        // INVARIANT: the batch is live and this is its header.
        if (h.index >= IInbox(inbox).batchCount() || IInbox(inbox).headerHash(h.index) != BatchLib.hashCalldata(h)) {
            revert NotStoredHeader(h.index);
        }
    }
}
