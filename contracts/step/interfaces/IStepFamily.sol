// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IStepFamily
/// @notice One family of steps of the one-step verifier (contracts/step/lib/StepFamily.sol).
interface IStepFamily {
    function run(uint256 pre, bytes calldata proof) external view returns (uint256 post);
}
