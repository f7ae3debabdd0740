// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice TxConst (docs/step-machine.md §3.1), in hashing order: every field one word.
struct Txc {
    uint256 seq;
    uint256 mode;
    uint256 chainId;
    uint256 number;
    uint256 timestamp;
    uint256 coinbase;
    uint256 feeRecipient;
    uint256 baseFee;
    uint256 blockGasLimit;
    uint256 prevRandao;
    uint256 blobBaseFee;
    uint256 origin;
    uint256 nonce;
    uint256 gasPrice;
    uint256 priorityFee;
    uint256 maxFee;
    uint256 txGasLimit;
    uint256 intrinsicGas;
    uint256 maxCost;
    uint256 upfront;
    uint256 sweepCredit;
    uint256 isCreate;
    uint256 to;
    uint256 value;
    uint256 dataRoot;
    uint256 dataLength;
    uint256 initcodeHash;
    uint256 aclRoot;
    uint256 aclCount;
    uint256 blobHashes;
    uint256 l1Fee;
}

/// @notice World (§3.2), in hashing order.
struct World {
    uint256 keyRoot;
    uint256 warmRoot;
    uint256 tstoreRoot;
    uint256 refund;
    uint256 feeVault;
    uint256 wdVault;
}

/// @notice A frame (§3.3), in hashing order: the context's hash, then the 15 fields after it.
struct Frame {
    uint256 ctx;
    uint256 stage;
    uint256 result;
    uint256 codeHash;
    uint256 codeSize;
    uint256 pc;
    uint256 gas;
    uint256 stackHash;
    uint256 stackSize;
    uint256 memRoot;
    uint256 memSize;
    uint256 rdRoot;
    uint256 rdOffset;
    uint256 rdLength;
    uint256 outOffset;
    uint256 outLength;
}

/// @notice A frame's context (§3.3), in hashing order.
struct Ctx {
    uint256 kind;
    uint256 depth;
    uint256 isStatic;
    uint256 addr;
    uint256 codeAddress;
    uint256 caller;
    uint256 value;
    uint256 cdRoot;
    uint256 cdOffset;
    uint256 cdLength;
    uint256 snapshot;
    uint256 retOffset;
    uint256 retLength;
}

/// @notice A key-table entry (§3.4), in hashing order.
struct Entry {
    uint256 addr;
    uint256 mark;
    uint256 slot;
    uint256 prev;
    uint256 next;
    uint256 cur;
    uint256 flags;
}

/// @notice The verifier's view of the stack (core/step/stack.ts StackView): the items an instruction revealed
///         (bottom first), then what it pushed, on top of the chain hash below them.
struct StackView {
    bool open;
    uint256 below;
    uint256 size;
    uint256 n;
    uint256[] items;
}

/// @notice Everything a step reads and changes: the proof cursor, the pre-state's preimage, and each part the
///         proof revealed (docs/step-machine.md §3, §4).
struct Vm {
    // the proof: calldata [cur, end)
    uint256 cur;
    uint256 end;
    address registry;
    // TxConst
    uint256 txcHash;
    bool txcOpen;
    Txc txc;
    bool blobsOpen;
    uint256[] blobs;
    // World
    uint256 worldHash;
    bool worldOpen;
    World world;
    // the current frame (hasFrame false outside execution)
    bool hasFrame;
    uint256 frameHash;
    bool frameOpen;
    Frame frame;
    bool ctxOpen;
    Ctx ctx;
    StackView stack;
    // suspended frames, pending operation, created code
    uint256 parents;
    bool hasPending;
    uint256 pendingHash;
    bool pendingOpen;
    uint256[18] pending;
    uint256 created;
}

/// @title StepConst
/// @notice The step machine's constants (docs/step-machine.md; core/step/types.ts).
library StepConst {
    // statuses (§7)
    uint256 internal constant RUNNING = 0;
    uint256 internal constant OK = 1;
    uint256 internal constant NEXT_MISMATCH = 2;
    uint256 internal constant FEE_OUTPUT = 3;
    uint256 internal constant WITHDRAWAL_OUTPUT = 4;
    uint256 internal constant UNDECLARED_KEY = 5;
    uint256 internal constant MISSING_CODE = 6;
    uint256 internal constant SENDER_UNDECLARED = 7;
    uint256 internal constant GAS_LIMIT = 8;
    uint256 internal constant NONCE_MAX = 9;
    uint256 internal constant INITCODE_SIZE = 10;
    uint256 internal constant INTRINSIC_GAS = 11;
    uint256 internal constant FEE_CAP = 12;
    uint256 internal constant SENDER_NOT_EOA = 13;
    uint256 internal constant INSUFFICIENT_BALANCE = 14;
    uint256 internal constant NONCE = 15;
    uint256 internal constant BLOB_FEE_CAP = 16;
    uint256 internal constant SWEEP_OVERFLOW = 17;

    // frame stages and results
    uint256 internal constant ENTER = 0;
    uint256 internal constant RUN = 1;
    uint256 internal constant HALTED = 2;
    uint256 internal constant SUCCESS = 0;
    uint256 internal constant REVERT = 1;
    uint256 internal constant FAIL = 2;
    uint256 internal constant DEPOSITED = 3;

    // frame kinds
    uint256 internal constant CALL = 0;
    uint256 internal constant CALLCODE = 1;
    uint256 internal constant DELEGATECALL = 2;
    uint256 internal constant STATICCALL = 3;
    uint256 internal constant CREATE = 4;
    uint256 internal constant CREATE2 = 5;

    // pending kinds
    uint256 internal constant P_PREAMBLE = 1;
    uint256 internal constant P_ACL = 2;
    uint256 internal constant P_START = 3;
    uint256 internal constant P_KECCAK = 4;
    uint256 internal constant P_INITCODE = 5;
    uint256 internal constant P_DEPOSIT = 6;
    uint256 internal constant P_PRECOMPILE_IN = 7;
    uint256 internal constant P_SHA256 = 8;
    uint256 internal constant P_RIPEMD160 = 9;
    uint256 internal constant P_COPY = 10;
    uint256 internal constant P_SETTLE = 11;
    uint256 internal constant P_PASS = 12;

    // TxConst mode bits
    uint256 internal constant MODE_ETHEREUM_FEES = 1;
    uint256 internal constant MODE_STATE_TEST_BLOCKHASH = 2;
    uint256 internal constant MODE_BLOB_FEE_CAP_LOW = 4;
    uint256 internal constant MODE_SWEEP_OVERFLOW = 8;

    // key marks (protocol.md §1) and entry flags
    uint256 internal constant MARK_STORAGE = 0x73;
    uint256 internal constant MARK_BALANCE = 0x62;
    uint256 internal constant MARK_NONCE = 0x6e;
    uint256 internal constant MARK_CODE = 0x63;
    uint256 internal constant MARK_FEE = 0x66;
    uint256 internal constant MARK_WITHDRAWAL = 0x77;
    uint256 internal constant FLAG_CREATED = 1;
    uint256 internal constant FLAG_DESTRUCTED = 2;

    // tree depths and limits
    uint256 internal constant MEM_DEPTH = 17;
    uint256 internal constant KEY_DEPTH = 12;
    uint256 internal constant KEY_CAPACITY = 1 << 12;
    uint256 internal constant ACL_DEPTH = 16;
    uint256 internal constant MAX_MEM_WORDS = 1 << 17;
    uint256 internal constant STACK_LIMIT = 1024;
    uint256 internal constant MAX_CODE_SIZE = 24_576;
    uint256 internal constant MAX_INITCODE_SIZE = 49_152;
    uint256 internal constant STIPEND = 2300;

    // the vaults of fee-output mode (protocol.md §6.5)
    uint256 internal constant FEE_VAULT = 0x00fee0000000000000000000000000000000000000;
    uint256 internal constant WD_VAULT = 0x007700000000000000000000000000000000000000;
    uint256 internal constant KECCAK_EMPTY = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470;
    uint256 internal constant MASK_160 = (1 << 160) - 1;
    uint256 internal constant MAX_U64 = (1 << 64) - 1;

    // domain tags: tag(name) = keccak256("moveset/step/<name>/v1") (§1)
    bytes32 internal constant TAG_STATE = keccak256("moveset/step/state/v1");
    bytes32 internal constant TAG_TXCONST = keccak256("moveset/step/txconst/v1");
    bytes32 internal constant TAG_WORLD = keccak256("moveset/step/world/v1");
    bytes32 internal constant TAG_FRAME = keccak256("moveset/step/frame/v1");
    bytes32 internal constant TAG_FRAME_CTX = keccak256("moveset/step/frame-ctx/v1");
    bytes32 internal constant TAG_PENDING = keccak256("moveset/step/pending/v1");
    bytes32 internal constant TAG_KEY_ENTRY = keccak256("moveset/step/key-entry/v1");
    bytes32 internal constant TAG_SMT_LEAF = keccak256("moveset/step/smt-leaf/v1");
    bytes32 internal constant TAG_STACK = keccak256("moveset/step/stack/v1");
    bytes32 internal constant TAG_PARENTS = keccak256("moveset/step/parents/v1");
    bytes32 internal constant TAG_WARM_ADDR = keccak256("moveset/step/warm-addr/v1");
    bytes32 internal constant TAG_WARM_SLOT = keccak256("moveset/step/warm-slot/v1");
    bytes32 internal constant TAG_TSTORE = keccak256("moveset/step/tstore/v1");
    bytes32 internal constant TAG_ACL_ADDR = keccak256("moveset/step/acl-addr/v1");
    bytes32 internal constant TAG_ACL_SLOT = keccak256("moveset/step/acl-slot/v1");
    bytes32 internal constant TAG_BLOB_HASHES = keccak256("moveset/step/blob-hashes/v1");
}
