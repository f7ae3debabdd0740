// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Frame, Vm, StepConst as K} from "./StepTypes.sol";
import {StepHost as S} from "./StepHost.sol";

/// @title StepFamily
/// @notice A family of steps of the one-step verifier (contracts/step/OneStepVerifier.sol dispatches to it): reads
///         the pre-state's preimage from the proof, runs the step, returns the post-state's hash. A step that ends
///         the machine reverts with StepHost.Terminated(status), which the verifier turns into the terminal state.
abstract contract StepFamily {
    using S for Vm;

    /// @notice The step is not one of this family's (the verifier dispatched wrongly, or the proof lies).
    error WrongFamily();
    /// @notice The pre-state is terminal: the verifier handles it.
    error NotRunning();

    /// @notice The code registry steps read code and carriers from.
    address public immutable registry;

    constructor(address registry_) {
        registry = registry_;
    }

    /// @notice The post-state of the step from `pre` proven by `proof` (docs/step-machine.md §4).
    function run(uint256 pre, bytes calldata proof) external view returns (uint256 post) {
        Vm memory vm;
        vm.registry = registry;
        uint256 off;
        assembly ("memory-safe") {
            off := proof.offset
        }
        // INVARIANT: a family runs only running states (terminal ones are their own successors).
        if (vm.open(pre, off, proof.length) != K.RUNNING) revert NotRunning();
        _step(vm);
        return vm.close();
    }

    /// @notice The step itself.
    function _step(Vm memory vm) internal view virtual;

    /// @notice The current frame of a step that runs an instruction (no pending operation, stage RUN).
    function _running(Vm memory vm) internal pure returns (Frame memory f) {
        (bool has,) = vm.getPending();
        // INVARIANT: an instruction step has no pending operation and a running frame.
        if (has) revert WrongFamily();
        f = vm.getFrame();
        if (f.stage != K.RUN) revert WrongFamily();
    }
}
