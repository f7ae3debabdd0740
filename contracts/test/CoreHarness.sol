// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Domains} from "../lib/Domains.sol";
import {Reader} from "../lib/Reader.sol";
import {Merkle} from "../lib/Merkle.sol";
import {MoveLib} from "../lib/MoveLib.sol";
import {TxCodec} from "../lib/TxCodec.sol";
import {BatchLib} from "../lib/BatchLib.sol";
import {Genesis} from "../lib/Genesis.sol";
import {L1Fee} from "../lib/L1Fee.sol";

/// @title CoreHarness
/// @notice Test-only external wrappers around the Solidity twins of the core (contracts/lib/), so the
///         shared vectors in test/vectors/ can be run against them.
contract CoreHarness {
    using Reader for Reader.Cursor;

    // ---------------------------------------------------------------- Domains

    /// @notice The eleven tags, in the order of core/hash.ts DOMAIN_NAMES.
    function domains() external pure returns (bytes32[11] memory t) {
        t = [
            Domains.TX_LEAF,
            Domains.MERKLE_NODE,
            Domains.MERKLE_EMPTY,
            Domains.SIGHASH,
            Domains.MOVE_SIG,
            Domains.MOVE_TXID,
            Domains.DEPOSIT_ID,
            Domains.DEPOSIT_ENTRY,
            Domains.BATCH_HEADER,
            Domains.BATCH_DATA,
            Domains.GENESIS_LEAF
        ];
    }

    // ---------------------------------------------------------------- L1Fee

    /// @notice L1Fee.tokens.
    function l1Tokens(bytes memory b) external pure returns (uint256) {
        return L1Fee.tokens(b);
    }

    /// @notice L1Fee.u256cTokens.
    function l1U256cTokens(uint256 v) external pure returns (uint256) {
        return L1Fee.u256cTokens(v);
    }

    /// @notice L1Fee.feeOf.
    function l1FeeOf(uint256 t, uint256 l1BaseFee, uint256 l1BlobBaseFee, uint256 baseScalar, uint256 blobScalar)
        external
        pure
        returns (uint256 fee, uint256 gasUsed)
    {
        return L1Fee.feeOf(t, l1BaseFee, l1BlobBaseFee, baseScalar, blobScalar);
    }

    /// @notice The charged tokens and L1 data fee of an encoded transaction (L1Fee.chargedTokens, L1Fee.l1Fee).
    function l1TxFee(bytes memory enc, address sender, address feeRecipient, uint256 seq, uint256 l1BaseFee, uint256 l1BlobBaseFee)
        external
        pure
        returns (uint256 t, uint256 fee)
    {
        MoveLib.Move[] memory moves = TxCodec.decode(enc).moves;
        t = L1Fee.chargedTokens(enc, moves, sender, feeRecipient, seq);
        fee = L1Fee.l1Fee(enc, moves, sender, feeRecipient, seq, l1BaseFee, l1BlobBaseFee);
    }

    // ---------------------------------------------------------------- Genesis

    /// @notice Genesis.leafHash.
    function genesisLeaf(address addr, uint8 mark, uint256 slot, uint256 value) external pure returns (bytes32) {
        return Genesis.leafHash(addr, mark, slot, value);
    }

    /// @notice Genesis.valueOf.
    function genesisValue(bytes32 root, uint256 count, address addr, uint8 mark, uint256 slot, Genesis.Leaf[] calldata proof)
        external
        pure
        returns (bool shown, uint256 value)
    {
        return Genesis.valueOf(root, count, addr, mark, slot, proof);
    }

    // ---------------------------------------------------------------- Reader

    /// @notice Reads one varint; the input must be exactly that.
    function readVarint(bytes memory b) external pure returns (uint64 v) {
        Reader.Cursor memory c = Reader.init(b);
        v = c.varint();
        c.end();
    }

    /// @notice Reads one compact u256; the input must be exactly that.
    function readU256c(bytes memory b) external pure returns (uint256 v) {
        Reader.Cursor memory c = Reader.init(b);
        v = c.u256c();
        c.end();
    }

    // ---------------------------------------------------------------- Merkle

    /// @notice Merkle.node.
    function merkleNode(bytes32 l, bytes32 r) external pure returns (bytes32) {
        return Merkle.node(l, r);
    }

    /// @notice Merkle.depth.
    function merkleDepth(uint256 n) external pure returns (uint256) {
        return Merkle.depth(n);
    }

    /// @notice Merkle.root (also checks the input is left unchanged).
    function merkleRoot(bytes32[] memory leaves) external pure returns (bytes32 r) {
        bytes32 h = keccak256(abi.encodePacked(leaves));
        r = Merkle.root(leaves);
        require(keccak256(abi.encodePacked(leaves)) == h, "root changed its input");
    }

    /// @notice Merkle.verify (memory proof).
    function merkleVerify(bytes32 root, bytes32 leaf, uint256 index, uint256 count, bytes32[] memory proof)
        external
        pure
        returns (bool)
    {
        return Merkle.verify(root, leaf, index, count, proof);
    }

    /// @notice Merkle.verifyCalldata.
    function merkleVerifyCalldata(bytes32 root, bytes32 leaf, uint256 index, uint256 count, bytes32[] calldata proof)
        external
        pure
        returns (bool)
    {
        return Merkle.verifyCalldata(root, leaf, index, count, proof);
    }

    // ---------------------------------------------------------------- Moves

    /// @notice Decodes one move, the first of a list; the input must be exactly that.
    function decodeMove(bytes memory b) external pure returns (MoveLib.Move memory m) {
        Reader.Cursor memory c = Reader.init(b);
        m = MoveLib.decode(c, MoveLib.NO_PREV);
        c.end();
    }

    /// @notice Decodes a move list (count, then moves); the input must be exactly that.
    function decodeMoves(bytes memory b) external pure returns (MoveLib.Move[] memory moves) {
        Reader.Cursor memory c = Reader.init(b);
        moves = TxCodec.readMoves(c);
        c.end();
    }

    /// @notice MoveLib.keyBytes.
    function keyBytes(MoveLib.Move memory m) external pure returns (bytes memory) {
        return MoveLib.keyBytes(m);
    }

    /// @notice MoveLib.compareKeys.
    function compareKeys(MoveLib.Move memory a, MoveLib.Move memory b) external pure returns (int256) {
        return MoveLib.compareKeys(a, b);
    }

    /// @notice MoveLib.sigCommitment.
    function moveSig(MoveLib.Move memory m) external pure returns (bytes32) {
        return MoveLib.sigCommitment(m);
    }

    /// @notice MoveLib.movesDigest.
    function movesDigest(MoveLib.Move[] memory moves) external pure returns (bytes32) {
        return MoveLib.movesDigest(moves);
    }

    // ---------------------------------------------------------------- Transactions

    /// @notice TxCodec.decode.
    function decodeTx(bytes memory enc) external pure returns (TxCodec.Tx memory) {
        return TxCodec.decode(enc);
    }

    /// @notice Everything derived from one encoded transaction.
    /// @return leaf    BatchLib.leafHash(gas, enc).
    /// @return id      TxCodec.txId.
    /// @return digest  movesDigest of its moves.
    /// @return sighash TxCodec.sighash (move txs; zero otherwise).
    /// @return signer  TxCodec.recoverSigner (move txs; zero otherwise).
    function txHashes(bytes memory enc, uint64 gas)
        external
        pure
        returns (bytes32 leaf, bytes32 id, bytes32 digest, bytes32 sighash, address signer)
    {
        TxCodec.Tx memory t = TxCodec.decode(enc);
        leaf = BatchLib.leafHash(gas, enc);
        digest = MoveLib.movesDigest(t.moves);
        if (t.txType == TxCodec.TYPE_MOVE) {
            sighash = TxCodec.sighashWith(t.move, digest);
            signer = TxCodec.recover(sighash, t.move.yParity, t.move.r, t.move.s);
            id = TxCodec.moveTxId(sighash, t.move);
            // the one-call forms agree
            require(sighash == TxCodec.sighash(t) && id == TxCodec.txId(t) && signer == TxCodec.recoverSigner(t));
        } else {
            id = TxCodec.txId(t);
        }
    }

    /// @notice TxCodec.recover.
    function recover(bytes32 hash, uint8 yParity, uint256 r, uint256 s) external pure returns (address) {
        return TxCodec.recover(hash, yParity, r, s);
    }

    /// @notice TxCodec.checkStructure of an encoded transaction.
    function checkStructure(bytes memory enc, uint256 seq, address feeRecipient)
        external
        pure
        returns (bool ok, uint8 reason, uint256 index)
    {
        return TxCodec.checkStructure(TxCodec.decode(enc), seq, feeRecipient);
    }

    /// @notice TxCodec.checkOutputOwner of an encoded transaction at `seq`.
    function checkOutputOwner(bytes memory enc, address sender, uint256 seq) external pure returns (uint8 reason, uint256 index) {
        return TxCodec.checkOutputOwner(TxCodec.decode(enc).moves, sender, seq);
    }

    // ---------------------------------------------------------------- Batches

    /// @notice BatchLib.hash.
    function headerHash(BatchLib.BatchHeader memory h) external pure returns (bytes32) {
        return BatchLib.hash(h);
    }

    /// @notice BatchLib.hashCalldata.
    function headerHashCalldata(BatchLib.BatchHeader calldata h) external pure returns (bytes32) {
        return BatchLib.hashCalldata(h);
    }

    /// @notice BatchLib.parseData.
    function parseData(bytes calldata data)
        external
        pure
        returns (bytes32 txRoot, uint256 count, bytes32 dataHash, uint256 gas)
    {
        return BatchLib.parseData(data);
    }

    /// @notice BatchLib.parseLeaves.
    function parseLeaves(bytes calldata data)
        external
        pure
        returns (bytes32[] memory leaves, bytes32 dataHash, uint256 gas)
    {
        return BatchLib.parseLeaves(data);
    }

    /// @notice BatchLib.loadLeaf (and that it copied the transaction exactly).
    function loadLeaf(uint64 gas, bytes calldata tx_) external pure returns (bytes32 leaf) {
        bytes memory enc;
        (leaf, enc) = BatchLib.loadLeaf(gas, tx_);
        require(keccak256(enc) == keccak256(tx_) && leaf == BatchLib.leafHash(gas, enc), "loadLeaf");
    }

    /// @notice BatchLib.nextBaseFee.
    function nextBaseFee(uint256 parentBaseFee, uint256 parentGas, uint256 minBaseFee) external pure returns (uint256) {
        return BatchLib.nextBaseFee(parentBaseFee, parentGas, minBaseFee);
    }

    // ---------------------------------------------------------------- Gas probes

    /// @notice Gas of BatchLib.parseData alone (what appendBatch pays on top of calldata).
    function parseDataGas(bytes calldata data) external view returns (uint256 gasUsed, bytes32 txRoot, uint256 count) {
        uint256 g = gasleft();
        (txRoot, count,,) = BatchLib.parseData(data);
        gasUsed = g - gasleft();
    }

    /// @notice Gas of BatchLib.parseLeaves (copy, data hash, leaves) and of Merkle.rootInPlace over them.
    function parseDataGasBreakdown(bytes calldata data) external view returns (uint256 leavesGas, uint256 rootGas) {
        uint256 g = gasleft();
        (bytes32[] memory leaves,,) = BatchLib.parseLeaves(data);
        leavesGas = g - gasleft();
        g = gasleft();
        Merkle.rootInPlace(leaves);
        rootGas = g - gasleft();
    }

    /// @notice Gas of TxCodec.decode alone, and of decode + checkStructure + sighash + recoverSigner.
    function decodeTxGas(bytes memory enc, uint256 seq, address feeRecipient)
        external
        view
        returns (uint256 decodeGas, uint256 fullGas)
    {
        uint256 g = gasleft();
        TxCodec.Tx memory t = TxCodec.decode(enc);
        decodeGas = g - gasleft();
        TxCodec.checkStructure(t, seq, feeRecipient);
        if (t.txType == TxCodec.TYPE_MOVE) TxCodec.recoverSigner(t);
        fullGas = g - gasleft();
    }

    /// @notice appendBatch-like state change (parse, then store the commitments), for end-to-end gas.
    mapping(uint256 => bytes32) public stored;

    /// @notice Parses `data` and stores its root and data hash.
    function appendLike(bytes calldata data) external {
        (bytes32 txRoot, uint256 count, bytes32 dataHash,) = BatchLib.parseData(data);
        stored[count] = keccak256(abi.encodePacked(txRoot, dataHash));
    }
}
