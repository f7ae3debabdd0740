// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IFinalityHold
/// @notice What the Inbox asks the dispute game (docs/protocol.md §11.2, §11.5.6): the lowest batch index that an open
///         game holds. Batches at or above it do not become final.
interface IFinalityHold {
    /// @notice The lowest batch index with an open game, or type(uint256).max when no game is open.
    function heldFrom() external view returns (uint256);
}

/// @title FinalityHolds
/// @notice The batch indices that open games hold, with how many games hold each: a doubly linked list sorted by
///         index, so the lowest one is read in one SLOAD and a hold is released in O(1).
/// @dev A new index is inserted after walking forward from a caller's hint (any held index below it; see
///      {holdHint}), so a correct hint costs O(1) and a stale one only costs the walk, never a revert: a player that
///      raced with another dispute still gets in. Key type(uint64).max is the sentinel (batch indices stay far
///      below it: the Inbox counts them in uint64).
abstract contract FinalityHolds is IFinalityHold {
    uint64 internal constant SENTINEL = type(uint64).max;

    struct Hold {
        uint64 prev;
        uint64 next;
        uint64 count;
    }

    mapping(uint64 => Hold) private _holds;

    constructor() {
        _holds[SENTINEL] = Hold({prev: SENTINEL, next: SENTINEL, count: 0});
    }

    /// @inheritdoc IFinalityHold
    function heldFrom() public view override returns (uint256) {
        uint64 first = _holds[SENTINEL].next;
        return first == SENTINEL ? type(uint256).max : first;
    }

    /// @notice How many open games hold batch `index`.
    function holdsOf(uint64 index) external view returns (uint256) {
        return index == SENTINEL ? 0 : _holds[index].count;
    }

    /// @notice The best hint for a dispute of batch `index`: the highest held index below it (SENTINEL if none).
    function holdHint(uint64 index) external view returns (uint64 hint) {
        hint = SENTINEL;
        uint64 n = _holds[SENTINEL].next;
        while (n != SENTINEL && n < index) {
            hint = n;
            n = _holds[n].next;
        }
    }

    /// @dev One more open game holds batch `index`.
    function _hold(uint64 index, uint64 hint) internal {
        Hold storage h = _holds[index];
        if (h.count > 0) {
            ++h.count;
            return;
        }
        uint64 at = (hint < index && _holds[hint].count > 0) ? hint : SENTINEL;
        uint64 n = _holds[at].next;
        while (n != SENTINEL && n < index) {
            at = n;
            n = _holds[n].next;
        }
        h.prev = at;
        h.next = n;
        h.count = 1;
        _holds[at].next = index;
        _holds[n].prev = index;
    }

    /// @dev One open game of batch `index` ended (it held the batch).
    function _release(uint64 index) internal {
        Hold storage h = _holds[index];
        if (--h.count > 0) return;
        _holds[h.prev].next = h.next;
        _holds[h.next].prev = h.prev;
        delete _holds[index];
    }
}
