/**
 * Prometheus metrics of the watchtower (prom-client), in the text exposition format, on GET /metrics.
 */
import * as http from "http";
import { Counter, Gauge, Registry } from "prom-client";

type Labels = Record<string, string>;

/** The label names each metric takes (prom-client needs them up front). */
const LABELS: Record<string, string[]> = {
  moveset_watchtower_verdicts: ["verdict"],
  moveset_watchtower_proofs_sent: ["kind"],
  moveset_watchtower_proofs_won: ["kind"],
  moveset_watchtower_games: ["status"],
};

export class Metrics {
  readonly registry = new Registry();
  private readonly metrics = new Map<string, Gauge | Counter>();
  private server: http.Server | undefined;

  define(name: string, type: "counter" | "gauge", help: string): void {
    if (this.metrics.has(name)) return;
    const o = { name, help, labelNames: LABELS[name] ?? [], registers: [this.registry] };
    this.metrics.set(name, type === "gauge" ? new Gauge(o) : new Counter(o));
  }

  private metric(name: string): Gauge | Counter {
    const m = this.metrics.get(name);
    if (!m) throw new Error(`metric ${name} is not defined`);
    return m;
  }

  /** Sets a gauge (wei amounts as float64, as Prometheus keeps every value). */
  set(name: string, value: number | bigint, labels: Labels = {}): void {
    const m = this.metric(name);
    if (!(m instanceof Gauge)) throw new Error(`metric ${name} is not a gauge`);
    m.set(labels, Number(value));
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    this.metric(name).inc(labels, by);
  }

  /** The exposition text. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Serves /metrics; returns the bound port. */
  listen(port: number, host = "127.0.0.1"): Promise<number> {
    this.server = http.createServer((req, res) => {
      if (req.url === "/metrics" || req.url === "/") {
        this.render().then(
          (text) => {
            res.writeHead(200, { "content-type": this.registry.contentType });
            res.end(text);
          },
          (e) => {
            res.writeHead(500);
            res.end(String(e));
          },
        );
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    return new Promise((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => resolve((this.server!.address() as { port: number }).port));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The watchtower's metric set. */
export function watchtowerMetrics(): Metrics {
  const m = new Metrics();
  m.define("moveset_watchtower_batches_seen", "gauge", "batches appended on L1 seen by the watchtower (including rolled back ones)");
  m.define("moveset_watchtower_verdicts", "gauge", "batches by the verifier's verdict");
  m.define("moveset_watchtower_proofs_sent", "gauge", "proofs revealed (prove transactions sent), by kind");
  m.define("moveset_watchtower_proofs_won", "gauge", "proofs that rolled a batch back, by kind");
  m.define("moveset_watchtower_commits_sent", "gauge", "commitments made");
  m.define("moveset_watchtower_faults_reported", "gauge", "execution faults reported by a watchtower before the dispute game (none are now)");
  m.define("moveset_watchtower_games", "gauge", "dispute games seen, by status (open, challenger-won, defender-won)");
  m.define("moveset_watchtower_rewards_wei", "gauge", "rewards received for won proofs (wei)");
  m.define("moveset_watchtower_bond_wei", "gauge", "the watchtower account's bond in the Inbox (wei)");
  m.define("moveset_watchtower_balance_wei", "gauge", "the watchtower account's L1 balance (wei)");
  m.define("moveset_watchtower_l1_head", "gauge", "confirmed L1 head the watchtower acted on");
  m.define("moveset_watchtower_errors_total", "counter", "failed ticks or actions");
  return m;
}
