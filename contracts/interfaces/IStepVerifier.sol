// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BatchLib} from "../lib/BatchLib.sol";

/// @title StepStatus
/// @notice The status byte of a step-machine state hash (docs/protocol.md §11.5): the top byte of every state
///         hash, the low 248 bits being those of the state's own hash (Cannon's trick), so a claim shows its status.
library StepStatus {
    /// @notice The machine has not ended.
    uint8 internal constant RUNNING = 0x00;
    /// @notice The machine ended and every declared key equals its `next`: the transaction is valid.
    uint8 internal constant OK = 0x01;
    // Every other value is a fault (next-mismatch, undeclared-key, missing-code, ...): see docs/step-machine.md.
}

/// @title IStepVerifier
/// @notice The one-step verifier as the dispute game sees it (docs/protocol.md §11.5): the step-0 state of a
///         transaction, computed on L1 from its bytes, and one step of the machine. Optimism's IBigStepper with the
///         start state added, so the game needs nothing from outside the transaction.
/// @dev Both functions must be deterministic in their arguments and L1 state that only grows (the code registry), and
///      must never let the gas the caller supplies decide a result: where a sub-call can fail for lack of gas (a
///      precompile, a code read), the verifier reverts instead of treating the failure as an outcome of the machine.
interface IStepVerifier {
    /// @notice The hash of the step-0 state of transaction `txBytes` (a move or wrapped transaction, §5) at seq `seq`
    ///         of the batch with header `h`, on the rollup of chain id `chainId`.
    /// @dev Reverts (a custom error) when `txBytes` cannot start the machine: it does not decode, its signature does
    ///      not recover, or it is a deposit. Those faults have their own one-step proofs.
    function startState(bytes calldata txBytes, uint256 seq, BatchLib.BatchHeader calldata h, uint256 chainId)
        external
        view
        returns (bytes32 state);

    /// @notice The hash of the state one step after `pre`, the proof opening `pre` (and whatever the step reads).
    /// @dev Reverts when the proof does not open `pre`. A terminal state steps to itself.
    function step(bytes32 pre, bytes calldata proof) external view returns (bytes32 post);
}
