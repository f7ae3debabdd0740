// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Frame, Ctx, Vm, StepConst as K} from "./lib/StepTypes.sol";
import {StepHost as S} from "./lib/StepHost.sol";
import {StepTrees as T} from "./lib/StepTrees.sol";
import {StepOps as O} from "./lib/StepOps.sol";
import {StepFrames as F} from "./lib/StepFrames.sol";
import {StepFamily} from "./lib/StepFamily.sol";
import {KeccakF} from "./lib/KeccakF.sol";
import {Sha256} from "./lib/Sha256.sol";
import {Ripemd160} from "./lib/Ripemd160.sol";
import {Precompiles} from "./lib/Precompiles.sol";

/// @title StepHash
/// @notice One-step verifier family: hashes computed in steps and what follows them (core/step/interp.ts
///         `hashStep`, `hashDone`, `createEnter`, `precompileFinish`). A step absorbs at most one memory word (the
///         part of it the input covers), so it runs at most one Keccak-f[1600] permutation or one SHA-256 /
///         RIPEMD-160 compression; the step after the last pads. Then: KECCAK256 pushes the digest; CREATE and
///         CREATE2 enter the child frame (the initcode's hash gives CREATE2's address); a creation's code is
///         deposited (its hash is the new code key; the code counts as created by T); SHA256 and RIPEMD160 return
///         the digest; the other precompiles run on L1 with the input whose keccak the steps computed.
/// @dev The hash state lives in the pending operation's h0…h6 (docs/step-machine.md §3.5): Keccak's 200-byte state
///      in FIPS 202 byte order packed big-endian; for SHA-256 and RIPEMD-160 the chaining value in h0 (their digest
///      form) and the 64-byte block buffer in h1, h2. a0 base, a1 length, a2 bytes absorbed, a3 done.
contract StepHash is StepFamily {
    using S for Vm;

    constructor(address registry_) StepFamily(registry_) {}

    /// @inheritdoc StepFamily
    function _step(Vm memory vm) internal view override {
        (bool has, uint256[18] memory p) = vm.getPending();
        // INVARIANT: these steps run a pending hash.
        if (!has) revert WrongFamily();
        uint256 kind = p[0];
        if (kind < K.P_KECCAK || kind > K.P_RIPEMD160) revert WrongFamily();
        Frame memory f = vm.getFrame();
        if (p[4] == 1) return _done(vm, f, p);
        uint256 root = kind == K.P_PRECOMPILE_IN || kind == K.P_SHA256 || kind == K.P_RIPEMD160 ? vm.getCtx().cdRoot : f.memRoot;
        uint256 base = p[1];
        uint256 len = p[2];
        uint256 pos = p[3];
        if (pos < len) {
            uint256 a = base + pos;
            uint256 n = 32 - (a % 32) < len - pos ? 32 - (a % 32) : len - pos;
            bytes memory b = T.readBytes(vm, root, a, n);
            if (kind == K.P_SHA256 || kind == K.P_RIPEMD160) _absorbMd(p, b, pos, kind == K.P_SHA256);
            else _absorbKeccak(p, b, pos);
            p[3] = pos + n;
        } else {
            if (kind == K.P_SHA256 || kind == K.P_RIPEMD160) _finalizeMd(p, pos, kind == K.P_SHA256);
            else _finalizeKeccak(p, pos);
            p[4] = 1;
        }
        vm.setPendingRaw(p);
    }

    // ------------------------------------------------------------------------------------------------ keccak

    /// @dev XORs bytes into the state at position pos mod 136, permuting when a block is full.
    function _absorbKeccak(uint256[18] memory p, bytes memory b, uint256 pos) private pure {
        for (uint256 i = 0; i < b.length; ++i) {
            uint256 at = (pos + i) % 136;
            _xorByte(p, at, uint8(b[i]));
            if (at == 135) _permute(p);
        }
    }

    function _finalizeKeccak(uint256[18] memory p, uint256 pos) private pure {
        _xorByte(p, pos % 136, 0x01);
        _xorByte(p, 135, 0x80);
        _permute(p);
    }

    /// @dev XORs byte `v` into byte `at` of the packed state h0…h6 (p[11…17]).
    function _xorByte(uint256[18] memory p, uint256 at, uint256 v) private pure {
        uint256 i = 11 + at / 32;
        p[i] ^= v << (8 * (31 - (at % 32)));
    }

    /// @dev Keccak-f[1600] on the packed state: bytes [8i, 8i + 8) little-endian are lane i.
    function _permute(uint256[18] memory p) private pure {
        uint256[25] memory a;
        for (uint256 w = 0; w < 7; ++w) {
            uint256 v = _swapLanes(p[11 + w]);
            uint256 n = w == 6 ? 1 : 4;
            for (uint256 k = 0; k < n; ++k) a[4 * w + k] = (v >> (192 - 64 * k)) & 0xffffffffffffffff;
        }
        KeccakF.permute(a);
        for (uint256 w = 0; w < 7; ++w) {
            uint256 v;
            uint256 n = w == 6 ? 1 : 4;
            for (uint256 k = 0; k < n; ++k) v |= a[4 * w + k] << (192 - 64 * k);
            p[11 + w] = _swapLanes(v);
        }
    }

    function _swapLanes(uint256 v) private pure returns (uint256) {
        v = ((v >> 8) & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff)
            | ((v & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff) << 8);
        v = ((v >> 16) & 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff)
            | ((v & 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff) << 16);
        return ((v >> 32) & 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff)
            | ((v & 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff) << 32);
    }

    // ------------------------------------------------------------------------------------------------ SHA-256, RIPEMD-160

    function _absorbMd(uint256[18] memory p, bytes memory b, uint256 pos, bool sha) private pure {
        for (uint256 i = 0; i < b.length; ++i) {
            uint256 at = (pos + i) % 64;
            // buffer byte `at`: h1 holds bytes 0…31, h2 bytes 32…63
            p[12 + at / 32] |= uint256(uint8(b[i])) << (8 * (31 - (at % 32)));
            if (at == 63) _compress(p, sha);
        }
    }

    function _finalizeMd(uint256[18] memory p, uint256 pos, bool sha) private pure {
        uint256 at = pos % 64;
        p[12 + at / 32] |= uint256(0x80) << (8 * (31 - (at % 32)));
        ++at;
        if (at > 56) {
            _compress(p, sha);
            at = 0;
        }
        uint256 bits = pos * 8;
        // the 64-bit length in bytes 56…63: big-endian for SHA-256, little-endian for RIPEMD-160
        uint256 len64 = sha ? bits : _bswap64(bits);
        p[13] |= len64 & 0xffffffffffffffff;
        _compress(p, sha);
    }

    /// @dev Compresses the buffer h1 ‖ h2 into h0 and clears the buffer.
    function _compress(uint256[18] memory p, bool sha) private pure {
        if (sha) p[11] = uint256(Sha256.compress(bytes32(p[11]), bytes32(p[12]), bytes32(p[13])));
        else p[11] = uint256(bytes32(Ripemd160.compress(bytes20(bytes32(p[11])), bytes32(p[12]), bytes32(p[13]))));
        p[12] = 0;
        p[13] = 0;
    }

    function _bswap64(uint256 x) private pure returns (uint256 r) {
        for (uint256 i = 0; i < 8; ++i) r |= ((x >> (8 * i)) & 0xff) << (8 * (7 - i));
    }

    // ------------------------------------------------------------------------------------------------ after the hash

    function _done(Vm memory vm, Frame memory f, uint256[18] memory p) private view {
        uint256 kind = p[0];
        uint256 digest = kind == K.P_RIPEMD160 ? p[11] >> 96 : p[11];
        if (kind == K.P_KECCAK) {
            vm.push(digest);
            return vm.clearPending();
        }
        if (kind == K.P_INITCODE) return _createEnter(vm, f, p, digest);
        if (kind == K.P_DEPOSIT) {
            Ctx memory c = vm.getCtx();
            O.writeKeyValue(vm, c.addr, K.MARK_CODE, digest);
            T.createdAdd(vm, digest);
            f.gas -= 200 * p[2];
            f.result = K.DEPOSITED;
            return vm.clearPending();
        }
        if (kind == K.P_SHA256 || kind == K.P_RIPEMD160) {
            f.memRoot = T.bytesRoot(O.wordBytes(digest));
            O.halt(f, K.SUCCESS, 0, 32);
            return vm.clearPending();
        }
        // PrecompileIn: run it on L1 with the input the steps hashed
        Ctx memory c2 = vm.getCtx();
        uint256 id = p[5];
        bytes memory input = T.input(vm, digest, p[2]);
        (bool ok, uint256 gasUsed, bytes memory out) = Precompiles.run(id, input, c2.cdLength, f.gas);
        vm.clearPending();
        if (!ok) return O.fail(f);
        f.gas -= gasUsed;
        f.memRoot = T.bytesRoot(out);
        O.halt(f, K.SUCCESS, 0, out.length);
    }

    /// @dev a4 value, a5 salt, a6 child gas, a7 nonce before the increment, a8 kind.
    function _createEnter(Vm memory vm, Frame memory f, uint256[18] memory p, uint256 codeHash) private pure {
        Ctx memory c = vm.getCtx();
        uint256 kind = p[9];
        uint256 address_ = kind == K.CREATE2 ? F.create2Address(c.addr, p[6], codeHash) : F.createAddress(c.addr, p[8]);
        F.warmNew(vm, address_);
        uint256 childGas = p[7];
        f.gas -= childGas;
        vm.clearPending();
        Ctx memory child = Ctx({
            kind: kind,
            depth: c.depth + 1,
            isStatic: 0,
            addr: address_,
            codeAddress: address_,
            caller: c.addr,
            value: p[5],
            cdRoot: 0,
            cdOffset: 0,
            cdLength: 0,
            snapshot: vm.worldRef(),
            retOffset: 0,
            retLength: 0
        });
        F.enterChild(vm, child, codeHash, p[2], childGas);
    }
}
