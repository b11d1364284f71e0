// Starts real processes for the command-line and example tests, with the executable of the
// runtime running the test: `deno run -A` in Deno, `bun` in Bun, `node` on the compiled copy
// in Node. Every process is bounded in time and killed if it overstays.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The runtime running this test. */
export const RUNTIME: "deno" | "bun" | "node" = (() => {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  return g.Deno ? "deno" : g.Bun ? "bun" : "node";
})();

/** The tree this test file lives in: the checkout (tests/) or the npm build (npm/esm/tests/). */
export const TREE: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "tests", "_helpers"))) {
    if (dir === dirname(dir)) throw new Error("tests/_helpers not found above this file");
    dir = dirname(dir);
  }
  return dir;
})();

/** The checkout's root (where deno.json is), from either tree. */
export const ROOT: string = (() => {
  let dir = TREE;
  while (!existsSync(join(dir, "deno.json"))) {
    if (dir === dirname(dir)) throw new Error("deno.json not found above the tests");
    dir = dirname(dir);
  }
  return dir;
})();

/** A source file of the tree, as this runtime runs it (`.ts`, or the compiled `.js` in Node). */
export function treeFile(path: string): string {
  return join(TREE, RUNTIME === "node" ? path.replace(/\.ts$/, ".js") : path);
}

/** The command that runs a script file in this runtime. */
export function runtimeCommand(script: string): [string, string[]] {
  if (RUNTIME === "deno") return [process.execPath, ["run", "-A", "--unstable-net", script]];
  return [process.execPath, [script]];
}

/** A started process. */
export interface Running {
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout+stderr, within `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or the signal's name) once it exits. */
  readonly exited: Promise<number | string>;
  /**
   * Sends a signal by pid. (Deno's `child.kill()` reports the signal it sent as the way the
   * child ended even when the child handled it and exited 0.)
   */
  signal(name: "SIGINT" | "SIGTERM"): void;
  /** Kills it if it still runs. */
  stop(): void;
}

/**
 * Starts `script args…` in this runtime; it is killed after `limitMs`.
 *
 * @param script the file to run
 * @param args its arguments
 * @param limitMs the most it may run
 */
export function start(script: string, args: readonly string[], limitMs = 60_000): Running {
  const [command, prefix] = runtimeCommand(script);
  const child = spawn(command, [...prefix, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  child.stdout!.on("data", (chunk) => {
    out += String(chunk);
    notify();
  });
  child.stderr!.on("data", (chunk) => {
    err += String(chunk);
    notify();
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  const exited = new Promise<number | string>((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      notify();
      resolve(code ?? signal ?? "unknown");
    });
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    signal: (name) => void process.kill(child.pid!, name),
    stop: () => void (alive() && child.kill("SIGKILL")),
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = (out + err).match(pattern);
          if (match) {
            done();
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`exited before ${pattern}:\n${out}\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${out}\n${err}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/**
 * Runs `script args…` to the end (at most `limitMs`).
 *
 * @returns the exit code and output
 */
export async function run(
  script: string,
  args: readonly string[],
  limitMs = 60_000,
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const running = start(script, args, limitMs);
  const code = await running.exited;
  return { code, stdout: running.stdout(), stderr: running.stderr() };
}

/** The kdht command line of this tree. */
export const CLI: string = treeFile("cli.ts");

/** Runs `kdht args…`. */
export function kdht(
  args: readonly string[],
  limitMs?: number,
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  return run(CLI, args, limitMs);
}
