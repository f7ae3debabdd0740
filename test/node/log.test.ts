/** node/log.ts: pretty lines in a terminal, JSON otherwise, as MOVESET_LOG_FORMAT (or --log-format) says. */
import { expect } from "chai";
import { prettyLogs } from "../../node/log";
import { buildProgram } from "../../cli/main";

describe("node/log: the format", () => {
  it("pretty when stdout is a terminal, JSON otherwise; the variable decides when set", () => {
    expect(prettyLogs({}, true)).to.equal(true);
    expect(prettyLogs({}, false)).to.equal(false);
    expect(prettyLogs({ MOVESET_LOG_FORMAT: "json" }, true)).to.equal(false);
    expect(prettyLogs({ MOVESET_LOG_FORMAT: "pretty" }, false)).to.equal(true);
  });

  it("--log-level and --log-format are options of every command and are checked", () => {
    const p = buildProgram();
    const opts = p.options.map((o) => o.long);
    expect(opts).to.include.members(["--log-level", "--log-format"]);
    const level = p.options.find((o) => o.long === "--log-level")!;
    expect(level.argChoices).to.deep.equal(["trace", "debug", "info", "warn", "error", "fatal", "silent"]);
    for (const c of ["deposit", "withdraw", "withdrawals", "claim", "bond", "unbond", "bonds"]) expect(p.commands.map((x) => x.name())).to.include(c);
  });
});
