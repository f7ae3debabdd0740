/**
 * cli/errors.ts: what becomes one line (a data folder another process holds, an endpoint that does
 * not answer, the project's own message-bearing errors) and what stays a stack trace (a bug).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Level } from "level";
import { CliError, oneLine, netReason } from "../../cli/errors";
import { DatadirInUseError, isLevelLocked } from "../../node/datadir";
import { ClientError } from "../../client/contracts";

describe("cli/errors: one line for what a person can fix", () => {
  it("a LevelDB another holder has open", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-lock-"));
    const a = new Level(dir);
    await a.open();
    try {
      const e = await new Level(dir).open().then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(isLevelLocked(e)).to.equal(true);
      expect(oneLine(e)).to.equal("a data folder is in use by another moveset process: stop it first, or pass another --datadir");
      expect(new DatadirInUseError("/x/y", 42).message).to.equal("the data folder /x/y is in use by another moveset process (pid 42): stop it first, or pass another --datadir");
    } finally {
      await a.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an endpoint that refuses the connection", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const e = await fetch(`http://127.0.0.1:${port}`).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(netReason(e)).to.equal("connection refused");
    expect(oneLine(e)).to.match(/^cannot reach an endpoint \(connection refused\): is the devnet or the node running\?/);
  });

  it("a fetch that fails before connecting says why (undici's cause), not \"fetch failed\"", async () => {
    const e = await fetch("http://127.0.0.1:1").then(
      () => undefined,
      (x: unknown) => x,
    );
    expect((e as Error).message).to.equal("fetch failed");
    expect(netReason(e)).to.equal("bad port");
  });

  it("the project's own errors keep their message; a bug keeps its stack", () => {
    expect(oneLine(new CliError("do this"))).to.equal("do this");
    expect(oneLine(new ClientError("do that"))).to.equal("do that");
    expect(oneLine(new TypeError("x is undefined"))).to.equal(undefined);
  });
});
