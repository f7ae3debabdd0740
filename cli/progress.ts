/**
 * Long waits shown as they pass: a progress bar counting down (the challenge window) or up (waiting
 * for a batch), on stderr so stdout stays the command's answer. In a terminal the bar redraws in
 * place (cli-progress); otherwise a line is printed when a tenth of the wait has passed, at most
 * every few seconds, so logs stay short.
 */
import { SingleBar } from "cli-progress";
import { duration } from "../client/contracts";

/** A text bar of `width` cells for `fraction` in [0, 1]. */
export function bar(fraction: number, width = 20, ascii = false): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const n = Math.round(f * width);
  return ascii ? `[${"#".repeat(n)}${".".repeat(width - n)}]` : `${"█".repeat(n)}${"░".repeat(width - n)}`;
}

/** "██████░░░░ 3s left" for a window of `total` seconds with `left` to go. */
export function countdownText(total: number, left: number, ascii = false): string {
  const t = Math.max(1, total);
  return `${bar((t - Math.min(t, Math.max(0, left))) / t, 20, ascii)} ${duration(left)} left`;
}

export interface Progress {
  /** Seconds left of a wait of `total` seconds. */
  left(total: number, left: number, note?: string): void;
  /** Seconds waited so far (no known end). */
  waited(seconds: number, note?: string): void;
  stop(finalLine?: string): void;
}

export function progress(label: string, o: { tty?: boolean; quiet?: boolean } = {}): Progress {
  const tty = o.tty ?? !!process.stderr.isTTY;
  if (o.quiet)
    return {
      left() {},
      waited() {},
      stop() {},
    };
  if (tty) {
    let b: SingleBar | undefined;
    let total = 0;
    const start = (t: number) => {
      total = t;
      b = new SingleBar({ format: `${label} {bar} {what}`, stream: process.stderr, hideCursor: true, clearOnComplete: true, barsize: 20, barCompleteChar: "█", barIncompleteChar: "░" });
      b.start(t, 0, { what: "" });
    };
    return {
      left(t, left, note) {
        if (!b || total !== t) {
          b?.stop();
          start(t);
        }
        b!.update(Math.max(0, t - left), { what: `${duration(left)} left${note ? ` (${note})` : ""}` });
      },
      waited(s, note) {
        if (!b) start(1);
        b!.update(0, { what: `waited ${duration(s)}${note ? ` (${note})` : ""}` });
      },
      stop(finalLine) {
        b?.stop();
        if (finalLine) process.stderr.write(finalLine + "\n");
      },
    };
  }
  let lastStep = -1;
  let lastAt = 0;
  return {
    left(t, left, note) {
      const step = Math.floor(((t - left) / Math.max(1, t)) * 10);
      if (step === lastStep && Date.now() - lastAt < 30_000) return;
      if (Date.now() - lastAt < 3000 && left > 0) return;
      lastStep = step;
      lastAt = Date.now();
      process.stderr.write(`${label} ${countdownText(t, left, true)}${note ? ` (${note})` : ""}\n`);
    },
    waited(s, note) {
      if (Date.now() - lastAt < 5000) return;
      lastAt = Date.now();
      process.stderr.write(`${label} waited ${duration(s)}${note ? ` (${note})` : ""}\n`);
    },
    stop(finalLine) {
      if (finalLine) process.stderr.write(finalLine + "\n");
    },
  };
}
