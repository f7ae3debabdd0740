// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MoveLib} from "./MoveLib.sol";
import {EthTx} from "./EthTx.sol";

/// @title L1Fee
/// @notice The L1 data fee of a transaction (docs/protocol.md §6.6), twin of core/l1fee.ts (vectors:
///         test/vectors/l1fee.json): the OP Stack's Ecotone formula over the transaction's encoding, in EIP-7623
///         tokens, the `next` of the sender's consuming `b` move and of its own fee output counted as VALUE_TOKENS
///         each. Used by StepStart (the step machine's TxConst) and RulesProver (insufficient-balance).
library L1Fee {
    /// @notice baseFeeScalar and blobBaseFeeScalar, in millionths (core/l1fee.ts L1_BASE_FEE_SCALAR, …).
    uint256 internal constant BASE_FEE_SCALAR = 2_000_000;
    uint256 internal constant BLOB_BASE_FEE_SCALAR = 0;
    /// @notice Tokens a fee-dependent value counts for (a u256c of 8 nonzero bytes).
    uint256 internal constant VALUE_TOKENS = 36;

    /// @notice EIP-7623 tokens of `b`: a zero byte 1, any other 4.
    function tokens(bytes memory b) internal pure returns (uint256) {
        return b.length + 3 * EthTx.nonZeroBytes(b, 0, b.length);
    }

    /// @notice Tokens of the u256c encoding of `v` (§3.2): the length byte, then the minimal big-endian bytes.
    function u256cTokens(uint256 v) internal pure returns (uint256 t) {
        if (v == 0) return 1;
        t = 4;
        while (v != 0) {
            t += (v & 0xff) == 0 ? 1 : 4;
            v >>= 8;
        }
    }

    /// @notice The tokens §6.6 charges for: the encoding's, with the fee-dependent values at VALUE_TOKENS each.
    function chargedTokens(bytes memory enc, MoveLib.Move[] memory moves, address sender, address feeRecipient, uint256 seq)
        internal
        pure
        returns (uint256 t)
    {
        t = tokens(enc);
        for (uint256 i = 0; i < moves.length; ++i) {
            MoveLib.Move memory m = moves[i];
            if (m.ref) continue;
            bool dependent = (m.mark == MoveLib.MARK_BALANCE && m.slot == 0 && m.addr == sender)
                || (m.mark == MoveLib.MARK_FEE && m.slot == seq && m.addr == feeRecipient);
            if (dependent) t = t - u256cTokens(m.next) + VALUE_TOKENS;
        }
    }

    /// @notice Ecotone's formula on `t` tokens with the given scalars: the fee and OP's l1GasUsed (4 × tokens).
    ///         Cannot overflow for prices ≤ 2^128 − 1 (what L1 lets a header declare) and scalars < 2^32.
    function feeOf(uint256 t, uint256 l1BaseFee, uint256 l1BlobBaseFee, uint256 baseScalar, uint256 blobScalar)
        internal
        pure
        returns (uint256 f, uint256 gasUsed)
    {
        gasUsed = 4 * t;
        f = (gasUsed * (16 * baseScalar * l1BaseFee + blobScalar * l1BlobBaseFee)) / 16_000_000;
    }

    /// @notice The L1 data fee of the transaction encoded as `enc` with moves `moves`, from `sender`, at `seq`, in a
    ///         batch with fee recipient `feeRecipient` and L1 prices `l1BaseFee`, `l1BlobBaseFee` (§6.6).
    function l1Fee(
        bytes memory enc,
        MoveLib.Move[] memory moves,
        address sender,
        address feeRecipient,
        uint256 seq,
        uint256 l1BaseFee,
        uint256 l1BlobBaseFee
    ) internal pure returns (uint256 f) {
        (f,) = feeOf(chargedTokens(enc, moves, sender, feeRecipient, seq), l1BaseFee, l1BlobBaseFee, BASE_FEE_SCALAR, BLOB_BASE_FEE_SCALAR);
    }
}
