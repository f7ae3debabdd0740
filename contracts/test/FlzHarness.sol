// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Flz} from "../lib/Flz.sol";
import {DecodeError} from "../lib/Reader.sol";

/// @title FlzHarness
/// @notice Test-only wrappers around contracts/lib/Flz.sol, so test/vectors/flz.json runs against it.
contract FlzHarness {
    /// @notice Flz.expand.
    function expand(bytes memory item, bytes memory dict) external pure returns (bytes memory) {
        return Flz.expand(item, dict);
    }

    /// @notice Flz.expand with the gas the expansion took (the dictionary's copy included), and the output's hash.
    function expandGas(bytes memory item, bytes memory dict) external view returns (uint256 used, bytes32 h, uint256 len) {
        uint256 g = gasleft();
        bytes memory out = Flz.expand(item, dict);
        used = g - gasleft();
        h = keccak256(out);
        len = out.length;
    }

    /// @notice Never succeeds; puts the decoders' DecodeError in this contract's ABI for the tests' matchers.
    function decodeError(uint8 code, uint256 offset) external pure {
        revert DecodeError(code, offset);
    }

    /// @notice Flz.expandFrom.
    function expandFrom(bytes memory item, address holder) external view returns (bytes memory) {
        return Flz.expandFrom(item, holder);
    }

    /// @notice Flz.dictionaryOf.
    function dictionaryOf(address holder) external view returns (bytes memory) {
        return Flz.dictionaryOf(holder);
    }
}
