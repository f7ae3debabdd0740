// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EthTx, EthTxFields} from "../lib/EthTx.sol";
import {Rlp} from "../lib/Rlp.sol";

/// @notice Test harness: exposes the EthTx and Rlp libraries to test/contracts/lib/ethtx.test.ts.
contract EthTxHarness {
    function decode(bytes memory raw) external pure returns (EthTxFields memory) {
        return EthTx.decode(raw);
    }

    function decodeFor(bytes memory raw, uint256 chainId) external pure returns (EthTxFields memory) {
        return EthTx.decodeFor(raw, chainId);
    }

    /// @notice Everything a fraud proof derives from `raw` for the chain `chainId`.
    function inspect(bytes memory raw, uint256 chainId)
        external
        pure
        returns (EthTxFields memory f, bytes32 hash, address from, uint256 intrinsic, bytes memory data, uint256 cost, bool costOverflow)
    {
        f = EthTx.decodeFor(raw, chainId);
        hash = EthTx.signingHash(raw, f);
        from = EthTx.sender(raw, f);
        intrinsic = EthTx.intrinsicGas(raw, f);
        data = new bytes(f.dataLength);
        for (uint256 i; i < f.dataLength; ++i) data[i] = raw[f.dataOffset + i];
        (cost, costOverflow) = EthTx.maxCost(f);
    }

    /// @notice Gas of decodeFor + sender alone (no calldata or ABI overhead).
    function gasOfDecodeAndSender(bytes memory raw, uint256 chainId) external view returns (uint256 gas, address from) {
        uint256 g = gasleft();
        EthTxFields memory f = EthTx.decodeFor(raw, chainId);
        from = EthTx.sender(raw, f);
        gas = g - gasleft();
    }

    /// @notice Gas of intrinsicGas alone.
    function gasOfIntrinsic(bytes memory raw, uint256 chainId) external view returns (uint256 gas, uint256 intrinsic) {
        EthTxFields memory f = EthTx.decodeFor(raw, chainId);
        uint256 g = gasleft();
        intrinsic = EthTx.intrinsicGas(raw, f);
        gas = g - gasleft();
    }

    /// @notice Rlp.validateWhole, returning the header of the outermost item.
    function rlpValidate(bytes memory b) external pure returns (bool isList, uint256 payload, uint256 length) {
        Rlp.validateWhole(b, 0);
        return Rlp.header(b, 0, b.length);
    }
}
