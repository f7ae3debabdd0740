// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICodeRegistry} from "../step/interfaces/ICodeRegistry.sol";
import {CodeReader} from "../step/lib/CodeReader.sol";
import {JumpdestBitmap} from "../step/lib/JumpdestBitmap.sol";

/// @title StepCodeHarness
/// @notice Test-only: reads registered code the way a step does (contracts/step/lib/CodeReader.sol), and the
///         jump-destination bitmap computed directly (contracts/step/lib/JumpdestBitmap.sol).
contract StepCodeHarness {
    ICodeRegistry public immutable registry;

    constructor(ICodeRegistry r) {
        registry = r;
    }

    function read(bytes32 h, uint256 offset, uint256 len) external view returns (bytes memory) {
        return CodeReader.read(address(registry), h, offset, len);
    }

    function word(bytes32 h, uint256 offset) external view returns (bytes32) {
        return CodeReader.word(address(registry), h, offset);
    }

    function isJumpdest(bytes32 h, uint256 pc) external view returns (bool) {
        return CodeReader.isJumpdest(address(registry), h, pc);
    }

    function size(bytes32 h) external view returns (uint256) {
        return CodeReader.size(address(registry), h);
    }

    function bitmap(bytes calldata code) external pure returns (bytes memory) {
        return JumpdestBitmap.compute(code);
    }
}
