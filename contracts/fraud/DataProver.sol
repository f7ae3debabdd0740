// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FraudProver} from "./FraudProver.sol";
import {BatchLib} from "../lib/BatchLib.sol";
import {BlobLib} from "../lib/BlobLib.sol";
import {Merkle} from "../lib/Merkle.sol";
import {FaultKind, IInbox} from "../interfaces/IInbox.sol";

/// @title DataProver
/// @notice The `data` fault of a batch posted in a blob (docs/protocol.md §14.5, §9): the blob's bytes do not give
///         what its poster declared. The challenger sends the blob's 4,096 field elements, its KZG commitment and
///         the KZG proof at EIP-4844's challenge point; L1 checks the commitment against the versioned hash in
///         the header, evaluates the elements' polynomial at that point itself and has the point-evaluation
///         precompile check the value (so the elements are the blob's), then unpacks them. Fraud iff an
///         element's top byte is not 0, the framing does not decode (§7.3's limits, at most MAX_BLOB_TXS
///         transactions, within the first MAX_DATA_BYTES bytes), a byte after the data is not 0, or the count,
///         the declared gas or the leaves' root differ from header.txCount, the gas the Inbox recorded and
///         header.txRoot.
contract DataProver is FraudProver {
    /// @notice An argument of the wrong length (the blob, the commitment or the proof).
    error BadLength(uint256 blobLength, uint256 commitmentLength, uint256 proofLength);
    /// @notice The commitment's versioned hash is not the header's dataHash (a calldata batch has no blob).
    error NotTheBlob(bytes32 versionedHash, bytes32 dataHash);

    constructor(address inbox_) FraudProver(inbox_) {}

    /// @notice The hash a challenger commits to (see FraudProver): the proof's arguments, the blob by its keccak.
    function proofHash(BatchLib.BatchHeader calldata h, bytes32 blobHash, bytes calldata commitment, bytes calldata kzgProof)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(h, blobHash, commitment, kzgProof));
    }

    /// @notice Proves that blob batch `h`'s blob (`blob`, the 4,096 field elements, big-endian) does not give its
    ///         declarations. `commitment` is the blob's KZG commitment, `kzgProof` the KZG proof of its value at
    ///         EIP-4844's challenge point (what compute_blob_kzg_proof returns). Commit to
    ///         {proofHash}(h, keccak256(blob), commitment, kzgProof) first.
    function prove(
        BatchLib.BatchHeader calldata h,
        bytes calldata blob,
        bytes calldata commitment,
        bytes calldata kzgProof,
        bytes32 salt
    ) external {
        // INVARIANT: a blob, a commitment and a proof of their sizes (before the blob is read and hashed).
        if (blob.length != BlobLib.BLOB_BYTES || commitment.length != 48 || kzgProof.length != 48) {
            revert BadLength(blob.length, commitment.length, kzgProof.length);
        }
        (uint256 base, uint256 z, bytes32 blobHash) = BlobLib.load(blob, commitment);
        _reveal(proofHash(h, blobHash, commitment, kzgProof), salt);
        _checkBatch(h);
        bytes32 vh = BlobLib.versionedHash(commitment);
        // INVARIANT: the commitment is the one whose versioned hash the header commits to.
        if (vh != h.dataHash) revert NotTheBlob(vh, h.dataHash);
        uint256 y = BlobLib.evaluate(base, z);
        BlobLib.verifyPoint(vh, z, y, commitment, kzgProof);
        // INVARIANT: the blob does not give the batch's declarations.
        if (!_wrong(h, base)) revert NoFault();
        _settle(h.index, FaultKind.DATA);
    }

    /// @dev The checks on the verified blob at `base`, in the order of core/blob.ts blobDataFault.
    function _wrong(BatchLib.BatchHeader calldata h, uint256 base) private view returns (bool) {
        if (BlobLib.unpack(base) != type(uint256).max) return true;
        // The payload's first MAX_DATA_BYTES bytes as `bytes memory` (its length in the word in front of it).
        bytes memory window;
        assembly ("memory-safe") {
            window := sub(base, 32)
            mstore(window, 122880) // BatchLib.MAX_DATA_BYTES
        }
        try this.framing(window) returns (uint256 count, uint256 gas, bytes32 root, uint256 end) {
            if (!BlobLib.zeroFrom(base, end)) return true;
            (uint256 declaredGas,) = IInbox(inbox).batchGas(h.index);
            return count != h.txCount || gas != declaredGas || root != h.txRoot;
        } catch (bytes memory reason) {
            return _isDecoderError(reason);
        }
    }

    /// @notice Parses a blob payload's framing (BatchLib.parseFramed): its transaction count, declared gas, leaves'
    ///         root and the data's length. Reverts with the decoder's error if the framing does not decode.
    /// @dev External and pure: anyone may call it; the prover calls it to catch the decoder's revert.
    function framing(bytes calldata window) external pure returns (uint256 count, uint256 gas, bytes32 root, uint256 end) {
        bytes32[] memory leaves;
        (leaves, gas, end) = BatchLib.parseFramed(window);
        count = leaves.length;
        root = Merkle.rootInPlace(leaves);
    }
}
