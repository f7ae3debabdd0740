// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Rlp} from "./Rlp.sol";

/// @notice The fields of a signed Ethereum transaction (legacy, EIP-2930 type 1, EIP-1559 type 2), as
/// the ethereumjs tx package v10 reads them. Offsets are byte offsets into `raw`.
struct EthTxFields {
    /// 0 legacy, 1 EIP-2930, 2 EIP-1559.
    uint8 txType;
    /// Legacy: ethereumjs's EIP155ReplayProtection capability (v = 35 + 2·chainId (+1); under
    /// `decodeFor` also every unsigned legacy tx, as ethereumjs does). Typed: false.
    bool eip155;
    /// ethereumjs `isSigned()`: v, r and s all present and non-empty (typed: r and s non-empty).
    bool signed;
    /// Typed: the chain id field. Legacy with eip155: the chain id. Legacy otherwise: 0.
    uint256 chainId;
    uint64 nonce;
    /// EIP-1559: maxPriorityFeePerGas. Legacy and EIP-2930: gasPrice.
    uint256 maxPriorityFeePerGas;
    /// EIP-1559: maxFeePerGas. Legacy and EIP-2930: gasPrice.
    uint256 maxFeePerGas;
    uint64 gasLimit;
    /// `to` is empty: contract creation.
    bool isCreate;
    /// address(0) for a creation.
    address to;
    uint256 value;
    /// The data (call data or initcode) is raw[dataOffset : dataOffset + dataLength].
    uint256 dataOffset;
    uint256 dataLength;
    /// Number of access-list entries and of storage keys over all entries (EIP-2930 intrinsic gas).
    uint256 accessListAddresses;
    uint256 accessListStorageKeys;
    /// Legacy: v (0 when absent). Typed: yParity.
    uint256 v;
    /// 0 when absent or empty.
    uint256 r;
    uint256 s;
    /// The signed fields after the chain id are raw[unsignedStart : unsignedEnd] (from the nonce to
    /// the end of the data (legacy) or access list (typed)), byte for byte as ethereumjs re-encodes them.
    uint256 unsignedStart;
    uint256 unsignedEnd;
}

/// @title EthTx
/// @notice Decodes a signed Ethereum transaction exactly as the ethereumjs tx package v10 `createTxFromRLP` does
/// with a Cancun Common (core/evm/ethtx.ts), recovers its sender as `getSenderAddress()` does, and
/// computes `getIntrinsicGas()`. The rollup refuses type 3 (blob) and type 4 (set code).
///
/// Two stages, as in the TypeScript core (protocol.md §5.4):
///  * `decode` / `decodeFor` revert (custom error naming the reason) for everything createTxFromRLP
///    rejects, and for an access list that names anything but 20-byte addresses and 32-byte keys (the
///    rollup's rule, §5.4): the transaction is malformed (`bad-ethereum-tx`);
///  * `sender` returns address(0) for everything that decodes but whose getSenderAddress() throws:
///    the signature is at fault (`bad-signature`). That includes unsigned transactions (v, r or s
///    empty, or 6/8/9 fields), r or s ≥ n, a legacy high s (typed high s is a decode error in
///    ethereumjs) and a signature that does not recover.
///
/// ethereumjs quirks mirrored on purpose (a transaction ethereumjs accepts must decode here too):
///  * a typed tx's chain id may have leading zero bytes and any length (only its value is compared;
///    the signing hash uses its canonical form);
///  * the access list may be the empty string 0x80; an entry's storage-key list may be 0x80;
///  * gas limit ≤ 2^64−1, nonce ≤ 2^64−2 (2^64−1 is a decode error), initcode ≤ 49152 bytes and
///    gasLimit × feeCap ≤ 2^256−1 are decode checks, not rules.
/// (ethereumjs also decodes an access-list address written as a list of 20 items, or a key as a list of
/// 32, which its VM cannot run; the rollup refuses them as malformed, §5.4.)
///
/// Cost (§5.5): every byte is read a bounded number of times. A transaction is rejected at the first
/// certain fault, never after walking what follows it: a field that must be a string but is a list, a
/// 13th field, an access-list entry of the wrong shape (each of these makes ethereumjs refuse it too,
/// whatever the rest holds, so only the error's name can differ from what ethereumjs reports for input
/// with several faults). The access list, the only list a transaction may hold, is validated by one
/// walk of its fixed shape, so nesting never costs a stack.
library EthTx {
    // ---------------------------------------------------------------------------------------------
    // Decode errors. `field` is the index of the field in the transaction's RLP list.

    /// @notice `raw` is empty.
    error EmptyTx();
    /// @notice First byte below 0x80 that is no known transaction type (0, 5..0x7f).
    error UnknownTxType(uint256 txType);
    /// @notice A blob (3) or set-code (4) transaction: the rollup refuses them.
    error RefusedTxType(uint256 txType);
    /// @notice The transaction body is an RLP string (or missing), not a list.
    error TxNotList();
    /// @notice The list has a number of fields that the type does not allow (unsigned or signed).
    error WrongFieldCount(uint256 count);
    /// @notice A scalar field is a list.
    error FieldIsList(uint256 field);
    /// @notice An integer field has a leading zero byte.
    error LeadingZero(uint256 field);
    /// @notice An integer field exceeds 2^256−1.
    error IntegerTooLarge(uint256 field);
    /// @notice `to` is neither empty nor 20 bytes.
    error BadToLength(uint256 length);
    /// @notice Gas limit above 2^64−1.
    error GasLimitTooLarge();
    /// @notice Nonce at or above 2^64−1 (EIP-2681).
    error NonceTooLarge();
    /// @notice Contract creation with initcode above 49152 bytes (EIP-3860).
    error InitcodeTooLarge(uint256 length);
    /// @notice The chain id exceeds 2^256−1 (so no chain matches it).
    error ChainIdTooLarge();
    /// @notice The chain id (typed) or the EIP-155 v (legacy) does not match the expected chain.
    error ChainIdMismatch(uint256 expected);
    /// @notice Legacy v is neither 27, 28 nor at least 37.
    error InvalidV();
    /// @notice gasLimit × gasPrice (maxFeePerGas) exceeds 2^256−1.
    error FeeOverflow();
    /// @notice maxPriorityFeePerGas above maxFeePerGas.
    error PriorityFeeAboveMaxFee();
    /// @notice A typed transaction's yParity is neither 0 nor 1.
    error InvalidYParity();
    /// @notice A typed transaction's s is above n/2 (EIP-2).
    error HighS();
    /// @notice The access list is a non-empty string.
    error AccessListNotList();
    /// @notice Access-list entry `item` is a string.
    error AccessListItemNotList(uint256 item);
    /// @notice Access-list entry `item` has not exactly two elements.
    error AccessListItemSize(uint256 item);
    /// @notice Access-list entry `item` has an address that is not 20 bytes (nor a list of 20 items).
    error AccessListAddressLength(uint256 item);
    /// @notice Access-list entry `item` has a storage-key list that is a non-empty string.
    error AccessListSlotsNotList(uint256 item);
    /// @notice Storage key `slot` of entry `item` is not 32 bytes (nor a list of 32 items).
    error AccessListSlotLength(uint256 item, uint256 slot);

    uint256 internal constant MAX_INITCODE_SIZE = 49152;
    uint256 internal constant SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;
    uint256 internal constant SECP256K1_N_HALF = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    // Cancun gas schedule (ethereumjs params).
    uint256 internal constant TX_GAS = 21000;
    uint256 internal constant TX_CREATION_GAS = 32000;
    uint256 internal constant TX_DATA_ZERO_GAS = 4;
    uint256 internal constant TX_DATA_NONZERO_GAS = 16;
    uint256 internal constant INITCODE_WORD_GAS = 2;
    uint256 internal constant ACCESS_LIST_ADDRESS_GAS = 2400;
    uint256 internal constant ACCESS_LIST_STORAGE_KEY_GAS = 1900;

    uint256 private constant NONE = type(uint256).max;
    uint256 private constant MAX_FIELDS = 12;

    /// @dev The items of the transaction's RLP list (the first MAX_FIELDS of them).
    struct Items {
        uint256 count;
        /// Offset of the list's payload.
        uint256 listStart;
        /// Bit i set: item i is a list.
        uint256 lists;
        uint256[MAX_FIELDS] payload;
        uint256[MAX_FIELDS] length;
    }

    /// @dev Field indices of one transaction type (NONE where the type has no such field).
    struct Layout {
        uint256 chainId;
        uint256 nonce;
        uint256 fee1; // gasPrice or maxPriorityFeePerGas
        uint256 fee2; // gasPrice or maxFeePerGas
        uint256 gas;
        uint256 to;
        uint256 value;
        uint256 data;
        uint256 accessList;
        uint256 v; // = number of fields of the unsigned form
    }

    // ---------------------------------------------------------------------------------------------
    // Decoding

    /// @notice Decodes `raw` for any chain: everything createTxFromRLP checks except the chain id
    /// (a legacy tx's chain id is derived from v; an unsigned legacy tx gets chainId 0, eip155 false).
    function decode(bytes memory raw) internal pure returns (EthTxFields memory f) {
        _decode(raw, f, false, 0);
    }

    /// @notice Decodes `raw` exactly as createTxFromRLP(raw, {common: Cancun with chain id `chainId`})
    /// does, the type-3/4 refusal added. Assumes 2·chainId + 36 < 2^53 (ethereumjs compares legacy
    /// v as a JavaScript number).
    function decodeFor(bytes memory raw, uint256 chainId) internal pure returns (EthTxFields memory f) {
        _decode(raw, f, true, chainId);
    }

    function _decode(bytes memory raw, EthTxFields memory f, bool pinned, uint256 chainId) private pure {
        Items memory it = _items(raw, f);
        Layout memory l = _layout(f.txType);
        // INVARIANT: the field count is that of the unsigned or the signed form of the type.
        if (it.count != l.v && it.count != l.v + 3) revert WrongFieldCount(it.count);
        bool hasSig = it.count == l.v + 3;
        _shared(raw, it, l, f, hasSig);
        if (f.txType == 0) _legacy(raw, it, l, f, hasSig, pinned, chainId);
        else _typed(raw, it, l, f, hasSig, pinned, chainId);
        unchecked {
            f.unsignedStart = f.txType == 0 ? it.listStart : it.payload[0] + it.length[0];
            f.unsignedEnd = it.payload[l.v - 1] + it.length[l.v - 1];
        }
        f.dataOffset = it.payload[l.data];
        f.dataLength = it.length[l.data];
    }

    /// @dev Type byte, the list's items (at most MAX_FIELDS), each a string but the access list (which
    /// {_accessList} validates), and nothing after the list.
    function _items(bytes memory raw, EthTxFields memory f) private pure returns (Items memory it) {
        uint256 len = raw.length;
        // INVARIANT: there is a transaction at all.
        if (len == 0) revert EmptyTx();
        uint256 t = _byte(raw, 0);
        uint256 off;
        if (t < 0x80) {
            // INVARIANT: only legacy, EIP-2930 and EIP-1559 transactions.
            if (t == 3 || t == 4) revert RefusedTxType(t);
            if (t != 1 && t != 2) revert UnknownTxType(t);
            f.txType = uint8(t);
            off = 1;
            if (len == 1) revert TxNotList();
        }
        (bool isList, uint256 p, uint256 n) = Rlp.header(raw, off, len);
        uint256 end = p + n;
        if (!isList) {
            if (end != len) revert Rlp.RlpTrailingBytes(end);
            // INVARIANT: the body is a list.
            revert TxNotList();
        }
        it.listStart = p;
        // The access list's position (typed transactions): the only item that may be a list.
        uint256 al = f.txType == 0 ? NONE : _layout(f.txType).accessList;
        uint256 c;
        while (p < end) {
            // INVARIANT: at most MAX_FIELDS items (no transaction type has more; the count reported is
            //            the first one too many, not the total).
            if (c == MAX_FIELDS) revert WrongFieldCount(c + 1);
            (bool il, uint256 ip, uint256 ilen) = Rlp.header(raw, p, end);
            if (il) {
                // INVARIANT: a field other than the access list is not a list.
                if (c != al) revert FieldIsList(c);
                it.lists |= 1 << c;
            }
            it.payload[c] = ip;
            it.length[c] = ilen;
            unchecked {
                p = ip + ilen;
                ++c;
            }
        }
        it.count = c;
        // INVARIANT: nothing follows the transaction.
        if (end != len) revert Rlp.RlpTrailingBytes(end);
    }

    function _layout(uint256 txType) private pure returns (Layout memory l) {
        if (txType == 0) {
            // [nonce, gasPrice, gasLimit, to, value, data, v, r, s]
            return Layout(NONE, 0, 1, 1, 2, 3, 4, 5, NONE, 6);
        }
        if (txType == 1) {
            // [chainId, nonce, gasPrice, gasLimit, to, value, data, accessList, v, r, s]
            return Layout(0, 1, 2, 2, 3, 4, 5, 6, 7, 8);
        }
        // [chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, accessList, v, r, s]
        return Layout(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    /// @dev What every type checks, in ethereumjs's order (factory, then sharedConstructor).
    function _shared(bytes memory raw, Items memory it, Layout memory l, EthTxFields memory f, bool hasSig)
        private
        pure
    {
        // validateNotArray (typed factories {chainId, v}, sharedConstructor every field but the access
        // list) holds already: {_items} refused every other list.
        // validateNoLeadingZeroes({nonce, gasPrice | maxPriorityFeePerGas, maxFeePerGas, gasLimit, value, v, r, s}).
        _noLeadingZero(raw, it, l.nonce);
        _noLeadingZero(raw, it, l.fee1);
        if (l.fee2 != l.fee1) _noLeadingZero(raw, it, l.fee2);
        _noLeadingZero(raw, it, l.gas);
        _noLeadingZero(raw, it, l.value);
        if (hasSig) {
            _noLeadingZero(raw, it, l.v);
            _noLeadingZero(raw, it, l.v + 1);
            _noLeadingZero(raw, it, l.v + 2);
        }
        // new Address(to): empty (creation) or 20 bytes.
        uint256 toLen = it.length[l.to];
        if (toLen != 0 && toLen != 20) revert BadToLength(toLen);
        f.isCreate = toLen == 0;
        if (toLen == 20) f.to = address(uint160(_word(raw, it.payload[l.to], 20)));
        // valueOverflowCheck({value, r, s}).
        f.value = _uint256(raw, it, l.value);
        if (hasSig) {
            f.r = _uint256(raw, it, l.v + 1);
            f.s = _uint256(raw, it, l.v + 2);
        }
        // valueOverflowCheck({gasLimit}, 64).
        if (it.length[l.gas] > 8) revert GasLimitTooLarge();
        f.gasLimit = uint64(_word(raw, it.payload[l.gas], it.length[l.gas]));
        // valueOverflowCheck({nonce}, 64, true): EIP-2681.
        if (it.length[l.nonce] > 8) revert NonceTooLarge();
        uint256 nonce = _word(raw, it.payload[l.nonce], it.length[l.nonce]);
        if (nonce >= type(uint64).max) revert NonceTooLarge();
        f.nonce = uint64(nonce);
        // EIP-3860 (Cancun): initcode size.
        if (f.isCreate && it.length[l.data] > MAX_INITCODE_SIZE) revert InitcodeTooLarge(it.length[l.data]);
    }

    function _legacy(
        bytes memory raw,
        Items memory it,
        Layout memory l,
        EthTxFields memory f,
        bool hasSig,
        bool pinned,
        uint256 chainId
    ) private pure {
        uint256 gasPrice = _uint256(raw, it, l.fee1);
        f.maxPriorityFeePerGas = gasPrice;
        f.maxFeePerGas = gasPrice;
        bool vPresent = hasSig && it.length[l.v] != 0;
        if (vPresent) {
            // validateVAndExtractChainID. v has no size limit in ethereumjs: a v above 32 bytes is
            // at least 37 and matches no chain.
            uint256 vLen = it.length[l.v];
            if (vLen > 32) {
                if (pinned) revert ChainIdMismatch(chainId);
                revert ChainIdTooLarge();
            }
            uint256 v = _word(raw, it.payload[l.v], vLen);
            // INVARIANT: v is 27, 28 or 35 + 2·chainId (+1) with chainId ≥ 1.
            if (v < 37 && v != 27 && v != 28) revert InvalidV();
            f.v = v;
            if (v >= 37) {
                uint256 derived = (v - 35) / 2;
                // INVARIANT: the EIP-155 chain id is the expected one.
                if (pinned && derived != chainId) revert ChainIdMismatch(chainId);
                f.eip155 = true;
                f.chainId = derived;
            }
        }
        // INVARIANT: gasLimit × gasPrice fits 256 bits.
        _mulFits(f.gasLimit, gasPrice);
        f.signed = vPresent && it.length[l.v + 1] != 0 && it.length[l.v + 2] != 0;
        // ethereumjs gives every unsigned legacy tx the EIP-155 capability of its Common.
        if (pinned && !f.signed) {
            f.eip155 = true;
            f.chainId = chainId;
        }
    }

    function _typed(
        bytes memory raw,
        Items memory it,
        Layout memory l,
        EthTxFields memory f,
        bool hasSig,
        bool pinned,
        uint256 chainId
    ) private pure {
        // Chain id: bytesToBigInt of the field (leading zeros allowed, any length).
        (bool fits, uint256 cid) = _lenientUint(raw, it.payload[l.chainId], it.length[l.chainId]);
        if (pinned) {
            // INVARIANT: the chain id is the expected one.
            if (!fits || cid != chainId) revert ChainIdMismatch(chainId);
        } else if (!fits) {
            revert ChainIdTooLarge();
        }
        f.chainId = cid;
        _accessList(raw, it, l.accessList, f);
        if (f.txType == 2) {
            // valueOverflowCheck({maxFeePerGas, maxPriorityFeePerGas}).
            f.maxFeePerGas = _uint256(raw, it, l.fee2);
            f.maxPriorityFeePerGas = _uint256(raw, it, l.fee1);
            _mulFits(f.gasLimit, f.maxFeePerGas);
            // INVARIANT: maxPriorityFeePerGas ≤ maxFeePerGas.
            if (f.maxFeePerGas < f.maxPriorityFeePerGas) revert PriorityFeeAboveMaxFee();
        } else {
            uint256 gasPrice = _uint256(raw, it, l.fee1);
            f.maxPriorityFeePerGas = gasPrice;
            f.maxFeePerGas = gasPrice;
            _mulFits(f.gasLimit, gasPrice);
        }
        if (hasSig) {
            // validateYParity: v ∈ {0, 1} (v is never a list or zero-led here; any length).
            uint256 vLen = it.length[l.v];
            uint256 v = vLen == 1 ? _byte(raw, it.payload[l.v]) : (vLen == 0 ? 0 : 2);
            if (v > 1) revert InvalidYParity();
            f.v = v;
            // validateHighS (EIP-2): a decode error for typed transactions.
            if (f.s > SECP256K1_N_HALF) revert HighS();
            f.signed = it.length[l.v + 1] != 0 && it.length[l.v + 2] != 0;
        }
    }

    /// @dev EIP2930.verifyAccessList as ethereumjs runs it over the decoded value (the empty string is an
    /// empty list), with the rollup's shape rule: every entry is [20-byte address, list of 32-byte keys or
    /// the empty string]. One walk validates every item of the list, counting entries and keys: entries of
    /// the canonical shape go through {_fastEntries}; the first that does not is read by {_entry}, which
    /// reverts with the exact reason (or accepts it, and the fast walk resumes after it).
    function _accessList(bytes memory raw, Items memory it, uint256 i, EthTxFields memory f) private pure {
        uint256 p = it.payload[i];
        uint256 n = it.length[i];
        if (!_isList(it, i)) {
            // The empty string iterates as an empty list; any other string breaks the JSON branch.
            if (n != 0) revert AccessListNotList();
            return;
        }
        uint256 end = p + n;
        uint256 e;
        uint256 keys;
        while (p < end) {
            (uint256 np, uint256 ne, uint256 nk) = _fastEntries(raw, p, end);
            p = np;
            e += ne;
            keys += nk;
            if (p == end) break;
            (bool il, uint256 ip, uint256 ilen) = Rlp.header(raw, p, end);
            // INVARIANT: an entry is a list [address, storageKeys].
            if (!il) revert AccessListItemNotList(e);
            p = ip + ilen;
            keys += _entry(raw, ip, p, e);
            unchecked {
                ++e;
            }
        }
        f.accessListAddresses = e;
        f.accessListStorageKeys = keys;
    }

    /// @dev Walks the entries from `p` (within [p, end)) while each has exactly the canonical RLP of
    /// [20-byte address, list of 32-byte keys or the empty string]: list header (short or long form,
    /// minimal), 0x94 and 20 bytes, the keys' list header (or 0x80), and 0xa0 and 32 bytes per key. Stops
    /// at `end` or at the first entry that differs in any way, which it leaves to {_entry}.
    /// @return stopAt  Where it stopped (the start of the first entry it did not accept, or `end`).
    /// @return entries Entries accepted.
    /// @return keys    Their storage keys.
    function _fastEntries(bytes memory raw, uint256 p, uint256 end)
        private
        pure
        returns (uint256 stopAt, uint256 entries, uint256 keys)
    {
        assembly ("memory-safe") {
            let base := add(raw, 0x20)
            /// The payload start and length of a list header at q below lim, canonical; ok 0 otherwise.
            function listHeader(b, q, lim) -> ip, l, ok {
                let w := mload(add(b, q))
                let t := byte(0, w)
                if lt(t, 0xc0) { leave }
                switch lt(t, 0xf8)
                case 1 {
                    l := sub(t, 0xc0)
                    ip := add(q, 1)
                }
                default {
                    let ll := sub(t, 0xf7)
                    // a length of at most 3 bytes with no leading zero, at least 56
                    if or(gt(ll, 3), iszero(byte(1, w))) { leave }
                    l := shr(sub(256, shl(3, ll)), shl(8, w))
                    if lt(l, 56) { leave }
                    ip := add(add(q, 1), ll)
                }
                if gt(add(ip, l), lim) { leave }
                ok := 1
            }
            for {} lt(p, end) {} {
                let ip, l, ok := listHeader(base, p, end)
                if iszero(ok) { break }
                let ee := add(ip, l)
                // the address: 0x94 and 20 bytes, then the keys' header inside the entry
                let kp := add(ip, 21)
                if or(iszero(eq(byte(0, mload(add(base, ip))), 0x94)), iszero(lt(kp, ee))) { break }
                let nk := 0
                switch byte(0, mload(add(base, kp)))
                case 0x80 { if iszero(eq(add(kp, 1), ee)) { break } }
                default {
                    let kip, kl, kok := listHeader(base, kp, ee)
                    if or(iszero(kok), iszero(eq(add(kip, kl), ee))) { break }
                    // keys: 0xa0 and 32 bytes each, exactly filling the list
                    if mod(kl, 33) { break }
                    nk := div(kl, 33)
                    let bad := 0
                    for { let k := kip } lt(k, ee) { k := add(k, 33) } {
                        if iszero(eq(byte(0, mload(add(base, k))), 0xa0)) {
                            bad := 1
                            break
                        }
                    }
                    if bad { break }
                }
                keys := add(keys, nk)
                entries := add(entries, 1)
                p := ee
            }
            stopAt := p
        }
    }

    /// @dev One access-list entry, the list payload [p, end): its storage-key count.
    function _entry(bytes memory raw, uint256 p, uint256 end, uint256 i) private pure returns (uint256 keys) {
        // INVARIANT: exactly two elements (a third is not read: the entry is refused whatever it holds).
        if (p == end) revert AccessListItemSize(i);
        (bool al, uint256 ap, uint256 alen) = Rlp.header(raw, p, end);
        p = ap + alen;
        if (p == end) revert AccessListItemSize(i);
        (bool sl, uint256 sp, uint256 slen) = Rlp.header(raw, p, end);
        if (sp + slen != end) revert AccessListItemSize(i);
        // INVARIANT: the address is 20 bytes (a list is refused by the rollup, §5.4).
        if (al || alen != 20) revert AccessListAddressLength(i);
        // Storage keys: a list of 32-byte strings; or the empty string.
        if (!sl) {
            if (slen != 0) revert AccessListSlotsNotList(i);
            return 0;
        }
        keys = _keys(raw, sp, sp + slen, i);
    }

    /// @dev The storage keys of entry `i`, the list payload [p, end): each a 32-byte string.
    function _keys(bytes memory raw, uint256 p, uint256 end, uint256 i) private pure returns (uint256 keys) {
        while (p < end) {
            (bool kl, uint256 kp, uint256 klen) = Rlp.header(raw, p, end);
            // INVARIANT: a key is 32 bytes (a list is refused by the rollup, §5.4).
            if (kl || klen != 32) revert AccessListSlotLength(i, keys);
            p = kp + klen;
            unchecked {
                ++keys;
            }
        }
    }

    /// @dev validateNoLeadingZeroes for one field (lists are caught later by validateNotArray).
    function _noLeadingZero(bytes memory raw, Items memory it, uint256 i) private pure {
        if (!_isList(it, i) && it.length[i] != 0 && _byte(raw, it.payload[i]) == 0) revert LeadingZero(i);
    }

    /// @dev An integer field (already free of leading zeros) that must fit 256 bits.
    function _uint256(bytes memory raw, Items memory it, uint256 i) private pure returns (uint256) {
        uint256 n = it.length[i];
        if (n > 32) revert IntegerTooLarge(i);
        return _word(raw, it.payload[i], n);
    }

    /// @dev bytesToBigInt: leading zeros allowed; `fits` is false above 2^256−1.
    function _lenientUint(bytes memory raw, uint256 p, uint256 n) private pure returns (bool fits, uint256 v) {
        uint256 end = p + n;
        while (p < end && _byte(raw, p) == 0) {
            unchecked {
                ++p;
            }
        }
        if (end - p > 32) return (false, 0);
        return (true, _word(raw, p, end - p));
    }

    function _isList(Items memory it, uint256 i) private pure returns (bool) {
        return (it.lists >> i) & 1 == 1;
    }

    /// @dev raw[off], unchecked: `off` comes from a validated header.
    function _byte(bytes memory raw, uint256 off) private pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := byte(0, mload(add(add(raw, 0x20), off)))
        }
    }

    /// @dev Big-endian raw[p : p + n] for n ≤ 32 (0 for n = 0), unchecked: from a validated header.
    function _word(bytes memory raw, uint256 p, uint256 n) private pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := shr(sub(256, mul(8, n)), mload(add(add(raw, 0x20), p)))
        }
    }

    function _mulFits(uint256 a, uint256 b) private pure {
        if (a != 0 && b > type(uint256).max / a) revert FeeOverflow();
    }

    // ---------------------------------------------------------------------------------------------
    // Signature

    /// @notice ethereumjs `getHashedMessageToSign()`: legacy keccak(rlp([nonce, gasPrice, gasLimit, to,
    /// value, data])) or, with eip155, keccak(rlp([..., chainId, 0, 0])); typed keccak(type ||
    /// rlp([chainId, ..., accessList])), the chain id in canonical form.
    function signingHash(bytes memory raw, EthTxFields memory f) internal pure returns (bytes32 h) {
        uint256 bodyLen = f.unsignedEnd - f.unsignedStart;
        uint256 cidLen = Rlp.uintLength(f.chainId);
        uint256 payloadLen;
        if (f.txType != 0) payloadLen = cidLen + bodyLen;
        else payloadLen = f.eip155 ? bodyLen + cidLen + 2 : bodyLen;
        uint256 total = 1 + Rlp.listHeaderLength(payloadLen) + payloadLen;
        uint256 start;
        // Scratch buffer, allocated (with 32 bytes of slack for the word-wide writes).
        assembly ("memory-safe") {
            start := mload(0x40)
            mstore(0x40, add(start, and(add(total, 63), not(31))))
        }
        uint256 ptr = start;
        if (f.txType != 0) {
            assembly ("memory-safe") {
                mstore8(ptr, mload(f))
            }
            ptr = Rlp.writeListHeader(ptr + 1, payloadLen);
            ptr = Rlp.writeUint(ptr, f.chainId);
            ptr = _copy(ptr, raw, f.unsignedStart, bodyLen);
        } else {
            ptr = Rlp.writeListHeader(ptr, payloadLen);
            ptr = _copy(ptr, raw, f.unsignedStart, bodyLen);
            if (f.eip155) {
                ptr = Rlp.writeUint(ptr, f.chainId);
                assembly ("memory-safe") {
                    mstore8(ptr, 0x80)
                    mstore8(add(ptr, 1), 0x80)
                }
                ptr += 2;
            }
        }
        assembly ("memory-safe") {
            h := keccak256(start, sub(ptr, start))
        }
    }

    function _copy(uint256 ptr, bytes memory raw, uint256 off, uint256 len) private pure returns (uint256) {
        assembly ("memory-safe") {
            mcopy(ptr, add(add(raw, 0x20), off), len)
        }
        return ptr + len;
    }

    /// @notice ethereumjs `getSenderAddress()`, or address(0) where it throws: unsigned, r or s not
    /// in [1, n), legacy s above n/2 (EIP-2), or no public key recovers.
    function sender(bytes memory raw, EthTxFields memory f) internal pure returns (address) {
        if (!f.signed) return address(0);
        if (f.s > SECP256K1_N_HALF || f.r >= SECP256K1_N) return address(0);
        uint256 parity;
        if (f.txType != 0) parity = f.v;
        else if (f.eip155) parity = f.v - 35 - 2 * f.chainId;
        else parity = f.v - 27;
        // INVARIANT: decode leaves only recovery ids 0 and 1.
        assert(parity <= 1);
        return ecrecover(signingHash(raw, f), uint8(27 + parity), bytes32(f.r), bytes32(f.s));
    }

    // ---------------------------------------------------------------------------------------------
    // Gas and cost

    /// @notice ethereumjs `getIntrinsicGas()` under Cancun: 21000, +32000 and 2 per initcode word for a
    /// creation, 4 per zero and 16 per non-zero data byte, 2400 per access-list entry, 1900 per key.
    function intrinsicGas(bytes memory raw, EthTxFields memory f) internal pure returns (uint256 gas) {
        uint256 len = f.dataLength;
        uint256 nonZero = nonZeroBytes(raw, f.dataOffset, len);
        gas = TX_GAS + nonZero * TX_DATA_NONZERO_GAS + (len - nonZero) * TX_DATA_ZERO_GAS;
        if (f.isCreate) gas += TX_CREATION_GAS + INITCODE_WORD_GAS * ((len + 31) / 32);
        gas += ACCESS_LIST_ADDRESS_GAS * f.accessListAddresses + ACCESS_LIST_STORAGE_KEY_GAS * f.accessListStorageKeys;
    }

    /// @notice Non-zero bytes of raw[off : off + len], a word at a time.
    function nonZeroBytes(bytes memory raw, uint256 off, uint256 len) internal pure returns (uint256 n) {
        // A bounds check against a caller's mistake, kept message-less to stay cheap.
        // solhint-disable-next-line gas-custom-errors, reason-string
        require(off + len <= raw.length);
        assembly ("memory-safe") {
            let p := add(add(raw, 0x20), off)
            let end := add(p, len)
            let lo4 := 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f
            let lo2 := 0x0303030303030303030303030303030303030303030303030303030303030303
            let lo1 := 0x0101010101010101010101010101010101010101010101010101010101010101
            for {} lt(p, end) { p := add(p, 32) } {
                let w := mload(p)
                let rest := sub(end, p)
                // Past the end: clear the low bytes of the last word.
                if lt(rest, 32) { w := and(w, not(sub(shl(mul(8, sub(32, rest)), 1), 1))) }
                if w {
                    // Fold each byte onto its lowest bit, then add the 32 bits up in the top byte.
                    w := and(or(w, shr(4, w)), lo4)
                    w := and(or(w, shr(2, w)), lo2)
                    w := and(or(w, shr(1, w)), lo1)
                    n := add(n, shr(248, mul(w, lo1)))
                }
            }
        }
    }

    /// @notice value + gasLimit × maxFeePerGas (gasPrice), the balance the sender needs (protocol.md
    /// §6 `insufficient-balance`); `overflow` when it exceeds 2^256−1 (no balance suffices then).
    function maxCost(EthTxFields memory f) internal pure returns (uint256 cost, bool overflow) {
        unchecked {
            uint256 fee = uint256(f.gasLimit) * f.maxFeePerGas; // ≤ 2^256−1: checked by decode
            cost = f.value + fee;
            overflow = cost < fee;
        }
    }
}
