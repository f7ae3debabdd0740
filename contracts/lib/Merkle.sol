// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Domains} from "./Domains.sol";

/// @title Merkle
/// @notice Binary Merkle tree over 32-byte leaves (docs/protocol.md §2.2), twin of core/merkle.ts.
///         Leaves are padded with ZERO to 2^depth; node(l, r) = ZERO if both are ZERO, else
///         keccak(tag(merkle-node) || l || r). The empty tree's root is tag(merkle-empty); a one-leaf
///         tree's root is the leaf.
library Merkle {
    /// @notice Inner node hash with the ZERO-on-ZERO rule.
    function node(bytes32 left, bytes32 right) internal pure returns (bytes32 h) {
        if (left == 0 && right == 0) return 0;
        bytes32 tag = Domains.MERKLE_NODE;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, tag)
            mstore(add(m, 32), left)
            mstore(add(m, 64), right)
            h := keccak256(m, 96)
        }
    }

    /// @notice Number of levels: ceil(log2(n)), 0 for n <= 1.
    function depth(uint256 n) internal pure returns (uint256 d) {
        if (n <= 1) return 0;
        // ceil(log2 n) = bit length of n - 1 (no overflow even for n near 2^256).
        uint256 x = n - 1;
        while (x != 0) {
            x >>= 1;
            ++d;
        }
    }

    /// @notice Root of `leaves`; `leaves` is left unchanged.
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        uint256 n = leaves.length;
        bytes32[] memory level = new bytes32[](n);
        assembly ("memory-safe") {
            mcopy(add(level, 32), add(leaves, 32), mul(n, 32))
        }
        return rootInPlace(level);
    }

    /// @notice Root of `leaves`, using the array as scratch space (its contents are destroyed; its
    ///         length is kept).
    /// @dev Each pair (l, r) already lies contiguously in the array, so the node hash is taken in place:
    ///      the tag is written over the word in front of the pair (the previous pair's right child, already
    ///      consumed, or the array's length word, restored at the end) and the node is written to slot i
    ///      (i <= 2i - 1, never ahead of what is still to be read).
    function rootInPlace(bytes32[] memory leaves) internal pure returns (bytes32 r) {
        uint256 n = leaves.length;
        if (n == 0) return Domains.MERKLE_EMPTY;
        uint256 len0 = n;
        bytes32 tag = Domains.MERKLE_NODE;
        assembly ("memory-safe") {
            let base := add(leaves, 32)
            for {} gt(n, 1) {} {
                let pairsEnd := add(base, shl(5, and(n, not(1))))
                let dst := base
                for { let src := base } lt(src, pairsEnd) { src := add(src, 64) } {
                    let h := 0
                    if or(mload(src), mload(add(src, 32))) {
                        let t := sub(src, 32)
                        mstore(t, tag)
                        h := keccak256(t, 96)
                    }
                    mstore(dst, h)
                    dst := add(dst, 32)
                }
                // odd last node: paired with ZERO (hashed in scratch memory, not past the array's end)
                if and(n, 1) {
                    let l := mload(pairsEnd)
                    let h := 0
                    if l {
                        let m := mload(0x40)
                        mstore(m, tag)
                        mstore(add(m, 32), l)
                        mstore(add(m, 64), 0)
                        h := keccak256(m, 96)
                    }
                    mstore(dst, h)
                    dst := add(dst, 32)
                }
                n := shr(5, sub(dst, base))
            }
            r := mload(base)
        }
        assembly ("memory-safe") {
            mstore(leaves, len0) // the first pair's tag was written over the length word
        }
    }

    /// @notice Whether `leaf` is leaf `index` of a tree of `count` leaves with root `root_`.
    /// @dev As core/merkle.ts verifyMerkleProof: requires index < count, exactly depth(count) siblings
    ///      (from the leaf upward) and a nonzero leaf, so no leaf has two positions and padding never verifies.
    function verify(bytes32 root_, bytes32 leaf, uint256 index, uint256 count, bytes32[] memory proof)
        internal
        pure
        returns (bool)
    {
        if (index >= count) return false;
        if (proof.length != depth(count)) return false;
        if (leaf == 0) return false;
        bytes32 h = leaf;
        uint256 i = index;
        for (uint256 k = 0; k < proof.length; ++k) {
            h = (i & 1 == 1) ? node(proof[k], h) : node(h, proof[k]);
            i >>= 1;
        }
        return h == root_;
    }

    /// @notice {verify} for a proof in calldata.
    function verifyCalldata(bytes32 root_, bytes32 leaf, uint256 index, uint256 count, bytes32[] calldata proof)
        internal
        pure
        returns (bool)
    {
        if (index >= count) return false;
        if (proof.length != depth(count)) return false;
        if (leaf == 0) return false;
        bytes32 h = leaf;
        uint256 i = index;
        for (uint256 k = 0; k < proof.length; ++k) {
            h = (i & 1 == 1) ? node(proof[k], h) : node(h, proof[k]);
            i >>= 1;
        }
        return h == root_;
    }
}
