// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BatchLib} from "./lib/BatchLib.sol";
import {Merkle} from "./lib/Merkle.sol";
import {MoveLib} from "./lib/MoveLib.sol";
import {TxCodec} from "./lib/TxCodec.sol";
import {Flz} from "./lib/Flz.sol";
import {IBridge} from "./interfaces/IBridge.sol";
import {IInbox} from "./interfaces/IInbox.sol";

/// @title Bridge
/// @notice The L1 side of moving ether in and out of the rollup (docs/protocol.md §11.3).
///         Deposits: `deposit(to)` appends an entry to the queue; batches consume the queue in order, each
///         deposit becoming a deposit transaction, and the Inbox refuses a batch that leaves out a deposit older
///         than the inclusion delay. Withdrawals: an L2 transaction's withdrawal output `(w, recipient, seq)` is
///         paid here once its batch is final, on a Merkle proof that the transaction is in the batch.
/// @dev The bridge holds every deposited wei; withdrawals pay out of it.
contract Bridge is IBridge {
    /// @inheritdoc IBridge
    bytes32 public constant override DEPOSIT_ENTRY_TAG = keccak256("moveset/deposit-entry/v1");

    /// @notice L2 addresses that are not accounts (protocol.md §6.5): ether credited to them is never spendable.
    address internal constant FEE_VAULT = 0xfEE0000000000000000000000000000000000000;
    address internal constant WITHDRAWAL_VAULT = 0x7700000000000000000000000000000000000000;

    /// @notice The only account that may bind the inbox (once).
    address public immutable deployer;
    /// @inheritdoc IBridge
    uint256 public immutable override deployedAtBlock;
    /// @inheritdoc IBridge
    address public override inbox;

    /// @dev Entry hashes; the length is the queue length.
    bytes32[] private _hashes;
    /// @dev Queue times, four uint64 per word: entry i is bits [64*(i%4), +64) of word i/4.
    mapping(uint256 => uint256) private _timeWords;
    /// @inheritdoc IBridge
    mapping(uint256 => bool) public override claimed;

    constructor() {
        deployer = msg.sender;
        deployedAtBlock = block.number;
    }

    /// @notice Binds the inbox whose final batches pay withdrawals; deployer only, once.
    /// @dev The inbox is deployed after the bridge (it needs the bridge's address), hence this one-time step.
    function setInbox(address inbox_) external {
        // INVARIANT: only the deployer binds the inbox.
        if (msg.sender != deployer) revert NotDeployer(msg.sender);
        // INVARIANT: the inbox is bound once, to a nonzero address.
        if (inbox != address(0) || inbox_ == address(0)) revert InboxAlreadySet();
        inbox = inbox_;
        emit InboxSet(inbox_);
    }

    // ================================================================================================ deposits

    /// @inheritdoc IBridge
    function deposit(address to) external payable override returns (uint256 index) {
        // INVARIANT: a deposit carries value.
        if (msg.value == 0) revert ZeroValue();
        // INVARIANT: the recipient can spend on L2 what it receives.
        if (uint160(to) <= 0x0a || to == FEE_VAULT || to == WITHDRAWAL_VAULT) revert UnusableRecipient(to);
        index = _hashes.length;
        bytes32 h = keccak256(abi.encodePacked(DEPOSIT_ENTRY_TAG, abi.encode(index, msg.sender, to, msg.value)));
        _hashes.push(h);
        uint256 shift = (index & 3) << 6;
        if (shift == 0) {
            _timeWords[index >> 2] = block.timestamp;
        } else {
            _timeWords[index >> 2] |= block.timestamp << shift;
        }
        emit Deposited(index, msg.sender, to, msg.value, h, block.timestamp);
    }

    /// @inheritdoc IBridge
    function depositCount() external view override returns (uint256) {
        return _hashes.length;
    }

    /// @inheritdoc IBridge
    function depositHash(uint256 index) external view override returns (bytes32) {
        _requireDeposit(index);
        return _hashes[index];
    }

    /// @inheritdoc IBridge
    function depositTime(uint256 index) external view override returns (uint256) {
        _requireDeposit(index);
        return _time(index);
    }

    /// @inheritdoc IBridge
    function depositQueueInfo(uint256 index) external view override returns (uint256 length, uint256 timeOfIndex) {
        length = _hashes.length;
        if (index < length) timeOfIndex = _time(index);
    }

    // ================================================================================================ withdrawals

    /// @inheritdoc IBridge
    /// @dev Anyone may claim; the ether goes to the output's recipient. `encodedTx` is the item as posted (§7.7); a
    ///      transaction that does not expand or decode reverts with the decoder's DecodeError.
    function claimWithdrawal(
        BatchLib.BatchHeader calldata header,
        uint256 txIndex,
        uint64 gas,
        bytes calldata encodedTx,
        bytes32[] calldata proof
    ) external override {
        (uint256 seq, bytes memory enc) = _checkFinalInclusion(header, txIndex, gas, encodedTx, proof);
        // INVARIANT: each withdrawal is paid once.
        if (claimed[seq]) revert AlreadyClaimed(seq);
        // The transaction's encoding: a compressed item expanded with the deployment's dictionary (§7.7).
        (address recipient, uint256 amount) = _withdrawalOutput(Flz.expandFrom(enc, IInbox(inbox).dictionary()), seq);
        // INVARIANT: the transaction creates a withdrawal output.
        if (amount == 0) revert NoWithdrawal(seq);
        claimed[seq] = true;
        emit WithdrawalClaimed(seq, recipient, amount, header.index, txIndex);
        (bool ok,) = recipient.call{value: amount}("");
        // INVARIANT: the payment arrives (else nothing changes and the claim can be retried).
        if (!ok) revert TransferFailed(recipient, amount);
    }

    /// @dev Checks that `tx`, declaring `gas`, is transaction `txIndex` of a final batch whose header is `header`;
    ///      returns its seq and the transaction copied to memory.
    function _checkFinalInclusion(
        BatchLib.BatchHeader calldata header,
        uint256 txIndex,
        uint64 gas,
        bytes calldata encodedTx,
        bytes32[] calldata proof
    ) private view returns (uint256 seq, bytes memory enc) {
        _checkFinalHeader(header);
        bytes32 leaf;
        (leaf, enc) = BatchLib.loadLeaf(gas, encodedTx);
        // INVARIANT: tx is leaf txIndex of header.txRoot (so txIndex < txCount).
        if (!Merkle.verifyCalldata(header.txRoot, leaf, txIndex, header.txCount, proof)) {
            revert NotInBatch(header.index, txIndex);
        }
        seq = header.firstSeq + txIndex;
    }

    /// @dev Checks that `header` is the stored header of a final batch.
    function _checkFinalHeader(BatchLib.BatchHeader calldata header) private view {
        address inbox_ = inbox;
        // INVARIANT: the inbox is bound.
        if (inbox_ == address(0)) revert InboxNotSet();
        uint256 bi = header.index;
        // INVARIANT: the batch is final (live, and its challenge window has passed).
        if (!IInbox(inbox_).isFinal(bi)) revert BatchNotFinal(bi);
        bytes32 stored = IInbox(inbox_).headerHash(bi);
        bytes32 given = BatchLib.hashCalldata(header);
        // INVARIANT: the header is the batch's stored header.
        if (stored != given) revert HeaderMismatch(bi, stored, given);
    }

    /// @notice Withdrawal hook: the withdrawal output `(w, recipient, seq)` that transaction `encodedTx` (at seq `seq`)
    ///         creates, as (recipient, amount); (0, 0) if it creates none.
    /// @dev Decodes with contracts/lib/TxCodec.sol. The batch is final, so the transaction is valid: its only
    ///      possible withdrawal output is a fresh consuming move of its sender's key at its own seq.
    function _withdrawalOutput(bytes memory encodedTx, uint256 seq) internal pure returns (address, uint256) {
        TxCodec.Tx memory t = TxCodec.decode(encodedTx);
        MoveLib.Move[] memory moves = t.moves;
        for (uint256 i = 0; i < moves.length; ++i) {
            MoveLib.Move memory m = moves[i];
            if (m.mark == MoveLib.MARK_WITHDRAWAL && m.slot == seq && !m.ref) return (m.addr, m.next);
        }
        return (address(0), 0);
    }

    // ================================================================================================ internals

    function _time(uint256 index) private view returns (uint256) {
        return uint64(_timeWords[index >> 2] >> ((index & 3) << 6));
    }

    function _requireDeposit(uint256 index) private view {
        uint256 n = _hashes.length;
        // INVARIANT: the deposit exists.
        if (index >= n) revert NoSuchDeposit(index, n);
    }
}
