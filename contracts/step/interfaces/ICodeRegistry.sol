// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BatchLib} from "../../lib/BatchLib.sol";
import {TxProof} from "../../fraud/TxProver.sol";

/// @title ICodeRegistry
/// @notice The content-addressed code registry the one-step verifier reads code from (contracts/step/CodeRegistry.sol).
interface ICodeRegistry {
    /// @notice A transaction of a live batch whose witness carries the code. `headerHash` pins the batch: the
    ///         carrier is live while the Inbox still holds that header at `batchIndex`.
    struct Carrier {
        uint64 seq;
        uint64 batchIndex;
        bytes32 headerHash;
    }

    event DataCreated(bytes32 indexed codeHash, uint256 index, address data);
    event CodeRegistered(bytes32 indexed codeHash, uint256 size);
    event CarrierRegistered(bytes32 indexed codeHash, uint256 seq, uint256 batchIndex);

    /// @notice The inbox address is not a contract.
    error BadInbox(address inbox);
    /// @notice Code of size 0 or over the limit.
    error BadSize(uint256 size);
    /// @notice The code has no such piece, or its bitmap piece comes before the previous one.
    error NoSuchPiece(uint256 piece);
    /// @notice A data contract could not be created.
    error DeployFailed();
    /// @notice The batch is not live, or the header is not its stored one.
    error NotLive(uint256 batchIndex);
    /// @notice The transaction is not leaf `txIndex` of the batch.
    error NotInBatch(uint256 batchIndex, uint256 txIndex);
    /// @notice The transaction's witness has no blob at this index.
    error NoSuchBlob(uint256 blobIndex);

    /// @notice The Inbox whose batches carriers are checked against.
    function inbox() external view returns (address);

    /// @notice Creates one piece of code `bytes_` unless it exists, so that the largest code can be registered over
    ///         several transactions: part i (piece i, the 24,568 bytes from 24,568 i) or part i's jump-destination
    ///         bitmap (piece 128 + i, which needs part i − 1's bitmap). Returns keccak256(bytes_).
    function stage(bytes calldata bytes_, uint256 piece) external returns (bytes32 codeHash);

    /// @notice Registers code (1 … 49,152 bytes) under keccak256(code): creates its missing parts and bitmaps, then
    ///         its meta data contract (its size). Idempotent.
    function register(bytes calldata bytes_) external returns (bytes32 codeHash);

    /// @notice Whether code with this hash is registered.
    function isRegistered(bytes32 codeHash) external view returns (bool);

    /// @notice The address of data contract `index` of a code (parts 0–2, bitmaps 128–130, meta 255), registered
    ///         or not.
    function dataAddress(bytes32 codeHash, uint256 index) external view returns (address);

    /// @notice Shows that blob `blobIndex` of the witness of transaction `p.tx` (leaf `p.txIndex` of live batch `h`,
    ///         declaring gas `p.gas`, protocol.md §5.6) carries a code; kept if no live carrier of that code has a seq
    ///         at most this one's. Returns the code's hash.
    function registerCarrier(BatchLib.BatchHeader calldata h, TxProof calldata p, uint256 blobIndex) external returns (bytes32 codeHash);

    /// @notice The stored carrier of a code and whether it is live.
    function carrier(bytes32 codeHash) external view returns (Carrier memory c, bool live);

    /// @notice Whether a live carrier with seq ≤ `seq` carries the code: the code is then available to the
    ///         transaction at `seq` by protocol.md §6.2 rules 1 and 3.
    function carriedBy(bytes32 codeHash, uint256 seq) external view returns (bool);
}
