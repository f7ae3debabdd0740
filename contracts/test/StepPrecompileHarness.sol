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
    function run(uint256 id, bytes memory input, uint256 gasGiven)
        external
        view
        returns (bool ok, uint256 gasUsed, bytes memory output, uint256 l1Gas)
    {
        uint256 g = gasleft();
        (ok, gasUsed, output) = Precompiles.run(id, input, gasGiven);
        l1Gas = g - gasleft();
    }

    /// @notice {Precompiles.run} in a transaction, so that its whole L1 cost (calldata included) is measured.
    function runTx(uint256 id, bytes calldata input, uint256 gasGiven) external returns (bool ok) {
        (ok,,) = Precompiles.run(id, input, gasGiven);
        emit Ran(ok);
    }

    event Ran(bool ok);
}
