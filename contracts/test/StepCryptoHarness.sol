// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {KeccakF} from "../step/lib/KeccakF.sol";
import {KeccakSponge} from "../step/lib/KeccakSponge.sol";
import {Sha256} from "../step/lib/Sha256.sol";
import {Ripemd160} from "../step/lib/Ripemd160.sol";

/// @title StepCryptoHarness
/// @notice Test-only wrappers around the step machine's hash primitives (contracts/step/lib/), each returning
///         the gas the primitive itself used, so the shared vectors run against them and the gas is measured.
contract StepCryptoHarness {
    /// @notice keccak-f[1600] of a 200-byte state.
    function keccakF(bytes memory st) external view returns (bytes memory out, uint256 gasUsed) {
        uint256[25] memory a = KeccakSponge.fromBytes(st);
        uint256 g = gasleft();
        KeccakF.permute(a);
        gasUsed = g - gasleft();
        out = KeccakSponge.toBytes(a);
    }

    /// @notice Permutes with live data around the fixed range KeccakF works in (a 3000-byte pattern allocated
    ///         first, so it covers [0x80, 0x80 + 2368)), and returns whether the pattern survived and the lanes
    ///         are right (`expected` from the TS twin).
    function keccakFKeepsMemory(bytes memory st, bytes memory expected) external pure returns (bool) {
        bytes memory guard = new bytes(3000);
        for (uint256 i = 0; i < 3000; ++i) guard[i] = bytes1(uint8(i * 7 + 3));
        uint256[25] memory a = KeccakSponge.fromBytes(st);
        bytes memory after_ = new bytes(100);
        for (uint256 i = 0; i < 100; ++i) after_[i] = bytes1(uint8(i + 1));
        KeccakF.permute(a);
        for (uint256 i = 0; i < 3000; ++i) if (guard[i] != bytes1(uint8(i * 7 + 3))) return false;
        for (uint256 i = 0; i < 100; ++i) if (after_[i] != bytes1(uint8(i + 1))) return false;
        return keccak256(KeccakSponge.toBytes(a)) == keccak256(expected);
    }

    /// @notice One sponge step: XOR a 136-byte block into the state, permute.
    function keccakAbsorb(bytes memory st, bytes memory blk) external view returns (bytes memory out, uint256 gasUsed) {
        uint256[25] memory a = KeccakSponge.fromBytes(st);
        uint256[5] memory w;
        require(blk.length == 136, "block");
        for (uint256 i = 0; i < 5; ++i) {
            uint256 v;
            assembly ("memory-safe") {
                v := mload(add(add(blk, 32), shl(5, i)))
            }
            w[i] = i == 4 ? v & ~uint256(type(uint192).max) : v;
        }
        uint256 g = gasleft();
        KeccakSponge.absorb(a, w);
        gasUsed = g - gasleft();
        out = KeccakSponge.toBytes(a);
    }

    /// @notice keccak256 of a message through the sponge (padding here, blocks through absorb).
    function keccakSponge(bytes memory m) external pure returns (bytes32) {
        uint256 n = m.length / 136 + 1;
        bytes memory p = new bytes(n * 136 + 32);
        for (uint256 i = 0; i < m.length; ++i) p[i] = m[i];
        p[m.length] = bytes1(uint8(p[m.length]) ^ 0x01);
        p[n * 136 - 1] = bytes1(uint8(p[n * 136 - 1]) ^ 0x80);
        uint256[25] memory a;
        for (uint256 b = 0; b < n; ++b) {
            uint256[5] memory w;
            for (uint256 i = 0; i < 5; ++i) {
                uint256 v;
                assembly ("memory-safe") {
                    v := mload(add(add(p, 32), add(mul(b, 136), shl(5, i))))
                }
                w[i] = i == 4 ? v & ~uint256(type(uint192).max) : v;
            }
            KeccakSponge.absorb(a, w);
        }
        return KeccakSponge.squeeze(a);
    }

    /// @notice SHA-256 compression of one 64-byte block.
    function sha256Compress(bytes32 h, bytes32 b0, bytes32 b1) external view returns (bytes32 out, uint256 gasUsed) {
        uint256 g = gasleft();
        out = Sha256.compress(h, b0, b1);
        gasUsed = g - gasleft();
    }

    /// @notice RIPEMD-160 compression of one 64-byte block.
    function ripemd160Compress(bytes20 h, bytes32 b0, bytes32 b1) external view returns (bytes20 out, uint256 gasUsed) {
        uint256 g = gasleft();
        out = Ripemd160.compress(h, b0, b1);
        gasUsed = g - gasleft();
    }
}
