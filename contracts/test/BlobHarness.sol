// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BlobLib} from "../lib/BlobLib.sol";

/// @title BlobHarness
/// @notice Test-only wrappers around contracts/lib/BlobLib.sol, so test/vectors/blob.json runs against it.
contract BlobHarness {
    /// @notice EIP-4844's challenge point of (blob, commitment) and the blob's value there.
    function evaluate(bytes calldata blob, bytes calldata commitment) external view returns (uint256 z, uint256 y) {
        uint256 base;
        (base, z,) = BlobLib.load(blob, commitment);
        y = BlobLib.evaluate(base, z);
    }

    /// @notice The blob's value at a given point.
    function evaluateAt(bytes calldata blob, uint256 z) external view returns (uint256 y) {
        (uint256 base,,) = BlobLib.load(blob, blob[0:48]);
        y = BlobLib.evaluate(base, z);
    }

    /// @notice BlobLib.versionedHash.
    function versionedHash(bytes calldata commitment) external view returns (bytes32) {
        return BlobLib.versionedHash(commitment);
    }

    /// @notice BlobLib.unpack then BlobLib.zeroFrom: the first element whose top byte is not 0 (max if none), the
    ///         payload's first `n` bytes and whether it is zero from `from` on.
    function unpack(bytes calldata blob, uint256 n, uint256 from)
        external
        view
        returns (uint256 badElement, bytes memory head, bool zero)
    {
        (uint256 base,,) = BlobLib.load(blob, blob[0:48]);
        badElement = BlobLib.unpack(base);
        head = new bytes(n);
        assembly ("memory-safe") {
            mcopy(add(head, 32), base, n)
        }
        zero = BlobLib.zeroFrom(base, from);
    }
}
