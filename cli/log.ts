/**
 * The command line's log: one line per event on stderr, `time level message key=value…`,
 * at `--log-level` and above.
 *
 * @module
 */
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from "../mod.ts";
import { UsageError } from "./args.ts";
import type { Output } from "./output.ts";

/**
 * Reads `--log-level`.
 *
 * @throws {UsageError} unless it is a level
 */
export function logLevelOption(text: unknown, fallback: LogLevel): LogLevel | "silent" {
  if (text === undefined) return fallback;
  if (!(LOG_LEVELS as readonly unknown[]).includes(text)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(", ")}, got '${text}'`);
  }
  return text as LogLevel | "silent";
}

/**
 * A logger writing timestamped lines to stderr.
 *
 * @param level the lowest level written
 * @param output where to write
 */
export function cliLogger(level: LogLevel | "silent", output: Output): Logger {
  return createLogger({
    level,
    write: (line) => output.err(`${new Date().toISOString()} ${line}`),
  });
}
