// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Domains} from "./Domains.sol";
import {Reader, DecodeError, DecodeCodes} from "./Reader.sol";
import {MoveLib} from "./MoveLib.sol";

/// @title TxCodec
/// @notice The three transaction shapes of docs/protocol.md §5 (twin of core/tx.ts and core/sign.ts):
///         strict decoding with the limits of §5.5, the structural verdict of §4.3/§6 (twin of
///         core/moves.ts checkMovesStructure and the pre-execution checks of core/validate.ts), the
///         move-transaction sighash and signer, transaction ids and Merkle leaves.
library TxCodec {
    using Reader for Reader.Cursor;

    uint8 internal constant TYPE_DEPOSIT = 0x00;
    uint8 internal constant TYPE_MOVE = 0x01;
    uint8 internal constant TYPE_WRAPPED = 0x02;

    /// @notice Limits of the strict decoder (§5.5, core/tx.ts LIMITS).
    uint256 internal constant MAX_MOVES = 1024;
    uint256 internal constant MAX_WITNESS = 256;
    /// @notice Largest code blob in a witness (EIP-3860 initcode cap).
    uint256 internal constant MAX_CODE = 49152;
    uint256 internal constant MAX_DATA = 1 << 24;

    /// @notice secp256k1 group order and its half (low-s bound).
    uint256 internal constant SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;
    uint256 internal constant SECP256K1_HALF_N = SECP256K1_N >> 1;

    /// @notice Verdicts of {checkStructure} (0 = no fault). Kind in brackets, as in core/validate.ts.
    uint8 internal constant OK = 0;
    /// @notice [malformed] moves not strictly ascending by key; index = the out-of-order move.
    uint8 internal constant MOVES_UNSORTED = 1;
    /// @notice [malformed] the same key twice; index = the second occurrence.
    uint8 internal constant DUPLICATE_KEY = 2;
    /// @notice [input] a move's intx is not below the transaction's seq; index = the move.
    uint8 internal constant INTX_NOT_BEFORE = 3;
    /// @notice [signature] a deposit or wrapped transaction carries a move with mask != 0; index = the move.
    uint8 internal constant MASK_ON_UNSIGNED = 4;
    /// @notice [malformed] an f/w move that is not an output of this transaction; index = the move.
    uint8 internal constant UNEXPECTED_OUTPUT = 5;
    /// @notice [malformed] an output that does not consume the genesis version (ref, intx ≠ 0 or prev ≠ 0).
    uint8 internal constant BAD_OUTPUT = 6;
    /// @notice [malformed] a witness blob matching no declared code hash; index = the witness blob.
    uint8 internal constant UNUSED_WITNESS = 7;
    /// @notice [deposit] a deposit does not consume exactly the recipient's balance; index = 0.
    uint8 internal constant DEPOSIT_MOVES = 8;
    /// @notice [deposit] the recipient's balance does not grow by exactly the value; index = 0.
    uint8 internal constant DEPOSIT_AMOUNT = 9;
    /// @notice [malformed] a fee sweep (an f move keyed by another seq) that is a reference, names a producer
    ///         other than its slot, or leaves a value (next ≠ 0); index = the move.
    uint8 internal constant BAD_SWEEP = 10;

    /// @notice A witness code blob, located in the encoding (not copied): keccak256 of the code, and the
    ///         code's offset and size in the transaction encoding. (`size`, not `length`: an ethers
    ///         Result is an array, and a field named length would clash with it.)
    struct Blob {
        bytes32 codeHash;
        uint256 offset;
        uint256 size;
    }

    /// @notice Fields of a deposit (type 0x00).
    struct DepositBody {
        uint64 index;
        address from;
        address to;
        uint256 value;
    }

    /// @notice Fields of a move transaction (type 0x01). `hasTo` false is contract creation (to = 0).
    struct MoveBody {
        uint64 chainId;
        uint64 nonce;
        uint256 maxPriorityFeePerGas;
        uint256 maxFeePerGas;
        uint64 gasLimit;
        bool hasTo;
        address to;
        uint256 value;
        bytes data;
        uint8 yParity;
        uint256 r;
        uint256 s;
    }

    /// @notice A decoded transaction. Only the body of `txType` is set (the others stay zero/empty);
    ///         `witness` is empty for deposits, `raw` is set for wrapped transactions only.
    struct Tx {
        uint8 txType;
        MoveLib.Move[] moves;
        Blob[] witness;
        DepositBody deposit;
        MoveBody move;
        bytes raw;
    }

    // ------------------------------------------------------------------------------------------------
    // Decoding

    /// @notice Strict decoder: `enc` must be exactly one canonical transaction (core/tx.ts decodeTx).
    function decode(bytes memory enc) internal pure returns (Tx memory t) {
        Reader.Cursor memory c = Reader.init(enc);
        t = read(c);
        c.end();
    }

    /// @notice Reads one transaction at the cursor (core/tx.ts readTx).
    function read(Reader.Cursor memory c) internal pure returns (Tx memory t) {
        uint256 at = c.pos;
        uint8 txType = c.u8();
        t.txType = txType;
        if (txType == TYPE_DEPOSIT) {
            t.deposit.index = c.varint();
            t.deposit.from = c.addr();
            t.deposit.to = c.addr();
            t.deposit.value = c.u256c();
            t.moves = readMoves(c);
        } else if (txType == TYPE_MOVE) {
            _moveBody(c, t.move);
            t.moves = readMoves(c);
            t.witness = _witness(c);
            uint256 yAt = c.pos;
            uint8 y = c.u8();
            // INVARIANT: yParity is 0 or 1.
            if (y > 1) revert DecodeError(DecodeCodes.INVALID_VALUE, yAt);
            t.move.yParity = y;
            t.move.r = uint256(c.b32());
            t.move.s = uint256(c.b32());
        } else if (txType == TYPE_WRAPPED) {
            uint256 rawAt = c.pos;
            t.raw = c.bytesCopy(MAX_DATA);
            // INVARIANT: a wrapped transaction carries a nonempty raw Ethereum transaction.
            if (t.raw.length == 0) revert DecodeError(DecodeCodes.INVALID_VALUE, rawAt);
            t.moves = readMoves(c);
            t.witness = _witness(c);
        } else {
            // INVARIANT: the type is deposit, move or wrapped.
            revert DecodeError(DecodeCodes.UNKNOWN_TYPE, at);
        }
    }

    function _moveBody(Reader.Cursor memory c, MoveBody memory b) private pure {
        b.chainId = c.varint();
        b.nonce = c.varint();
        b.maxPriorityFeePerGas = c.u256c();
        b.maxFeePerGas = c.u256c();
        b.gasLimit = c.varint();
        uint256 toAt = c.pos;
        uint8 toFlag = c.u8();
        // INVARIANT: the to flag is 0 (create) or 1 (call).
        if (toFlag > 1) revert DecodeError(DecodeCodes.INVALID_VALUE, toAt);
        if (toFlag == 1) {
            b.hasTo = true;
            b.to = c.addr();
        }
        b.value = c.u256c();
        b.data = c.bytesCopy(MAX_DATA);
    }

    /// @notice Reads a move list at the cursor (core/moves.ts decodeMoves): a count of at most MAX_MOVES,
    ///         then each move decoded against the previous one's address.
    function readMoves(Reader.Cursor memory c) internal pure returns (MoveLib.Move[] memory moves) {
        uint256 n = c.count(MAX_MOVES);
        // The array of n pointers, without the n zeroed default structs `new Move[](n)` would allocate:
        // every element is assigned below before the array is used.
        assembly ("memory-safe") {
            moves := mload(0x40)
            mstore(moves, n)
            mstore(0x40, add(moves, shl(5, add(n, 1))))
        }
        uint256 prevAddr = MoveLib.NO_PREV;
        for (uint256 i = 0; i < n; ++i) {
            uint256 p = MoveLib.decodeFast(c, prevAddr);
            if (p == 0) {
                MoveLib.Move memory m = MoveLib.decodeExact(c, prevAddr);
                assembly ("memory-safe") {
                    p := m
                }
            }
            assembly ("memory-safe") {
                mstore(add(add(moves, 0x20), shl(5, i)), p)
                prevAddr := mload(add(p, 0x80)) // Move.addr
            }
        }
    }

    function _witness(Reader.Cursor memory c) private pure returns (Blob[] memory blobs) {
        uint256 n = c.count(MAX_WITNESS);
        blobs = new Blob[](n);
        bytes32 prevHash;
        for (uint256 i = 0; i < n; ++i) {
            uint256 at = c.pos;
            (uint256 offset, uint256 len) = c.bytesRef(MAX_CODE);
            // INVARIANT: witness code is nonempty.
            if (len == 0) revert DecodeError(DecodeCodes.NON_CANONICAL, at);
            bytes32 h = c.hashRange(offset, len);
            // INVARIANT: witness blobs are sorted strictly ascending by keccak256(code) (so each once).
            if (i > 0 && prevHash >= h) revert DecodeError(DecodeCodes.NON_CANONICAL, at);
            prevHash = h;
            blobs[i] = Blob(h, offset, len);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Structural verdict (never reverts)

    /// @notice The first structural fault of `t` at seq `seq` in a batch with fee recipient
    ///         `feeRecipient`, in the order of core/validate.ts: for deposits exactly validateDeposit
    ///         (moves structure, masks, deposit-moves, deposit-amount); for move and wrapped transactions
    ///         the checks validateTx makes before it touches the signature or the Ethereum transaction
    ///         (moves structure, masks, checkOutputs in fee-output mode, unused witness).
    /// @dev Not covered, since they need the sender: that a withdrawal output or a swept fee output is the
    ///      sender's ({checkOutputOwner}), and the signature itself ({recoverSigner}).
    /// @return ok     True iff no fault.
    /// @return reason One of the verdict constants above (OK when ok).
    /// @return index  The offending move (or witness blob for UNUSED_WITNESS; 0 where TS names none).
    function checkStructure(Tx memory t, uint256 seq, address feeRecipient)
        internal
        pure
        returns (bool ok, uint8 reason, uint256 index)
    {
        (reason, index) = checkMovesStructure(t.moves, seq);
        if (reason == OK && t.txType != TYPE_MOVE) (reason, index) = checkMasks(t.moves);
        if (reason == OK) {
            if (t.txType == TYPE_DEPOSIT) (reason, index) = checkDeposit(t);
            else (reason, index) = checkOutputs(t.moves, seq, feeRecipient);
        }
        if (reason == OK && t.txType != TYPE_DEPOSIT) (reason, index) = checkWitness(t);
        ok = reason == OK;
    }

    /// @notice §4.3 rules 1-2 (core/moves.ts checkMovesStructure): strictly ascending keys, every intx < seq.
    ///         Per move, in order: first its key against the previous one (DUPLICATE_KEY, MOVES_UNSORTED),
    ///         then its intx (INTX_NOT_BEFORE).
    /// @dev Assembly over the Move structs' words (mark at 0x40, intx at 0x60, addr at 0x80, slot at 0xa0);
    ///      keys compare as (addr, mark, slot), the order of the canonical key bytes.
    function checkMovesStructure(MoveLib.Move[] memory moves, uint256 seq)
        internal
        pure
        returns (uint8 reason, uint256 index)
    {
        assembly ("memory-safe") {
            let n := mload(moves)
            let base := add(moves, 32)
            let pa := 0
            let pm := 0
            let ps := 0
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let m := mload(add(base, shl(5, i)))
                let a := mload(add(m, 0x80))
                let mk := mload(add(m, 0x40))
                let sl := mload(add(m, 0xa0))
                if i {
                    // order of the previous key against this one: 0 equal, 1 before, 2 after
                    let c := 0
                    switch eq(pa, a)
                    case 0 { c := add(1, gt(pa, a)) }
                    default {
                        switch eq(pm, mk)
                        case 0 { c := add(1, gt(pm, mk)) }
                        default { if iszero(eq(ps, sl)) { c := add(1, gt(ps, sl)) } }
                    }
                    if iszero(c) {
                        reason := 2 // DUPLICATE_KEY
                        index := i
                        break
                    }
                    if eq(c, 2) {
                        reason := 1 // MOVES_UNSORTED
                        index := i
                        break
                    }
                }
                if iszero(lt(mload(add(m, 0x60)), seq)) {
                    reason := 3 // INTX_NOT_BEFORE
                    index := i
                    break
                }
                pa := a
                pm := mk
                ps := sl
            }
        }
    }

    /// @notice Deposits and wrapped transactions carry no signed moves (core/validate.ts checkMasks).
    function checkMasks(MoveLib.Move[] memory moves) internal pure returns (uint8 reason, uint256 index) {
        for (uint256 i = 0; i < moves.length; ++i) {
            if (moves[i].mask != 0) return (MASK_ON_UNSIGNED, i);
        }
        return (OK, 0);
    }

    /// @notice Moves of marks f and w in fee-output mode (core/validate.ts checkOutputs, §4.3 rule 3): an f move
    ///         keyed by another seq is a fee sweep (consuming, intx = slot, next = 0); every other is an output
    ///         of this transaction: keyed by its seq, fee outputs to the batch's fee recipient, fresh (consuming
    ///         intx 0, prev 0).
    function checkOutputs(MoveLib.Move[] memory moves, uint256 seq, address feeRecipient)
        internal
        pure
        returns (uint8 reason, uint256 index)
    {
        for (uint256 i = 0; i < moves.length; ++i) {
            MoveLib.Move memory m = moves[i];
            if (m.mark != MoveLib.MARK_FEE && m.mark != MoveLib.MARK_WITHDRAWAL) continue;
            if (m.mark == MoveLib.MARK_FEE && m.slot != seq) {
                if (m.ref || m.intx != m.slot || m.next != 0) return (BAD_SWEEP, i);
                continue;
            }
            if (m.slot != seq || (m.mark == MoveLib.MARK_FEE && m.addr != feeRecipient)) return (UNEXPECTED_OUTPUT, i);
            if (m.ref || m.intx != 0 || m.prev != 0) return (BAD_OUTPUT, i);
        }
        return (OK, 0);
    }

    /// @notice Withdrawal outputs and swept fee outputs belong to the transaction's sender (core/validate.ts,
    ///         after the sender is known). Returns (UNEXPECTED_OUTPUT, i) for the first foreign one.
    function checkOutputOwner(MoveLib.Move[] memory moves, address sender, uint256 seq)
        internal
        pure
        returns (uint8 reason, uint256 index)
    {
        for (uint256 i = 0; i < moves.length; ++i) {
            MoveLib.Move memory m = moves[i];
            bool owned = m.mark == MoveLib.MARK_WITHDRAWAL || (m.mark == MoveLib.MARK_FEE && m.slot != seq);
            if (owned && m.addr != sender) return (UNEXPECTED_OUTPUT, i);
        }
        return (OK, 0);
    }

    /// @notice What a transaction's fee sweeps credit to its sender (§6.5): the sum of the prev values of its f
    ///         moves keyed by another seq. `overflow` if the sum exceeds 2^256 − 1.
    function sweepCredit(MoveLib.Move[] memory moves, uint256 seq) internal pure returns (uint256 credit, bool overflow) {
        for (uint256 i = 0; i < moves.length; ++i) {
            MoveLib.Move memory m = moves[i];
            if (m.mark != MoveLib.MARK_FEE || m.slot == seq) continue;
            unchecked {
                uint256 c = credit + m.prev;
                if (c < credit) return (0, true);
                credit = c;
            }
        }
    }

    /// @notice Every witness blob hashes to the nonzero prev or next of a declared c move
    ///         (core/validate.ts witnessMap). Returns (UNUSED_WITNESS, i) for the first blob i that does not.
    /// @dev Requires the witness in decoder order (strictly ascending hashes, at most 256 blobs): each c
    ///      move's values are looked up by binary search and marked in a 256-bit set.
    function checkWitness(Tx memory t) internal pure returns (uint8 reason, uint256 index) {
        Blob[] memory w = t.witness;
        uint256 nw = w.length;
        if (nw == 0) return (OK, 0);
        uint256 declared;
        for (uint256 j = 0; j < t.moves.length; ++j) {
            MoveLib.Move memory m = t.moves[j];
            if (m.mark != MoveLib.MARK_CODE) continue;
            declared |= _mark(w, m.prev) | _mark(w, m.next);
        }
        for (uint256 i = 0; i < nw; ++i) {
            if ((declared >> i) & 1 == 0) return (UNUSED_WITNESS, i);
        }
        return (OK, 0);
    }

    /// @dev The bit of the blob whose hash is `v` (binary search over the ascending hashes), or 0 if
    ///      none is or v is 0.
    function _mark(Blob[] memory w, uint256 v) private pure returns (uint256 bit) {
        assembly ("memory-safe") {
            if v {
                let base := add(w, 32)
                let lo := 0
                let hi := mload(w)
                for {} lt(lo, hi) {} {
                    let mid := shr(1, add(lo, hi))
                    let h := mload(mload(add(base, shl(5, mid)))) // Blob.codeHash is the struct's first word
                    if eq(h, v) {
                        if lt(mid, 256) { bit := shl(mid, 1) }
                        break
                    }
                    switch lt(h, v)
                    case 1 { lo := add(mid, 1) }
                    default { hi := mid }
                }
            }
        }
    }

    /// @notice A deposit consumes exactly the recipient's balance, growing it by exactly the value
    ///         (core/validate.ts validateDeposit, after structure and masks).
    function checkDeposit(Tx memory t) internal pure returns (uint8 reason, uint256 index) {
        if (
            t.moves.length != 1 || t.moves[0].mark != MoveLib.MARK_BALANCE || t.moves[0].addr != t.deposit.to
                || t.moves[0].ref
        ) return (DEPOSIT_MOVES, 0);
        MoveLib.Move memory m = t.moves[0];
        if (t.deposit.value > type(uint256).max - m.prev || m.next != m.prev + t.deposit.value) {
            return (DEPOSIT_AMOUNT, 0);
        }
        return (OK, 0);
    }

    // ------------------------------------------------------------------------------------------------
    // Hashes and signatures

    /// @notice Move-transaction sighash (§5.3, core/sign.ts moveTxSighash). Meaningful for move txs only.
    function sighash(Tx memory t) internal pure returns (bytes32) {
        return sighashWith(t.move, MoveLib.movesDigest(t.moves));
    }

    /// @notice The sighash from the body and an already computed {MoveLib.movesDigest} of the moves.
    function sighashWith(MoveBody memory b, bytes32 movesDigest) internal pure returns (bytes32) {
        return keccak256(
            abi.encodePacked(
                Domains.SIGHASH,
                uint256(b.chainId),
                uint256(b.nonce),
                b.maxPriorityFeePerGas,
                b.maxFeePerGas,
                uint256(b.gasLimit),
                uint8(b.hasTo ? 1 : 0),
                b.hasTo ? b.to : address(0),
                b.value,
                keccak256(b.data),
                movesDigest
            )
        );
    }

    /// @notice Signer of a move transaction over `hash`, or address(0) if the signature is not valid:
    ///         requires 0 < r < n, 0 < s ≤ n/2 (low s) and yParity ∈ {0, 1} (core/sign.ts recoverMoveTxSender).
    function recover(bytes32 hash, uint8 yParity, uint256 r, uint256 s) internal pure returns (address) {
        if (yParity > 1) return address(0);
        if (r == 0 || r >= SECP256K1_N || s == 0 || s > SECP256K1_HALF_N) return address(0);
        return ecrecover(hash, yParity + 27, bytes32(r), bytes32(s));
    }

    /// @notice Signer of a move transaction (computes the sighash), or address(0) on failure.
    function recoverSigner(Tx memory t) internal pure returns (address) {
        return recover(sighash(t), t.move.yParity, t.move.r, t.move.s);
    }

    /// @notice Transaction id (§5.6, core/sign.ts txId): keccak(raw) for wrapped, tagged sighash and
    ///         signature for move txs, tagged bytes8(index) for deposits.
    function txId(Tx memory t) internal pure returns (bytes32) {
        if (t.txType == TYPE_WRAPPED) return keccak256(t.raw);
        if (t.txType == TYPE_DEPOSIT) return keccak256(abi.encodePacked(Domains.DEPOSIT_ID, t.deposit.index));
        return moveTxId(sighash(t), t.move);
    }

    /// @notice A move transaction's id from its sighash: keccak(tag || sighash || u8 yParity || r || s).
    function moveTxId(bytes32 hash, MoveBody memory b) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(Domains.MOVE_TXID, hash, b.yParity, b.r, b.s));
    }

}
