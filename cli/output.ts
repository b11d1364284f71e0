/**
 * Where the command line writes: results to stdout, progress and log lines to stderr.
 *
 * @module
 */
import process from "node:process";

/** The command's two streams. */
export interface Output {
  /** A result line (stdout). */
  out(line: string): void;
  /** A message line (stderr). */
  err(line: string): void;
  /** Writes to stderr without a newline (progress bars). */
  errRaw(text: string): void;
  /** True if stderr is a terminal (progress bars redraw in place). */
  readonly errIsTty: boolean;
  /** The terminal's width, or 80. */
  readonly columns: number;
}

/** The process's own stdout and stderr. */
export function processOutput(): Output {
  return {
    out: (line) => void process.stdout.write(line + "\n"),
    err: (line) => void process.stderr.write(line + "\n"),
    errRaw: (text) => void process.stderr.write(text),
    errIsTty: process.stderr.isTTY === true,
    columns: process.stderr.columns ?? 80,
  };
}
