/**
 * The L1 contracts as a user's tools see them: the Inbox and the Bridge of a deployment, and the
 * one-line form of their reverts.
 */
import type { ContractRunner, Interface, LogDescription, TransactionReceipt } from "ethers";
import type { Bridge, Inbox } from "../typechain-types";
import type { Deployment } from "../node/config";
import { bridgeAt, inboxAt, revertOf } from "../node/l1/contracts";

/** A refusal a person can act on: its message is the whole story. */
export class ClientError extends Error {}

/** The deployment's Inbox, typed (node/l1/contracts.ts). */
export function inboxOf(d: Deployment, runner: ContractRunner): Inbox {
  return inboxAt(d.inbox, runner);
}

/** The deployment's Bridge, typed (node/l1/contracts.ts). */
export function bridgeOf(d: Deployment, runner: ContractRunner): Bridge {
  return bridgeAt(d.bridge, runner);
}

/** The first event `name` that the contract at `address` logged in `r`, decoded, or undefined. */
export function eventIn(r: TransactionReceipt, address: string, iface: Interface, name: string): LogDescription | undefined {
  for (const log of r.logs) {
    if (log.address.toLowerCase() !== address.toLowerCase()) continue;
    const p = iface.parseLog(log);
    if (p?.name === name) return p;
  }
  return undefined;
}

/** `name(arg, ...)` of a custom-error revert, or undefined. */
export function revertText(e: unknown): string | undefined {
  const r = revertOf(e);
  return r ? `${r.name}(${r.args.map(String).join(", ")})` : undefined;
}

/** Runs an L1 send; a decoded revert becomes a ClientError through `explain` (or its plain name). */
export async function send<T>(what: string, fn: () => Promise<T>, explain: (name: string, args: unknown[]) => string | undefined = () => undefined): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const r = revertOf(e);
    if (r) throw new ClientError(explain(r.name, r.args) ?? `${what} reverted: ${r.name}(${r.args.map(String).join(", ")})`);
    const code = (e as { code?: string }).code;
    if (code === "INSUFFICIENT_FUNDS") throw new ClientError(`${what}: the account has not enough ETH on L1 for the value and the gas`);
    throw e;
  }
}

/** Wei as ETH with up to 6 decimals, for people ("1.5 ETH"). */
export function eth(wei: bigint): string {
  const neg = wei < 0n;
  const w = neg ? -wei : wei;
  const whole = w / 10n ** 18n;
  const frac = (w % 10n ** 18n).toString().padStart(18, "0").slice(0, 6).replace(/0+$/, "");
  const tiny = w > 0n && whole === 0n && frac === "";
  return `${neg ? "-" : ""}${tiny ? "<0.000001" : whole.toString() + (frac ? "." + frac : "")} ETH`;
}

/** Seconds as "1h 02m", "3m 05s", "12s". */
export function duration(s: number): string {
  const x = Math.max(0, Math.ceil(s));
  const h = Math.floor(x / 3600);
  const m = Math.floor((x % 3600) / 60);
  const sec = x % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}
