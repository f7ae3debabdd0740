// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Position
/// @notice Positions in the game tree as generalized indices (docs/protocol.md §11.5.1), twin of core/game/position.ts:
///         the root is 1, the children of `p` are `2p` and `2p + 1`, so `p = 2^depth + indexAtDepth`. A claim at
///         position `p` of a tree of depth `maxDepth` commits to the state after `traceIndex(p) + 1` steps, where
///         `traceIndex(p)` is the index of the rightmost leaf below `p`.
library Position {
    /// @notice floor(log2 p) for p ≥ 1: the depth of position `p`.
    function depth(uint256 p) internal pure returns (uint256 d) {
        if (p >> 128 != 0) (p, d) = (p >> 128, d + 128);
        if (p >> 64 != 0) (p, d) = (p >> 64, d + 64);
        if (p >> 32 != 0) (p, d) = (p >> 32, d + 32);
        if (p >> 16 != 0) (p, d) = (p >> 16, d + 16);
        if (p >> 8 != 0) (p, d) = (p >> 8, d + 8);
        if (p >> 4 != 0) (p, d) = (p >> 4, d + 4);
        if (p >> 2 != 0) (p, d) = (p >> 2, d + 2);
        if (p >> 1 != 0) d += 1;
    }

    /// @notice The index of `p` among the positions of its depth (0 is leftmost).
    function indexAtDepth(uint256 p) internal pure returns (uint256) {
        return p - (uint256(1) << depth(p));
    }

    /// @notice The position a move on `p` creates: an attack is the left child of `p`, a defense the left child of
    ///         `p + 1` (the right sibling's subtree when `p` is a left child).
    function move(uint256 p, bool isAttack) internal pure returns (uint256) {
        return isAttack ? p << 1 : (p + 1) << 1;
    }

    /// @notice The index of the rightmost leaf (at depth `maxDepth`) below `p` (`p` at depth ≤ `maxDepth`).
    function traceIndex(uint256 p, uint256 maxDepth) internal pure returns (uint256) {
        uint256 rest = maxDepth - depth(p);
        return ((p << rest) | ((uint256(1) << rest) - 1)) - (uint256(1) << maxDepth);
    }

    /// @notice The highest ancestor of `p` (or `p` itself) with the same trace index: `p` without its trailing ones,
    ///         at least the root.
    function traceAncestor(uint256 p) internal pure returns (uint256 a) {
        a = p;
        while (a & 1 == 1) a >>= 1;
        if (a == 0) a = 1;
    }
}
