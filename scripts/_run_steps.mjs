// The step runner behind scripts/test_all.mjs: runs commands in order, streams their output,
// stops at the first failure, and ends with one summary line per runtime.
//
// It never calls process.exit(). When stdout is a pipe, Node writes to it asynchronously, and
// process.exit() throws away whatever is still queued: under `npm test | tail` the last
// megabytes of Bun's output and the whole summary used to vanish while the exit status said
// nothing. Instead every write goes through the stream (pausing the child on backpressure), the
// summary is written only after both of our streams have flushed, and the exit status is left
// in process.exitCode for Node to return once everything is out.
import { spawn } from "node:child_process";

/**
 * @typedef {object} Counts
 * @property {number | undefined} passed
 * @property {number | undefined} failed
 */

/**
 * @typedef {object} Step
 * @property {string} title shown in the step's header and in the failure message
 * @property {string} command the executable to run
 * @property {string[] | (() => string[])} args its arguments; a function is called when the
 *   step starts, for arguments that depend on an earlier step's output
 * @property {{ runtime: string, read: (output: string) => Counts }} [parse] for a test step: the
 *   runtime it counts for, and how to read the counts from its output (stdout then stderr)
 * @property {boolean} [quiet] print the output only if the step fails
 */

/**
 * Resolves once every write queued on `stream` so far has been handed to the OS: write
 * callbacks run in order, so the callback of an empty write runs after all earlier ones.
 *
 * @param {import("node:stream").Writable} stream
 * @returns {Promise<void>}
 */
export function flushed(stream) {
  return new Promise((resolve) => stream.write("", () => resolve()));
}

/**
 * Copies a child's output stream to ours, pausing the child when ours is full, and keeps the
 * text for the count parser (or for printing later, for a quiet step).
 *
 * @param {import("node:stream").Readable} from
 * @param {import("node:stream").Writable | undefined} to where to copy, or nowhere (quiet)
 * @param {string[]} keep receives every chunk as text
 */
function tee(from, to, keep) {
  from.setEncoding("utf8");
  from.on("data", (chunk) => {
    keep.push(chunk);
    if (to && !to.write(chunk)) {
      from.pause();
      to.once("drain", () => from.resume());
    }
  });
}

/**
 * Runs one command to completion.
 *
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd: string, env: NodeJS.ProcessEnv, quiet: boolean }} options
 * @returns {Promise<{ code: number | null, signal: string | null, error: Error | undefined,
 *   stdout: string, stderr: string }>}
 */
function runCommand(command, args, { cwd, env, quiet }) {
  return new Promise((resolve) => {
    const stdout = [];
    const stderr = [];
    let error;
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    tee(child.stdout, quiet ? undefined : process.stdout, stdout);
    tee(child.stderr, quiet ? undefined : process.stderr, stderr);
    child.on("error", (err) => error = err);
    // 'close' comes after the exit and after both output streams have ended.
    child.on(
      "close",
      (code, signal) =>
        resolve({ code, signal, error, stdout: stdout.join(""), stderr: stderr.join("") }),
    );
  });
}

/**
 * Runs `steps` in order and stops at the first that fails. A test step fails as well when its
 * output holds no test counts, or counts no test at all. Ends with the summary: one line per
 * runtime in `runtimes`, `name: N passed, N failed` for each that ran and `name: not run` for
 * the others (never a made-up "0 passed"), written after all other output. Sets `process.exitCode` (0 or 1) and returns it;
 * the caller should then simply return, so Node flushes stdout before it exits.
 *
 * @param {Step[]} steps
 * @param {{ cwd: string, env?: NodeJS.ProcessEnv, runtimes: string[],
 *   notes?: () => string[] }} options `notes` gives lines printed just before the summary
 *   (which runtime versions ran, say)
 * @returns {Promise<number>}
 */
export async function runSteps(steps, { cwd, env = process.env, runtimes, notes }) {
  /** @type {Map<string, Counts>} */
  const counts = new Map();
  /** Runtimes whose test step ran but printed no counts we could read. */
  const uncounted = new Set();
  let failure;
  for (const step of steps) {
    const args = typeof step.args === "function" ? step.args() : step.args;
    const quiet = step.quiet ?? false;
    console.log(`\n=== ${step.title}: ${[step.command, ...args].join(" ")}`);
    const started = Date.now();
    const result = await runCommand(step.command, args, { cwd, env, quiet });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    // The step's own output goes out before the line that says how it ended.
    await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
    let problem;
    if (result.error) problem = `could not start: ${result.error.message}`;
    else if (result.code !== 0) problem = `exit ${result.code ?? result.signal}`;
    if (step.parse) {
      const read = step.parse.read(`${result.stdout}\n${result.stderr}`);
      if (read.passed === undefined || read.failed === undefined) {
        problem ??= "no test counts found in its output";
        uncounted.add(step.parse.runtime);
      } else {
        counts.set(step.parse.runtime, read);
        if (read.passed + read.failed === 0) problem ??= "it ran no tests";
      }
    }
    if (problem) {
      if (quiet) {
        process.stdout.write(result.stdout);
        process.stderr.write(result.stderr);
      }
      failure = step.title;
      console.error(`\n=== ${step.title} failed (${problem}) after ${seconds} s`);
      break;
    }
    console.log(`=== ${step.title} ok (${seconds} s)`);
  }
  const lines = [...(notes?.() ?? [])];
  if (failure) lines.push(`Stopped at the failed step "${failure}".`);
  lines.push("", "Summary");
  for (const runtime of runtimes) {
    const c = counts.get(runtime);
    if (c) lines.push(`${runtime}: ${c.passed} passed, ${c.failed} failed`);
    else {lines.push(
        `${runtime}: ${uncounted.has(runtime) ? "ran, but no counts found" : "not run"}`,
      );}
  }
  const code = failure ? 1 : 0;
  // Everything the steps printed, on both streams, goes out before the summary.
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.stdout.write(`\n${lines.join("\n")}\n`);
  process.exitCode = code;
  return code;
}
