/**
 * Prometheus metrics of the watchtower, in the text exposition format, on GET /metrics.
 */
import * as http from "http";

type Labels = Record<string, string>;

interface Series {
  help: string;
  type: "counter" | "gauge";
  values: Map<string, { labels: Labels; value: number | bigint }>;
}

export class Metrics {
  private series = new Map<string, Series>();
  private server: http.Server | undefined;

  define(name: string, type: "counter" | "gauge", help: string): void {
    if (!this.series.has(name)) this.series.set(name, { help, type, values: new Map() });
  }

  set(name: string, value: number | bigint, labels: Labels = {}): void {
    const s = this.series.get(name);
    if (!s) throw new Error(`metric ${name} is not defined`);
    s.values.set(JSON.stringify(labels), { labels, value });
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    const s = this.series.get(name);
    if (!s) throw new Error(`metric ${name} is not defined`);
    const k = JSON.stringify(labels);
    const cur = s.values.get(k);
    s.values.set(k, { labels, value: Number(cur?.value ?? 0) + by });
  }

  get(name: string, labels: Labels = {}): number | bigint | undefined {
    return this.series.get(name)?.values.get(JSON.stringify(labels))?.value;
  }

  render(): string {
    const out: string[] = [];
    for (const [name, s] of this.series) {
      out.push(`# HELP ${name} ${s.help}`, `# TYPE ${name} ${s.type}`);
      for (const { labels, value } of s.values.values()) {
        const l = Object.entries(labels)
          .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`)
          .join(",");
        out.push(`${name}${l ? `{${l}}` : ""} ${value.toString()}`);
      }
    }
    return out.join("\n") + "\n";
  }

  /** Serves /metrics; returns the bound port. */
  listen(port: number, host = "127.0.0.1"): Promise<number> {
    this.server = http.createServer((req, res) => {
      if (req.url === "/metrics" || req.url === "/") {
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
        res.end(this.render());
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
  m.define("moveset_watchtower_faults_reported", "gauge", "faults reported but not proven (execution: interactive)");
  m.define("moveset_watchtower_rewards_wei", "gauge", "rewards received for won proofs (wei)");
  m.define("moveset_watchtower_bond_wei", "gauge", "the watchtower account's bond in the Inbox (wei)");
  m.define("moveset_watchtower_balance_wei", "gauge", "the watchtower account's L1 balance (wei)");
  m.define("moveset_watchtower_l1_head", "gauge", "confirmed L1 head the watchtower acted on");
  m.define("moveset_watchtower_errors_total", "counter", "failed ticks or actions");
  return m;
}
