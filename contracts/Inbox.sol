// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BatchLib} from "./lib/BatchLib.sol";
import {Flz} from "./lib/Flz.sol";
import {Domains} from "./lib/Domains.sol";
import {IInbox, FaultKind, DataSource} from "./interfaces/IInbox.sol";
import {IBridge} from "./interfaces/IBridge.sol";
import {IFinalityHold} from "./game/FinalityHolds.sol";

/// @title Inbox
/// @notice The chain of batch commitments of docs/protocol.md §11.2. Anyone bonded may append a batch on top of
///         the tip; L1 checks everything it can see (index, parent, seqs, number, timestamps, the data's
///         transaction root and hash, the deposit range and forced inclusion) and stores only the header hash
///         and a small record. A batch is final once `challengeWindow` has passed since it was posted. Until
///         then a registered fraud prover may roll it (and every later batch) back, slashing its poster.
/// @dev Live batches are exactly `[0, batchCount())`. A rollback only lowers the count, so it costs the same
///      however many batches it deletes; records past the count are dead and get overwritten by re-posts.
///      The tip (parent hash, next seq, deposit cursor, parent timestamp) is read from the last live record,
///      so a rollback needs no other bookkeeping.
///
///      Bonds: every live, non-final batch locks `bondSize` of its poster's bond; posting needs `bondSize` free,
///      a rollback of batch i slashes exactly the bond batch i locked, finality releases it. Locks are counted,
///      never stored: each poster keeps a list of the indices it posted (ascending, four per storage word) with
///      a `head` and a `len`. Entries below `head` are final; entries at or above `len` are gone. Between them,
///      the entries still the poster's live batches come first (a rollback deletes a suffix of the chain, hence
///      a suffix of the list), and among those the final ones come first (a batch is final only if its parent
///      is). So two bisections find the live, non-final entries, and a rollback releases the locks of the later
///      posters it deletes without touching them (lazy release: they are found gone on their next settle).
contract Inbox is IInbox {
    /// @notice Where the burned part of a slashed bond goes.
    address public constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;
    /// @notice Basis-point denominator.
    uint256 public constant BPS = 10_000;

    /// @inheritdoc IInbox
    address public immutable override bridge;
    /// @inheritdoc IInbox
    uint256 public immutable override l2ChainId;
    /// @inheritdoc IInbox
    uint256 public immutable override bondSize;
    /// @inheritdoc IInbox
    uint256 public immutable override challengeWindow;
    /// @inheritdoc IInbox
    uint256 public immutable override inclusionDelay;
    /// @inheritdoc IInbox
    uint256 public immutable override rewardBps;
    /// @inheritdoc IInbox
    uint256 public immutable override maxDepositsPerBatch;
    /// @notice Upper bound of `maxDepositsPerBatch` (docs/protocol.md §11.1): a batch of that many deposits stays
    ///         far below every batch limit.
    uint256 public constant MAX_DEPOSITS_PER_BATCH_CAP = 512;
    /// @inheritdoc IInbox
    uint256 public immutable override minBaseFee;
    /// @inheritdoc IInbox
    bytes32 public immutable override genesisRoot;
    /// @inheritdoc IInbox
    uint256 public immutable override genesisCount;
    /// @inheritdoc IInbox
    uint256 public immutable override deployedAtBlock;
    /// @notice The only account that may register the provers (once).
    address public immutable deployer;

    /// @dev One storage word per poster: its bond (free and locked) and its posting list's bounds (see above):
    ///      entries [0, head) are final, entries [len, …) are gone, entries [head, len) are yet to be settled.
    struct Poster {
        uint128 bond;
        uint64 head;
        uint64 len;
    }

    mapping(address => Poster) private _posters;
    /// @dev Posting lists: entry i of poster p is bits [64*(i%4), 64*(i%4)+64) of word i/4.
    mapping(address => mapping(uint256 => uint256)) private _postingWords;
    /// @dev Batch records by index; only indices below `_count` are live.
    mapping(uint256 => BatchRecord) private _batches;
    /// @dev Per batch index: its base fee (bits 64..191) and the gas its transactions declare (bits 0..63),
    ///      what the next batch's base fee is computed from (§7.5).
    mapping(uint256 => uint256) private _gasAndFee;
    uint256 private _count;

    /// @inheritdoc IInbox
    mapping(address => bool) public override isProver;
    /// @inheritdoc IInbox
    bool public override proversLocked;
    /// @inheritdoc IInbox
    address public override game;
    /// @inheritdoc IInbox
    address public override dictionary;

    /// @param bridge_          The Bridge holding the deposit queue.
    /// @param l2ChainId_       Chain id of the rollup (1 … 2^64−1, a varint in move transactions).
    /// @param bondSize_        Bond needed to post, slashed per proven batch (wei, nonzero).
    /// @param challengeWindow_ Seconds until a batch is final (nonzero).
    /// @param inclusionDelay_  Seconds after which a queued deposit must be included.
    /// @param rewardBps_       Share of a slashed bond paid to the challenger (≤ 10000).
    /// @param maxDepositsPerBatch_ Most deposits a batch consumes (1 … MAX_DEPOSITS_PER_BATCH_CAP).
    /// @param minBaseFee_      Lowest L2 base fee, and batch 0's (wei per gas, nonzero, §7.5).
    /// @param genesisRoot_     Merkle root of the genesis allocation's leaves (§7.6; tag(merkle-empty) for none).
    /// @param genesisCount_    Number of leaves of the genesis allocation.
    constructor(
        address bridge_,
        uint256 l2ChainId_,
        uint256 bondSize_,
        uint256 challengeWindow_,
        uint256 inclusionDelay_,
        uint256 rewardBps_,
        uint256 maxDepositsPerBatch_,
        uint256 minBaseFee_,
        bytes32 genesisRoot_,
        uint256 genesisCount_
    ) {
        // INVARIANT: the bridge is a deployed contract.
        if (bridge_.code.length == 0) revert InvalidParameter("bridge");
        // INVARIANT: the chain id is nonzero and fits the varint of a move transaction.
        if (l2ChainId_ == 0 || l2ChainId_ > type(uint64).max) revert InvalidParameter("l2ChainId");
        // INVARIANT: posting costs a bond, and bonds fit their 128-bit slot.
        if (bondSize_ == 0 || bondSize_ > type(uint128).max) revert InvalidParameter("bondSize");
        // INVARIANT: there is time to challenge, and postedAt + window cannot overflow.
        if (challengeWindow_ == 0 || challengeWindow_ > type(uint64).max) revert InvalidParameter("challengeWindow");
        // INVARIANT: deposit time + delay cannot overflow.
        if (inclusionDelay_ > type(uint64).max) revert InvalidParameter("inclusionDelay");
        // INVARIANT: the reward is a share of the slashed bond.
        if (rewardBps_ > BPS) revert InvalidParameter("rewardBps");
        // INVARIANT: a batch can consume deposits, and a batch of the most deposits fits every batch limit.
        if (maxDepositsPerBatch_ == 0 || maxDepositsPerBatch_ > MAX_DEPOSITS_PER_BATCH_CAP) {
            revert InvalidParameter("maxDepositsPerBatch");
        }
        // INVARIANT: L2 gas is never free, and the base fee rule stays below its saturation.
        if (minBaseFee_ == 0 || minBaseFee_ > BatchLib.MAX_BASE_FEE) revert InvalidParameter("minBaseFee");
        // INVARIANT: an empty allocation has the empty tree's root; a leaf count fits a Merkle index.
        if ((genesisCount_ == 0) != (genesisRoot_ == Domains.MERKLE_EMPTY) || genesisCount_ > type(uint64).max) revert InvalidParameter("genesis");
        bridge = bridge_;
        l2ChainId = l2ChainId_;
        bondSize = bondSize_;
        challengeWindow = challengeWindow_;
        inclusionDelay = inclusionDelay_;
        rewardBps = rewardBps_;
        maxDepositsPerBatch = maxDepositsPerBatch_;
        minBaseFee = minBaseFee_;
        genesisRoot = genesisRoot_;
        genesisCount = genesisCount_;
        deployer = msg.sender;
        deployedAtBlock = block.number;
    }

    // ================================================================================================ provers

    /// @inheritdoc IInbox
    /// @dev Until this is called nobody can roll back, so a deployment is trustless only after it.
    function setProvers(address[] calldata provers) external override {
        // INVARIANT: only the deployer registers provers.
        if (msg.sender != deployer) revert NotDeployer(msg.sender);
        // INVARIANT: provers are registered once, then locked for ever.
        if (proversLocked) revert ProversLocked();
        // INVARIANT: at least one prover (an empty list would lock out every fraud proof).
        if (provers.length == 0) revert InvalidProver(address(0));
        for (uint256 i = 0; i < provers.length; ++i) {
            address a = provers[i];
            // INVARIANT: a prover is a contract (never an account that could roll back at will), listed once.
            if (a.code.length == 0 || isProver[a]) revert InvalidProver(a);
            isProver[a] = true;
        }
        proversLocked = true;
        emit ProversSet(provers);
    }

    /// @inheritdoc IInbox
    /// @dev Before `setProvers`, so that a deployment is complete (and trustless) once the provers are locked.
    function setGame(address game_) external override {
        // INVARIANT: only the deployer registers the game.
        if (msg.sender != deployer) revert NotDeployer(msg.sender);
        // INVARIANT: the game is registered once, before the provers lock.
        if (proversLocked || game != address(0)) revert ProversLocked();
        // INVARIANT: the game is a contract.
        if (game_.code.length == 0) revert InvalidProver(game_);
        game = game_;
        isProver[game_] = true;
        emit GameSet(game_);
    }

    /// @inheritdoc IInbox
    /// @dev Before any batch, so every compressed item ever posted expands with the same dictionary, and before
    ///      `setProvers`, so the binding is part of the deployment (a provers' proof reads it from here).
    function setDictionary(address holder) external override {
        // INVARIANT: only the deployer binds the dictionary.
        if (msg.sender != deployer) revert NotDeployer(msg.sender);
        // INVARIANT: bound once, before the provers lock and before any batch.
        if (proversLocked || dictionary != address(0) || _count != 0) revert ProversLocked();
        bytes memory code = holder.code;
        // INVARIANT: the holder's code is 0x00 then at most 8,192 bytes of dictionary.
        if (code.length == 0 || code.length > Flz.MAX_DICT_BYTES + 1 || code[0] != 0) revert InvalidParameter("dictionary");
        dictionary = holder;
        emit DictionarySet(holder);
    }

    // ================================================================================================ bonds

    /// @inheritdoc IInbox
    function bond() external payable override {
        // INVARIANT: a bond deposit carries value.
        if (msg.value == 0) revert ZeroValue();
        Poster storage p = _posters[msg.sender];
        uint256 total = uint256(p.bond) + msg.value;
        // INVARIANT: the bond fits its 128-bit slot (more than all ether in existence).
        if (total > type(uint128).max) revert InvalidParameter("bond");
        p.bond = uint128(total);
        emit Bonded(msg.sender, msg.value, total);
    }

    /// @inheritdoc IInbox
    function unbond() external override {
        Poster storage p = _posters[msg.sender];
        (uint256 head, uint256 len) = _settle(msg.sender, p);
        uint256 held = p.bond;
        uint256 locked = (len - head) * bondSize;
        uint256 amount = held - locked;
        if (amount == 0) {
            // INVARIANT: there is a bond to return.
            if (locked == 0) revert NothingToUnbond();
            uint256 oldest = _postingAt(msg.sender, head);
            // INVARIANT: a locked bond stays until its batch is final (or rolled back).
            revert BondLocked(oldest, uint256(_batches[oldest].postedAt) + challengeWindow);
        }
        p.bond = uint128(locked);
        emit Unbonded(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @inheritdoc IInbox
    function bondOf(address poster) external view override returns (uint256) {
        return _posters[poster].bond;
    }

    /// @inheritdoc IInbox
    function lockedBondOf(address poster) public view override returns (uint256) {
        (uint256 head, uint256 len) = _settled(poster, _posters[poster]);
        return (len - head) * bondSize;
    }

    /// @inheritdoc IInbox
    function freeBondOf(address poster) external view override returns (uint256) {
        return _posters[poster].bond - lockedBondOf(poster);
    }

    /// @dev {_settled}, written back.
    function _settle(address poster, Poster storage p) private returns (uint256 head, uint256 len) {
        (head, len) = _settled(poster, p);
        p.head = uint64(head);
        p.len = uint64(len);
    }

    /// @dev The bounds of `poster`'s live, non-final entries: [head, len). Bisects the gone suffix (checking the
    ///      newest entry first, the common case being that it is live) and gallops over the newly final prefix
    ///      (checking the oldest unsettled entry first, the common case being that it is not final), so the cost
    ///      is logarithmic in the entries settled, never linear.
    function _settled(address poster, Poster storage p) private view returns (uint256 head, uint256 len) {
        head = p.head;
        len = p.len;
        uint256 n = _count;
        if (len > head && !_ownLive(poster, len - 1, n)) {
            // The first gone entry in [head, len − 1]: live entries first, then gone ones.
            uint256 lo = head;
            uint256 hi = len - 1;
            while (lo < hi) {
                uint256 mid = (lo + hi) >> 1;
                if (_ownLive(poster, mid, n)) lo = mid + 1;
                else hi = mid;
            }
            len = lo;
        }
        if (head < len && _isFinal(_postingAt(poster, head))) {
            // The first non-final entry in (head, len]: gallop (probes head+1, head+2, head+4, …), then bisect.
            uint256 lo = head + 1;
            uint256 hi = len;
            uint256 step = 1;
            while (lo < hi) {
                uint256 q = lo + step - 1;
                if (q >= hi) break;
                if (!_isFinal(_postingAt(poster, q))) {
                    hi = q;
                    break;
                }
                lo = q + 1;
                step <<= 1;
            }
            while (lo < hi) {
                uint256 mid = (lo + hi) >> 1;
                if (_isFinal(_postingAt(poster, mid))) lo = mid + 1;
                else hi = mid;
            }
            head = lo;
        }
    }

    /// @dev Whether entry `i` of `poster`'s list is still its live batch (`n` batches are live). A gone entry's
    ///      record is past the count or was overwritten by another poster (the poster's own re-post at that index
    ///      settles the entry away before pushing its new one).
    function _ownLive(address poster, uint256 i, uint256 n) private view returns (bool) {
        uint256 k = _postingAt(poster, i);
        return k < n && _batches[k].poster == poster;
    }

    // ================================================================================================ batches

    /// @inheritdoc IInbox
    function appendBatch(BatchLib.BatchHeader calldata h, bytes calldata data) external override {
        // INVARIANT: the caller sent this L1 transaction and has no code, so this call is the transaction itself
        //            and `data` is in its calldata, where nodes read it. (Under EIP-7702 an account with code
        //            may be tx.origin while the transaction calls that code, not the Inbox.)
        // The EOA-only path is the point of this check.
        // solhint-disable-next-line avoid-tx-origin
        if (msg.sender != tx.origin || msg.sender.code.length != 0) revert NotDirectCall(msg.sender);
        bytes32 hh = _append(h, data, false, 0);
        emit BatchAppended(h.index, hh, msg.sender, h, DataSource.CALLDATA);
    }

    /// @inheritdoc IInbox
    function appendBatchFromContract(BatchLib.BatchHeader calldata h, bytes calldata data) external override {
        bytes32 hh = _append(h, data, false, 0);
        emit BatchData(h.index, hh, data);
        emit BatchAppended(h.index, hh, msg.sender, h, DataSource.EVENT);
    }

    /// @dev The L1 prices the batch's L1 data fees are computed with (§6.6) are L1's own at most: a poster cannot charge
    ///      users for more than the block that appends it costs. Capped at 2^128 − 1 so the fee's arithmetic fits.
    function _checkL1Prices(BatchLib.BatchHeader calldata h) private view {
        uint256 bf = block.basefee < type(uint128).max ? block.basefee : type(uint128).max;
        // INVARIANT: header.l1BaseFee ≤ the appending block's base fee (and 2^128 − 1).
        if (h.l1BaseFee > bf) revert L1PriceTooHigh(0, bf, h.l1BaseFee);
        uint256 bbf = block.blobbasefee < type(uint128).max ? block.blobbasefee : type(uint128).max;
        // INVARIANT: header.l1BlobBaseFee ≤ the appending block's blob base fee (and 2^128 − 1).
        if (h.l1BlobBaseFee > bbf) revert L1PriceTooHigh(1, bbf, h.l1BlobBaseFee);
    }

    /// @inheritdoc IInbox
    function appendBatchBlob(BatchLib.BatchHeader calldata h, uint256 gas) external override {
        bytes32 hh = _append(h, msg.data[0:0], true, gas);
        emit BatchAppended(h.index, hh, msg.sender, h, DataSource.BLOB);
    }

    /// @dev Every append path: checks (cheapest first; calldata is parsed and hashed only once everything else
    ///      holds), the record, and the poster's lock. Returns the header hash. `blob`: the data is the L1
    ///      transaction's blob and `declaredGas` the poster's declaration (`data` is unused).
    function _append(BatchLib.BatchHeader calldata h, bytes calldata data, bool blob, uint256 declaredGas)
        private
        returns (bytes32 hh)
    {
        Poster storage p = _posters[msg.sender];
        (uint256 head, uint256 len) = _settled(msg.sender, p);
        uint256 free = uint256(p.bond) - (len - head) * bondSize;
        // INVARIANT: the caller has bondSize free (not locked by its live, non-final batches): the new batch locks it.
        if (free < bondSize) revert NotBonded(msg.sender, free, bondSize);

        (uint256 n, uint256 seq) = _checkTip(h);
        uint256 fee = _requiredBaseFee(n);
        // INVARIANT: header.baseFee is the base fee L1 computes from the parent batch (§7.5).
        if (h.baseFee != fee) revert WrongBaseFee(fee, h.baseFee);
        _checkL1Prices(h);
        _checkDeposits(h);
        (uint256 txCount, uint256 gas) = blob ? _checkBlob(h, declaredGas) : _checkData(h, data);
        _gasAndFee[n] = (fee << 64) | gas;
        hh = _record(h, n, seq, txCount);
        _count = n + 1;

        // n is above every live entry, and the settle dropped the gone ones: the list stays ascending.
        _setPosting(msg.sender, len, n);
        p.head = uint64(head);
        p.len = uint64(len + 1);
    }

    /// @dev Writes batch `n`'s record (first seq `seq`, `txCount` transactions) and returns its header hash.
    function _record(BatchLib.BatchHeader calldata h, uint256 n, uint256 seq, uint256 txCount)
        private
        returns (bytes32 hh)
    {
        hh = BatchLib.hashCalldata(h);
        // The casts are exact: seq ≤ 1 + 2^16·(batches), deposit indices ≤ the queue length, txCount ≤ 2^16,
        // timestamps ≤ block.timestamp.
        _batches[n] = BatchRecord({
            headerHash: hh,
            firstSeq: uint64(seq),
            txCount: uint24(txCount),
            depositStart: uint64(h.depositStart),
            depositEnd: uint64(h.depositEnd),
            timestamp: uint40(h.timestamp),
            poster: msg.sender,
            postedAt: uint40(block.timestamp)
        });
    }

    /// @dev The header's place in the chain: index, parent, firstSeq, number, timestamps, deposit start.
    /// @return n   The new batch's index.
    /// @return seq Its first seq.
    function _checkTip(BatchLib.BatchHeader calldata h) private view returns (uint256 n, uint256 seq) {
        n = _count;
        bytes32 parent;
        uint256 cursor;
        uint256 parentTime;
        seq = 1;
        if (n > 0) {
            BatchRecord storage prev = _batches[n - 1];
            parent = prev.headerHash;
            seq = uint256(prev.firstSeq) + prev.txCount;
            cursor = prev.depositEnd;
            parentTime = prev.timestamp;
        }
        // INVARIANT: header.parent is the hash of the last live header (ZERO for batch 0). Checked first: a
        //            poster that lost a race learns that it must re-read the tip.
        if (h.parent != parent) revert ParentNotTip(parent, h.parent);
        // INVARIANT: header.index is the number of live batches.
        if (h.index != n) revert WrongIndex(n, h.index);
        // INVARIANT: header.firstSeq is the next seq (1 for batch 0).
        if (h.firstSeq != seq) revert WrongFirstSeq(seq, h.firstSeq);
        // INVARIANT: header.number is header.index + 1.
        if (h.number != n + 1) revert WrongNumber(n + 1, h.number);
        // INVARIANT: the previous batch's timestamp ≤ header.timestamp.
        if (h.timestamp < parentTime) revert TimestampBeforeParent(parentTime, h.timestamp);
        // INVARIANT: header.timestamp ≤ the L1 block's timestamp.
        if (h.timestamp > block.timestamp) revert TimestampInFuture(block.timestamp, h.timestamp);
        // INVARIANT: header.depositStart is the first deposit not yet consumed.
        if (h.depositStart != cursor) revert WrongDepositStart(cursor, h.depositStart);
    }

    /// @dev The deposit range against the Bridge's queue, and forced inclusion.
    function _checkDeposits(BatchLib.BatchHeader calldata h) private view {
        (uint256 queueLength, uint256 nextTime) = IBridge(bridge).depositQueueInfo(h.depositEnd);
        // INVARIANT: depositStart ≤ depositEnd ≤ the queue length.
        if (h.depositEnd < h.depositStart || h.depositEnd > queueLength) {
            revert BadDepositRange(h.depositStart, h.depositEnd, queueLength);
        }
        uint256 count = h.depositEnd - h.depositStart;
        // INVARIANT: txCount ≥ depositEnd − depositStart (the deposits are the batch's first transactions).
        if (h.txCount < count) revert TooFewTxsForDeposits(h.txCount, count);
        // INVARIANT: a batch consumes at most maxDepositsPerBatch deposits.
        if (count > maxDepositsPerBatch) revert TooManyDeposits(count, maxDepositsPerBatch);
        // INVARIANT: forced inclusion: a batch consumes the oldest overdue deposits up to maxDepositsPerBatch, so
        //            one with fewer leaves out no deposit older than the inclusion delay. Queue times never
        //            decrease, so the first one left out is the oldest.
        if (count < maxDepositsPerBatch && h.depositEnd < queueLength && block.timestamp - nextTime > inclusionDelay) {
            revert DepositOverdue(h.depositEnd);
        }
    }

    /// @dev Parses the data (§7.3, within the limits of §5.5 and §7.5) and checks the header's commitments to
    ///      it; returns the transaction count and the gas the transactions declare.
    function _checkData(BatchLib.BatchHeader calldata h, bytes calldata data)
        private
        pure
        returns (uint256 txCount, uint256 gas)
    {
        bytes32 txRoot;
        bytes32 dataHash;
        (txRoot, txCount, dataHash, gas) = BatchLib.parseData(data);
        // INVARIANT: the batch has at least one transaction.
        if (txCount == 0) revert EmptyBatch();
        // INVARIANT: header.txCount is the number of transactions in the data.
        if (h.txCount != txCount) revert TxCountMismatch(h.txCount, txCount);
        // INVARIANT: header.txRoot is the root L1 computes from the data.
        if (h.txRoot != txRoot) revert TxRootMismatch(txRoot, h.txRoot);
        // INVARIANT: header.dataHash is the hash L1 computes from the data.
        if (h.dataHash != dataHash) revert DataHashMismatch(dataHash, h.dataHash);
    }

    /// @dev The blob path's checks (§14.5): the transaction carries exactly one blob, whose versioned hash is
    ///      header.dataHash, and the declarations are within the limits (1 … MAX_BLOB_TXS transactions, at
    ///      most MAX_GAS declared). Whether the blob's bytes give them is the `data` fault's.
    function _checkBlob(BatchLib.BatchHeader calldata h, uint256 declaredGas)
        private
        view
        returns (uint256 txCount, uint256 gas)
    {
        bytes32 b0 = blobhash(0);
        bytes32 b1 = blobhash(1);
        // INVARIANT: the L1 transaction carries exactly one blob, and header.dataHash is its versioned hash.
        if (b0 != h.dataHash || b1 != bytes32(0) || b0 == bytes32(0)) revert WrongBlob(b0, b1, h.dataHash);
        txCount = h.txCount;
        gas = declaredGas;
        // INVARIANT: the declared count and gas are within the limits of §5.5 and §7.5.
        if (txCount == 0 || txCount > BatchLib.MAX_BLOB_TXS || gas > BatchLib.MAX_GAS) revert BadDeclaration(txCount, gas);
    }

    /// @dev The base fee batch `n` must carry: minBaseFee for batch 0, else the rule of §7.5 applied to
    ///      batch n − 1's base fee and declared gas.
    function _requiredBaseFee(uint256 n) private view returns (uint256) {
        if (n == 0) return minBaseFee;
        uint256 w = _gasAndFee[n - 1];
        return BatchLib.nextBaseFee(w >> 64, uint64(w), minBaseFee);
    }

    /// @inheritdoc IInbox
    function nextBaseFee() external view override returns (uint256) {
        return _requiredBaseFee(_count);
    }

    /// @inheritdoc IInbox
    function batchGas(uint256 index) external view override returns (uint256 gas, uint256 baseFee) {
        _requireLive(index);
        uint256 w = _gasAndFee[index];
        return (uint64(w), w >> 64);
    }

    /// @inheritdoc IInbox
    function batchCount() external view override returns (uint256) {
        return _count;
    }

    /// @inheritdoc IInbox
    function nextSeq() external view override returns (uint256) {
        uint256 n = _count;
        if (n == 0) return 1;
        BatchRecord storage b = _batches[n - 1];
        return uint256(b.firstSeq) + b.txCount;
    }

    /// @inheritdoc IInbox
    function depositCursor() external view override returns (uint256) {
        uint256 n = _count;
        return n == 0 ? 0 : _batches[n - 1].depositEnd;
    }

    /// @inheritdoc IInbox
    function tipHash() external view override returns (bytes32) {
        uint256 n = _count;
        return n == 0 ? bytes32(0) : _batches[n - 1].headerHash;
    }

    /// @inheritdoc IInbox
    /// @return index        The next batch's index (= number − 1).
    /// @return parent       The next batch's parent (the last live header hash, ZERO if none).
    /// @return firstSeq     The next batch's firstSeq.
    /// @return depositStart The next batch's depositStart.
    /// @return minTimestamp The smallest timestamp the next batch may have (the last live batch's).
    function tip()
        external
        view
        override
        returns (uint256 index, bytes32 parent, uint256 firstSeq, uint256 depositStart, uint256 minTimestamp)
    {
        index = _count;
        firstSeq = 1;
        if (index > 0) {
            BatchRecord storage b = _batches[index - 1];
            parent = b.headerHash;
            firstSeq = uint256(b.firstSeq) + b.txCount;
            depositStart = b.depositEnd;
            minTimestamp = b.timestamp;
        }
    }

    /// @inheritdoc IInbox
    function batch(uint256 index) external view override returns (BatchRecord memory) {
        _requireLive(index);
        return _batches[index];
    }

    /// @inheritdoc IInbox
    function headerHash(uint256 index) external view override returns (bytes32) {
        _requireLive(index);
        return _batches[index].headerHash;
    }

    /// @inheritdoc IInbox
    function isFinal(uint256 index) public view override returns (bool) {
        return index < _count && _isFinal(index);
    }

    /// @dev Finality of live batch `index`: its challenge window has passed and no open dispute game holds it or an
    ///      earlier batch (§11.5.6). The one place finality is decided. Two properties hold, because the bond
    ///      bookkeeping bisects on them: finality is never undone while the batch is live (games open only on
    ///      non-final batches), and a batch is final only if its parent is (a game holding batch k holds every later
    ///      batch too).
    function _isFinal(uint256 index) internal view returns (bool) {
        if (block.timestamp < uint256(_batches[index].postedAt) + challengeWindow) return false;
        address g = game;
        return g == address(0) || index < IFinalityHold(g).heldFrom();
    }

    // ================================================================================================ rollback

    /// @inheritdoc IInbox
    /// @dev Slashes exactly the `bondSize` that batch `index` locked: every live, non-final batch locks its own, so
    ///      the poster holds it whatever else was slashed. Reward = bondSize × rewardBps / 10000 (rounded down),
    ///      burned = the rest, so the slashed amount is paid out or burned to the wei. Constant gas however many
    ///      batches it deletes: the locks of the deleted later batches are released lazily (see the contract's
    ///      notes), and their posters are not slashed.
    function rollback(uint256 index, address challenger, uint8 kind) external override {
        // INVARIANT: only a registered fraud prover rolls back.
        if (!isProver[msg.sender]) revert NotProver(msg.sender);
        // INVARIANT: the kind is one of §9.
        if (kind > FaultKind.MAX) revert UnknownKind(kind);
        // INVARIANT: someone receives the reward.
        if (challenger == address(0)) revert InvalidParameter("challenger");
        uint256 n = _count;
        // INVARIANT: the batch is live.
        if (index >= n) revert BatchNotLive(index, n);
        // INVARIANT: the batch is not final.
        if (_isFinal(index)) revert BatchIsFinal(index);
        address poster = _batches[index].poster;

        _count = index;

        // The poster's bond is at least bondSize × its live, non-final batches (posting checks it, unbond leaves
        // it, slashing takes one bondSize with one batch), and batch `index` is one of them.
        Poster storage p = _posters[poster];
        uint256 held = p.bond;
        uint256 slashed = bondSize;
        p.bond = uint128(held - slashed);
        uint256 reward = (slashed * rewardBps) / BPS;
        uint256 burned = slashed - reward;

        emit BondSlashed(poster, index, slashed, held - slashed);
        emit BatchesRolledBack(index, n - index, challenger, kind, reward, burned);
        _send(challenger, reward);
        _send(BURN_ADDRESS, burned);
    }

    // ================================================================================================ internals

    function _requireLive(uint256 index) private view {
        uint256 n = _count;
        // INVARIANT: only live batches have records.
        if (index >= n) revert BatchNotLive(index, n);
    }

    function _postingAt(address poster, uint256 i) private view returns (uint256) {
        return uint64(_postingWords[poster][i >> 2] >> ((i & 3) << 6));
    }

    function _setPosting(address poster, uint256 i, uint256 index) private {
        uint256 shift = (i & 3) << 6;
        mapping(uint256 => uint256) storage words = _postingWords[poster];
        if (shift == 0) {
            // Lanes above entry i are beyond the stack's end: no need to keep them.
            words[i >> 2] = index;
        } else {
            uint256 w = words[i >> 2];
            words[i >> 2] = (w & ~(uint256(type(uint64).max) << shift)) | (index << shift);
        }
    }

    function _send(address to, uint256 amount) private {
        if (amount == 0) return;
        (bool ok,) = to.call{value: amount}("");
        // INVARIANT: the payment arrives (else the whole operation reverts and nothing changes).
        if (!ok) revert TransferFailed(to, amount);
    }
}
