// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test contract: storage writes, reads, events, value and a revert path.
contract Counter {
    uint256 public count;
    mapping(address => uint256) public paid;

    event Bumped(address indexed by, uint256 count);

    error TooLarge(uint256 by);

    function bump(uint256 by) external payable {
        // INVARIANT: one bump adds at most 1000.
        if (by > 1000) revert TooLarge(by);
        count += by;
        paid[msg.sender] += msg.value;
        emit Bumped(msg.sender, count);
    }
}
