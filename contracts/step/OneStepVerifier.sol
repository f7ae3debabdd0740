// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm, StepConst as K} from "./lib/StepTypes.sol";
import {StepHost as S} from "./lib/StepHost.sol";
import {CodeReader} from "./lib/CodeReader.sol";
import {IStepVerifier} from "../interfaces/IStepVerifier.sol";
import {IStepFamily} from "./interfaces/IStepFamily.sol";
import {BatchLib} from "../lib/BatchLib.sol";
import {StepStart} from "./StepStart.sol";

/// @title OneStepVerifier
/// @notice The Solidity one-step verifier of the step machine (docs/step-machine.md; DESIGN §8.2), the dispute game's
///         IStepVerifier (docs/protocol.md §11.5.8): `startState(T, s, H, chainId)` computes step 0 from the
///         transaction (contracts/step/StepStart.sol); `step(pre, proof)` returns the state after one step. It routes
///         the step to the contract of its family (as Arbitrum's OneStepProofEntry routes to its provers), each
///         under the contract-size budget:
///         - StepTx: the preamble, access-list warming, the top frame's start, settlement, the epilogue's pass, copies;
///         - StepHash: hashes in steps (KECCAK256, CREATE's initcode, code deposit, SHA256, RIPEMD160, precompile
///           input) and what follows them (precompiles run on L1);
///         - StepCall: entering and leaving frames, CALL, CALLCODE, DELEGATECALL, STATICCALL, CREATE, CREATE2,
///           SELFDESTRUCT;
///         - StepState: BALANCE, SELFBALANCE, EXTCODESIZE, EXTCODECOPY, EXTCODEHASH, SLOAD, SSTORE;
///         - StepRun: every other instruction.
///         The routing reads the proof's words unchecked: the family checks everything again and refuses a step not
///         its own, so a wrong route only fails. A family that ends the machine reverts with the terminal status;
///         the verifier returns the terminal state (docs/step-machine.md §7).
contract OneStepVerifier is IStepVerifier {
    using S for Vm;

    /// @notice The code registry (where code and carriers live).
    address public immutable registry;
    address public immutable stepTx;
    address public immutable stepHash;
    address public immutable stepCall;
    address public immutable stepState;
    address public immutable stepRun;
    address public immutable stepStart;

    /// @notice A family address is not a contract.
    error BadFamily(address family);

    constructor(address registry_, address tx_, address hash_, address call_, address state_, address run_, address start_) {
        address[7] memory all = [registry_, tx_, hash_, call_, state_, run_, start_];
        for (uint256 i = 0; i < 7; ++i) {
            // INVARIANT: every part is a deployed contract.
            if (all[i].code.length == 0) revert BadFamily(all[i]);
        }
        registry = registry_;
        stepTx = tx_;
        stepHash = hash_;
        stepCall = call_;
        stepState = state_;
        stepRun = run_;
        stepStart = start_;
    }

    /// @inheritdoc IStepVerifier
    function startState(bytes calldata txBytes, uint256 seq, BatchLib.BatchHeader calldata h, uint256 chainId)
        external
        view
        override
        returns (bytes32)
    {
        return StepStart(stepStart).startState(txBytes, seq, h, chainId);
    }

    /// @inheritdoc IStepVerifier
    function step(bytes32 pre, bytes calldata proof) external view override returns (bytes32 post) {
        uint256 status = _word(proof, 0);
        if (status != K.RUNNING) {
            // a terminal state is its own successor: its proof is its preimage alone
            Vm memory vm;
            uint256 off;
            assembly ("memory-safe") {
                off := proof.offset
            }
            vm.open(uint256(pre), off, proof.length);
            // INVARIANT: the proof is exactly the preimage.
            if (vm.cur != vm.end) revert S.ProofTooLong(vm.cur, vm.end);
            return pre;
        }
        address family = _route(proof);
        try IStepFamily(family).run(uint256(pre), proof) returns (uint256 p) {
            return bytes32(p);
        } catch (bytes memory reason) {
            if (reason.length == 36 && bytes4(reason) == S.Terminated.selector) {
                uint256 end;
                assembly ("memory-safe") {
                    end := mload(add(reason, 36))
                }
                // the family checked the preimage before ending the machine: word 1 is TxConst's hash
                return bytes32(S.terminalHash(end, _word(proof, 1)));
            }
            assembly ("memory-safe") {
                revert(add(reason, 32), mload(reason))
            }
        }
    }

    /// @dev The family of a running state's step, from the unchecked proof words.
    function _route(bytes calldata proof) private view returns (address) {
        if (_word(proof, 5) != 0) {
            // a pending operation: its kind is the first word of the PENDING item, right after the preimage
            uint256 kind = _word(proof, 7);
            if (kind >= K.P_KECCAK && kind <= K.P_RIPEMD160) return stepHash;
            return stepTx;
        }
        // the FRAME item: ctx, stage, result, codeHash, codeSize, pc, …
        uint256 stage = _word(proof, 8);
        if (stage != K.RUN) return stepCall;
        uint256 codeHash = _word(proof, 10);
        uint256 codeSize = _word(proof, 11);
        uint256 pc = _word(proof, 12);
        if (pc >= codeSize) return stepRun;
        uint256 op = uint8(CodeReader.read(registry, bytes32(codeHash), pc, 1)[0]);
        if (op == 0xf0 || op == 0xf1 || op == 0xf2 || op == 0xf4 || op == 0xf5 || op == 0xfa || op == 0xff) return stepCall;
        if (op == 0x31 || op == 0x3b || op == 0x3c || op == 0x3f || op == 0x47 || op == 0x54 || op == 0x55) return stepState;
        return stepRun;
    }

    function _word(bytes calldata proof, uint256 i) private pure returns (uint256 w) {
        if (proof.length < 32 * (i + 1)) return 0;
        assembly ("memory-safe") {
            w := calldataload(add(proof.offset, shl(5, i)))
        }
    }
}
