/**
 * Command-line handling shared by the two comparison orchestrators (`vs_bittorrent_dht.ts`,
 * `krpc_load.ts`): the runtime list, progress on stderr, where the run happened, and the
 * JSON document on stdout (and in `--out`).
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import process from "node:process";
import type { Runtime } from "./_spawn.ts";
import type { Figures } from "./_stats.ts";
import { runtimeLabel } from "./_runtime.ts";

const RUNTIMES: readonly Runtime[] = ["deno", "bun", "node"];

/**
 * `--runtimes deno,bun,node` (all three by default).
 * @throws {TypeError} naming an unknown runtime
 */
export function runtimesFlag(flags: Map<string, string>): Runtime[] {
  const names = (flags.get("runtimes") ?? RUNTIMES.join(",")).split(",").filter(Boolean);
  for (const name of names) {
    if (!RUNTIMES.includes(name as Runtime)) {
      throw new TypeError(`Invalid flag: '--runtimes' takes deno, bun and node, got ${name}`);
    }
  }
  return names as Runtime[];
}

/** A progress line on stderr, so stdout stays one JSON document. */
export function log(message: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** Where and when the run happened; `loadavg` is sampled again at the end. */
export function machine(): Figures {
  return {
    date: new Date().toISOString(),
    orchestrator: runtimeLabel(),
    cpu: `${cpus()[0]?.model ?? "?"} x${cpus().length}`,
    loadAverageAtStart: loadavg().map((v) => v.toFixed(2)).join(" "),
  };
}

/** Prints the document and writes it to `--out` if given. */
export function emit(flags: Map<string, string>, document: Figures): void {
  const where = document.machine as Figures;
  where.loadAverageAtEnd = loadavg().map((v) => v.toFixed(2)).join(" ");
  const text = JSON.stringify(document, null, 2);
  const out = flags.get("out");
  if (out) writeFileSync(out, text + "\n");
  console.log(text);
  process.exit(0);
}
