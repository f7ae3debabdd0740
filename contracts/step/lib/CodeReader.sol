// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title CodeReader
/// @notice Where the code registry (contracts/step/CodeRegistry.sol) keeps code, and how a step reads it: with no
///         storage read and no call into the registry, only EXTCODECOPY from data contracts whose addresses follow
///         from the registry's address and the code hash.
/// @dev Code of hash h lives in data contracts created CREATE3-style (a CREATE2 proxy with a fixed init code, salt
///      keccak256(h, index), which CREATEs the data contract as its first and only creation):
///      - part i (index i = 0, 1, 2): 0x00 || code[24,568 i, 24,568 (i + 1)), as far as the code goes;
///      - the bitmap of part i (index 128 + i): 0x00 || carry (1 byte: how many bytes of PUSH data run from
///        this part into the next) || the part's jump-destination bits (bit j of the code, j in the part, is bit
///        (j − 24,568 i) mod 8, most significant first, of byte (j − 24,568 i) / 8: set iff byte j is a JUMPDEST
///        that is not PUSH data; 24,568 is a multiple of 8, so a part's bits start on a byte);
///      - meta (index 255): 0x00 || size (4 bytes, big-endian).
///      The meta contract is created last, so code is registered iff its meta contract exists. Every data contract
///      starts with 0x00 (STOP): calling one does nothing, so nobody can run its bytes (and self-destruct it).
///      Reading past a data contract's end gives zeros, so a read past the code's end gives zeros with no check.
library CodeReader {
    /// @notice Code bytes per part: a multiple of 8 (so each part's bitmap starts on a byte) at most EIP-170's
    ///         code-size cap minus the 0x00 prefix.
    uint256 internal constant PART = 24_568;
    /// @notice The index of part i's bitmap is BITMAP + i.
    uint256 internal constant BITMAP = 128;
    /// @notice The index of the meta data contract (size and bitmap).
    uint256 internal constant META = 255;
    /// @notice keccak256 of the CREATE3 proxy's init code 0x67363d3d37363d34f03d5260086018f3 (its runtime
    ///         0x363d3d37363d34f0 creates a contract from its calldata, forwarding the call's value).
    bytes32 internal constant PROXY_INIT_HASH = 0x21c35dbe1b344a2488cf3321d6ce542f8e9f305544ff09e4993a62319a497c1f;

    /// @notice The data contract `index` of code `codeHash` in `registry`.
    function dataAddress(address registry, bytes32 codeHash, uint256 index) internal pure returns (address a) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(0, codeHash)
            mstore(32, index)
            let salt := keccak256(0, 64)
            // proxy = keccak256(0xff ++ registry ++ salt ++ PROXY_INIT_HASH)[12:]
            mstore(m, or(shl(160, 0xff), registry))
            mstore(add(m, 32), salt)
            mstore(add(m, 64), PROXY_INIT_HASH)
            let proxy := and(keccak256(add(m, 11), 85), 0xffffffffffffffffffffffffffffffffffffffff)
            // data = keccak256(rlp([proxy, 1])) = keccak256(0xd6 ++ 0x94 ++ proxy ++ 0x01)[12:]
            mstore(0, or(shl(240, 0xd694), shl(80, proxy)))
            mstore8(22, 0x01)
            a := and(keccak256(0, 23), 0xffffffffffffffffffffffffffffffffffffffff)
        }
    }

    /// @notice The size of code `codeHash`, or 0 if it is not registered.
    function size(address registry, bytes32 codeHash) internal view returns (uint256 n) {
        address meta = dataAddress(registry, codeHash, META);
        assembly ("memory-safe") {
            mstore(0, 0)
            extcodecopy(meta, 28, 1, 4)
            n := mload(0)
        }
    }

    /// @notice `len` bytes of code `codeHash` from `offset` (zeros past its end, and for unregistered code).
    function read(address registry, bytes32 codeHash, uint256 offset, uint256 len) internal view returns (bytes memory out) {
        out = new bytes(len);
        uint256 end = offset + len;
        uint256 at = offset;
        while (at < end) {
            uint256 i = at / PART;
            if (i > 2) break; // past the largest code: zeros
            uint256 partEnd = (i + 1) * PART;
            uint256 stop = end < partEnd ? end : partEnd;
            address d = dataAddress(registry, codeHash, i);
            uint256 src = at - i * PART + 1;
            uint256 dst = at - offset;
            uint256 n = stop - at;
            assembly ("memory-safe") {
                extcodecopy(d, add(add(out, 32), dst), src, n)
            }
            at = stop;
        }
    }

    /// @notice The 32 bytes of code from `offset` as a word (a PUSH's immediate: zero-padded on the right).
    function word(address registry, bytes32 codeHash, uint256 offset) internal view returns (bytes32 w) {
        bytes memory b = read(registry, codeHash, offset, 32);
        assembly ("memory-safe") {
            w := mload(add(b, 32))
        }
    }

    /// @notice Whether `pc` is a JUMPDEST of the code that is not PUSH data (false at or past its end).
    function isJumpdest(address registry, bytes32 codeHash, uint256 pc) internal view returns (bool) {
        if (pc >= PART * 3) return false;
        uint256 i = pc / PART;
        address bm = dataAddress(registry, codeHash, BITMAP + i);
        uint256 b;
        uint256 at = ((pc - i * PART) >> 3) + 2;
        assembly ("memory-safe") {
            mstore(0, 0)
            extcodecopy(bm, 31, at, 1)
            b := mload(0)
        }
        return (b >> (7 - (pc & 7))) & 1 == 1;
    }
}
