// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IStepVerifier} from "../interfaces/IStepVerifier.sol";

/// @title StepMutationHarness
/// @notice Test-only: runs a one-step proof with its words changed one at a time (one bit flipped, word i at bit
///         (7 i) mod 256, as test/core/step/proof.test.ts does) through the verifier, in one call: the words
///         start, start + stride, start + 2 stride, ...
contract StepMutationHarness {
    /// @notice The first word whose change still proves `post` (a changed word must make the verifier revert or
    ///         prove another state), or type(uint256).max if every change is refused; also whether the proof cut
    ///         short by one word and lengthened by one zero word are refused.
    function firstAccepted(IStepVerifier v, bytes32 pre, bytes calldata proof, bytes32 post, uint256 start, uint256 stride)
        external
        view
        returns (uint256 first, bool cutRefused, bool longRefused)
    {
        first = _firstAccepted(v, pre, proof, post, start, stride);
        if (first != type(uint256).max) return (first, false, false);
        cutRefused = !_proves(v, pre, proof[:proof.length - 32], post);
        longRefused = !_proves(v, pre, bytes.concat(proof, bytes32(0)), post);
    }

    function _firstAccepted(IStepVerifier v, bytes32 pre, bytes memory p, bytes32 post, uint256 start, uint256 stride)
        private
        view
        returns (uint256)
    {
        for (uint256 i = start; i < p.length / 32; i += stride) {
            uint256 bit = 1 << ((i * 7) % 256);
            _flip(p, i, bit);
            bool accepted = _proves(v, pre, p, post);
            _flip(p, i, bit);
            if (accepted) return i;
        }
        return type(uint256).max;
    }

    function _flip(bytes memory p, uint256 i, uint256 bit) private pure {
        assembly ("memory-safe") {
            let a := add(add(p, 32), mul(i, 32))
            mstore(a, xor(mload(a), bit))
        }
    }

    function _proves(IStepVerifier v, bytes32 pre, bytes memory p, bytes32 post) private view returns (bool) {
        try v.step(pre, p) returns (bytes32 out) {
            return out == post;
        } catch {
            return false;
        }
    }
}
