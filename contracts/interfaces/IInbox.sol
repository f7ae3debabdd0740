// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BatchLib} from "../lib/BatchLib.sol";

/// @title FaultKind
/// @notice The fraud-proof kinds of docs/protocol.md §9, numbered in the order of core/errors.ts `FaultKind`.
library FaultKind {
    uint8 internal constant MALFORMED = 0;
    uint8 internal constant SIGNATURE = 1;
    uint8 internal constant INPUT = 2;
    uint8 internal constant DOUBLE_USE = 3;
    uint8 internal constant DEPOSIT = 4;
    uint8 internal constant RULES = 5;
    uint8 internal constant EXECUTION = 6;
    uint8 internal constant DATA = 7;
    /// @notice The largest valid kind.
    uint8 internal constant MAX = 7;
}

/// @title DataSource
/// @notice Where the data of an appended batch is on L1 (docs/protocol.md §11.2), as {IInbox.BatchAppended} says.
library DataSource {
    /// @notice The `data` argument of the L1 transaction's own calldata: `appendBatch(header, data)` called by the
    ///         transaction's sender directly (an externally owned account without code).
    uint8 internal constant CALLDATA = 0;
    /// @notice The {IInbox.BatchData} event of the same transaction with the same index and header hash
    ///         (`appendBatchFromContract`: Safes, smart accounts, proxies).
    uint8 internal constant EVENT = 1;
    /// @notice The one blob of the same L1 transaction (`appendBatchBlob`): the batch data packed 31 bytes per
    ///         field element (§14.5), read by the blob's versioned hash, `header.dataHash`.
    uint8 internal constant BLOB = 2;
}

/// @title IInbox
/// @notice The batch inbox of docs/protocol.md §11.2: poster bonds, the chain of batch commitments, finality,
///         and the one penalty path (rollback) that the fraud provers call.
interface IInbox {
    /// @notice What L1 records for a live batch (the header itself lives in calldata and in {BatchAppended}).
    /// @param headerHash   BatchLib.hash of the header.
    /// @param firstSeq     Seq of the batch's first transaction.
    /// @param txCount      Number of transactions (1..2^16).
    /// @param depositStart First deposit queue index consumed.
    /// @param depositEnd   One past the last deposit consumed.
    /// @param timestamp    The header's L2 timestamp.
    /// @param poster       Who posted it (the bond at stake).
    /// @param postedAt     L1 block timestamp when it was posted (finality counts from here).
    struct BatchRecord {
        bytes32 headerHash;
        uint64 firstSeq;
        uint24 txCount;
        uint64 depositStart;
        uint64 depositEnd;
        uint40 timestamp;
        address poster;
        uint40 postedAt;
    }

    // ---------------------------------------------------------------------------------------- events

    /// @notice `poster` added `amount` to its bond, now `total`.
    event Bonded(address indexed poster, uint256 amount, uint256 total);
    /// @notice `poster` withdrew `amount`, all of its bond that no live, non-final batch locked.
    event Unbonded(address indexed poster, uint256 amount);
    /// @notice Batch `index` was appended; `header` is exactly the header whose hash L1 stores; `dataSource`
    ///         ({DataSource}) says where its data is: the calldata of this L1 transaction (`appendBatch`), the
    ///         {BatchData} event just before this one (`appendBatchFromContract`) or this transaction's blob
    ///         (`appendBatchBlob`).
    event BatchAppended(
        uint256 indexed index,
        bytes32 indexed headerHash,
        address indexed poster,
        BatchLib.BatchHeader header,
        uint8 dataSource
    );
    /// @notice The data of batch `index` (header hash `headerHash`), logged by `appendBatchFromContract`.
    event BatchData(uint256 indexed index, bytes32 indexed headerHash, bytes data);
    /// @notice Batches `index … index+removedCount−1` were deleted after a successful fraud proof of `kind`
    ///         against batch `index`; `reward` went to `challenger`, `burned` to 0x…dEaD.
    event BatchesRolledBack(
        uint256 indexed index,
        uint256 removedCount,
        address indexed challenger,
        uint8 indexed kind,
        uint256 reward,
        uint256 burned
    );
    /// @notice `poster`'s bond lost `amount` for batch `index`; `remaining` is left.
    event BondSlashed(address indexed poster, uint256 indexed index, uint256 amount, uint256 remaining);
    /// @notice The fraud provers were registered (once, by the deployer); no further change is possible.
    event ProversSet(address[] provers);
    /// @notice The dispute game was registered (once, by the deployer): it rolls back like a prover and holds
    ///         batches with open games non-final.
    event GameSet(address game);
    /// @notice The compressed items' dictionary was bound (once, by the deployer, before any batch): `holder`'s code
    ///         after its leading 0x00 byte (docs/protocol.md §7.7).
    event DictionarySet(address holder);

    // ---------------------------------------------------------------------------------------- errors

    /// @notice A zero or out-of-range constructor parameter.
    error InvalidParameter(string name);
    /// @notice Only the deployer may do this.
    error NotDeployer(address caller);
    /// @notice The provers were already registered.
    error ProversLocked();
    /// @notice An empty prover list, a prover without code, or one listed twice.
    error InvalidProver(address prover);
    /// @notice Only a registered fraud prover may roll back.
    error NotProver(address caller);
    /// @notice `bond()` without value.
    error ZeroValue();
    /// @notice The poster's free bond (not locked by its live, non-final batches) is below `bondSize`.
    error NotBonded(address poster, uint256 freeBond, uint256 required);
    /// @notice The caller has no bond to withdraw.
    error NothingToUnbond();
    /// @notice All of the caller's bond is locked; its oldest locking batch `index` is final at `finalAt`.
    error BondLocked(uint256 index, uint256 finalAt);
    /// @notice `appendBatch` called by a contract, or by an account with code (EIP-7702), or not as the L1
    ///         transaction itself: its data would not be in the transaction's calldata. Use `appendBatchFromContract`.
    error NotDirectCall(address caller);
    /// @notice An ether transfer failed.
    error TransferFailed(address to, uint256 amount);
    /// @notice header.index is not the number of live batches.
    error WrongIndex(uint256 expected, uint256 given);
    /// @notice header.parent is not the hash of the last live header: another batch got in first; re-read the tip.
    error ParentNotTip(bytes32 expected, bytes32 given);
    /// @notice header.firstSeq is not the next seq.
    error WrongFirstSeq(uint256 expected, uint256 given);
    /// @notice header.number is not header.index + 1.
    error WrongNumber(uint256 expected, uint256 given);
    /// @notice header.timestamp is before the previous batch's.
    error TimestampBeforeParent(uint256 parentTimestamp, uint256 given);
    /// @notice header.timestamp is after the L1 block's.
    error TimestampInFuture(uint256 blockTimestamp, uint256 given);
    /// @notice header.txCount is not the number of transactions in the data.
    error TxCountMismatch(uint256 header, uint256 data);
    /// @notice The batch has no transaction.
    error EmptyBatch();
    /// @notice header.txRoot is not the Merkle root L1 computes from the data.
    error TxRootMismatch(bytes32 computed, bytes32 given);
    /// @notice header.dataHash is not the hash L1 computes from the data.
    error DataHashMismatch(bytes32 computed, bytes32 given);
    /// @notice header.depositStart is not the first deposit not yet consumed.
    error WrongDepositStart(uint256 expected, uint256 given);
    /// @notice The deposit range is reversed or reaches past the queue.
    error BadDepositRange(uint256 start, uint256 end, uint256 queueLength);
    /// @notice The batch has fewer transactions than the deposits it claims to consume.
    error TooFewTxsForDeposits(uint256 txCount, uint256 deposits);
    /// @notice Deposit `index` is left out of a batch holding fewer than `maxDepositsPerBatch` deposits, but is
    ///         older than the inclusion delay (forced inclusion).
    error DepositOverdue(uint256 index);
    /// @notice The batch consumes `count` deposits, more than `maxDepositsPerBatch`.
    error TooManyDeposits(uint256 count, uint256 max);
    /// @notice header.baseFee is not the base fee L1 computes from the parent batch (§7.5).
    error WrongBaseFee(uint256 expected, uint256 given);
    /// @notice header.l1BaseFee or header.l1BlobBaseFee exceeds the appending block's base fee or blob base fee, or
    ///         2^128 − 1 (§6.6, §11.2): `which` 0 the base fee, 1 the blob base fee.
    error L1PriceTooHigh(uint256 which, uint256 limit, uint256 given);
    /// @notice Batch `index` is not live (never posted or rolled back); `count` batches are live.
    error BatchNotLive(uint256 index, uint256 count);
    /// @notice Batch `index` is final and can no longer be rolled back.
    error BatchIsFinal(uint256 index);
    /// @notice A fault kind outside 0..FaultKind.MAX.
    error UnknownKind(uint8 kind);
    /// @notice `appendBatchBlob` in an L1 transaction without exactly one blob whose versioned hash is
    ///         header.dataHash (`blobHash0`, `blobHash1`: the transaction's first two, zero if absent).
    error WrongBlob(bytes32 blobHash0, bytes32 blobHash1, bytes32 dataHash);
    /// @notice `appendBatchBlob` declaring a transaction count outside 1..MAX_BLOB_TXS (4,096) or more than the batch gas limit.
    error BadDeclaration(uint256 txCount, uint256 gas);

    // ---------------------------------------------------------------------------------------- parameters

    /// @notice The bridge whose deposit queue batches consume.
    function bridge() external view returns (address);
    /// @notice Chain id of the rollup.
    function l2ChainId() external view returns (uint256);
    /// @notice Bond needed to post, and slashed per proven batch (wei).
    function bondSize() external view returns (uint256);
    /// @notice Seconds after posting until a batch is final.
    function challengeWindow() external view returns (uint256);
    /// @notice Seconds after which a deposit must be included (forced inclusion).
    function inclusionDelay() external view returns (uint256);
    /// @notice Share of a slashed bond paid to the challenger, in basis points.
    function rewardBps() external view returns (uint256);
    /// @notice Most deposits one batch consumes; a batch holding fewer must leave no overdue deposit out.
    function maxDepositsPerBatch() external view returns (uint256);
    /// @notice Lowest L2 base fee, and batch 0's (wei per gas).
    function minBaseFee() external view returns (uint256);
    /// @notice Merkle root of the genesis allocation's leaves (protocol.md §7.6).
    function genesisRoot() external view returns (bytes32);
    /// @notice Number of leaves of the genesis allocation (keys genesis sets to a nonzero value).
    function genesisCount() external view returns (uint256);
    /// @notice L1 block in which the inbox was deployed (where watchers start scanning).
    function deployedAtBlock() external view returns (uint256);

    // ---------------------------------------------------------------------------------------- bonds

    /// @notice Adds msg.value to the caller's bond.
    function bond() external payable;
    /// @notice Returns the caller's free bond: all of it that no live, non-final batch of the caller locks.
    function unbond() external;
    /// @notice Current bond of `poster` (free and locked).
    function bondOf(address poster) external view returns (uint256);
    /// @notice The part of `poster`'s bond locked by its live, non-final batches (`bondSize` each).
    function lockedBondOf(address poster) external view returns (uint256);
    /// @notice The part of `poster`'s bond it may post with or withdraw.
    function freeBondOf(address poster) external view returns (uint256);

    // ---------------------------------------------------------------------------------------- batches

    /// @notice Appends batch `h` with its data (§11.2); reverts unless every check holds. Only for an externally
    ///         owned account calling the Inbox as its L1 transaction (nodes read `data` from that calldata).
    ///         Data that does not parse as batch data, or breaks a limit of §5.5 or §7.5 (data size,
    ///         transaction size, declared gas), reverts with `DecodeError(code, offset)` of
    ///         contracts/lib/Reader.sol (raised inside BatchLib, so it is not in this contract's ABI).
    function appendBatch(BatchLib.BatchHeader calldata h, bytes calldata data) external;
    /// @notice {appendBatch} for any caller (a Safe, a smart account, a proxy): the same checks, and the data is
    ///         logged in {BatchData}.
    function appendBatchFromContract(BatchLib.BatchHeader calldata h, bytes calldata data) external;
    /// @notice Appends batch `h` whose data is this L1 transaction's one blob (§14.5): `header.dataHash` is the blob's
    ///         versioned hash, and the poster declares what L1 cannot compute from a blob: `header.txCount`,
    ///         `header.txRoot` and `gas`, the gas the transactions declare together (what the next base fee is
    ///         computed from). Every other check of {appendBatch}; a wrong declaration is a `data` fault
    ///         (contracts/fraud/DataProver.sol). Any caller.
    function appendBatchBlob(BatchLib.BatchHeader calldata h, uint256 gas) external;
    /// @notice The base fee the next batch's header must carry (§7.5).
    function nextBaseFee() external view returns (uint256);
    /// @notice The gas the transactions of live batch `index` declare, and its base fee (reverts if not live).
    function batchGas(uint256 index) external view returns (uint256 gas, uint256 baseFee);
    /// @notice Number of live batches (the next batch's index).
    function batchCount() external view returns (uint256);
    /// @notice Seq of the next batch's first transaction (1 before batch 0).
    function nextSeq() external view returns (uint256);
    /// @notice First deposit queue index not consumed by a live batch.
    function depositCursor() external view returns (uint256);
    /// @notice Hash of the last live header (ZERO if none): the next batch's parent.
    function tipHash() external view returns (bytes32);
    /// @notice Everything a coordinator needs to build the next header.
    function tip()
        external
        view
        returns (uint256 index, bytes32 parent, uint256 firstSeq, uint256 depositStart, uint256 minTimestamp);
    /// @notice Record of live batch `index` (reverts if not live).
    function batch(uint256 index) external view returns (BatchRecord memory);
    /// @notice Header hash of live batch `index` (reverts if not live).
    function headerHash(uint256 index) external view returns (bytes32);
    /// @notice Whether batch `index` is live, its challenge window has passed, and no open dispute game holds it or an
    ///         earlier batch.
    function isFinal(uint256 index) external view returns (bool);

    // ---------------------------------------------------------------------------------------- provers

    /// @notice Registers the fraud provers; deployer only, once.
    function setProvers(address[] calldata provers) external;
    /// @notice Whether the provers were registered.
    function proversLocked() external view returns (bool);
    /// @notice Whether `account` is a registered fraud prover.
    function isProver(address account) external view returns (bool);
    /// @notice Registers the dispute game (docs/protocol.md §11.5), also as a prover; deployer only, once, before
    ///         `setProvers`.
    function setGame(address game) external;
    /// @notice The dispute game (zero if none): a batch it holds (IFinalityHold.heldFrom ≤ index) is not final.
    function game() external view returns (address);
    /// @notice Binds the dictionary of compressed items (docs/protocol.md §7.7) to `holder`'s code after its leading
    ///         0x00 byte (at most 8,192 bytes); deployer only, once, before any batch and before `setProvers`.
    function setDictionary(address holder) external;
    /// @notice The contract holding the dictionary of compressed items (zero: the empty dictionary).
    function dictionary() external view returns (address);
    /// @notice The one penalty path: deletes live, non-final batch `index` and every later one, slashes the bond
    ///         that batch locked, rewards `challenger`. Registered provers only.
    function rollback(uint256 index, address challenger, uint8 kind) external;
}
