// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Ripemd160
/// @notice The RIPEMD-160 compression function alone: one 64-byte block per call, the chaining state in and
///         out. The RIPEMD160 precompile (0x03) is micro-stepped with it, one block per step, so no input size
///         is refused (docs/step-machine.md). Twin of core/crypto/ripemd160-compress.ts; both run
///         test/vectors/step-crypto.json.
/// @dev The chaining state is h0 … h4 as little-endian 32-bit words in one bytes20, the digest's own form;
///      message words are little-endian. The word-order and shift tables are bytes in scratch memory, read
///      with byte(0, mload(table + j)).
library Ripemd160 {
    /// @notice The initial chaining state.
    bytes20 internal constant IV = bytes20(hex"0123456789abcdeffedcba9876543210f0e1d2c3");

    /// @notice Compresses the 64-byte block `b0 || b1` into chaining state `h`.
    function compress(bytes20 h, bytes32 b0, bytes32 b1) internal pure returns (bytes20 out) {
        assembly ("memory-safe") {
            /// Swaps the byte order inside every 4-byte group of v.
            function swap32(v) -> r {
                r := or(
                    and(shr(8, v), 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff),
                    shl(8, and(v, 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff))
                )
                r := or(
                    and(shr(16, r), 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff),
                    shl(16, and(r, 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff))
                )
            }
            /// Round function of group g (0..4).
            function fn(g, x, y, z) -> r {
                switch g
                case 0 { r := xor(xor(x, y), z) }
                case 1 { r := or(and(x, y), and(not(x), z)) }
                case 2 { r := xor(or(x, not(y)), z) }
                case 3 { r := or(and(x, z), and(y, not(z))) }
                default { r := xor(x, or(y, not(z))) }
            }
            function rol(x, n) -> r {
                r := and(shr(sub(32, n), mul(x, 0x100000001)), 0xffffffff)
            }

            let x := mload(0x40) // X[0..15] one word each; tables at x + 512 (RL, RR, SL, SR: 80 bytes each)
            mstore(add(x, 512), 0x000102030405060708090a0b0c0d0e0f07040d010a060f030c000905020e0b08)
            mstore(add(x, 544), 0x030a0e04090f0801020700060d0b050c01090b0a00080c040d03070f0e050602)
            mstore(add(x, 576), 0x04000509070c020a0e0103080b060f0d050e070009020b040d060f08010a030c)
            mstore(add(x, 608), 0x060b0307000d050a0e0f080c040901020f050103070e06090b080c020a00040d)
            mstore(add(x, 640), 0x08060401030b0f00050c020d09070a0e0c0f0a040105080706020d0e0003090b)
            mstore(add(x, 672), 0x0b0e0f0c050807090b0d0e0f060709080706080d0b09070f070c0f090b070d0c)
            mstore(add(x, 704), 0x0b0d06070e090d0f0e080d06050c07050b0c0e0f0e0f0908090e05060806050c)
            mstore(add(x, 736), 0x090f050b06080d0c050c0d0e0b0805060809090b0d0f0f050707080b0e0e0c06)
            mstore(add(x, 768), 0x090d0f070c08090b07070c07060f0d0b09070f0b0806060e0c0d050e0d0d0705)
            mstore(add(x, 800), 0x0f05080b0e0e060e06090c090c050f0808050c090c050e06080d06050f0d0b0b)
            {
                let v0 := swap32(b0)
                let v1 := swap32(b1)
                for { let i := 0 } lt(i, 8) { i := add(i, 1) } {
                    mstore(add(x, shl(5, i)), and(shr(sub(224, shl(5, i)), v0), 0xffffffff))
                    mstore(add(x, shl(5, add(i, 8))), and(shr(sub(224, shl(5, i)), v1), 0xffffffff))
                }
            }
            // h0 … h4 as big-endian words in the low 160 bits, kept in memory for the final addition
            mstore(add(x, 864), swap32(shr(96, h)))
            // The two lines are independent until the end: run the left line, park it, run the right line.
            let a := shr(128, mload(add(x, 864)))
            let bb := and(shr(96, mload(add(x, 864))), 0xffffffff)
            let c := and(shr(64, mload(add(x, 864))), 0xffffffff)
            let d := and(shr(32, mload(add(x, 864))), 0xffffffff)
            let e := and(mload(add(x, 864)), 0xffffffff)
            for { let j := 0 } lt(j, 80) { j := add(j, 1) } {
                let tt := add(
                    rol(
                        and(
                            add(
                                add(a, fn(div(j, 16), bb, c, d)),
                                add(
                                    mload(add(x, shl(5, byte(0, mload(add(x, add(512, j))))))),
                                    shr(sub(128, shl(5, div(j, 16))), 0x000000005a8279996ed9eba18f1bbcdca953fd4e)
                                )
                            ),
                            0xffffffff
                        ),
                        byte(0, mload(add(x, add(672, j))))
                    ),
                    e
                )
                a := e
                e := d
                d := rol(c, 10)
                c := bb
                bb := and(tt, 0xffffffff)
            }
            mstore(add(x, 896), a)
            mstore(add(x, 928), bb)
            mstore(add(x, 960), c)
            mstore(add(x, 992), d)
            mstore(add(x, 1024), e)
            a := shr(128, mload(add(x, 864)))
            bb := and(shr(96, mload(add(x, 864))), 0xffffffff)
            c := and(shr(64, mload(add(x, 864))), 0xffffffff)
            d := and(shr(32, mload(add(x, 864))), 0xffffffff)
            e := and(mload(add(x, 864)), 0xffffffff)
            for { let j := 0 } lt(j, 80) { j := add(j, 1) } {
                let tt := add(
                    rol(
                        and(
                            add(
                                add(a, fn(sub(4, div(j, 16)), bb, c, d)),
                                add(
                                    mload(add(x, shl(5, byte(0, mload(add(x, add(592, j))))))),
                                    shr(sub(128, shl(5, div(j, 16))), 0x50a28be65c4dd1246d703ef37a6d76e900000000)
                                )
                            ),
                            0xffffffff
                        ),
                        byte(0, mload(add(x, add(752, j))))
                    ),
                    e
                )
                a := e
                e := d
                d := rol(c, 10)
                c := bb
                bb := and(tt, 0xffffffff)
            }
            // left (al..el) parked at x+896..; right in a..e:
            // h1 + cl + dr, h2 + dl + er, h3 + el + ar, h4 + al + br, h0 + bl + cr
            let hs := mload(add(x, 864))
            let r := shl(128, and(add(add(and(shr(96, hs), 0xffffffff), mload(add(x, 960))), d), 0xffffffff))
            r := or(r, shl(96, and(add(add(and(shr(64, hs), 0xffffffff), mload(add(x, 992))), e), 0xffffffff)))
            r := or(r, shl(64, and(add(add(and(shr(32, hs), 0xffffffff), mload(add(x, 1024))), a), 0xffffffff)))
            r := or(r, shl(32, and(add(add(and(hs, 0xffffffff), mload(add(x, 896))), bb), 0xffffffff)))
            r := or(r, and(add(add(shr(128, hs), mload(add(x, 928))), c), 0xffffffff))
            out := shl(96, swap32(r))
        }
    }
}
