// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Position} from "../game/lib/Position.sol";

/// @title PositionHarness
/// @notice TEST ONLY. Exposes contracts/game/lib/Position.sol to the shared vectors (test/vectors/game.json).
contract PositionHarness {
    function depth(uint256 p) external pure returns (uint256) {
        return Position.depth(p);
    }

    function indexAtDepth(uint256 p) external pure returns (uint256) {
        return Position.indexAtDepth(p);
    }

    function traceIndex(uint256 p, uint256 maxDepth) external pure returns (uint256) {
        return Position.traceIndex(p, maxDepth);
    }

    function traceAncestor(uint256 p) external pure returns (uint256) {
        return Position.traceAncestor(p);
    }

    function move(uint256 p, bool isAttack) external pure returns (uint256) {
        return Position.move(p, isAttack);
    }
}
