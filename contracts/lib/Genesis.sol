// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Domains} from "./Domains.sol";
import {Merkle} from "./Merkle.sol";

/// @title Genesis
/// @notice The genesis allocation's commitment (docs/protocol.md §7.6), twin of core/genesis.ts: the keys
///         genesis sets to a nonzero value, sorted by canonical key bytes, as leaves
///         keccak(tag(genesis-leaf) || addr (20) || mark (1) || slot (32) || bytes32(value)) of a Merkle tree
///         (§2.2) whose root and leaf count the Inbox stores. A key's genesis value is shown by its leaf, or,
///         for a key genesis leaves at 0, by the leaves just below and above where it would be.
library Genesis {
    /// @notice One leaf shown in a proof.
    struct Leaf {
        uint256 index;
        address addr;
        uint8 mark;
        uint256 slot;
        uint256 value;
        bytes32[] siblings;
    }

    /// @notice The leaf hash of (addr, mark, slot) = value.
    function leafHash(address addr, uint8 mark, uint256 slot, uint256 value) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(Domains.GENESIS_LEAF, addr, mark, slot, value));
    }

    /// @notice -1, 0 or 1 as key a is below, equal to or above key b (canonical key order).
    function compare(address aAddr, uint8 aMark, uint256 aSlot, Leaf calldata b) private pure returns (int256) {
        if (aAddr != b.addr) return uint160(aAddr) < uint160(b.addr) ? -1 : int256(1);
        if (aMark != b.mark) return aMark < b.mark ? -1 : int256(1);
        if (aSlot != b.slot) return aSlot < b.slot ? -1 : int256(1);
        return 0;
    }

    /// @notice The genesis value of key (addr, mark, slot) that `proof` shows against (`root`, `count`):
    ///         (true, value) for the key's own leaf; (true, 0) for the adjacent leaves around it, the first
    ///         leaf above it, the last below it, or no leaf in an empty tree; (false, 0) otherwise.
    function valueOf(bytes32 root, uint256 count, address addr, uint8 mark, uint256 slot, Leaf[] calldata proof)
        internal
        pure
        returns (bool shown, uint256 value)
    {
        for (uint256 i = 0; i < proof.length; ++i) {
            Leaf calldata l = proof[i];
            if (!Merkle.verifyCalldata(root, leafHash(l.addr, l.mark, l.slot, l.value), l.index, count, l.siblings)) return (false, 0);
        }
        if (proof.length == 0) return (count == 0, 0);
        // c: how the key compares with each leaf (-1: the key is below the leaf).
        int256 c0 = compare(addr, mark, slot, proof[0]);
        if (proof.length == 1) {
            if (c0 == 0) return (true, proof[0].value);
            if (c0 < 0 && proof[0].index == 0) return (true, 0);
            if (c0 > 0 && proof[0].index == count - 1) return (true, 0);
            return (false, 0);
        }
        if (proof.length == 2 && proof[1].index == proof[0].index + 1 && c0 > 0 && compare(addr, mark, slot, proof[1]) < 0) return (true, 0);
        return (false, 0);
    }
}
