// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BatchLib} from "../lib/BatchLib.sol";
import {TxProof} from "../fraud/TxProver.sol";

/// @title GameStatus
/// @notice The status of a dispute game (docs/protocol.md §11.5).
library GameStatus {
    /// @notice No such game.
    uint8 internal constant NONE = 0;
    /// @notice Open: moves, steps and resolution may happen.
    uint8 internal constant IN_PROGRESS = 1;
    /// @notice The root claim ("the transaction's machine ends ok") was countered: the batch was rolled back.
    uint8 internal constant CHALLENGER_WINS = 2;
    /// @notice The root claim stood.
    uint8 internal constant DEFENDER_WINS = 3;
}

/// @title IDisputeGame
/// @notice The interactive game of execution faults (docs/protocol.md §11.5): anyone bonded disputes transaction `i` of
///         a live, non-final batch; anyone moves on any claim; binary bisection over the padded trace of 2^26 steps;
///         the last step settled by the one-step verifier; chess clocks; bonds per depth; resolution bottom-up.
interface IDisputeGame {
    /// @notice One claim of a game. Claim 0 is the root: "the machine ends ok", backed by the batch poster's bond in
    ///         the Inbox (its bond here is 0).
    /// @param value       The state hash claimed at `position` (for the root only the status byte counts).
    /// @param claimant    Who made it (the batch poster for the root).
    /// @param position    Generalized index in the game tree.
    /// @param parentIndex The claim it answers (type(uint32).max for the root).
    /// @param counteredBy Who countered it: the stepper for a leaf refuted by a step, else (once resolved) the
    ///                    claimant of its leftmost uncountered child; zero while it stands.
    /// @param bond        Wei the claimant locked.
    /// @param duration    Seconds its claimant's side had used on its chess clock when it was made (extension applied).
    /// @param timestamp   When it was made (the other side's clock runs from here).
    /// @param resolved    Whether its subgame was resolved (its bond paid).
    struct ClaimData {
        bytes32 value;
        address claimant;
        uint64 position;
        uint32 parentIndex;
        address counteredBy;
        uint96 bond;
        uint64 duration;
        uint64 timestamp;
        bool resolved;
    }

    /// @notice One game.
    /// @param headerHash       The disputed batch's header hash.
    /// @param absolutePrestate The hash of the step-0 state, computed at creation by the verifier.
    /// @param batchIndex       The disputed batch's index.
    /// @param txIndex          The disputed transaction's index in the batch.
    /// @param createdAt        When the game was created.
    /// @param status           A {GameStatus}.
    struct GameData {
        bytes32 headerHash;
        bytes32 absolutePrestate;
        uint64 batchIndex;
        uint32 txIndex;
        uint64 createdAt;
        uint8 status;
    }

    // ---------------------------------------------------------------------------------------- events

    /// @notice Game `gameId` disputes transaction `txIndex` of batch `batchIndex`; `challenger` made claim 1.
    event GameCreated(
        uint256 indexed gameId,
        uint256 indexed batchIndex,
        bytes32 indexed headerHash,
        uint256 txIndex,
        address challenger,
        bytes32 absolutePrestate
    );
    /// @notice `claimant` made claim `claimIndex` (value `value`, position `position`) answering claim `parentIndex`.
    event Moved(
        uint256 indexed gameId,
        uint256 indexed parentIndex,
        address indexed claimant,
        uint256 claimIndex,
        bytes32 value,
        uint256 position
    );
    /// @notice `stepper` refuted leaf claim `claimIndex` with one step of the machine, which gave `post`.
    event Stepped(uint256 indexed gameId, uint256 indexed claimIndex, address indexed stepper, bool isAttack, bytes32 post);
    /// @notice Claim `claimIndex`'s subgame was resolved: its bond went to `recipient`.
    event ClaimResolved(uint256 indexed gameId, uint256 indexed claimIndex, bool countered, address recipient, uint256 bond);
    /// @notice Game `gameId` ended with `status`. If the challenger won and the batch was still live, it was rolled
    ///         back and `winner` (the root's counterer) was paid `reward` from the poster's bond.
    event GameResolved(uint256 indexed gameId, uint8 status, address winner, bool rolledBack, uint256 reward);
    /// @notice `amount` wei paid to `to`.
    event Paid(address indexed to, uint256 amount);
    /// @notice `amount` wei owed to `to` was burned: `to` refused the payment.
    event PaymentBurned(address indexed to, uint256 amount);

    // ---------------------------------------------------------------------------------------- errors

    /// @notice A zero or out-of-range constructor parameter.
    error InvalidParameter(string name);
    /// @notice No game `gameId`, or it is resolved.
    error GameNotInProgress(uint256 gameId);
    /// @notice Game `gameId` has no claim `claimIndex`.
    error NoSuchClaim(uint256 gameId, uint256 claimIndex);
    /// @notice The transaction is not leaf `txIndex` of the batch.
    error NotInBatch(uint256 batchIndex, uint256 txIndex);
    /// @notice Deposits are never disputed (their faults are one-step proofs).
    error NotDisputable(uint256 batchIndex, uint256 txIndex);
    /// @notice The transaction already has a game (`gameId`): join it with moves.
    error GameExists(uint256 gameId);
    /// @notice Batch `batchIndex`'s challenge window closed at `closedAt`: no game may open on it any more.
    error ChallengeWindowClosed(uint256 batchIndex, uint256 closedAt);
    /// @notice msg.value is not the bond of the claim's depth.
    error WrongBond(uint256 required, uint256 given);
    /// @notice The claim answered no longer holds the value the mover saw.
    error DisputedMismatch(bytes32 expected, bytes32 given);
    /// @notice The root is only attacked.
    error CannotDefendRoot();
    /// @notice A move would go below the tree's depth: a leaf is answered by a step.
    error DepthExceeded();
    /// @notice The side that would make this move or step has no time left.
    error ClockExpired(uint256 claimIndex);
    /// @notice The same value at the same position answering the same claim exists.
    error ClaimExists();
    /// @notice Steps refute leaves only.
    error NotALeaf(uint256 claimIndex);
    /// @notice The leaf was already refuted by a step.
    error AlreadyCountered(uint256 claimIndex);
    /// @notice The step does not refute the leaf.
    error StepDoesNotCounter(bytes32 post);
    /// @notice Someone may still answer the claim.
    error ClockNotExpired(uint256 claimIndex);
    /// @notice The claim's subgame is resolved already.
    error AlreadyResolved(uint256 claimIndex);
    /// @notice A child subgame (`childIndex`) is not resolved yet: resolve bottom-up.
    error OutOfOrderResolution(uint256 childIndex);
    /// @notice Too little gas left to pay a bond with the gas a payee is promised.
    error NotEnoughGas();
    /// @notice Ether arrived from someone other than the Inbox.
    error UnexpectedPayment(address from);
    /// @notice A burn failed.
    error TransferFailed(address to, uint256 amount);

    // ---------------------------------------------------------------------------------------- actions

    /// @notice Disputes transaction `p.txIndex` of the live batch `h` within its challenge window (block.timestamp <
    ///         postedAt + challengeWindow): creates the game with the root claim
    ///         and the caller's attack on it, `claim` (the state after 2^25 steps), with the bond of depth 1. Reveals
    ///         the caller's commitment to keccak256(abi.encode(h, p, claim)) (commit-then-reveal, as the provers).
    /// @param holdHint A held batch index below `h.index` ({holdHint}), or anything (then the hold list is walked).
    function dispute(BatchLib.BatchHeader calldata h, TxProof calldata p, bytes32 claim, uint64 holdHint, bytes32 salt)
        external
        payable
        returns (uint256 gameId);
    /// @notice Answers claim `parentIndex` (which must hold `disputed`) with `claim`: an attack (the left child of
    ///         its position) or a defense (the left child of the position after it), with the bond of the new depth.
    function move(uint256 gameId, uint256 parentIndex, bytes32 disputed, bytes32 claim, bool isAttack)
        external
        payable
        returns (uint256 claimIndex);
    /// @notice Refutes leaf claim `claimIndex` with one step of the machine: an attack steps from the state before the
    ///         leaf to the leaf, a defense from the leaf to the state after it. Reveals the caller's commitment to
    ///         keccak256(abi.encode(gameId, claimIndex, isAttack, keccak256(proof))).
    function step(uint256 gameId, uint256 claimIndex, bool isAttack, bytes calldata proof, bytes32 salt) external;
    /// @notice Resolves claim `claimIndex`'s subgame once nobody can answer it and its children are resolved, looking
    ///         at up to `maxChildren` more children (0: all); pays its bond. Resolving the root ends the game.
    function resolveClaim(uint256 gameId, uint256 claimIndex, uint256 maxChildren) external;

    // ---------------------------------------------------------------------------------------- views

    /// @notice The step verifier.
    function verifier() external view returns (address);
    /// @notice Depth of the game tree (leaves commit to single steps): 26.
    function maxDepth() external view returns (uint256);
    /// @notice Seconds on each side's chess clock.
    function maxClockDuration() external view returns (uint256);
    /// @notice The Inbox's challenge window (seconds): a game opens on a batch only within it.
    function challengeWindow() external view returns (uint256);
    /// @notice Seconds a move near the end of its side's clock leaves that side for its next move (doubled before a
    ///         step).
    function clockExtension() external view returns (uint256);
    /// @notice The bond of a claim at depth `depth` (1 … maxDepth).
    function bondAt(uint256 depth) external view returns (uint256);
    /// @notice Number of games created (ids are 1 … gameCount).
    function gameCount() external view returns (uint256);
    /// @notice Game `gameId`.
    function gameData(uint256 gameId) external view returns (GameData memory);
    /// @notice The game of transaction `txIndex` of the batch with header hash `headerHash` (0 if none).
    function gameOf(bytes32 headerHash, uint256 txIndex) external view returns (uint256);
    /// @notice Number of claims of game `gameId`.
    function claimCount(uint256 gameId) external view returns (uint256);
    /// @notice Claim `claimIndex` of game `gameId`.
    function claimAt(uint256 gameId, uint256 claimIndex) external view returns (ClaimData memory);
    /// @notice The claims answering claim `claimIndex`.
    function children(uint256 gameId, uint256 claimIndex) external view returns (uint256[] memory);
    /// @notice Seconds the side that would answer claim `claimIndex` has used (capped at maxClockDuration).
    function challengerDuration(uint256 gameId, uint256 claimIndex) external view returns (uint256);
}
