// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Precompiles} from "../step/lib/Precompiles.sol";

/// @title StepPrecompileHarness
/// @notice Test-only wrappers around contracts/step/lib/Precompiles.sol, so its prices, limits and L1 calls are
///         compared with the validator's EVM (ethereumjs with core/evm/precompile-limits.ts) and measured.
contract StepPrecompileHarness {
    function cancunPrice(uint256 id, bytes memory input) external pure returns (uint256) {
        return Precompiles.cancunPrice(id, input);
    }

    function refused(uint256 id, bytes memory input) external pure returns (bool) {
        return Precompiles.refused(id, input);
    }

    function l1Price(uint256 id, bytes memory input) external pure returns (uint256) {
        return Precompiles.l1Price(id, input);
    }

    /// @notice {Precompiles.run}, plus the L1 gas it used.
    /// @notice {Precompiles.run} on the input's first min(length, cap) bytes.
    function run(uint256 id, bytes memory input, uint256 gasGiven)
        external
        view
        returns (bool ok, uint256 gasUsed, bytes memory output, uint256 l1Gas)
    {
        uint256 n = Precompiles.isPrecompile(id) && id != 2 && id != 3 && id != 4 ? Precompiles.inputCap(id) : 0;
        bytes memory prefix = input.length > n && n > 0 ? _prefix(input, n) : input;
        uint256 g = gasleft();
        (ok, gasUsed, output) = Precompiles.run(id, prefix, input.length, gasGiven);
        l1Gas = g - gasleft();
    }

    function runPrefix(uint256 id, bytes memory prefix, uint256 length, uint256 gasGiven) external view returns (bool ok, uint256 gasUsed) {
        (ok, gasUsed,) = Precompiles.run(id, prefix, length, gasGiven);
    }

    /// @notice {Precompiles.run} in a transaction, so that its whole L1 cost (calldata included) is measured.
    function runTx(uint256 id, bytes calldata input, uint256 gasGiven) external returns (bool ok) {
        (ok,,) = Precompiles.run(id, input, input.length, gasGiven);
        emit Ran(ok);
    }

    function _prefix(bytes memory b, uint256 n) private pure returns (bytes memory p) {
        p = new bytes(n);
        for (uint256 i = 0; i < n; ++i) p[i] = b[i];
    }

    event Ran(bool ok);
}
