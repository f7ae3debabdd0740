// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Precompiles
/// @notice Cancun's precompiles 0x01–0x0a for the one-step verifier: Cancun's gas computed here, the rollup's
///         limits (docs/protocol.md §6.3), and the one-step ones (everything but SHA256, RIPEMD160 and IDENTITY,
///         which the machine micro-steps or references) run by calling L1's own precompile with the same input.
///         The TypeScript twin is core/step/precompiles.ts (ethereumjs's precompiles with the same limits, which the
///         validator's EVM installs too); test/contracts/step/lib/precompiles.test.ts compares the two on every
///         precompile.
/// @dev Every failure of a Cancun precompile (invalid input, too little gas, a limit) has one observable outcome:
///      the call fails, all the gas given to it is consumed and it returns nothing. So a call's outcome is
///      `ok = price ≤ gasGiven ∧ not refused by a limit ∧ L1's precompile succeeds`, gas used = ok ? price : gasGiven.
///      L1's precompile is called only when the first two hold, given its L1 price (Osaka's pricing, never below
///      Cancun's) plus a margin, after checking that this much is there: a failing L1 call then means invalid input,
///      never a starved call, so a prover cannot make a valid call fail by sending too little gas (the 63/64 rule);
///      and a failing call burns no more than its price. If L1 ever reprices these precompiles above what
///      {l1Price} says, the verifier must be redeployed with the new prices: that is the upgrade trigger.
library Precompiles {
    /// @notice Each of MODEXP's base, exponent and modulus lengths is at most this (EIP-7823, as L1 since Osaka).
    uint256 internal constant MODEXP_MAX_LEN = 1024;
    /// @notice The most L1 gas one MODEXP call may cost under EIP-7883 (core/step/precompiles.ts MODEXP_L1_GAS_CAP).
    uint256 internal constant MODEXP_L1_GAS_CAP = 1 << 23;
    /// @notice The most pairs one ECPAIRING call may check (input ≤ 64 × 192 = 12,288 bytes; MAX_PAIRING_PAIRS).
    uint256 internal constant ECPAIRING_MAX_PAIRS = 64;
    /// @notice The most rounds one BLAKE2F call may run (L1 charges one gas a round; MAX_BLAKE2F_ROUNDS).
    uint256 internal constant BLAKE2F_MAX_ROUNDS = 1 << 22;
    /// @notice A price above any gas a frame can have (a transaction's gas is below 2^64): prices saturate here.
    uint256 internal constant SATURATED = type(uint64).max;
    /// @notice Gas given to L1's precompile beyond its L1 price (a margin, not a dependence: the price is exact).
    uint256 internal constant CALL_SLACK = 5_000;

    /// @notice Not a Cancun precompile run in one step by calling L1 (SHA256, RIPEMD160 and IDENTITY are not).
    error NotOneStep(uint256 id);
    /// @notice A precompile's input prefix of the wrong length.
    error BadPrefix(uint256 prefixLength, uint256 length);
    /// @notice Too little L1 gas left to be sure L1's precompile cannot run out of gas.
    error InsufficientL1Gas(uint256 needed, uint256 left);

    /// @notice Whether `id` is one of Cancun's precompiles 0x01–0x0a (higher ones are plain accounts in the rollup).
    function isPrecompile(uint256 id) internal pure returns (bool) {
        return id >= 1 && id <= 10;
    }

    /// @notice Cancun's gas for precompile `id` (1..10) on `input`, saturated at {SATURATED}.
    function cancunPrice(uint256 id, bytes memory input) internal pure returns (uint256) {
        uint256 words = (input.length + 31) / 32;
        if (id == 1) return 3000;
        if (id == 2) return 60 + 12 * words;
        if (id == 3) return 600 + 120 * words;
        if (id == 4) return 15 + 3 * words;
        if (id == 5) return _modexpPrice(input, false);
        if (id == 6) return 150;
        if (id == 7) return 6000;
        if (id == 8) return 45_000 + 34_000 * (input.length / 192);
        if (id == 9) return input.length == 213 ? _blakeRounds(input) : 0;
        if (id == 10) return 50_000;
        revert NotOneStep(id);
    }

    /// @notice Whether the rollup refuses the call though Cancun might not (docs/protocol.md §6.3; core/step/precompiles.ts
    ///         beyondLimit): MODEXP, unless its base and modulus lengths are both 0, with a length above 1024 or an
    ///         EIP-7883 price above 2^23; ECPAIRING with more than 64 pairs; BLAKE2F with more than 2^22 rounds. A
    ///         refused call fails like an out-of-gas in the precompile. `input` may be the input's first bytes only
    ///         (core/step/precompiles.ts PRECOMPILE_CAP): all a limit looks at is there.
    function refused(uint256 id, bytes memory input) internal pure returns (bool) {
        if (id == 5) {
            (uint256 bLen, uint256 eLen, uint256 mLen) = _modexpLengths(input);
            if (bLen == 0 && mLen == 0) return false; // Cancun returns empty output without computing
            if (bLen > MODEXP_MAX_LEN || eLen > MODEXP_MAX_LEN || mLen > MODEXP_MAX_LEN) return true;
            return _modexpPrice(input, true) > MODEXP_L1_GAS_CAP;
        }
        if (id == 8) return input.length > ECPAIRING_MAX_PAIRS * 192;
        if (id == 9) return input.length == 213 && _blakeRounds(input) > BLAKE2F_MAX_ROUNDS;
        return false;
    }

    /// @notice The most gas L1's precompile `id` charges for `input` under L1's pricing as of Osaka (never below
    ///         Cancun's): MODEXP by EIP-7883, the others as in Cancun. Only for inputs the rollup does not refuse.
    function l1Price(uint256 id, bytes memory input) internal pure returns (uint256) {
        if (id == 5) return _modexpPrice(input, true);
        return cancunPrice(id, input);
    }

    /// @notice Input bytes the final step of precompile `id` needs (core/step/precompiles.ts PRECOMPILE_CAP): the
    ///         rest of a longer input changes neither its price nor its output, or makes it fail.
    function inputCap(uint256 id) internal pure returns (uint256) {
        if (id == 5) return 96 + 3 * MODEXP_MAX_LEN;
        if (id == 8) return ECPAIRING_MAX_PAIRS * 192;
        if (id == 9) return 213;
        if (id == 10 || id == 1 || id == 6) return id == 10 ? 192 : 128;
        if (id == 7) return 96;
        revert NotOneStep(id);
    }

    /// @notice Runs one-step precompile `id` as Cancun would with `gasGiven` gas, by calling L1's own precompile,
    ///         on the first min(length, {inputCap}) bytes of an input of `length` bytes (core/step/precompiles.ts
    ///         runPrecompile).
    /// @return ok      Whether the call succeeded.
    /// @return gasUsed Its price when ok, else all of `gasGiven`.
    /// @return output  What it returned (empty on failure).
    function run(uint256 id, bytes memory prefix, uint256 length, uint256 gasGiven)
        internal
        view
        returns (bool ok, uint256 gasUsed, bytes memory output)
    {
        // INVARIANT: only the precompiles a step runs by calling L1 (2, 3, 4 are micro-stepped or references).
        if (!isPrecompile(id) || id == 2 || id == 3 || id == 4) revert NotOneStep(id);
        // INVARIANT: the prefix is the input's first min(length, cap) bytes.
        if (prefix.length != (length < inputCap(id) ? length : inputCap(id))) revert BadPrefix(prefix.length, length);
        if ((id == 8 && length > inputCap(8)) || (id == 9 && length != 213) || (id == 10 && length != 192)) {
            return (false, gasGiven, output);
        }
        bytes memory input = prefix;
        uint256 price = cancunPrice(id, input);
        if (price > gasGiven || refused(id, input)) return (false, gasGiven, output);
        // base and modulus lengths 0: empty output, whatever the exponent length (which L1 would refuse)
        if (id == 5 && _word(input, 0) == 0 && _word(input, 64) == 0) return (true, price, output);
        uint256 give = l1Price(id, input) + CALL_SLACK;
        uint256 left = gasleft();
        // INVARIANT: L1's precompile gets its whole L1 price (at most 63/64 of what is left can be forwarded),
        //            so its failure can only mean invalid input.
        if (left - left / 64 < give + CALL_SLACK) revert InsufficientL1Gas(give + CALL_SLACK, left);
        bool success;
        assembly ("memory-safe") {
            // exactly the price plus a margin: a failing precompile burns what it is given, so never more
            success := staticcall(give, id, add(input, 32), mload(input), 0, 0)
            if success {
                output := mload(0x40)
                mstore(output, returndatasize())
                returndatacopy(add(output, 32), 0, returndatasize())
                mstore(0x40, add(add(output, 32), and(add(returndatasize(), 31), not(31))))
            }
        }
        if (!success) return (false, gasGiven, output);
        return (true, price, output);
    }

    // ------------------------------------------------------------------------------------------------ MODEXP

    /// @dev Word `i` of the input, zero-padded past its end.
    function _word(bytes memory input, uint256 offset) private pure returns (uint256 w) {
        uint256 len = input.length;
        if (offset >= len) return 0;
        assembly ("memory-safe") {
            w := mload(add(add(input, 32), offset))
        }
        if (len - offset < 32) w &= ~(type(uint256).max >> (8 * (len - offset)));
    }

    function _modexpLengths(bytes memory input) private pure returns (uint256 bLen, uint256 eLen, uint256 mLen) {
        return (_word(input, 0), _word(input, 32), _word(input, 64));
    }

    /// @dev MODEXP's price: Cancun's (EIP-2565) or L1's as of Osaka (EIP-7883), saturated at {SATURATED}.
    function _modexpPrice(bytes memory input, bool osaka) private pure returns (uint256) {
        (uint256 bLen, uint256 eLen, uint256 mLen) = _modexpLengths(input);
        uint256 maxLen = bLen > mLen ? bLen : mLen;
        uint256 floor_ = osaka ? 500 : 200;
        if (maxLen == 0 && !osaka) return floor_; // 0 words: the product is 0 whatever the exponent
        if (maxLen > 1 << 32 || eLen > 1 << 32) return SATURATED; // every factor is ≥ 1: far above any gas
        // the exponent's head: its first min(eLen, 32) bytes (reading past the input reads zeros)
        uint256 head = _word(input, 96 + bLen);
        if (eLen < 32) head >>= 8 * (32 - eLen);
        uint256 bits;
        while (head > 1) {
            head >>= 1;
            ++bits;
        }
        // bits = bit length − 1 of a nonzero head, 0 for a zero head
        uint256 iter = (eLen > 32 ? (osaka ? 16 : 8) * (eLen - 32) : 0) + bits;
        if (iter == 0) iter = 1;
        uint256 words = (maxLen + 7) / 8;
        uint256 gas_;
        if (osaka) gas_ = iter * (maxLen > 32 ? 2 * words * words : 16);
        else gas_ = (iter * words * words) / 3;
        if (gas_ < floor_) gas_ = floor_;
        return gas_ > SATURATED ? SATURATED : gas_;
    }

    // ------------------------------------------------------------------------------------------------ BLAKE2F

    /// @dev The rounds field (first 4 bytes, big-endian) of a 213-byte BLAKE2F input.
    function _blakeRounds(bytes memory input) private pure returns (uint256 r) {
        assembly ("memory-safe") {
            r := shr(224, mload(add(input, 32)))
        }
    }
}
