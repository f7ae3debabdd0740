// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title JumpdestBitmap
/// @notice The jump-destination analysis of EVM code, done once when the code registry registers it, and the
///         reads a step makes (twin of core/evm/jumpdest.ts jumpdestBitmap; both run test/vectors/code.json).
///         Bit i (byte i / 8, most significant bit first) is set iff byte i is JUMPDEST (0x5b) and not the
///         immediate data of a PUSH1 … PUSH32 (PUSH data running past the end of the code is still data).
library JumpdestBitmap {
    /// @notice The bitmap of `code`: ceil(code.length / 8) bytes.
    function compute(bytes calldata code) internal pure returns (bytes memory bitmap) {
        (bitmap,) = computeFrom(code, 0);
    }

    /// @notice The bitmap of `code` when its first `skip` bytes are the immediate data of a PUSH that began
    ///         before it (a piece of a longer code), and how many bytes of the last PUSH's data run past its end.
    function computeFrom(bytes calldata code, uint256 skip) internal pure returns (bytes memory bitmap, uint256 carry) {
        uint256 n = code.length;
        bitmap = new bytes((n + 7) / 8);
        assembly ("memory-safe") {
            let out := add(bitmap, 32)
            // the code in scratch memory past the bitmap (followed by 32 zero bytes: PUSH data may run past it)
            let c := mload(0x40)
            calldatacopy(c, code.offset, n)
            mstore(add(c, n), 0)
            let end := add(c, n)
            // bit j of the table is set iff opcode j is JUMPDEST (0x5b) or PUSH1 … PUSH32 (0x60 … 0x7f): the only
            // bytes that need more than a look
            let special := 0xffffffff080000000000000000000000
            let p := add(c, skip)
            for {} lt(p, end) { p := add(p, 1) } {
                let op := byte(0, mload(p))
                if and(shr(op, special), 1) {
                    switch op
                    case 0x5b {
                        let pos := sub(p, c)
                        let at := add(out, shr(3, pos))
                        mstore8(at, or(byte(0, mload(at)), shr(and(pos, 7), 0x80)))
                    }
                    default { p := add(p, sub(op, 0x5f)) } // skip the PUSH's immediate bytes
                }
            }
            carry := sub(p, end)
        }
    }
}
