/**
 * The coordinator's refusal words (submitMessage): Ethereum's lead wallets key on, chosen from the
 * data the core's error carries, never from its message text.
 */
import { expect } from "chai";
import { InvalidTxError } from "../../../core/errors";
import { submitMessage } from "../../../node/coordinator/coordinator";

describe("coordinator: refusal messages from the errors' data", () => {
  const nonceError = (nonce: bigint, expected: bigint, message = "whatever the words") => new InvalidTxError("rules", "nonce", message, undefined, { nonce: nonce.toString(), expected: expected.toString() });

  it("nonce too low / too high from the transaction's and the sender's nonces", () => {
    expect(submitMessage(nonceError(1n, 3n))).to.match(/^nonce too low: whatever the words \(rules\/nonce\)$/);
    expect(submitMessage(nonceError(5n, 3n))).to.match(/^nonce too high: /);
    // The message text plays no part: a message naming other numbers changes nothing.
    expect(submitMessage(nonceError(1n, 3n, "nonce 9 is not the sender's nonce 0"))).to.match(/^nonce too low: /);
  });

  it("the other rules' leads, and a typed reason always", () => {
    expect(submitMessage(new InvalidTxError("rules", "insufficient-balance", "x"))).to.equal("insufficient funds for gas * price + value: x (rules/insufficient-balance)");
    expect(submitMessage(new InvalidTxError("rules", "fee-cap", "x"))).to.match(/^max fee per gas less than block base fee: /);
    expect(submitMessage(new InvalidTxError("execution", "undeclared-key", "y"))).to.equal("y (execution/undeclared-key)");
  });
});
