// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BatchLib} from "../lib/BatchLib.sol";
import {Merkle} from "../lib/Merkle.sol";
import {Flz} from "../lib/Flz.sol";
import {TxCodec} from "../lib/TxCodec.sol";
import {FraudProver} from "../fraud/FraudProver.sol";
import {TxProof} from "../fraud/TxProver.sol";
import {IInbox, FaultKind} from "../interfaces/IInbox.sol";
import {IStepVerifier, StepStatus} from "../interfaces/IStepVerifier.sol";
import {IDisputeGame, GameStatus} from "../interfaces/IDisputeGame.sol";
import {FinalityHolds} from "./FinalityHolds.sol";
import {Position} from "./lib/Position.sol";

/// @title DisputeGame
/// @notice The interactive game of execution faults (docs/protocol.md §11.5), permissionless as Optimism's
///         FaultDisputeGame, all games in one contract. A game disputes one transaction `T` of a live, non-final
///         batch. Its root claim is "T's step machine ends ok" (only the status byte of the state after 2^26 steps),
///         backed by the poster's bond in the Inbox. Claims bisect the trace S_0 … S_{2^26}: the claim at position p
///         commits to S_{traceIndex(p)+1}; S_0 is computed here from T at creation; a leaf is refuted by one step of
///         the verifier. Each side has a chess clock. Every claim but the root carries the bond of its depth, paid
///         when its subgame resolves (to its counterer, or back to its claimant), so once a game is resolved this
///         contract holds none of its ether. A lost root rolls the batch back through the Inbox (kind execution),
///         whose reward is forwarded to the root's counterer. While a game is open, it holds its batch (and every
///         later one) non-final ({FinalityHolds}, read by the Inbox).
contract DisputeGame is FraudProver, FinalityHolds, IDisputeGame {
    using Position for uint256;

    /// @notice Depth of the game tree: the trace is padded to 2^26 steps (docs/step-machine.md).
    uint256 public constant MAX_DEPTH = 26;
    /// @notice Gas a payee's receive gets; a payee that needs more (or reverts) has its payment burned.
    uint256 public constant PAY_GAS = 50_000;
    /// @notice Where refused payments go (as the Inbox's burn).
    address public constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;
    /// @notice The root claim's value: status ok, the other bits unused (only the status byte counts at the root).
    bytes32 public constant ROOT_CLAIM = bytes32(uint256(StepStatus.OK) << 248);

    uint32 private constant NO_PARENT = type(uint32).max;

    /// @inheritdoc IDisputeGame
    address public immutable override verifier;
    /// @inheritdoc IDisputeGame
    uint256 public immutable override maxClockDuration;
    /// @inheritdoc IDisputeGame
    uint256 public immutable override clockExtension;
    /// @inheritdoc IDisputeGame
    uint256 public immutable override challengeWindow;

    /// @dev Progress of a paged resolution of one claim's children.
    struct Checkpoint {
        bool started;
        uint32 cursor;
        uint64 leftmost;
        address counteredBy;
    }

    uint96[MAX_DEPTH + 1] private _bonds;
    uint256 private _gameCount;
    mapping(uint256 => GameData) private _games;
    mapping(uint256 => ClaimData[]) private _claims;
    mapping(uint256 => mapping(uint256 => uint256[])) private _subgames;
    mapping(uint256 => mapping(uint256 => Checkpoint)) private _checkpoints;
    /// @dev keccak256(gameId, value, position, parentIndex) of every claim.
    mapping(bytes32 => bool) private _claimed;
    /// @dev keccak256(headerHash, txIndex) → the latest game of that transaction.
    mapping(bytes32 => uint256) private _gameOf;

    /// @param inbox_            The Inbox (which must list this contract with `setGame`).
    /// @param verifier_         The step verifier.
    /// @param maxClockDuration_ Seconds on each side's clock.
    /// @param clockExtension_   Seconds a late move leaves its side (twice that before a step).
    /// @param bonds_            The bond of depth 1 … MAX_DEPTH (wei): nonzero, non-decreasing, each at most twice the
    ///                          one above it (docs/protocol.md §11.5.4 derives them from gas costs).
    constructor(
        address inbox_,
        address verifier_,
        uint256 maxClockDuration_,
        uint256 clockExtension_,
        uint256[] memory bonds_
    ) FraudProver(inbox_) {
        // INVARIANT: the inbox and the verifier are deployed contracts.
        if (inbox_.code.length == 0) revert InvalidParameter("inbox");
        if (verifier_.code.length == 0) revert InvalidParameter("verifier");
        // INVARIANT: clocks fit their 64-bit fields and leave room for a doubled extension.
        if (maxClockDuration_ == 0 || maxClockDuration_ > type(uint64).max) revert InvalidParameter("maxClockDuration");
        if (clockExtension_ == 0 || 2 * clockExtension_ > maxClockDuration_) revert InvalidParameter("clockExtension");
        // INVARIANT: one bond per depth.
        if (bonds_.length != MAX_DEPTH) revert InvalidParameter("bonds");
        for (uint256 d = 1; d <= MAX_DEPTH; ++d) {
            uint256 b = bonds_[d - 1];
            // INVARIANT: every claim is bonded, and bonds fit their 96-bit field.
            if (b == 0 || b > type(uint96).max) revert InvalidParameter("bonds");
            // INVARIANT: non-decreasing, and answering a claim never needs more than twice its bond.
            if (d > 1 && (b < _bonds[d - 1] || b > 2 * uint256(_bonds[d - 1]))) revert InvalidParameter("bonds");
            _bonds[d] = uint96(b);
        }
        verifier = verifier_;
        challengeWindow = IInbox(inbox_).challengeWindow();
        maxClockDuration = maxClockDuration_;
        clockExtension = clockExtension_;
    }

    /// @notice Only the Inbox pays this contract (a rollback's reward, forwarded at once to the winner).
    receive() external payable {
        // INVARIANT: ether arrives only as a rollback reward.
        if (msg.sender != inbox) revert UnexpectedPayment(msg.sender);
    }

    // ================================================================================================ actions

    /// @inheritdoc IDisputeGame
    function dispute(BatchLib.BatchHeader calldata h, TxProof calldata p, bytes32 claim, uint64 holdHint, bytes32 salt)
        external
        payable
        override
        returns (uint256 gameId)
    {
        _reveal(keccak256(abi.encode(h, p, claim)), salt);
        bytes32 hh = _checkBatch(h);
        _requireInWindow(h.index);
        bytes32 pre = _startState(h, p);
        bytes32 key = keccak256(abi.encode(hh, p.txIndex));
        uint256 prior = _gameOf[key];
        // INVARIANT: one game per transaction; another only after a game that rolled the batch back (then this is a
        //            re-post of the same header).
        if (prior != 0 && _games[prior].status != GameStatus.CHALLENGER_WINS) revert GameExists(prior);
        // INVARIANT: the first attack carries the bond of depth 1.
        if (msg.value != _bonds[1]) revert WrongBond(_bonds[1], msg.value);

        gameId = ++_gameCount;
        _gameOf[key] = gameId;
        _games[gameId] = GameData({
            headerHash: hh,
            absolutePrestate: pre,
            batchIndex: uint64(h.index),
            txIndex: uint32(p.txIndex),
            createdAt: uint64(block.timestamp),
            status: GameStatus.IN_PROGRESS
        });
        _claims[gameId].push(
            ClaimData({
                value: ROOT_CLAIM,
                claimant: IInbox(inbox).batch(h.index).poster,
                position: 1,
                parentIndex: NO_PARENT,
                counteredBy: address(0),
                bond: 0,
                duration: 0,
                timestamp: uint64(block.timestamp),
                resolved: false
            })
        );
        _hold(uint64(h.index), holdHint);
        emit GameCreated(gameId, h.index, hh, p.txIndex, msg.sender, pre);
        _push(gameId, 0, claim, 2, 0);
    }

    /// @dev The step-0 state of transaction `p` of batch `h`: it must be the batch's leaf `p.txIndex` with the gas the
    ///      batch declares for it (§5.6); a compressed item is expanded first (§7.7: one that does not expand is
    ///      malformed and reverts with the decoder's error); a deposit runs no EVM.
    function _startState(BatchLib.BatchHeader calldata h, TxProof calldata p) private view returns (bytes32) {
        // INVARIANT: the transaction, with the gas the batch declares for it, is the batch's leaf txIndex (§5.6).
        (bytes32 leaf, bytes memory enc) = BatchLib.loadLeaf(p.gas, p.tx);
        if (!Merkle.verifyCalldata(h.txRoot, leaf, p.txIndex, h.txCount, p.siblings)) {
            revert NotInBatch(h.index, p.txIndex);
        }
        enc = Flz.expandFrom(enc, IInbox(inbox).dictionary());
        // INVARIANT: deposits run no EVM and are never disputed.
        if (enc.length == 0 || uint8(enc[0]) == TxCodec.TYPE_DEPOSIT) revert NotDisputable(h.index, p.txIndex);
        return IStepVerifier(verifier).startState(enc, h.firstSeq + p.txIndex, h, IInbox(inbox).l2ChainId());
    }

    /// @inheritdoc IDisputeGame
    function move(uint256 gameId, uint256 parentIndex, bytes32 disputed, bytes32 claim, bool isAttack)
        external
        payable
        override
        returns (uint256 claimIndex)
    {
        _inProgress(gameId);
        ClaimData storage parent = _claim(gameId, parentIndex);
        // INVARIANT: the claim answered is the one the mover saw.
        if (parent.value != disputed) revert DisputedMismatch(parent.value, disputed);
        // INVARIANT: the root is only attacked (it commits to the end of the trace: there is nothing to its right).
        if (parentIndex == 0 && !isAttack) revert CannotDefendRoot();
        uint256 pos = uint256(parent.position).move(isAttack);
        uint256 depth = pos.depth();
        // INVARIANT: no claim below the leaves: a leaf is answered by a step.
        if (depth > MAX_DEPTH) revert DepthExceeded();
        // INVARIANT: the claim carries the bond of its depth.
        if (msg.value != _bonds[depth]) revert WrongBond(_bonds[depth], msg.value);
        uint256 used = _challengerDuration(gameId, parentIndex);
        // INVARIANT: the mover's side has time left.
        if (used >= maxClockDuration) revert ClockExpired(parentIndex);
        uint256 ext = depth == MAX_DEPTH - 1 ? 2 * clockExtension : clockExtension;
        if (used > maxClockDuration - ext) used = maxClockDuration - ext;
        claimIndex = _push(gameId, parentIndex, claim, pos, used);
    }

    /// @inheritdoc IDisputeGame
    function step(uint256 gameId, uint256 claimIndex, bool isAttack, bytes calldata proof, bytes32 salt)
        external
        override
    {
        _reveal(keccak256(abi.encode(gameId, claimIndex, isAttack, keccak256(proof))), salt);
        GameData storage g = _inProgress(gameId);
        ClaimData storage leaf = _claim(gameId, claimIndex);
        uint256 pos = leaf.position;
        // INVARIANT: only leaves are stepped.
        if (pos.depth() != MAX_DEPTH) revert NotALeaf(claimIndex);
        // INVARIANT: the stepper's side has time left.
        if (_challengerDuration(gameId, claimIndex) >= maxClockDuration) revert ClockExpired(claimIndex);
        // INVARIANT: a leaf is refuted once.
        if (leaf.counteredBy != address(0)) revert AlreadyCountered(claimIndex);

        (bytes32 pre, uint256 postIndex) = _stepEnds(gameId, g, claimIndex, isAttack);
        bytes32 post = IStepVerifier(verifier).step(pre, proof);
        // INVARIANT: the step refutes the leaf.
        if (!_refutes(gameId, pos, post, postIndex)) revert StepDoesNotCounter(post);
        leaf.counteredBy = msg.sender;
        emit Stepped(gameId, claimIndex, msg.sender, isAttack, post);
    }

    /// @inheritdoc IDisputeGame
    function resolveClaim(uint256 gameId, uint256 claimIndex, uint256 maxChildren) external override {
        GameData storage g = _inProgress(gameId);
        ClaimData storage c = _claim(gameId, claimIndex);
        // INVARIANT: nobody can answer the claim any more (the clocks and resolution agree: no move after this).
        if (_challengerDuration(gameId, claimIndex) < maxClockDuration) revert ClockNotExpired(claimIndex);
        // INVARIANT: a subgame is resolved once.
        if (c.resolved) revert AlreadyResolved(claimIndex);

        uint256[] storage kids = _subgames[gameId][claimIndex];
        uint256 n = kids.length;
        address counter = c.counteredBy; // a leaf's stepper, if any
        if (n > 0) {
            Checkpoint memory cp = _checkpoints[gameId][claimIndex];
            if (!cp.started) {
                cp.started = true;
                cp.leftmost = type(uint64).max;
            }
            uint256 end = maxChildren == 0 || cp.cursor + maxChildren > n ? n : cp.cursor + maxChildren;
            for (uint256 k = cp.cursor; k < end; ++k) {
                ClaimData storage child = _claims[gameId][kids[k]];
                // INVARIANT: subgames resolve bottom-up.
                if (!child.resolved) revert OutOfOrderResolution(kids[k]);
                // The leftmost child that stands counters the claim (and is paid its bond).
                if (child.counteredBy == address(0) && child.position < cp.leftmost) {
                    cp.leftmost = child.position;
                    cp.counteredBy = child.claimant;
                }
            }
            cp.cursor = uint32(end);
            if (end < n) {
                _checkpoints[gameId][claimIndex] = cp;
                return;
            }
            delete _checkpoints[gameId][claimIndex];
            counter = cp.counteredBy;
            c.counteredBy = counter;
        }
        c.resolved = true;
        address recipient = counter == address(0) ? c.claimant : counter;
        uint256 bond = c.bond;
        emit ClaimResolved(gameId, claimIndex, counter != address(0), recipient, bond);
        if (claimIndex == 0) _endGame(gameId, g, counter);
        else _pay(recipient, bond);
    }

    // ================================================================================================ views

    /// @inheritdoc IDisputeGame
    function maxDepth() external pure override returns (uint256) {
        return MAX_DEPTH;
    }

    /// @inheritdoc IDisputeGame
    function bondAt(uint256 depth) external view override returns (uint256) {
        // INVARIANT: claims exist at depths 1 … MAX_DEPTH only.
        if (depth == 0 || depth > MAX_DEPTH) revert DepthExceeded();
        return _bonds[depth];
    }

    /// @inheritdoc IDisputeGame
    function gameCount() external view override returns (uint256) {
        return _gameCount;
    }

    /// @inheritdoc IDisputeGame
    function gameData(uint256 gameId) external view override returns (GameData memory) {
        return _games[gameId];
    }

    /// @inheritdoc IDisputeGame
    function gameOf(bytes32 headerHash, uint256 txIndex) external view override returns (uint256) {
        return _gameOf[keccak256(abi.encode(headerHash, txIndex))];
    }

    /// @inheritdoc IDisputeGame
    function claimCount(uint256 gameId) external view override returns (uint256) {
        return _claims[gameId].length;
    }

    /// @inheritdoc IDisputeGame
    function claimAt(uint256 gameId, uint256 claimIndex) external view override returns (ClaimData memory) {
        return _claim(gameId, claimIndex);
    }

    /// @inheritdoc IDisputeGame
    function children(uint256 gameId, uint256 claimIndex) external view override returns (uint256[] memory) {
        return _subgames[gameId][claimIndex];
    }

    /// @inheritdoc IDisputeGame
    function challengerDuration(uint256 gameId, uint256 claimIndex) external view override returns (uint256) {
        _claim(gameId, claimIndex);
        return _challengerDuration(gameId, claimIndex);
    }

    // ================================================================================================ internals

    /// @dev Live batch `index` must still be in its challenge window.
    function _requireInWindow(uint256 index) private view {
        uint256 closedAt = uint256(IInbox(inbox).batch(index).postedAt) + challengeWindow;
        // INVARIANT: a game opens only within its batch's challenge window, so every finality hold ends at most one
        //            game's bound (§11.5.3) after the window: a chain of games cannot hold a batch for ever (§11.5.6).
        if (block.timestamp >= closedAt) revert ChallengeWindowClosed(index, closedAt);
    }

    function _inProgress(uint256 gameId) private view returns (GameData storage g) {
        g = _games[gameId];
        // INVARIANT: the game exists and is not resolved.
        if (g.status != GameStatus.IN_PROGRESS) revert GameNotInProgress(gameId);
    }

    function _claim(uint256 gameId, uint256 claimIndex) private view returns (ClaimData storage) {
        ClaimData[] storage cs = _claims[gameId];
        // INVARIANT: the claim exists.
        if (claimIndex >= cs.length) revert NoSuchClaim(gameId, claimIndex);
        return cs[claimIndex];
    }

    /// @dev Appends a claim answering `parentIndex`, its claimant's side having used `used` seconds.
    function _push(uint256 gameId, uint256 parentIndex, bytes32 value, uint256 pos, uint256 used)
        private
        returns (uint256 claimIndex)
    {
        bytes32 key = keccak256(abi.encode(gameId, value, pos, parentIndex));
        // INVARIANT: the same value at the same position answering the same claim is made once.
        if (_claimed[key]) revert ClaimExists();
        _claimed[key] = true;
        ClaimData[] storage cs = _claims[gameId];
        claimIndex = cs.length;
        cs.push(
            ClaimData({
                value: value,
                claimant: msg.sender,
                position: uint64(pos),
                parentIndex: uint32(parentIndex),
                counteredBy: address(0),
                bond: uint96(msg.value),
                duration: uint64(used),
                timestamp: uint64(block.timestamp),
                resolved: false
            })
        );
        _subgames[gameId][parentIndex].push(claimIndex);
        emit Moved(gameId, parentIndex, msg.sender, claimIndex, value, pos);
    }

    /// @dev Seconds used by the side that would answer claim `i`: its parent's side (the grandparent's clock) plus the
    ///      time since `i` was made, capped at the maximum.
    function _challengerDuration(uint256 gameId, uint256 i) private view returns (uint256 used) {
        ClaimData storage c = _claims[gameId][i];
        uint256 p = c.parentIndex;
        used = (p == NO_PARENT ? 0 : _claims[gameId][p].duration) + (block.timestamp - c.timestamp);
        if (used > maxClockDuration) used = maxClockDuration;
    }

    /// @dev The claim at the trace ancestor of position `pos`, found among the ancestors of claim `start` (bisection
    ///      guarantees it is there).
    function _ancestor(uint256 gameId, uint256 pos, uint256 start) private view returns (uint256 i) {
        uint256 target = pos.traceAncestor();
        ClaimData[] storage cs = _claims[gameId];
        i = start;
        while (cs[i].position != target) i = cs[i].parentIndex;
    }

    /// @dev The pre-state and the claim of the post-state of a step on leaf `claimIndex`: an attack steps
    ///      S_k → S_{k+1} (the leaf), k being the leaf's index at depth; a defense steps S_{k+1} (the leaf) → S_{k+2}.
    function _stepEnds(uint256 gameId, GameData storage g, uint256 claimIndex, bool isAttack)
        private
        view
        returns (bytes32 pre, uint256 postIndex)
    {
        ClaimData storage leaf = _claims[gameId][claimIndex];
        uint256 pos = leaf.position;
        if (isAttack) {
            pre = pos.indexAtDepth() == 0 ? g.absolutePrestate : _claims[gameId][_ancestor(gameId, pos - 1, leaf.parentIndex)].value;
            postIndex = claimIndex;
        } else {
            pre = leaf.value;
            postIndex = _ancestor(gameId, pos + 1, leaf.parentIndex);
        }
    }

    /// @dev Whether a step from the leaf at `leafPos` that gave `post` refutes the leaf. The leaf's side made the
    ///      post claim iff their depths differ by an even number: then the step refutes the leaf when it does not
    ///      reach that claim; otherwise (the other side's claim) when it does. At the root only the status byte counts.
    function _refutes(uint256 gameId, uint256 leafPos, bytes32 post, uint256 postIndex) private view returns (bool) {
        ClaimData storage postClaim = _claims[gameId][postIndex];
        bool matches = postIndex == 0 ? (post >> 248) == (postClaim.value >> 248) : post == postClaim.value;
        bool sameSide = (leafPos.depth() - uint256(postClaim.position).depth()) % 2 == 0;
        return sameSide != matches;
    }

    /// @dev The root's subgame is resolved: the game ends. A countered root rolls its batch back (if no other proof
    ///      did first) and the reward goes to the root's counterer.
    function _endGame(uint256 gameId, GameData storage g, address winner) private {
        uint8 status = winner == address(0) ? GameStatus.DEFENDER_WINS : GameStatus.CHALLENGER_WINS;
        g.status = status;
        uint256 index = g.batchIndex;
        bool rolledBack;
        uint256 reward;
        if (winner != address(0) && index < IInbox(inbox).batchCount() && IInbox(inbox).headerHash(index) == g.headerHash) {
            // The batch is live and held by this game, hence not final: the rollback cannot fail on finality.
            uint256 before = address(this).balance;
            IInbox(inbox).rollback(index, address(this), FaultKind.EXECUTION);
            reward = address(this).balance - before;
            rolledBack = true;
        }
        _release(uint64(index));
        emit GameResolved(gameId, status, winner, rolledBack, reward);
        _pay(winner, reward);
    }

    /// @dev Pays `amount` to `to` with PAY_GAS of gas; burns it if `to` refuses, so a payee can never block a
    ///      resolution. The caller must supply enough gas for PAY_GAS to reach the payee (63/64 rule), so a resolver
    ///      cannot starve a payment into a burn.
    function _pay(address to, uint256 amount) private {
        if (amount == 0) return;
        // INVARIANT: the payee's call gets its full PAY_GAS.
        if (gasleft() < (PAY_GAS * 64) / 63 + 40_000) revert NotEnoughGas();
        (bool ok,) = to.call{value: amount, gas: PAY_GAS}("");
        if (ok) {
            emit Paid(to, amount);
            return;
        }
        emit PaymentBurned(to, amount);
        (bool burned,) = BURN_ADDRESS.call{value: amount}("");
        // INVARIANT: the burn address accepts ether.
        if (!burned) revert TransferFailed(BURN_ADDRESS, amount);
    }
}
