// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EthTx, EthTxFields} from "./EthTx.sol";

/// @title Decoders
/// @notice The decoders the fraud provers share, deployed once and linked: its functions are public, so a
///         prover DELEGATECALLs this library's one copy instead of carrying its own (protocol.md §11.4). The
///         twins and the rules stay in EthTx (internal, run by the vectors through the test harnesses).
library Decoders {
    /// @notice A wrapped transaction's fields as EthTx.decodeFor reads them for chain `chainId` (reverting with its
    ///         custom error where it does not decode), its sender (address(0) where the signature is at fault,
    ///         EthTx.sender) and its intrinsic gas (EthTx.intrinsicGas).
    /// @param raw The signed Ethereum transaction.
    /// @param chainId The rollup's chain id.
    /// @return f The fields.
    /// @return sender The recovered sender, or address(0).
    /// @return intrinsic Cancun's intrinsic gas of the transaction.
    function ethTx(bytes memory raw, uint256 chainId) public pure returns (EthTxFields memory f, address sender, uint256 intrinsic) {
        f = EthTx.decodeFor(raw, chainId);
        sender = EthTx.sender(raw, f);
        intrinsic = EthTx.intrinsicGas(raw, f);
    }
}
