// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Frame, Vm, StepConst as K} from "./StepTypes.sol";
import {StepHost as S} from "./StepHost.sol";
import {StepOps as O} from "./StepOps.sol";
import {OpTable} from "./OpTable.sol";
import {CodeReader} from "./CodeReader.sol";

/// @notice The instruction at a running frame's pc, after the checks every instruction makes.
struct Instr {
    uint256 op;
    bool dynamic;
    uint256 gas;
    /// @dev the byte at pc and the 32 after it (zero past the code's end): a PUSH's immediate
    uint256 imm;
}

/// @title StepInstr
/// @notice The start of every instruction step (core/step/interp.ts `run`): past the code's end the frame
///         returns; an undefined opcode, too few stack items or a stack overflow halt it; otherwise the top items
///         it reads are revealed.
library StepInstr {
    using S for Vm;

    /// @notice Fetches and checks the instruction; false if the step is over already (the frame halted).
    function begin(Vm memory vm, Frame memory f) internal view returns (bool go, Instr memory ins) {
        if (f.pc >= f.codeSize) {
            O.halt(f, K.SUCCESS, 0, 0);
            return (false, ins);
        }
        // INVARIANT: the frame's code is registered (an unregistered one would read as STOPs: another step).
        O.requireRegistered(vm, f.codeHash);
        bytes memory b = CodeReader.read(vm.registry, bytes32(f.codeHash), f.pc, 33);
        uint256 op = uint8(b[0]);
        uint256 imm;
        assembly ("memory-safe") {
            imm := mload(add(b, 33))
        }
        // code past codeSize reads as zero (a registered code is exactly codeSize long)
        (bool defined, bool dynamic, uint256 inputs, uint256 outputs, uint256 g) = OpTable.info(op);
        if (!defined) {
            O.fail(f);
            return (false, ins);
        }
        if (!vm.need(inputs)) {
            O.fail(f);
            return (false, ins);
        }
        if (vm.stackSize() - inputs + outputs > K.STACK_LIMIT) {
            O.fail(f);
            return (false, ins);
        }
        return (true, Instr(op, dynamic, g, imm));
    }
}
