/**
 * `--log-level` and `--log-format` for every command: they set MOVESET_LOG_LEVEL and
 * MOVESET_LOG_FORMAT before any logger exists (node/log.ts reads them). The format defaults to
 * pretty lines when stdout is a terminal, one JSON object per line otherwise.
 */
import { Option, type Command } from "commander";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

export function addLogOptions(program: Command): void {
  program
    .addOption(new Option("--log-level <level>", "log level (default: $MOVESET_LOG_LEVEL or info)").choices([...LOG_LEVELS]))
    .addOption(new Option("--log-format <format>", "pretty lines or JSON (default: pretty in a terminal, JSON otherwise; $MOVESET_LOG_FORMAT)").choices(["pretty", "json"]));
  program.hook("preAction", (cmd) => {
    const o = cmd.opts() as { logLevel?: string; logFormat?: string };
    if (o.logLevel) process.env.MOVESET_LOG_LEVEL = o.logLevel;
    if (o.logFormat) process.env.MOVESET_LOG_FORMAT = o.logFormat;
  });
}
