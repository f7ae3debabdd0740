/**
 * A small EVM assembler for tests: opcodes by name, pushes sized to their value, labels (PUSH2) for
 * jumps. `new Asm().push(1).push(2).op("ADD").bytes()`.
 */
const NAMES: Record<string, number> = {
  STOP: 0x00, ADD: 0x01, MUL: 0x02, SUB: 0x03, DIV: 0x04, SDIV: 0x05, MOD: 0x06, SMOD: 0x07, ADDMOD: 0x08, MULMOD: 0x09,
  EXP: 0x0a, SIGNEXTEND: 0x0b, LT: 0x10, GT: 0x11, SLT: 0x12, SGT: 0x13, EQ: 0x14, ISZERO: 0x15, AND: 0x16, OR: 0x17,
  XOR: 0x18, NOT: 0x19, BYTE: 0x1a, SHL: 0x1b, SHR: 0x1c, SAR: 0x1d, KECCAK256: 0x20, ADDRESS: 0x30, BALANCE: 0x31,
  ORIGIN: 0x32, CALLER: 0x33, CALLVALUE: 0x34, CALLDATALOAD: 0x35, CALLDATASIZE: 0x36, CALLDATACOPY: 0x37, CODESIZE: 0x38,
  CODECOPY: 0x39, GASPRICE: 0x3a, EXTCODESIZE: 0x3b, EXTCODECOPY: 0x3c, RETURNDATASIZE: 0x3d, RETURNDATACOPY: 0x3e,
  EXTCODEHASH: 0x3f, BLOCKHASH: 0x40, COINBASE: 0x41, TIMESTAMP: 0x42, NUMBER: 0x43, PREVRANDAO: 0x44, GASLIMIT: 0x45,
  CHAINID: 0x46, SELFBALANCE: 0x47, BASEFEE: 0x48, BLOBHASH: 0x49, BLOBBASEFEE: 0x4a, POP: 0x50, MLOAD: 0x51, MSTORE: 0x52,
  MSTORE8: 0x53, SLOAD: 0x54, SSTORE: 0x55, JUMP: 0x56, JUMPI: 0x57, PC: 0x58, MSIZE: 0x59, GAS: 0x5a, JUMPDEST: 0x5b,
  TLOAD: 0x5c, TSTORE: 0x5d, MCOPY: 0x5e, PUSH0: 0x5f, LOG0: 0xa0, LOG1: 0xa1, LOG2: 0xa2, LOG3: 0xa3, LOG4: 0xa4,
  CREATE: 0xf0, CALL: 0xf1, CALLCODE: 0xf2, RETURN: 0xf3, DELEGATECALL: 0xf4, CREATE2: 0xf5, STATICCALL: 0xfa,
  REVERT: 0xfd, INVALID: 0xfe, SELFDESTRUCT: 0xff,
};

export class Asm {
  private out: number[] = [];
  private labels = new Map<string, number>();
  private refs: { at: number; label: string }[] = [];

  op(...names: string[]): this {
    for (const n of names) {
      const m = /^(DUP|SWAP)(\d+)$/.exec(n);
      if (m) this.out.push((m[1] === "DUP" ? 0x7f : 0x8f) + Number(m[2]));
      else if (NAMES[n] !== undefined) this.out.push(NAMES[n]);
      else throw new Error(`unknown opcode ${n}`);
    }
    return this;
  }

  /** The smallest PUSH for v (PUSH0 for 0); a string is a 0x-hex number (an address). */
  push(v: bigint | number | string): this {
    let x = BigInt(v);
    if (x < 0n) x += 1n << 256n;
    if (x === 0n) return this.op("PUSH0");
    const b: number[] = [];
    while (x > 0n) {
      b.unshift(Number(x & 0xffn));
      x >>= 8n;
    }
    this.out.push(0x5f + b.length, ...b);
    return this;
  }

  /** PUSHn of exactly n bytes. */
  pushN(n: number, v: bigint | number): this {
    const x = BigInt(v);
    this.out.push(0x5f + n);
    for (let i = n - 1; i >= 0; i--) this.out.push(Number((x >> BigInt(8 * i)) & 0xffn));
    return this;
  }

  raw(...bytes: number[]): this {
    this.out.push(...bytes);
    return this;
  }

  label(name: string): this {
    this.labels.set(name, this.out.length);
    return this.op("JUMPDEST");
  }

  /** PUSH2 of a label's position. */
  ref(name: string): this {
    this.out.push(0x61);
    this.refs.push({ at: this.out.length, label: name });
    this.out.push(0, 0);
    return this;
  }

  /** Stores `data` in memory from `offset` with MSTOREs (the tail word zero-padded). */
  mem(offset: number, data: Uint8Array): this {
    for (let i = 0; i < data.length; i += 32) {
      let w = 0n;
      for (let k = 0; k < 32; k++) w = (w << 8n) | BigInt(data[i + k] ?? 0);
      this.push(w).push(offset + i).op("MSTORE");
    }
    return this;
  }

  bytes(): Uint8Array {
    const b = Uint8Array.from(this.out);
    for (const r of this.refs) {
      const at = this.labels.get(r.label);
      if (at === undefined) throw new Error(`no label ${r.label}`);
      b[r.at] = at >> 8;
      b[r.at + 1] = at & 0xff;
    }
    return b;
  }
}

/** Init code that returns `code` as the created contract's code. */
export function deployer(code: Uint8Array): Uint8Array {
  // PUSH2 len, DUP1, PUSH2 11 (the code's offset: this head's length), PUSH0, CODECOPY, PUSH0, RETURN
  const n = code.length;
  return Uint8Array.from([0x61, n >> 8, n & 0xff, 0x80, 0x61, 0, 11, 0x5f, 0x39, 0x5f, 0xf3, ...code]);
}
