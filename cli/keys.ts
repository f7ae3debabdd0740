/**
 * `--key`: where a command's private key comes from, never the key itself on the command line
 * (shell history, `ps`), and never echoed back:
 *   - the name of an environment variable holding it (`--key MY_KEY`);
 *   - a keystore file (Ethereum's encrypted JSON, as geth and ethers write it), its password from
 *     MOVESET_KEYSTORE_PASSWORD or, in a terminal, a prompt that does not echo;
 *   - on the devnet only, a dev account's index (`--key 1`: Hardhat's account #1).
 */
import * as fs from "fs";
import { CliError } from "./errors";

export interface KeyContext {
  /** The deployment is the devnet's: dev account indices are allowed. */
  isDevnet: boolean;
  /** A person at a terminal can be asked for a keystore's password (default: stdin is a terminal). */
  interactive?: boolean;
}

/** Dev accounts the devnet funds by default (`moveset devnet --accounts`). */
const MAX_DEV_INDEX = 1000;

/** Reads a line from the terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    if (!stdin.isTTY) return reject(new CliError("no terminal to ask for the password"));
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    let buf = "";
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(buf);
    };
    const onData = (s: string) => {
      for (const ch of s) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return done();
        if (ch === "\u0003") return done(new CliError("cancelled"));
        if (ch === "\u007f" || ch === "\b") buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    stdin.on("data", onData);
  });
}

function normalize(v: string): string | undefined {
  const k = v.trim().startsWith("0x") ? v.trim() : "0x" + v.trim();
  return /^0x[0-9a-fA-F]{64}$/.test(k) ? k.toLowerCase() : undefined;
}

/**
 * The private key `spec` names (see the file comment). Errors say what to do and never contain a
 * key or a variable's value.
 */
export async function resolveKey(spec: string, ctx: KeyContext, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const s = spec.trim();
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(s))
    throw new CliError(
      "--key takes the name of an environment variable holding the key (or a keystore file, or on the devnet an account index), never the key itself, which this message does not repeat: `export MY_KEY=…` and pass --key MY_KEY",
    );
  if (/^\d+$/.test(s)) {
    const i = Number(s);
    if (!ctx.isDevnet) throw new CliError(`--key ${s} names a dev account, which exists only on the devnet: pass an environment variable's name or a keystore file`);
    if (i >= MAX_DEV_INDEX) throw new CliError(`--key ${s}: dev account indices go from 0 to ${MAX_DEV_INDEX - 1}`);
    const { devAccounts } = await import("../node/devnet/accounts");
    return devAccounts(i + 1)[i].privateKey;
  }
  if (fs.existsSync(s) && fs.statSync(s).isFile()) {
    let password = env.MOVESET_KEYSTORE_PASSWORD;
    if (password === undefined) {
      if (!(ctx.interactive ?? !!process.stdin.isTTY)) throw new CliError(`${s} is a keystore: set MOVESET_KEYSTORE_PASSWORD to its password (no terminal to ask in)`);
      password = await promptHidden(`password of ${s}: `);
    }
    const { Wallet } = await import("ethers");
    try {
      return Wallet.fromEncryptedJsonSync(fs.readFileSync(s, "utf8"), password).privateKey.toLowerCase();
    } catch (e) {
      const m = (e as Error).message;
      throw new CliError(/password/i.test(m) ? `wrong password for keystore ${s}` : `${s} is not a keystore file (${m.split("\n")[0].slice(0, 120)})`);
    }
  }
  if (/[/\\]|\.json$/i.test(s)) throw new CliError(`keystore file ${s} does not exist`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) throw new CliError(`--key ${JSON.stringify(s)} is neither an environment variable's name, a keystore file, nor a dev account index`);
  const v = env[s];
  if (v === undefined || v.trim() === "") throw new CliError(`environment variable ${s} (named by --key) is not set: export it with the private key, or pass a keystore file`);
  const k = normalize(v);
  if (!k) throw new CliError(`environment variable ${s} does not hold a 32-byte hex private key`);
  return k;
}

/** The address of a private key. */
export async function addressOf(key: string): Promise<string> {
  const { Wallet } = await import("ethers");
  return new Wallet(key).address;
}
