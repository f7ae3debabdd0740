// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BatchLib} from "../lib/BatchLib.sol";

/// @title IBridge
/// @notice The L1 bridge of docs/protocol.md §11.3: the deposit queue that batches consume in order, and
///         withdrawals paid on an inclusion proof once their batch is final.
interface IBridge {
    /// @notice Deposit queue entry `index`: `value` wei from L1 `from` to L2 `to`, queued at L1 time `time`.
    ///         `entryHash` = keccak(tag(deposit-entry) || abi.encode(index, from, to, value)).
    event Deposited(
        uint256 indexed index, address indexed from, address indexed to, uint256 value, bytes32 entryHash, uint256 time
    );
    /// @notice The inbox was bound (once, by the deployer).
    event InboxSet(address inbox);
    /// @notice The withdrawal output of the transaction with seq `seq` paid `amount` wei to `recipient`.
    event WithdrawalClaimed(
        uint256 indexed seq, address indexed recipient, uint256 amount, uint256 indexed batchIndex, uint256 txIndex
    );

    /// @notice Only the deployer may do this.
    error NotDeployer(address caller);
    /// @notice The inbox was already bound, or is the zero address.
    error InboxAlreadySet();
    /// @notice The inbox is not bound yet.
    error InboxNotSet();
    /// @notice A deposit without value.
    error ZeroValue();
    /// @notice The deposit's L2 recipient can never move what it receives: the zero address, a precompile
    ///         (0x01–0x0a), the fee vault or the withdrawal vault (protocol.md §11.3).
    error UnusableRecipient(address to);
    /// @notice Deposit `index` does not exist.
    error NoSuchDeposit(uint256 index, uint256 count);
    /// @notice The batch is not (yet) final.
    error BatchNotFinal(uint256 index);
    /// @notice The header does not hash to the stored header hash of its batch.
    error HeaderMismatch(uint256 index, bytes32 stored, bytes32 given);
    /// @notice `tx` is not leaf `txIndex` of the header's txRoot.
    error NotInBatch(uint256 index, uint256 txIndex);
    /// @notice The withdrawal of seq `seq` was already paid.
    error AlreadyClaimed(uint256 seq);
    /// @notice The transaction with seq `seq` creates no withdrawal output.
    error NoWithdrawal(uint256 seq);
    /// @notice An ether transfer failed.
    error TransferFailed(address to, uint256 amount);

    /// @notice Domain tag of deposit queue entries, keccak256("moveset/deposit-entry/v1").
    function DEPOSIT_ENTRY_TAG() external view returns (bytes32);
    /// @notice The inbox (finality and header hashes for withdrawals).
    function inbox() external view returns (address);
    /// @notice L1 block in which the bridge was deployed.
    function deployedAtBlock() external view returns (uint256);

    /// @notice Queues a deposit of msg.value wei to L2 address `to`; returns its queue index.
    function deposit(address to) external payable returns (uint256 index);
    /// @notice Length of the deposit queue.
    function depositCount() external view returns (uint256);
    /// @notice Entry hash of deposit `index`.
    function depositHash(uint256 index) external view returns (bytes32);
    /// @notice L1 time at which deposit `index` was queued.
    function depositTime(uint256 index) external view returns (uint256);
    /// @notice The queue length and the time of deposit `index` (0 if `index` ≥ length), in one call: what
    ///         the inbox needs for forced inclusion.
    function depositQueueInfo(uint256 index) external view returns (uint256 length, uint256 timeOfIndex);

    /// @notice Pays the withdrawal output of transaction `txIndex` of a final batch (§11.3); `gas` is the gas the
    ///         batch declares for it (its leaf commits to it).
    function claimWithdrawal(
        BatchLib.BatchHeader calldata header,
        uint256 txIndex,
        uint64 gas,
        bytes calldata encodedTx,
        bytes32[] calldata proof
    ) external;
    /// @notice Whether the withdrawal of seq `seq` was paid.
    function claimed(uint256 seq) external view returns (bool);
}
