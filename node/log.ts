/**
 * Structured logging: one JSON object per line (pino), on stdout unless told otherwise. Every
 * component logs through a child logger named after it (`{"component":"coordinator",...}`).
 *
 * Level: MOVESET_LOG_LEVEL (trace, debug, info, warn, error, fatal, silent), default info; tests
 * default to silent unless MOVESET_LOG_LEVEL is set.
 * Format: MOVESET_LOG_FORMAT `json` or `pretty` (pino-pretty: one coloured line per entry, time,
 * level, component, message, fields); by default pretty when the logs go to a terminal, JSON
 * otherwise (a file, a pipe, a log collector). `--log-level` and `--log-format` set both (cli/logging.ts).
 */
import pino, { type Logger, type DestinationStream } from "pino";

export type { Logger };

export interface LogOptions {
  level?: string;
  /** Where lines go (default stdout, synchronously, so nothing is lost on a crash). */
  destination?: DestinationStream | number;
  /** Fields added to every line. */
  base?: Record<string, unknown>;
}

function defaultLevel(): string {
  if (process.env.MOVESET_LOG_LEVEL) return process.env.MOVESET_LOG_LEVEL;
  // Under mocha (npx hardhat test) the logs would drown the test report.
  return typeof (globalThis as { describe?: unknown }).describe === "function" ? "silent" : "info";
}

/** bigint and Uint8Array values become strings, so any log field serializes. */
function serializeValue(_k: string, v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return "0x" + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex");
  return v;
}

/** Whether the default destination (stdout) gets pretty lines. */
export function prettyLogs(env: NodeJS.ProcessEnv = process.env, tty = !!process.stdout.isTTY): boolean {
  const f = env.MOVESET_LOG_FORMAT;
  return f === "pretty" ? true : f === "json" ? false : tty;
}

/** pino-pretty on stdout, synchronously: one line per entry, `HH:MM:ss LEVEL component: message key=value ...`. */
function prettyStream(): DestinationStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pretty = require("pino-pretty") as (o: Record<string, unknown>) => DestinationStream;
  return pretty({
    destination: 1,
    sync: true,
    colorize: !!process.stdout.isTTY,
    singleLine: true,
    translateTime: "SYS:HH:MM:ss",
    ignore: "pid,hostname,component",
    messageFormat: "{if component}{component}: {end}{msg}",
  });
}

export function createLogger(o: LogOptions = {}): Logger {
  const dest = o.destination ?? (prettyLogs() ? prettyStream() : pino.destination({ dest: 1, sync: true }));
  return pino(
    {
      level: o.level ?? defaultLevel(),
      base: { pid: process.pid, ...(o.base ?? {}) },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          // Make bigints in merged objects printable (pino would throw on them).
          if (args.length > 0 && typeof args[0] === "object" && args[0] !== null && !(args[0] instanceof Error)) {
            args[0] = JSON.parse(JSON.stringify(args[0], serializeValue));
          }
          return method.apply(this, args as Parameters<typeof method>);
        },
      },
    },
    typeof dest === "number" ? pino.destination({ dest, sync: true }) : dest,
  );
}

let root: Logger | undefined;

/** The process-wide logger (created on first use). */
export function rootLogger(): Logger {
  if (!root) root = createLogger();
  return root;
}

export function setRootLogger(l: Logger): void {
  root = l;
}

/** A child logger for one component. */
export function componentLogger(component: string, parent: Logger = rootLogger()): Logger {
  return parent.child({ component });
}

/** Message of an unknown thrown value. */
export function errMsg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
