/**
 * A poster's bond in the Inbox (protocol.md §11.2): `bond()` adds to it; every live, non-final batch
 * of the poster locks `bondSize` of it; `unbond()` returns the free part. Posting needs `bondSize`
 * free.
 */
import type { Provider, Signer, TransactionReceipt } from "ethers";
import type { Deployment } from "../node/config";
import { inboxOf, send, ClientError, eth, duration, eventIn } from "./contracts";

export interface Bonds {
  address: string;
  bond: bigint;
  locked: bigint;
  free: bigint;
  bondSize: bigint;
  /** Batches the free bond lets the poster post within one challenge window. */
  batches: bigint;
}

export async function bondsOf(l1: Provider, d: Deployment, address: string): Promise<Bonds> {
  const inbox = inboxOf(d, l1);
  const [bond, locked, free] = await Promise.all([inbox.bondOf(address), inbox.lockedBondOf(address), inbox.freeBondOf(address)]);
  return { address, bond, locked, free, bondSize: d.bondSize, batches: free / d.bondSize };
}

/** Adds `amount` wei to the signer's bond; returns the new total. */
export async function addBond(signer: Signer, d: Deployment, amount: bigint): Promise<{ l1Tx: string; total: bigint }> {
  if (amount <= 0n) throw new ClientError("the amount must be more than 0");
  const inbox = inboxOf(d, signer);
  const from = await signer.getAddress();
  const bal = await signer.provider!.getBalance(from);
  if (bal < amount) throw new ClientError(`${from} has ${eth(bal)} on L1, less than the ${eth(amount)} to bond`);
  const tx = await send("bond", () => inbox.bond({ value: amount }));
  const r = (await tx.wait()) as TransactionReceipt;
  const total = BigInt(eventIn(r, d.inbox, inbox.interface, "Bonded")?.args.total ?? 0n);
  return { l1Tx: tx.hash, total };
}

/** Withdraws the signer's free bond; a locked bond says which batch holds it and until when. */
export async function unbond(signer: Signer, d: Deployment, l1Now: () => Promise<number>): Promise<{ l1Tx: string; amount: bigint }> {
  const inbox = inboxOf(d, signer);
  const now = await l1Now();
  const tx = await send(
    "unbond",
    () => inbox.unbond(),
    (name, a) => {
      if (name === "NothingToUnbond") return "this account has no bond in the Inbox";
      if (name === "BondLocked") {
        const finalAt = Number(a[1] as bigint);
        return `all of the bond is locked by live batches; the oldest, batch ${a[0]}, is final in ${duration(finalAt - now)} (L1 time ${new Date(
          finalAt * 1000,
        ).toISOString()}): run again then, or add --wait`;
      }
      return undefined;
    },
  );
  const r = (await tx.wait()) as TransactionReceipt;
  const amount = BigInt(eventIn(r, d.inbox, inbox.interface, "Unbonded")?.args.amount ?? 0n);
  return { l1Tx: tx.hash, amount };
}
