// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title SafeLikeForwarder
/// @notice TEST ONLY. A smart account as Safes, smart wallets and proxies are, for the purpose of posting: its owner
///         makes it call any contract (bond, append a batch, unbond), one call or several in one L1 transaction,
///         and it receives ether (an unbonded bond). A revert of a call is passed on unchanged.
contract SafeLikeForwarder {
    /// @notice The account allowed to make this one call out.
    address public immutable owner;

    error NotOwner(address caller);
    error LengthMismatch();

    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice Calls `to` with `value` and `data` from this contract; returns what it returned.
    function exec(address to, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        // INVARIANT: only the owner acts through this account.
        if (msg.sender != owner) revert NotOwner(msg.sender);
        return _call(to, value, data);
    }

    /// @notice Several {exec} calls in one transaction, in order.
    function execMany(address[] calldata to, uint256[] calldata value, bytes[] calldata data) external payable {
        // INVARIANT: only the owner acts through this account.
        if (msg.sender != owner) revert NotOwner(msg.sender);
        // INVARIANT: one target, value and calldata per call.
        if (to.length != value.length || to.length != data.length) revert LengthMismatch();
        for (uint256 i = 0; i < to.length; ++i) _call(to[i], value[i], data[i]);
    }

    receive() external payable {}

    function _call(address to, uint256 value, bytes calldata data) private returns (bytes memory ret) {
        bool ok;
        (ok, ret) = to.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
    }
}
