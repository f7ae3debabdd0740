// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IStepVerifier
/// @notice The one-step verifier behind one function (as Optimism's IBigStepper): the state after one step of the
///         step machine (docs/step-machine.md), from the state before it and the step's proof.
interface IStepVerifier {
    /// @notice The post-state of the step from `pre` proven by `proof`. Reverts if the proof does not prove it
    ///         (or holds anything the step does not read), or if code the step needs is not in the code registry.
    ///         A terminal state is its own successor.
    function step(bytes32 pre, bytes calldata proof) external view returns (bytes32 post);
}
