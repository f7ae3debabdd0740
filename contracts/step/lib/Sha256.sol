// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Sha256
/// @notice The SHA-256 compression function alone (FIPS 180-4 §6.2.2): one 64-byte block per call, the
///         chaining state in and out. The SHA256 precompile (0x02) is micro-stepped with it, one block per
///         step, so no input size is refused (docs/step-machine.md). Twin of core/crypto/sha256-compress.ts;
///         both run test/vectors/step-crypto.json.
/// @dev The chaining state is H0 … H7 as big-endian 32-bit words in one bytes32, the digest's own form.
///      Words live in the low 32 bits of 256-bit values; sums are masked when assigned. A rotation right by
///      n of x is (x * (2^32 + 1)) >> n masked: the doubled word lets three rotations share one multiply.
library Sha256 {
    /// @notice The initial chaining state.
    bytes32 internal constant IV = 0x6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19;

    /// @notice Compresses the 64-byte block `b0 || b1` into chaining state `h`.
    function compress(bytes32 h, bytes32 b0, bytes32 b1) internal pure returns (bytes32 out) {
        assembly ("memory-safe") {
            /// The 64 rounds over W[0..63] at w (K at w + 2048), from chaining state h; returns the new state.
            /// A Yul function so that its working variables are the only ones on its stack.
            function rounds(w, st) -> r {
                let a := shr(224, st)
                let b := and(shr(192, st), 0xffffffff)
                let c := and(shr(160, st), 0xffffffff)
                let d := and(shr(128, st), 0xffffffff)
                let e := and(shr(96, st), 0xffffffff)
                let f := and(shr(64, st), 0xffffffff)
                let g := and(shr(32, st), 0xffffffff)
                let hh := and(st, 0xffffffff)
                for { let t := 0 } lt(t, 64) { t := add(t, 1) } {
                    let ed := mul(e, 0x100000001)
                    let t1 := add(
                        add(hh, and(xor(xor(shr(6, ed), shr(11, ed)), shr(25, ed)), 0xffffffff)),
                        add(xor(g, and(e, xor(f, g))), add(shr(224, mload(add(w, add(2048, shl(2, t))))), mload(add(w, shl(5, t)))))
                    )
                    let ad := mul(a, 0x100000001)
                    let t2 := add(and(xor(xor(shr(2, ad), shr(13, ad)), shr(22, ad)), 0xffffffff), or(and(a, b), and(c, or(a, b))))
                    hh := g
                    g := f
                    f := e
                    e := and(add(d, t1), 0xffffffff)
                    d := c
                    c := b
                    b := a
                    a := and(add(t1, t2), 0xffffffff)
                }
                r := or(
                    or(
                        or(shl(224, and(add(shr(224, st), a), 0xffffffff)), shl(192, and(add(shr(192, st), b), 0xffffffff))),
                        or(shl(160, and(add(shr(160, st), c), 0xffffffff)), shl(128, and(add(shr(128, st), d), 0xffffffff)))
                    ),
                    or(
                        or(shl(96, and(add(shr(96, st), e), 0xffffffff)), shl(64, and(add(shr(64, st), f), 0xffffffff))),
                        or(shl(32, and(add(shr(32, st), g), 0xffffffff)), and(add(st, hh), 0xffffffff))
                    )
                )
            }
            let w := mload(0x40) // W[0..63], one word each
            let k := add(w, 2048) // K[0..63], 4 bytes each (read with an unaligned mload)
            mstore(k, 0x428a2f9871374491b5c0fbcfe9b5dba53956c25b59f111f1923f82a4ab1c5ed5)
            mstore(add(k, 32), 0xd807aa9812835b01243185be550c7dc372be5d7480deb1fe9bdc06a7c19bf174)
            mstore(add(k, 64), 0xe49b69c1efbe47860fc19dc6240ca1cc2de92c6f4a7484aa5cb0a9dc76f988da)
            mstore(add(k, 96), 0x983e5152a831c66db00327c8bf597fc7c6e00bf3d5a7914706ca635114292967)
            mstore(add(k, 128), 0x27b70a852e1b21384d2c6dfc53380d13650a7354766a0abb81c2c92e92722c85)
            mstore(add(k, 160), 0xa2bfe8a1a81a664bc24b8b70c76c51a3d192e819d6990624f40e3585106aa070)
            mstore(add(k, 192), 0x19a4c1161e376c082748774c34b0bcb5391c0cb34ed8aa4a5b9cca4f682e6ff3)
            mstore(add(k, 224), 0x748f82ee78a5636f84c878148cc7020890befffaa4506cebbef9a3f7c67178f2)
            for { let t := 0 } lt(t, 8) { t := add(t, 1) } {
                mstore(add(w, shl(5, t)), and(shr(sub(224, shl(5, t)), b0), 0xffffffff))
                mstore(add(w, shl(5, add(t, 8))), and(shr(sub(224, shl(5, t)), b1), 0xffffffff))
            }
            for { let t := 16 } lt(t, 64) { t := add(t, 1) } {
                let p := add(w, shl(5, t))
                let x := mload(sub(p, 480)) // W[t-15]
                let xd := mul(x, 0x100000001)
                let s0 := xor(xor(shr(7, xd), shr(18, xd)), shr(3, x))
                x := mload(sub(p, 64)) // W[t-2]
                xd := mul(x, 0x100000001)
                let s1 := xor(xor(shr(17, xd), shr(19, xd)), shr(10, x))
                mstore(p, and(add(add(mload(sub(p, 512)), mload(sub(p, 224))), add(and(s0, 0xffffffff), and(s1, 0xffffffff))), 0xffffffff))
            }
            out := rounds(w, h)
        }
    }
}
