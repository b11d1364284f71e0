/**
 * Child processes for the comparison benchmarks: how to start a bench file on Deno, Bun or Node
 * (Node runs the npm build), a line reader over a child's stdout, a time limit on every child,
 * and a sweep that kills every child still running when the parent exits or is interrupted.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** A runtime a child can run on. */
export type Runtime = "deno" | "bun" | "node";

/** The checkout this file belongs to (the folder with deno.json), from source or npm/esm/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "deno.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("bench: cannot find the repository root (deno.json)");
    dir = up;
  }
  return dir;
}

/** This process's executable when it is Node itself, else the `node` on PATH. */
function nodeExecutable(): string {
  const host = globalThis as { Deno?: unknown; Bun?: unknown };
  return host.Deno === undefined && host.Bun === undefined ? process.execPath : "node";
}

/**
 * The command that runs `bench/<name>.ts` on `runtime`, with garbage collection exposed.
 * @throws {Error} for Node when the npm build is missing
 */
export function benchCommand(runtime: Runtime, name: string, root = repoRoot()): string[] {
  switch (runtime) {
    case "deno":
      return [
        join(root, "node_modules/.bin/deno"),
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        join(root, "bench", `${name}.ts`),
      ];
    case "bun":
      return [join(root, "node_modules/.bin/bun"), join(root, "bench", `${name}.ts`)];
    case "node": {
      const built = join(root, "npm/esm/bench", `${name}.js`);
      if (!existsSync(built)) {
        throw new Error(
          `bench: ${built} is missing; run \`deno run -A scripts/build_npm.ts\` first`,
        );
      }
      return [nodeExecutable(), "--expose-gc", built];
    }
  }
}

const running = new Set<ChildProcess>();
let sweeping = false;

function sweepOnExit(): void {
  if (sweeping) return;
  sweeping = true;
  const killAll = () => {
    for (const child of running) child.kill("SIGKILL");
  };
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** A running child: its stdout line by line, its stdin, its end. */
export class Child {
  readonly #child: ChildProcess;
  readonly #lines: string[] = [];
  readonly #waiters: ((line: string | undefined) => void)[] = [];
  readonly #timer: ReturnType<typeof setTimeout>;
  #partial = "";
  #ended = false;
  /** The last 4 KB of stderr, for error reports. */
  stderr = "";
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;

  /** Starts `command` in `cwd`; kills it with SIGKILL after `timeoutMs`. */
  constructor(command: readonly string[], timeoutMs: number, cwd = repoRoot()) {
    sweepOnExit();
    const [file, ...args] = command;
    this.#child = spawn(file!, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
    running.add(this.#child);
    this.#timer = setTimeout(() => {
      this.stderr += `\n[killed after ${timeoutMs} ms]`;
      this.#child.kill("SIGKILL");
    }, timeoutMs);
    this.#child.stdout!.setEncoding("utf8");
    this.#child.stdout!.on("data", (chunk: string) => this.#take(chunk));
    this.#child.stderr!.setEncoding("utf8");
    this.#child.stderr!.on("data", (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4096);
    });
    this.#child.stdin!.on("error", () => {});
    this.exited = new Promise((resolve) => {
      const end = (code: number | null): void => {
        if (this.#ended) return;
        clearTimeout(this.#timer);
        running.delete(this.#child);
        if (this.#partial) this.#push(this.#partial);
        this.#ended = true;
        for (const wake of this.#waiters.splice(0)) wake(undefined);
        resolve(code);
      };
      this.#child.on("close", end);
      // A child that could not start (no such executable) may never emit "close".
      this.#child.on("error", (error) => {
        this.stderr += `\n${error.message}`;
        if (this.#child.pid === undefined) end(null);
      });
    });
  }

  #push(line: string): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(line);
    else this.#lines.push(line);
  }

  #take(chunk: string): void {
    const parts = (this.#partial + chunk).split("\n");
    this.#partial = parts.pop()!;
    for (const part of parts) if (part.trim()) this.#push(part);
  }

  /** The next line of stdout, or undefined once the child has ended. */
  nextLine(): Promise<string | undefined> {
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The next stdout line that parses as a JSON object. */
  async nextJson(): Promise<Record<string, unknown>> {
    for (;;) {
      const line = await this.nextLine();
      if (line === undefined) {
        throw new Error(`child ended without a JSON line; stderr: ${this.stderr.trim()}`);
      }
      if (!line.startsWith("{")) continue;
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
    }
  }

  /** Writes one line to the child's stdin. */
  send(line: string): void {
    this.#child.stdin!.write(`${line}\n`);
  }

  /** Closes stdin (children exit on it); SIGKILLs if still running after `graceMs`. */
  async stop(graceMs = 3000): Promise<number | null> {
    this.#child.stdin!.end();
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Runs a child to its end and returns its last JSON line. */
export async function runJsonChild(
  command: readonly string[],
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const child = new Child(command, timeoutMs);
  let last: Record<string, unknown> | undefined;
  try {
    for (;;) last = await child.nextJson();
  } catch (error) {
    if (last === undefined) throw error;
  }
  await child.exited;
  return last;
}
