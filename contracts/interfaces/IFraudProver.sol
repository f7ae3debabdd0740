// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IFraudProver
/// @notice What every per-kind fraud prover (contracts/fraud/) shares: commit-then-reveal against
///         front-running (docs/protocol.md §11.4).
interface IFraudProver {
    /// @notice `challenger` committed `commitment` in block `blockNumber`.
    event Committed(address indexed challenger, bytes32 indexed commitment, uint256 blockNumber);
    /// @notice `challenger` revealed (and consumed) `commitment`, a commitment to the proof with hash `proofHash`.
    event Revealed(address indexed challenger, bytes32 indexed commitment, bytes32 proofHash);
    /// @notice `challenger` proved batch `batchIndex` fraudulent (kind `kind`).
    event FraudProven(uint256 indexed batchIndex, address indexed challenger, uint8 indexed kind);

    /// @notice The zero commitment.
    error ZeroCommitment();
    /// @notice The caller already holds this commitment.
    error AlreadyCommitted(bytes32 commitment);
    /// @notice The caller holds no such commitment (never committed, someone else's, or already consumed).
    error NotCommitted(address challenger, bytes32 commitment);
    /// @notice The commitment was made in this block; reveal from the next one.
    error RevealTooEarly(bytes32 commitment, uint256 committedAt);
    /// @notice The header does not hash to the stored header hash of its batch.
    error HeaderMismatch(uint256 index, bytes32 stored, bytes32 given);
    /// @notice The batch is not live.
    error BatchNotLive(uint256 index, uint256 count);
    /// @notice The batch is final.
    error BatchIsFinal(uint256 index);

    /// @notice The inbox this prover rolls back.
    function inbox() external view returns (address);
    /// @notice Records `commitment` = keccak256(abi.encode(msg.sender, keccak256(proof), salt)) for the caller.
    function commit(bytes32 commitment) external;
    /// @notice Block in which `challenger` committed `commitment` (0 if it holds none).
    function committedAt(address challenger, bytes32 commitment) external view returns (uint256);
    /// @notice The commitment `challenger` must make for a proof with hash `proofHash` and `salt`.
    function commitmentFor(address challenger, bytes32 proofHash, bytes32 salt) external pure returns (bytes32);
}
