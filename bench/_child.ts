/**
 * The frame of every measurement child process the comparison benchmarks spawn: it prints one
 * JSON line on stdout and exits; it exits on its own when its parent goes away (stdin closes)
 * or when `--deadline-s` passes, so no child outlives its run.
 *
 * @module
 */
import process from "node:process";
import type { Figures } from "./_stats.ts";
import { benchFlags, numberFlag, runtimeLabel } from "./_runtime.ts";

/** Exits when the parent closes our stdin or the deadline passes. */
export function guardLifetime(flags: Map<string, string>): void {
  const deadline = numberFlag(flags, "deadline-s", 900, 1, 7200);
  setTimeout(() => {
    console.error(`child: deadline of ${deadline} s passed, exiting`);
    process.exit(3);
  }, deadline * 1000).unref?.();
  process.stdin.on("end", () => process.exit(4));
  process.stdin.on("error", () => process.exit(4));
  process.stdin.resume();
}

/**
 * Runs `work` with the command-line flags, prints its figures (with the runtime) as one JSON
 * line, and exits 0; on failure prints `{ error }` and exits 1.
 */
export async function runChild(
  work: (flags: Map<string, string>) => Promise<Figures>,
): Promise<void> {
  const flags = benchFlags();
  guardLifetime(flags);
  try {
    const figures = await work(flags);
    console.log(JSON.stringify({ runtime: runtimeLabel(), ...figures }));
    process.exit(0);
  } catch (error) {
    console.log(
      JSON.stringify({ runtime: runtimeLabel(), error: String((error as Error)?.stack ?? error) }),
    );
    process.exit(1);
  }
}
