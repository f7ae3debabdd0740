// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice TEST ONLY (test/security): a transaction a coordinator must refuse, but only after running it in full. It
///         reads 1,100 storage slots (more keys than a transaction may declare: the filler refuses it, over-limit)
///         and then recovers signatures until its gas is nearly gone.
contract RefusedBurner {
    function run() external returns (address a) {
        uint256 x;
        for (uint256 i = 0; i < 1100; ++i) {
            assembly {
                x := add(x, sload(i))
            }
        }
        bytes32 r = 0x4a5c5d454721bbbb25540c3317521e71c373ae36458f960d2ad46ef088110e95;
        bytes32 s = 0x2e4e6f0b10e6d8c1c3e2a8cbd9e1c5b1d3d1b1e3f6a7b2c4d5e6f708192a3b4c;
        while (gasleft() > 10_000) {
            a = ecrecover(keccak256(abi.encode(a, x, gasleft())), 27, r, s);
        }
    }
}
