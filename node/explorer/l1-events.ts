/**
 * The explorer's copy of what the L1 contracts said: every event of the Inbox, the Bridge, the fraud
 * provers and the dispute game (if the Inbox has one), decoded, in L1 order, with its block time.
 * It polls L1 from the deployment block on; when the last block it read is no longer on L1 (a
 * reorg, a devnet restarted from scratch) it reads everything again. Memory grows with the events,
 * which is what an explorer of a devnet wants; a long-lived public deployment would index into a
 * database instead. It is not the node's L1 follower (node/l1/follower.ts), which keeps only what
 * the node decides on (appends, rollbacks, deposits), pinned and stored: this one shows every event
 * of every contract (bonds, commitments, reveals, games) and decides nothing.
 */
import { Interface, ZeroAddress, type JsonRpcProvider, type Log } from "ethers";
import { abiOf, bridgeInterface, inboxInterface } from "../l1/contracts";
import type { Deployment } from "../config";
import { errMsg, type Logger } from "../log";

export interface L1Event {
  block: number;
  logIndex: number;
  txHash: string;
  /** L1 block time (seconds). */
  time: number;
  /** Which contract: Inbox, Bridge, DisputeGame, or a prover's name. */
  contract: string;
  name: string;
  /** Arguments by name; numbers as decimal strings, addresses and hashes lower-case hex. */
  args: Record<string, string | boolean | string[]>;
}

function jsonArg(v: unknown): string | boolean | string[] {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map((x) => String(jsonArg(x)));
  if (typeof v === "string") return v.startsWith("0x") ? v.toLowerCase() : v;
  return String(v);
}

export class L1Events {
  readonly events: L1Event[] = [];
  /** L1's head when last read (number, hash, time). */
  head = { number: 0, hash: "", time: 0 };
  /** The dispute game the Inbox names (zero if none). */
  game = ZeroAddress.toLowerCase();
  private next: number;
  private readonly ifaces = new Map<string, { name: string; iface: Interface }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private times = new Map<number, number>();
  /** Bumped on every change, so that readers can tell whether anything moved. */
  version = 0;

  constructor(private readonly provider: JsonRpcProvider, private readonly deployment: Deployment, contracts: Record<string, string>, private readonly log?: Logger, private readonly range = 5000) {
    this.next = deployment.deployedAt;
    this.watch(deployment.inbox, "Inbox", inboxInterface());
    this.watch(deployment.bridge, "Bridge", bridgeInterface());
    for (const [name, addr] of Object.entries(contracts))
      if (/Prover$/.test(name)) {
        try {
          this.watch(addr, name, new Interface(abiOf(name, "fraud")));
        } catch {
          this.watch(addr, name, new Interface(abiOf("FraudProver", "fraud")));
        }
      }
  }

  private watch(addr: string, name: string, iface: Interface): void {
    this.ifaces.set(addr.toLowerCase(), { name, iface });
  }

  /** Reads what L1 has that this copy lacks. */
  async poll(): Promise<void> {
    const run = this.running.then(() => this.pollNow());
    this.running = run.catch(() => undefined);
    return run;
  }

  private async pollNow(): Promise<void> {
    if (this.head.hash) {
      const b = (await this.provider.send("eth_getBlockByNumber", ["0x" + this.head.number.toString(16), false])) as { hash: string } | null;
      if (!b || b.hash.toLowerCase() !== this.head.hash) {
        this.log?.info({ block: this.head.number }, "explorer: L1 changed under the last block read; reading it again");
        this.events.length = 0;
        this.times.clear();
        this.next = this.deployment.deployedAt;
        this.version++;
      }
    }
    const head = (await this.provider.send("eth_getBlockByNumber", ["latest", false])) as { number: string; hash: string; timestamp: string };
    const to = Number(head.number);
    this.head = { number: to, hash: head.hash.toLowerCase(), time: Number(head.timestamp) };
    if (this.game === ZeroAddress.toLowerCase()) {
      try {
        const inbox = inboxInterface();
        const r = (await this.provider.call({ to: this.deployment.inbox, data: inbox.encodeFunctionData("game") })) as string;
        const g = String(inbox.decodeFunctionResult("game", r)[0]).toLowerCase();
        if (g !== ZeroAddress.toLowerCase()) {
          this.game = g;
          this.watch(g, "DisputeGame", new Interface(abiOf("DisputeGame", "game")));
          this.next = this.deployment.deployedAt; // its events from the start
          this.events.length = 0;
        }
      } catch {
        // an Inbox without game(): none
      }
    }
    if (this.next > to) return;
    const addrs = [...this.ifaces.keys()];
    const fresh: L1Event[] = [];
    for (let a = this.next; a <= to; a += this.range) {
      const b = Math.min(to, a + this.range - 1);
      const logs = await this.provider.getLogs({ address: addrs, fromBlock: a, toBlock: b });
      for (const l of logs) {
        const e = await this.decode(l);
        if (e) fresh.push(e);
      }
    }
    this.next = to + 1;
    if (fresh.length) {
      this.events.push(...fresh);
      this.version++;
    }
  }

  private async timeOf(block: number): Promise<number> {
    let t = this.times.get(block);
    if (t === undefined) {
      const b = (await this.provider.send("eth_getBlockByNumber", ["0x" + block.toString(16), false])) as { timestamp: string } | null;
      t = b ? Number(b.timestamp) : 0;
      this.times.set(block, t);
    }
    return t;
  }

  private async decode(l: Log): Promise<L1Event | undefined> {
    const w = this.ifaces.get(l.address.toLowerCase());
    if (!w) return undefined;
    let p;
    try {
      p = w.iface.parseLog(l);
    } catch {
      return undefined;
    }
    if (!p) return undefined;
    const args: Record<string, string | boolean | string[]> = {};
    p.fragment.inputs.forEach((inp, i) => {
      if (inp.type === "tuple") return; // BatchAppended's header: the verifier has it
      args[inp.name] = jsonArg(p!.args[i]);
    });
    return { block: l.blockNumber, logIndex: l.index, txHash: l.transactionHash.toLowerCase(), time: await this.timeOf(l.blockNumber), contract: w.name, name: p.name, args };
  }

  /** Events of one contract and optionally one name. */
  of(contract: string, ...names: string[]): L1Event[] {
    return this.events.filter((e) => e.contract === contract && (names.length === 0 || names.includes(e.name)));
  }

  /** Polls every `ms` until stopped; an L1 that does not answer is retried quietly (once logged). */
  start(ms: number): void {
    let failing = false;
    const tick = () => {
      this.poll().then(
        () => {
          failing = false;
        },
        (e) => {
          if (!failing) this.log?.warn({ err: errMsg(e) }, "explorer: cannot read L1 events");
          failing = true;
        },
      );
    };
    tick();
    this.timer = setInterval(tick, ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
