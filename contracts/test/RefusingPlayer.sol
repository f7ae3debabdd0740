// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title RefusingPlayer
/// @notice TEST ONLY. A player contract that makes any call (a game move, a commit) and refuses every payment, to
///         show that a payee cannot block a resolution (its payment is burned instead).
contract RefusingPlayer {
    error Refused();

    /// @notice Calls `target` with `data` and msg.value; bubbles a revert up.
    function call(address target, bytes calldata data) public payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    /// @notice Two calls in one transaction (e.g. a commit and its reveal, which must fail: the same block).
    function callBoth(address target, bytes calldata a, bytes calldata b) external payable {
        this.call(target, a);
        this.call{value: msg.value}(target, b);
    }

    receive() external payable {
        revert Refused();
    }
}
