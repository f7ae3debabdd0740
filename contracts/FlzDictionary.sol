// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Flz} from "./lib/Flz.sol";

/// @title FlzDictionary
/// @notice Holds the dictionary of compressed items (docs/protocol.md §7.7) as its code: 0x00 || dictionary. The
///         leading STOP byte makes a call to it do nothing (and keeps the code from starting with 0xEF, EIP-3541);
///         readers code-copy the dictionary from offset 1 (Flz.expandFrom). Bound to a deployment once, by
///         Inbox.setDictionary.
contract FlzDictionary {
    /// @notice The dictionary is longer than FastLZ level 1 can reach (8,192 bytes).
    error DictionaryTooLong(uint256 length);

    /// @param dict The dictionary (at most 8,192 bytes).
    constructor(bytes memory dict) {
        // INVARIANT: a dictionary is at most MAX_DICT_BYTES (Inbox.setDictionary checks it again).
        if (dict.length > Flz.MAX_DICT_BYTES) revert DictionaryTooLong(dict.length);
        bytes memory code = abi.encodePacked(bytes1(0), dict);
        assembly ("memory-safe") {
            return(add(code, 32), mload(code))
        }
    }
}
