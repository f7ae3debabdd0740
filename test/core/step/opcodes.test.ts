/**
 * The machine's opcode table (core/step/interp.ts) against ethereumjs's Cancun table: the same
 * opcodes are defined, and each static-gas opcode costs the same.
 */
import { expect } from "chai";
import { createEVM } from "@ethereumjs/evm";
import { cancunCommon } from "../../../core/evm/chain";
import { opInfo } from "../../../core/step/interp";
import { opName } from "../../../core/step/classify";

describe("core/step opcode table", () => {
  it("defines exactly Cancun's opcodes (INVALID apart), with Cancun's static gas", async () => {
    const evm = await createEVM({ common: cancunCommon(1n) });
    const theirs = evm.getActiveOpcodes();
    for (let op = 0; op < 256; op++) {
      const o = theirs.get(op);
      const mine = opInfo(op);
      if (!o || op === 0xfe) {
        expect(mine, `opcode 0x${op.toString(16)} is not Cancun's`).to.equal(undefined);
        continue;
      }
      expect(mine, `${o.fullName} is missing`).to.not.equal(undefined);
      expect(opName(op)).to.equal(o.fullName);
      if (!o.dynamicGas) expect(mine!.gas, `${o.fullName} gas`).to.equal(BigInt(o.fee));
      else if (o.name !== "LOG") expect(mine!.gas, `${o.fullName} base gas`).to.equal(BigInt(o.fee));
    }
  });

  it("stack inputs and outputs of every opcode", () => {
    const io = (op: number) => [opInfo(op)!.inputs, opInfo(op)!.outputs];
    expect(io(0x01)).to.deep.equal([2, 1]);
    expect(io(0x08)).to.deep.equal([3, 1]);
    expect(io(0x80)).to.deep.equal([1, 2]); // DUP1
    expect(io(0x8f)).to.deep.equal([16, 17]); // DUP16
    expect(io(0x90)).to.deep.equal([2, 2]); // SWAP1
    expect(io(0x9f)).to.deep.equal([17, 17]); // SWAP16
    expect(io(0xa4)).to.deep.equal([6, 0]); // LOG4
    expect(io(0xf1)).to.deep.equal([7, 1]); // CALL
    expect(io(0xf4)).to.deep.equal([6, 1]); // DELEGATECALL
    expect(io(0xf5)).to.deep.equal([4, 1]); // CREATE2
    expect(io(0x3c)).to.deep.equal([4, 0]); // EXTCODECOPY
    expect(io(0x5e)).to.deep.equal([3, 0]); // MCOPY
    expect(io(0x5c)).to.deep.equal([1, 1]); // TLOAD
    expect(io(0x5d)).to.deep.equal([2, 0]); // TSTORE
    expect(io(0xff)).to.deep.equal([1, 0]); // SELFDESTRUCT
  });
});
