// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test contract: calls that burn all the gas they get on CPU-heavy work (KECCAK256,
///         the ecrecover precompile), as an attacker's eth_call flood would.
contract Burner {
    /// @notice Hashes until less than 10,000 gas is left; returns the last hash.
    function hashes() external view returns (bytes32 h) {
        while (gasleft() > 10_000) {
            h = keccak256(abi.encode(h, gasleft()));
        }
    }

    /// @notice Recovers signers until less than 10,000 gas is left; returns the last one.
    function recovers() external view returns (address a) {
        bytes32 r = 0x4a5c5d454721bbbb25540c3317521e71c373ae36458f960d2ad46ef088110e95;
        bytes32 s = 0x2e4e6f0b10e6d8c1c3e2a8cbd9e1c5b1d3d1b1e3f6a7b2c4d5e6f708192a3b4c;
        while (gasleft() > 10_000) {
            a = ecrecover(keccak256(abi.encode(a, gasleft())), 27, r, s);
        }
    }

    /// @notice The gas the call started with (to see the cap).
    function gas() external view returns (uint256) {
        return gasleft();
    }
}
