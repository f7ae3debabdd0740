// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Frame, Ctx, Vm, StepConst as K} from "./StepTypes.sol";
import {StepHost as S} from "./StepHost.sol";
import {StepTrees as T} from "./StepTrees.sol";

/// @title StepFrames
/// @notice New frames (a call's or a creation's child, the transaction's top frame) and the addresses of created
///         contracts (core/step/address.ts, interp.ts `call`, `createEnter`, `start`).
library StepFrames {
    using S for Vm;

    /// @notice A fresh frame at ENTER with `gas`, running `codeHash` of `codeSize` bytes (0, 0 for calls: the
    ///         prologue looks the code up), an empty stack, memory and return data.
    function fresh(uint256 ctxHash, uint256 codeHash, uint256 codeSize, uint256 gas) internal pure returns (Frame memory f) {
        f.ctx = ctxHash;
        f.stage = K.ENTER;
        f.codeHash = codeHash;
        f.codeSize = codeSize;
        f.gas = gas;
        f.stackHash = S.emptyStackHash();
    }

    /// @notice Suspends the current frame under a new child with context `c`.
    function enterChild(Vm memory vm, Ctx memory c, uint256 codeHash, uint256 codeSize, uint256 gas) internal pure {
        vm.pushFrame(fresh(S.ctxHash(c), codeHash, codeSize, gas), c);
    }

    /// @notice CREATE's address: keccak256(rlp([sender, nonce]))[12:].
    function createAddress(uint256 sender, uint256 nonce) internal pure returns (uint256 a) {
        // rlp(nonce): 0x80 for 0, the byte itself below 0x80, else 0x80 + length then big-endian bytes
        uint256 nlen;
        for (uint256 x = nonce; x != 0; x >>= 8) ++nlen;
        bytes memory enc;
        if (nonce == 0) enc = abi.encodePacked(bytes1(0xd6), bytes1(0x94), uint160(sender), bytes1(0x80));
        else if (nonce < 0x80) enc = abi.encodePacked(bytes1(0xd6), bytes1(0x94), uint160(sender), uint8(nonce));
        else {
            bytes memory nb = new bytes(nlen);
            for (uint256 i = 0; i < nlen; ++i) nb[i] = bytes1(uint8(nonce >> (8 * (nlen - 1 - i))));
            enc = abi.encodePacked(bytes1(uint8(0xc0 + 22 + nlen)), bytes1(0x94), uint160(sender), bytes1(uint8(0x80 + nlen)), nb);
        }
        return uint256(keccak256(enc)) & K.MASK_160;
    }

    /// @notice CREATE2's address (EIP-1014).
    function create2Address(uint256 sender, uint256 salt, uint256 initcodeHash) internal pure returns (uint256) {
        return uint256(keccak256(abi.encodePacked(bytes1(0xff), uint160(sender), salt, initcodeHash))) & K.MASK_160;
    }

    /// @notice Warms a created contract's address.
    function warmNew(Vm memory vm, uint256 a) internal pure {
        T.warmTouch(vm, S.h1(K.TAG_WARM_ADDR, a));
    }
}
