/** A FIFO async mutex: `run` executes its function when every earlier holder is done. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const r = this.tail.then(fn, fn);
    this.tail = r.catch(() => undefined);
    return r;
  }
}

/** Test failpoints: MOVESET_CRASH_AT=<point>[:<n>] kills this process (SIGKILL) the n-th time it passes <point>. */
export class Failpoints {
  private counts = new Map<string, number>();
  private readonly point: string | undefined;
  private readonly at: number;

  constructor(spec = process.env.MOVESET_CRASH_AT) {
    const [p, n] = (spec ?? "").split(":");
    this.point = p || undefined;
    this.at = n ? Number(n) : 1;
  }

  hit(point: string): void {
    if (point !== this.point) return;
    const c = (this.counts.get(point) ?? 0) + 1;
    this.counts.set(point, c);
    if (c === this.at) {
      process.stderr.write(`moveset: failpoint ${point}:${c}: killing this process\n`);
      process.kill(process.pid, "SIGKILL");
    }
  }
}
