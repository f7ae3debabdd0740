// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BatchLib} from "../lib/BatchLib.sol";
import {IInbox} from "../interfaces/IInbox.sol";
import {IFraudProver} from "../interfaces/IFraudProver.sol";

/// @title FraudProver
/// @notice Abstract base of the per-kind fraud provers (docs/protocol.md §11.4). A concrete prover:
///         1. lets the challenger `commit(keccak256(abi.encode(challenger, keccak256(proof), salt)))`;
///         2. in a later block, takes the proof and salt, and calls {_reveal} (or {_revealProof}) first, which
///            consumes the caller's commitment, so nobody can copy a proof seen in the mempool;
///         3. checks the batch header with {_checkBatch} (the stored hash, live, not final);
///         4. runs its kind's check, reverting with a custom error wherever fraud is not shown;
///         5. calls {_settle}, the shared rollback through the Inbox with msg.sender as the challenger.
///         The Inbox must list the prover (Inbox.setProvers) for step 5 to succeed.
abstract contract FraudProver is IFraudProver {
    /// @notice The proof shows no fault of this kind.
    error NoFault();

    /// @inheritdoc IFraudProver
    address public immutable override inbox;

    /// @dev committedAt[challenger][commitment]: block number of the commitment, 0 if none.
    mapping(address => mapping(bytes32 => uint256)) private _committedAt;

    /// @param inbox_ The Inbox this prover rolls back.
    constructor(address inbox_) {
        inbox = inbox_;
    }

    /// @inheritdoc IFraudProver
    function commit(bytes32 commitment) public override {
        // INVARIANT: a commitment is a hash, never zero.
        if (commitment == bytes32(0)) revert ZeroCommitment();
        // INVARIANT: a commitment is held once (re-committing would only move its block forward).
        if (_committedAt[msg.sender][commitment] != 0) revert AlreadyCommitted(commitment);
        _committedAt[msg.sender][commitment] = block.number;
        emit Committed(msg.sender, commitment, block.number);
    }

    /// @inheritdoc IFraudProver
    function committedAt(address challenger, bytes32 commitment) external view override returns (uint256) {
        return _committedAt[challenger][commitment];
    }

    /// @inheritdoc IFraudProver
    function commitmentFor(address challenger, bytes32 proofHash, bytes32 salt)
        public
        pure
        override
        returns (bytes32)
    {
        return keccak256(abi.encode(challenger, proofHash, salt));
    }

    /// @notice Consumes msg.sender's commitment to the proof whose bytes are `proof`.
    function _revealProof(bytes calldata proof, bytes32 salt) internal {
        _reveal(keccak256(proof), salt);
    }

    /// @notice Consumes msg.sender's commitment to the proof with hash `proofHash`: it must have been committed
    ///         by msg.sender at least one block earlier. Call it before any other check.
    function _reveal(bytes32 proofHash, bytes32 salt) internal {
        bytes32 c = commitmentFor(msg.sender, proofHash, salt);
        uint256 at = _committedAt[msg.sender][c];
        // INVARIANT: msg.sender committed to exactly this proof and salt, and has not used the commitment.
        if (at == 0) revert NotCommitted(msg.sender, c);
        // INVARIANT: the commitment is at least one block old (a front-runner cannot commit and reveal at once).
        if (at >= block.number) revert RevealTooEarly(c, at);
        delete _committedAt[msg.sender][c];
        emit Revealed(msg.sender, c, proofHash);
    }

    /// @notice Requires `h` to be the header of a live, non-final batch, checked against the Inbox's stored hash.
    /// @return hash The header hash.
    function _checkBatch(BatchLib.BatchHeader calldata h) internal view returns (bytes32 hash) {
        _checkChallengeable(h.index);
        hash = BatchLib.hashCalldata(h);
        bytes32 stored = IInbox(inbox).headerHash(h.index);
        // INVARIANT: the header is the one L1 stored for its index.
        if (stored != hash) revert HeaderMismatch(h.index, stored, hash);
    }

    /// @notice {_checkBatch} for a header held in memory (for instance decoded from a proof).
    function _checkBatchMemory(BatchLib.BatchHeader memory h) internal view returns (bytes32 hash) {
        _checkChallengeable(h.index);
        hash = BatchLib.hash(h);
        bytes32 stored = IInbox(inbox).headerHash(h.index);
        // INVARIANT: the header is the one L1 stored for its index.
        if (stored != hash) revert HeaderMismatch(h.index, stored, hash);
    }

    /// @notice The shared penalty path: rolls back batch `batchIndex` and every later one, rewarding msg.sender.
    function _settle(uint256 batchIndex, uint8 kind) internal {
        emit FraudProven(batchIndex, msg.sender, kind);
        IInbox(inbox).rollback(batchIndex, msg.sender, kind);
    }

    /// @notice True iff `reason` is revert data with a custom-error selector, i.e. the decoder itself
    ///         refused. An out-of-gas (empty data), a panic or a string error never counts, so the proof
    ///         cannot be made to succeed by starving the call of gas (63/64 rule).
    function _isDecoderError(bytes memory reason) internal pure returns (bool) {
        if (reason.length < 4) return false;
        bytes4 sel = bytes4(reason);
        return sel != bytes4(0x4e487b71) && sel != bytes4(0x08c379a0);
    }

    function _checkChallengeable(uint256 index) private view {
        uint256 n = IInbox(inbox).batchCount();
        // INVARIANT: the batch is live.
        if (index >= n) revert BatchNotLive(index, n);
        // INVARIANT: the batch is still in its challenge window.
        if (IInbox(inbox).isFinal(index)) revert BatchIsFinal(index);
    }
}
