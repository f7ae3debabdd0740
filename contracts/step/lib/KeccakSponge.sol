// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {KeccakF} from "./KeccakF.sol";

/// @title KeccakSponge
/// @notice The keccak256 sponge around keccak-f[1600] (contracts/step/lib/KeccakF.sol): conversions between the
///         25 lanes and the standard 200-byte state, absorbing one 136-byte block (the KECCAK256 micro-step) and
///         squeezing the 32-byte output. Twin of core/crypto/keccak-f.ts (keccakAbsorb, keccakSponge).
library KeccakSponge {
    /// @notice A Keccak state that is not 200 bytes.
    error BadStateLength(uint256 length);

    /// @notice The lanes of a 200-byte state (standard byte layout: lane i is bytes [8i, 8i + 8) little-endian).
    function fromBytes(bytes memory st) internal pure returns (uint256[25] memory a) {
        // INVARIANT: a Keccak state is 200 bytes.
        if (st.length != 200) revert BadStateLength(st.length);
        for (uint256 w = 0; w < 7; ++w) {
            uint256 v;
            assembly ("memory-safe") {
                v := mload(add(add(st, 32), shl(5, w)))
            }
            v = swapLanes(v);
            uint256 n = w == 6 ? 1 : 4; // 6 full words (24 lanes), then lane 24
            for (uint256 k = 0; k < n; ++k) a[4 * w + k] = (v >> (192 - 64 * k)) & 0xffffffffffffffff;
        }
    }

    /// @notice The 200-byte standard state of 25 lanes.
    function toBytes(uint256[25] memory a) internal pure returns (bytes memory st) {
        st = new bytes(200);
        for (uint256 w = 0; w < 7; ++w) {
            uint256 v;
            uint256 n = w == 6 ? 1 : 4;
            for (uint256 k = 0; k < n; ++k) v |= (a[4 * w + k] & 0xffffffffffffffff) << (192 - 64 * k);
            v = swapLanes(v);
            if (w == 6) {
                // only 8 bytes of the last word belong to the state: merge, keeping what follows
                assembly ("memory-safe") {
                    let q := add(add(st, 32), 192)
                    mstore(q, or(and(v, shl(192, 0xffffffffffffffff)), and(mload(q), shr(64, not(0)))))
                }
            } else {
                assembly ("memory-safe") {
                    mstore(add(add(st, 32), shl(5, w)), v)
                }
            }
        }
    }

    /// @notice XORs a 136-byte block (17 lanes, little-endian, given as 4¼ big-endian words: the block's bytes
    ///         [32k, 32k + 32) in word k, the last word's low 24 bytes ignored) into the rate, then permutes.
    function absorb(uint256[25] memory a, uint256[5] memory blk) internal pure {
        for (uint256 w = 0; w < 5; ++w) {
            uint256 v = swapLanes(blk[w]);
            uint256 n = w == 4 ? 1 : 4;
            for (uint256 k = 0; k < n; ++k) a[4 * w + k] ^= (v >> (192 - 64 * k)) & 0xffffffffffffffff;
        }
        KeccakF.permute(a);
    }

    /// @notice The first 32 bytes of the state (keccak256's output after the last block).
    function squeeze(uint256[25] memory a) internal pure returns (bytes32) {
        uint256 v = ((a[0] & 0xffffffffffffffff) << 192) | ((a[1] & 0xffffffffffffffff) << 128)
            | ((a[2] & 0xffffffffffffffff) << 64) | (a[3] & 0xffffffffffffffff);
        return bytes32(swapLanes(v));
    }

    /// @notice Reverses the byte order inside each 8-byte group of a word (big-endian ⇄ little-endian lanes).
    function swapLanes(uint256 v) internal pure returns (uint256) {
        v = ((v >> 8) & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff)
            | ((v & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff) << 8);
        v = ((v >> 16) & 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff)
            | ((v & 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff) << 16);
        return ((v >> 32) & 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff)
            | ((v & 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff) << 32);
    }
}
