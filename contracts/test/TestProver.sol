// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BatchLib} from "../lib/BatchLib.sol";
import {FraudProver} from "../fraud/FraudProver.sol";

/// @title TestProver
/// @notice TEST ONLY. A trivial concrete FraudProver that "proves" any live, non-final batch whose header it is
///         given, once armed, so tests can exercise the base (commit-reveal, header check, settle) and the
///         Inbox's rollback. It refuses to exist outside the Hardhat chain (chain id 31337), and the Ignition
///         module deploys it only when a test asks for it.
contract TestProver is FraudProver {
    /// @notice Who may arm it.
    address public immutable owner;
    /// @notice The test flag: proofs are accepted only while armed.
    bool public armed;

    error NotATestChain(uint256 chainId);
    error NotOwner(address caller);
    error NotArmed();

    constructor(address inbox_) FraudProver(inbox_) {
        // INVARIANT: this prover accepts anything, so it exists only on the Hardhat test chain.
        if (block.chainid != 31337) revert NotATestChain(block.chainid);
        owner = msg.sender;
    }

    /// @notice Sets the test flag.
    function arm(bool on) external {
        // INVARIANT: only the deployer of the test prover sets the flag.
        if (msg.sender != owner) revert NotOwner(msg.sender);
        armed = on;
    }

    /// @notice The proof hash {prove} reveals: keccak256(abi.encode(header, kind)).
    function proofHash(BatchLib.BatchHeader calldata h, uint8 kind) public pure returns (bytes32) {
        return keccak256(abi.encode(h, kind));
    }

    /// @notice "Proves" batch `h` fraudulent with kind `kind`: reveal, header check, settle.
    function prove(BatchLib.BatchHeader calldata h, uint8 kind, bytes32 salt) external {
        // INVARIANT: the test flag is set.
        if (!armed) revert NotArmed();
        _reveal(proofHash(h, kind), salt);
        _checkBatch(h);
        _settle(h.index, kind);
    }

    /// @notice Only the commit-reveal step, on an arbitrary proof.
    function revealOnly(bytes calldata proof, bytes32 salt) external {
        _revealProof(proof, salt);
    }

    /// @notice Commits and reveals in one transaction (must fail: the reveal is in the commitment's block).
    function commitAndReveal(bytes32 commitment, bytes calldata proof, bytes32 salt) external {
        commit(commitment);
        _revealProof(proof, salt);
    }

    /// @notice Only the header check.
    function checkBatch(BatchLib.BatchHeader calldata h) external view returns (bytes32) {
        return _checkBatch(h);
    }

    /// @notice Settles without reveal or header check, so tests can reach the Inbox's own rollback checks.
    function settleUnchecked(uint256 index, uint8 kind) external {
        // INVARIANT: the test flag is set.
        if (!armed) revert NotArmed();
        _settle(index, kind);
    }
}
