/**
 * What a user command sets up before it acts: its endpoints and deployment (found by itself,
 * cli/context.ts), both endpoints checked to answer and to be the deployment's chains, the
 * contracts' ABIs, and the key (cli/keys.ts).
 */
import { Wallet, type JsonRpcProvider } from "ethers";
import { ensureArtifacts } from "./common";
import { checkL1, checkL2, resolveContext, type Context, type EndpointFlags, type Need } from "./context";
import { resolveKey } from "./keys";
import { CliError } from "./errors";
import { l1Provider, l2Provider } from "../client/bridge";

/** How --key is described when it is missing. */
export const KEY_FLAG = "--key <env var | keystore file | devnet account index>";

/** The --key option's commander spelling and the shape of its help text. */
export const KEY_OPTION = "--key <key>";
export const keyHelp = (whose: string) => `${whose}: an environment variable's name, a keystore file (password from MOVESET_KEYSTORE_PASSWORD or asked), or on the devnet a dev account index`;

export interface Session {
  ctx: Context;
  l1: JsonRpcProvider;
  l2: JsonRpcProvider;
  /** The key's private key and address (when the command takes --key). */
  key?: string;
  address?: string;
  /** The key's L1 signer. */
  signer?: Wallet;
  close(): void;
}

export async function openSession(command: string, o: EndpointFlags & { key?: string }, need: Need[], keyNeeded: boolean): Promise<Session> {
  const ctx = resolveContext(command, o, [...need, "deployment"], process.env, keyNeeded && !o.key ? [KEY_FLAG] : []);
  await ensureArtifacts();
  await Promise.all([need.includes("l1") ? checkL1(ctx) : undefined, need.includes("l2") ? checkL2(ctx) : undefined]);
  const d = ctx.deployment!;
  const l1 = ctx.l1Url ? l1Provider(ctx.l1Url, d.l1ChainId) : undefined;
  const l2 = l2Provider(ctx.l2Url!, d.l2ChainId);
  const s: Session = {
    ctx,
    get l1(): JsonRpcProvider {
      if (!l1) throw new CliError(`${command}: no L1 URL (--l1 <url>)`);
      return l1;
    },
    l2,
    close() {
      l1?.destroy();
      l2.destroy();
    },
  };
  if (o.key) {
    s.key = await resolveKey(o.key, ctx);
    s.signer = new Wallet(s.key, l1);
    s.address = s.signer.address;
  }
  return s;
}
