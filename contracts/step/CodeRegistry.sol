// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BatchLib} from "../lib/BatchLib.sol";
import {Merkle} from "../lib/Merkle.sol";
import {Flz} from "../lib/Flz.sol";
import {TxCodec} from "../lib/TxCodec.sol";
import {IInbox} from "../interfaces/IInbox.sol";
import {TxProof} from "../fraud/TxProver.sol";
import {ICodeRegistry} from "./interfaces/ICodeRegistry.sol";
import {JumpdestBitmap} from "./lib/JumpdestBitmap.sol";
import {CodeReader} from "./lib/CodeReader.sol";

/// @title CodeRegistry
/// @notice The content-addressed code registry of the one-step verifier (docs/step-machine.md, "Code"):
///         - **bytes**: anyone registers code; the registry names it by keccak256(code), stores it SSTORE2-style in
///           data contracts at addresses that follow from the code hash (contracts/step/lib/CodeReader.sol: a step
///           reads any byte with one EXTCODECOPY, no storage read), and computes its jump-destination bitmap once;
///         - **carriers**: anyone shows that the witness of a transaction of a live batch carries code `h`
///           (inclusion proof against the batch's stored header); per code hash the registry keeps the live carrier
///           with the lowest seq, which makes `h` available (protocol.md §6.2) to every transaction with seq ≥ it.
///         Registering is permissionless and idempotent; nothing is ever deleted or overwritten, except a carrier
///         replaced by a lower or a live one.
/// @dev Code of up to 49,152 bytes (the witness limit) is up to three parts of 24,568 bytes, each with its piece of
///      the bitmap (contracts/step/lib/CodeReader.sol). Code of one part (every deployed contract but the
///      largest) registers in one transaction; for longer code {stage} creates one piece at a time (a part, or a
///      part's bitmap once the previous part's bitmap exists), so that no transaction costs more than about 6.5M
///      gas, and {register} then creates only what is missing (docs/BENCHMARKS.md).
contract CodeRegistry is ICodeRegistry {
    /// @notice Largest code: a witness blob's limit (protocol.md §5.5; EIP-3860's initcode cap).
    uint256 public constant MAX_CODE = 49_152;

    /// @inheritdoc ICodeRegistry
    address public immutable override inbox;

    mapping(bytes32 codeHash => Carrier) private _carriers;

    constructor(address inbox_) {
        // INVARIANT: carriers are checked against a deployed Inbox.
        if (inbox_.code.length == 0) revert BadInbox(inbox_);
        inbox = inbox_;
    }

    // ------------------------------------------------------------------------------------------------ bytes

    /// @inheritdoc ICodeRegistry
    function stage(bytes calldata bytes_, uint256 piece) external override returns (bytes32 codeHash) {
        codeHash = _hash(bytes_);
        uint256 i = piece >= CodeReader.BITMAP ? piece - CodeReader.BITMAP : piece;
        // INVARIANT: the piece exists in this code (a part, or a part's bitmap).
        if ((piece >= 3 && piece < CodeReader.BITMAP) || i * CodeReader.PART >= bytes_.length) revert NoSuchPiece(piece);
        if (piece < CodeReader.BITMAP) _part(codeHash, bytes_, i);
        else _bitmap(codeHash, bytes_, i);
    }

    /// @inheritdoc ICodeRegistry
    function register(bytes calldata bytes_) external override returns (bytes32 codeHash) {
        codeHash = _hash(bytes_);
        if (_exists(codeHash, CodeReader.META)) return codeHash;
        uint256 n = bytes_.length;
        for (uint256 i = 0; i * CodeReader.PART < n; ++i) _part(codeHash, bytes_, i);
        for (uint256 i = 0; i * CodeReader.PART < n; ++i) _bitmap(codeHash, bytes_, i);
        _create(codeHash, CodeReader.META, abi.encodePacked(uint32(n)));
        emit CodeRegistered(codeHash, n);
    }

    /// @inheritdoc ICodeRegistry
    function isRegistered(bytes32 codeHash) external view override returns (bool) {
        return _exists(codeHash, CodeReader.META);
    }

    /// @inheritdoc ICodeRegistry
    function dataAddress(bytes32 codeHash, uint256 index) external view override returns (address) {
        return CodeReader.dataAddress(address(this), codeHash, index);
    }

    /// @dev keccak256 of code within the size limits.
    function _hash(bytes calldata bytes_) private pure returns (bytes32) {
        uint256 n = bytes_.length;
        // INVARIANT: code is nonempty and at most a witness blob's size.
        if (n == 0 || n > MAX_CODE) revert BadSize(n);
        return keccak256(bytes_);
    }

    function _exists(bytes32 codeHash, uint256 index) private view returns (bool) {
        return CodeReader.dataAddress(address(this), codeHash, index).code.length != 0;
    }

    /// @dev Bytes [24,568 i, 24,568 (i + 1)) of the code, as far as it goes.
    function _slice(bytes calldata bytes_, uint256 i) private pure returns (bytes calldata) {
        uint256 start = i * CodeReader.PART;
        uint256 end = start + CodeReader.PART < bytes_.length ? start + CodeReader.PART : bytes_.length;
        return bytes_[start:end];
    }

    /// @dev Creates part `i` of the code unless it exists.
    function _part(bytes32 codeHash, bytes calldata bytes_, uint256 i) private {
        if (!_exists(codeHash, i)) _create(codeHash, i, _slice(bytes_, i));
    }

    /// @dev Creates part `i`'s bitmap unless it exists, starting from the carry of part i − 1's bitmap.
    function _bitmap(bytes32 codeHash, bytes calldata bytes_, uint256 i) private {
        if (_exists(codeHash, CodeReader.BITMAP + i)) return;
        uint256 skip;
        if (i > 0) {
            address prev = CodeReader.dataAddress(address(this), codeHash, CodeReader.BITMAP + i - 1);
            // INVARIANT: the previous part's bitmap exists (bitmaps are computed in order).
            if (prev.code.length == 0) revert NoSuchPiece(CodeReader.BITMAP + i - 1);
            assembly ("memory-safe") {
                mstore(0, 0)
                extcodecopy(prev, 31, 1, 1)
                skip := mload(0)
            }
        }
        (bytes memory bits, uint256 carry) = JumpdestBitmap.computeFrom(_slice(bytes_, i), skip);
        _create(codeHash, CodeReader.BITMAP + i, abi.encodePacked(uint8(carry), bits));
    }

    /// @dev Creates data contract `index` of the code with content 0x00 || data, CREATE3-style: a CREATE2 proxy
    ///      (salt keccak256(codeHash, index)) runs the data contract's init code: PUSH2 len+1, DUP1, PUSH1 0x0c,
    ///      PUSH1 0, CODECOPY, PUSH1 0, RETURN, then 0x00 and the data.
    function _create(bytes32 codeHash, uint256 index, bytes memory data) private {
        bytes memory init = abi.encodePacked(hex"61", uint16(data.length + 1), hex"80600c6000396000f300", data);
        bytes32 salt = keccak256(abi.encode(codeHash, index));
        address proxy;
        bool ok;
        assembly ("memory-safe") {
            mstore(0, 0x67363d3d37363d34f03d5260086018f3)
            proxy := create2(0, 16, 16, salt)
            if proxy { ok := call(gas(), proxy, 0, add(init, 32), mload(init), 0, 0) }
        }
        address a = CodeReader.dataAddress(address(this), codeHash, index);
        // INVARIANT: the data contract exists where readers look for it (creation fails only for lack of gas).
        if (!ok || a.code.length != data.length + 1) revert DeployFailed();
        emit DataCreated(codeHash, index, a);
    }

    // ------------------------------------------------------------------------------------------------ carriers

    /// @inheritdoc ICodeRegistry
    function registerCarrier(BatchLib.BatchHeader calldata h, TxProof calldata p, uint256 blobIndex)
        external
        override
        returns (bytes32 codeHash)
    {
        bytes32 hh = BatchLib.hashCalldata(h);
        // INVARIANT: the batch is live and this is its stored header.
        if (h.index >= IInbox(inbox).batchCount() || IInbox(inbox).headerHash(h.index) != hh) revert NotLive(h.index);
        (bytes32 leaf, bytes memory enc) = BatchLib.loadLeaf(p.gas, p.tx);
        // INVARIANT: the transaction, declaring gas p.gas, is leaf p.txIndex of the batch (§5.6).
        if (!Merkle.verifyCalldata(h.txRoot, leaf, p.txIndex, h.txCount, p.siblings)) revert NotInBatch(h.index, p.txIndex);
        TxCodec.Blob[] memory w = TxCodec.decode(Flz.expandFrom(enc, IInbox(inbox).dictionary())).witness;
        // INVARIANT: the witness has a blob at blobIndex.
        if (blobIndex >= w.length) revert NoSuchBlob(blobIndex);
        codeHash = w[blobIndex].codeHash;
        uint256 seq = h.firstSeq + p.txIndex;
        Carrier memory cur = _carriers[codeHash];
        if (cur.headerHash != 0 && cur.seq <= seq && _live(cur)) return codeHash; // it serves at least as many
        _carriers[codeHash] = Carrier({seq: uint64(seq), batchIndex: uint64(h.index), headerHash: hh});
        emit CarrierRegistered(codeHash, seq, h.index);
    }

    /// @inheritdoc ICodeRegistry
    function carrier(bytes32 codeHash) external view override returns (Carrier memory c, bool live) {
        c = _carriers[codeHash];
        live = c.headerHash != 0 && _live(c);
    }

    /// @inheritdoc ICodeRegistry
    function carriedBy(bytes32 codeHash, uint256 seq) public view virtual override returns (bool) {
        Carrier memory c = _carriers[codeHash];
        return c.headerHash != 0 && c.seq <= seq && _live(c);
    }

    /// @dev A carrier is live while its batch is: still below the batch count, with the same header.
    function _live(Carrier memory c) private view returns (bool) {
        return c.batchIndex < IInbox(inbox).batchCount() && IInbox(inbox).headerHash(c.batchIndex) == c.headerHash;
    }
}
