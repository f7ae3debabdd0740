// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Domains
/// @notice Domain tags of docs/protocol.md §2.1. Every protocol hash is keccak256(tag || payload) with
///         tag = keccak256(utf8(name)); twin of core/hash.ts (checked against test/vectors/hashes.json).
/// @dev The exceptions (Ethereum's own hashes) carry no tag: a wrapped transaction's id is keccak(raw),
///      code hashes are keccak(code).
library Domains {
    /// @notice Transaction Merkle leaf: keccak(TX_LEAF || bytes8(declared gas) || encoding).
    bytes32 internal constant TX_LEAF = keccak256("moveset/tx-leaf/v2");
    /// @notice Merkle inner node: keccak(MERKLE_NODE || left || right) (ZERO when both are ZERO).
    bytes32 internal constant MERKLE_NODE = keccak256("moveset/merkle-node/v1");
    /// @notice Root of the empty tree (the tag itself is the root).
    bytes32 internal constant MERKLE_EMPTY = keccak256("moveset/merkle-empty/v1");
    /// @notice Move-transaction sighash.
    bytes32 internal constant SIGHASH = keccak256("moveset/sighash/v1");
    /// @notice Signed part of one move.
    bytes32 internal constant MOVE_SIG = keccak256("moveset/move-sig/v1");
    /// @notice Move-transaction id.
    bytes32 internal constant MOVE_TXID = keccak256("moveset/move-txid/v1");
    /// @notice Deposit transaction id.
    bytes32 internal constant DEPOSIT_ID = keccak256("moveset/deposit-id/v1");
    /// @notice L1 deposit queue entry.
    bytes32 internal constant DEPOSIT_ENTRY = keccak256("moveset/deposit-entry/v1");
    /// @notice Batch header.
    bytes32 internal constant BATCH_HEADER = keccak256("moveset/batch-header/v1");
    /// @notice Batch data.
    bytes32 internal constant BATCH_DATA = keccak256("moveset/batch-data/v1");
    /// @notice Leaf of the genesis allocation: keccak(GENESIS_LEAF || key bytes (53) || bytes32(value)).
    bytes32 internal constant GENESIS_LEAF = keccak256("moveset/genesis-leaf/v1");
}
