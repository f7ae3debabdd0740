// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CodeRegistry} from "../step/CodeRegistry.sol";

/// @title TestCodeRegistry
/// @notice Test-only code registry: besides carriers shown against live batches, a test may declare code carried
///         (available to every transaction), as the state tests' pre-state code is. Refuses to deploy outside the
///         local Hardhat chain (31337).
contract TestCodeRegistry is CodeRegistry {
    mapping(bytes32 => bool) public testCarried;

    error NotTestChain();

    constructor(address inbox_) CodeRegistry(inbox_) {
        // INVARIANT: never on a real network.
        if (block.chainid != 31337) revert NotTestChain();
    }

    function setCarried(bytes32[] calldata hashes) external {
        for (uint256 i = 0; i < hashes.length; ++i) testCarried[hashes[i]] = true;
    }

    function unsetCarried(bytes32[] calldata hashes) external {
        for (uint256 i = 0; i < hashes.length; ++i) testCarried[hashes[i]] = false;
    }

    function carriedBy(bytes32 codeHash, uint256 seq) public view override returns (bool) {
        return testCarried[codeHash] || super.carriedBy(codeHash, seq);
    }
}
