// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FaultKind} from "../interfaces/IInbox.sol";

/// @title FaultKindHarness
/// @notice Test-only: the Solidity fault-kind numbers (IInbox.sol FaultKind), in the order of core/errors.ts
///         FAULT_KINDS, so a test can check that both number the kinds alike.
contract FaultKindHarness {
    /// @notice Every kind's number, in the order of core/errors.ts FAULT_KINDS, and the largest valid one.
    function kinds() external pure returns (uint8[8] memory k, uint8 max) {
        k = [
            FaultKind.MALFORMED,
            FaultKind.SIGNATURE,
            FaultKind.INPUT,
            FaultKind.DOUBLE_USE,
            FaultKind.DEPOSIT,
            FaultKind.RULES,
            FaultKind.EXECUTION,
            FaultKind.DATA
        ];
        max = FaultKind.MAX;
    }
}
