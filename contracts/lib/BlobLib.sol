// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title BlobLib
/// @notice A batch's EIP-4844 blob on L1 (docs/protocol.md §14.5), twin of core/blob.ts: the blob in memory with
///         EIP-4844's Fiat–Shamir challenge `z`, its polynomial evaluated at `z` (barycentric, over the roots of
///         unity in bit-reversed order, one inversion), the point-evaluation precompile's check that the
///         elements are the blob of a commitment, the versioned hash, and the unpacking of the 31 low bytes of
///         each field element. Vectors: test/vectors/blob.json.
library BlobLib {
    /// @notice Field elements per blob (EIP-4844 FIELD_ELEMENTS_PER_BLOB).
    uint256 internal constant ELEMENTS = 4096;
    /// @notice Bytes of a blob.
    uint256 internal constant BLOB_BYTES = 131_072;
    /// @notice Bytes of the payload (31 per field element).
    uint256 internal constant PAYLOAD_BYTES = 126_976;
    /// @notice The BLS12-381 scalar field's modulus r (EIP-4844 BLS_MODULUS).
    uint256 internal constant R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001;
    /// @notice A primitive 4096th root of unity, 7^((r − 1)/4096) mod r.
    uint256 internal constant OMEGA = 0x564c0a11a0f704f4fc3e8acfe0f8245f0ad1347b378fbf96e206da11a5d36306;
    /// @notice 4096^−1 mod r.
    uint256 internal constant INV_WIDTH = 0x73e66878b46ae3705eb6a46a89213de7d3686828bfce5c19400fffff00100001;
    /// @notice "FSBLOBVERIFY_V1_" (EIP-4844 FIAT_SHAMIR_PROTOCOL_DOMAIN) followed by uint128be(4096).
    bytes32 internal constant CHALLENGE_PREFIX = 0x4653424c4f425645524946595f56315f00000000000000000000000000001000;

    /// @notice A field element of the blob is not below r (no L1 client accepts such a blob).
    error NotCanonical(uint256 element);
    /// @notice A precompile call failed (sha256, modexp), or the point-evaluation precompile refused the proof.
    error PrecompileFailed(address precompile);

    /// @notice Copies the blob to memory with the challenge prefix in front and the commitment after it, and
    ///         returns where the blob starts, EIP-4844's challenge
    ///         `z = sha256(CHALLENGE_PREFIX || blob || commitment) mod r` and keccak(blob). The caller checks
    ///         the lengths (BLOB_BYTES, 48). The word in front of the blob is the caller's afterwards.
    function load(bytes calldata blob, bytes calldata commitment)
        internal
        view
        returns (uint256 base, uint256 z, bytes32 blobHash)
    {
        bytes32 prefix = CHALLENGE_PREFIX;
        bool ok;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, prefix)
            base := add(m, 32)
            calldatacopy(base, blob.offset, BLOB_BYTES)
            calldatacopy(add(base, BLOB_BYTES), commitment.offset, 48)
            ok := staticcall(gas(), 0x02, m, add(BLOB_BYTES, 80), 0, 32)
            z := mod(mload(0), R)
            blobHash := keccak256(base, BLOB_BYTES)
            mstore(0x40, add(base, add(BLOB_BYTES, 64)))
        }
        // INVARIANT: the sha256 precompile answered.
        if (!ok) revert PrecompileFailed(address(0x02));
    }

    /// @notice The blob's polynomial at `z` (EIP-4844 evaluate_polynomial_in_evaluation_form; core/blob.ts
    ///         evaluateBlob): for j = 0 … 4095 the root ω^j and the element at reverse12(j), the sum
    ///         Σ f·ω/(z − ω) kept as one fraction, one modexp inversion at the end, times (z^4096 − 1)/4096; the
    ///         element itself if z is one of the roots. Reverts NotCanonical if an element is not below r.
    function evaluate(uint256 base, uint256 z) internal view returns (uint256 y) {
        uint256 num;
        uint256 den = 1;
        uint256 bad = type(uint256).max;
        bool hit;
        assembly ("memory-safe") {
            let root := 1
            for { let j := 0 } lt(j, ELEMENTS) { j := add(j, 1) } {
                // reverse12(j): swap bits within pairs, pairs within nibbles, then the three nibbles' order.
                let x := or(shl(1, and(j, 0x555)), and(shr(1, j), 0x555))
                x := or(shl(2, and(x, 0x333)), and(shr(2, x), 0x333))
                x := or(or(shl(8, and(x, 0xf)), and(x, 0xf0)), and(shr(8, x), 0xf))
                let f := mload(add(base, shl(5, x)))
                if iszero(lt(f, R)) {
                    bad := x
                    break
                }
                let d := addmod(z, sub(R, root), R)
                switch d
                case 0 {
                    hit := 1
                    y := f
                }
                default {
                    num := addmod(mulmod(num, d, R), mulmod(mulmod(f, root, R), den, R), R)
                    den := mulmod(den, d, R)
                }
                root := mulmod(root, OMEGA, R)
            }
        }
        // INVARIANT: every element is a field element (below r).
        if (bad != type(uint256).max) revert NotCanonical(bad);
        if (hit) return y;
        uint256 inv = _modInverse(den);
        uint256 zn = z;
        for (uint256 k = 0; k < 12; ++k) {
            zn = mulmod(zn, zn, R);
        }
        y = mulmod(mulmod(mulmod(num, inv, R), addmod(zn, R - 1, R), R), INV_WIDTH, R);
    }

    /// @notice EIP-4844 kzg_to_versioned_hash: 0x01 || sha256(commitment)[1:].
    function versionedHash(bytes calldata commitment) internal view returns (bytes32 vh) {
        bool ok;
        assembly ("memory-safe") {
            let m := mload(0x40)
            calldatacopy(m, commitment.offset, commitment.length)
            ok := staticcall(gas(), 0x02, m, commitment.length, 0, 32)
            vh := or(and(mload(0), 0x00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff), shl(248, 1))
        }
        // INVARIANT: the sha256 precompile answered.
        if (!ok) revert PrecompileFailed(address(0x02));
    }

    /// @notice Requires the point-evaluation precompile (0x0a) to accept: the blob of `commitment`, whose
    ///         versioned hash is `vh`, has the value `y` at `z` (`proof` is the KZG proof of it).
    function verifyPoint(bytes32 vh, uint256 z, uint256 y, bytes calldata commitment, bytes calldata proof)
        internal
        view
    {
        bool ok;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, vh)
            mstore(add(m, 32), z)
            mstore(add(m, 64), y)
            calldatacopy(add(m, 96), commitment.offset, 48)
            calldatacopy(add(m, 144), proof.offset, 48)
            ok := staticcall(gas(), 0x0a, m, 192, m, 64)
            ok := and(ok, and(eq(returndatasize(), 64), and(eq(mload(m), ELEMENTS), eq(mload(add(m, 32)), R))))
        }
        // INVARIANT: the precompile verified the evaluation against the commitment.
        if (!ok) revert PrecompileFailed(address(0x0a));
    }

    /// @notice Unpacks the blob at `base` in place into its payload (element i's low 31 bytes at base + 31·i),
    ///         unless an element's top byte is not 0: then returns that element's index and leaves the blob as
    ///         it was up to it. Returns type(uint256).max when every top byte is 0.
    /// @dev Writing element i's 32-byte word at base + 31·i ends at base + 31·i + 32 ≤ base + 32·(i + 1), so it
    ///      never overwrites an element not yet read.
    function unpack(uint256 base) internal pure returns (uint256 badElement) {
        badElement = type(uint256).max;
        assembly ("memory-safe") {
            for { let i := 0 } lt(i, ELEMENTS) { i := add(i, 1) } {
                let w := mload(add(base, shl(5, i)))
                if byte(0, w) {
                    badElement := i
                    break
                }
                mstore(add(base, mul(31, i)), shl(8, w))
            }
        }
    }

    /// @notice Whether the payload at `base` is zero in [from, PAYLOAD_BYTES).
    function zeroFrom(uint256 base, uint256 from) internal pure returns (bool zero) {
        zero = true;
        assembly ("memory-safe") {
            for { let p := from } lt(p, PAYLOAD_BYTES) { p := add(p, 32) } {
                let w := mload(add(base, p))
                let rem := sub(PAYLOAD_BYTES, p)
                if lt(rem, 32) { w := and(w, not(shr(shl(3, rem), not(0)))) }
                if w {
                    zero := 0
                    break
                }
            }
        }
    }

    /// @dev x^−1 mod r by the modexp precompile (x^(r−2)).
    function _modInverse(uint256 x) private view returns (uint256 inv) {
        bool ok;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, 32)
            mstore(add(m, 32), 32)
            mstore(add(m, 64), 32)
            mstore(add(m, 96), x)
            mstore(add(m, 128), sub(R, 2))
            mstore(add(m, 160), R)
            ok := staticcall(gas(), 0x05, m, 192, m, 32)
            inv := mload(m)
        }
        // INVARIANT: the modexp precompile answered.
        if (!ok) revert PrecompileFailed(address(0x05));
    }
}
