// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BatchLib} from "../lib/BatchLib.sol";
import {IStepVerifier, StepStatus} from "../interfaces/IStepVerifier.sol";

/// @title MockStepVerifier
/// @notice TEST ONLY. A stand-in for the one-step verifier: a transaction's "machine" is a program set by the test
///         (`setProgram(tx, length, status)`): it runs `length` steps, then ends with `status` and stays there. State k
///         is `(k < length ? RUNNING : status) << 248 | low 248 bits of keccak(seed, min(k, length))`, the seed binding
///         the transaction, its seq, its batch header, the chain and the program. A step's proof is
///         abi.encode(seed, k, length, status): it must open `pre` as state k; the post-state is state k + 1.
///         Twin: test/helpers/mock-trace.ts. Refuses to exist outside the Hardhat chain (31337).
contract MockStepVerifier is IStepVerifier {
    struct Program {
        uint64 length;
        uint8 status;
        bool set;
    }

    mapping(bytes32 => Program) private _programs;

    error NotATestChain(uint256 chainId);
    /// @notice The transaction has no program: it "does not decode".
    error CannotStart(bytes32 txHash);
    /// @notice The proof does not open the pre-state.
    error BadProof(bytes32 pre, bytes32 opened);

    constructor() {
        // INVARIANT: this verifier proves whatever the test sets, so it exists only on the Hardhat test chain.
        if (block.chainid != 31337) revert NotATestChain(block.chainid);
    }

    /// @notice Sets the program of transaction `txBytes`.
    function setProgram(bytes calldata txBytes, uint64 length, uint8 status) external {
        _programs[keccak256(txBytes)] = Program({length: length, status: status, set: true});
    }

    /// @inheritdoc IStepVerifier
    function startState(bytes calldata txBytes, uint256 seq, BatchLib.BatchHeader calldata h, uint256 chainId)
        external
        view
        override
        returns (bytes32)
    {
        bytes32 txHash = keccak256(txBytes);
        Program memory p = _programs[txHash];
        // INVARIANT: only transactions with a program start.
        if (!p.set) revert CannotStart(txHash);
        bytes32 seed = keccak256(abi.encode(txHash, seq, BatchLib.hashCalldata(h), chainId, p.length, p.status));
        return stateAt(seed, 0, p.length, p.status);
    }

    /// @inheritdoc IStepVerifier
    function step(bytes32 pre, bytes calldata proof) external pure override returns (bytes32) {
        (bytes32 seed, uint256 k, uint64 length, uint8 status) = abi.decode(proof, (bytes32, uint256, uint64, uint8));
        bytes32 opened = stateAt(seed, k, length, status);
        // INVARIANT: the proof opens the pre-state.
        if (opened != pre) revert BadProof(pre, opened);
        return stateAt(seed, k + 1, length, status);
    }

    /// @notice State k of the program (seed, length, status).
    function stateAt(bytes32 seed, uint256 k, uint64 length, uint8 status) public pure returns (bytes32) {
        uint256 at = k < length ? k : length;
        uint8 s = k < length ? StepStatus.RUNNING : status;
        uint256 low = uint256(keccak256(abi.encode(seed, at))) & ((uint256(1) << 248) - 1);
        return bytes32((uint256(s) << 248) | low);
    }
}
