/**
 * cli/keys.ts: `--key` is an environment variable's name, a keystore file, or on the devnet only a
 * dev account index; never the key itself, and no message repeats a key or a variable's value.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Wallet, encryptKeystoreJsonSync } from "ethers";
import { resolveKey } from "../../cli/keys";
import { CliError } from "../../cli/errors";
import { devAccounts } from "../../node/devnet/accounts";

const KEY = "0x" + "5a".repeat(32);

async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(CliError);
    const m = (e as Error).message;
    expect(m).not.to.contain("5a5a5a5a");
    return m;
  }
  throw new Error("was not refused");
}

describe("cli/keys: --key", () => {
  const off = { isDevnet: false, interactive: false };
  const on = { isDevnet: true, interactive: false };

  it("an environment variable's name: its key, lower-case, with or without 0x", async () => {
    expect(await resolveKey("MY_KEY", off, { MY_KEY: KEY.toUpperCase().replace("0X", "0x") })).to.equal(KEY);
    expect(await resolveKey("MY_KEY", off, { MY_KEY: KEY.slice(2) + "\n" })).to.equal(KEY);
    expect(await refused(resolveKey("MY_KEY", off, {}))).to.equal("environment variable MY_KEY (named by --key) is not set: export it with the private key, or pass a keystore file");
    expect(await refused(resolveKey("MY_KEY", off, { MY_KEY: KEY + "00" }))).to.equal("environment variable MY_KEY does not hold a 32-byte hex private key");
  });

  it("the key itself is refused without being repeated", async () => {
    expect(await refused(resolveKey(KEY, on, {}))).to.contain("never the key itself");
    expect(await refused(resolveKey(KEY.slice(2), on, {}))).to.contain("never the key itself");
  });

  it("a dev account index on the devnet only", async () => {
    expect(await resolveKey("3", on, {})).to.equal(devAccounts(4)[3].privateKey);
    expect(await refused(resolveKey("3", off, {}))).to.contain("names a dev account, which exists only on the devnet");
    expect(await refused(resolveKey("5000", on, {}))).to.contain("dev account indices go from 0 to 999");
  });

  it("a keystore file with its password from MOVESET_KEYSTORE_PASSWORD", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-ks-"));
    try {
      const w = new Wallet(KEY);
      const file = path.join(dir, "key.json");
      fs.writeFileSync(file, encryptKeystoreJsonSync({ address: w.address, privateKey: KEY }, "pw", { scrypt: { N: 1 << 10 } }));
      expect(await resolveKey(file, off, { MOVESET_KEYSTORE_PASSWORD: "pw" })).to.equal(KEY);
      expect(await refused(resolveKey(file, off, { MOVESET_KEYSTORE_PASSWORD: "nope" }))).to.equal(`wrong password for keystore ${file}`);
      expect(await refused(resolveKey(file, off, {}))).to.equal(`${file} is a keystore: set MOVESET_KEYSTORE_PASSWORD to its password (no terminal to ask in)`);
      fs.writeFileSync(path.join(dir, "junk.json"), "{}");
      expect(await refused(resolveKey(path.join(dir, "junk.json"), off, { MOVESET_KEYSTORE_PASSWORD: "pw" }))).to.contain("is not a keystore file");
      expect(await refused(resolveKey(path.join(dir, "gone.json"), off, {}))).to.equal(`keystore file ${path.join(dir, "gone.json")} does not exist`);
      expect(await refused(resolveKey("not a name", off, {}))).to.contain("is neither an environment variable's name");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
