// `npm test` must survive a pipe: scripts/_run_steps.mjs (the runner behind scripts/test_all.mjs)
// is run under Node with megabytes of step output, its stdout and stderr merged into one pipe
// (as `npm test 2>&1 | tail -5` does) or one file, and the whole output, the summary lines last,
// and the exit status must all come through, for a passing run and for a failing step.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Lines each noisy step writes to stdout, 100 bytes each: 4 MB, far past a 64 KiB pipe. */
const LINES = 40_000;
/** Filler bytes per stdout line: 99 of one letter and a newline. */
const FILL = 99;
/**
 * The letter each leg fills its lines with, found nowhere else in the output (the step headers
 * show the code, which names it only by char code). Counting letters rather than lines keeps the
 * check exact where a chunk of stderr lands in the middle of a stdout line, as merging two
 * streams into one may do.
 */
const FILLER = { deno: "Q", bun: "W", node: "Z", stderr: "K" };
/** Lines each noisy step writes to stderr, 10 bytes each. */
const ERROR_LINES = 10_000;
/** Upper bound for one driver run; a hang fails the test instead of stalling the suite. */
const RUN_TIMEOUT_MS = 60_000;

// The repository root from this file (tests/scripts/ in the source, npm/esm/tests/scripts/ when
// built), found by the runner it tests.
function repoRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, "scripts", "_run_steps.mjs"))) return dir;
  }
  return undefined;
}

/** The Node the suite uses: the pinned one from npm ci, else whatever `node` is on PATH. */
function nodeBinary(root: string): string {
  const pinned = join(root, "node_modules", ".bin", "node");
  return existsSync(pinned) ? pinned : "node";
}

/** A driver: three fake test legs through runSteps; with "fail", the second leg exits 3. */
function driverSource(runner: string): string {
  return `
import { runSteps } from ${JSON.stringify(runner)};
const fail = process.argv[2] === "fail";
const noisy = (letter, count, exit) =>
  \`const line = String.fromCharCode(\${letter.charCodeAt(0)}).repeat(${FILL}) + "\\\\n";
  for (let i = 0; i < ${LINES}; i++) process.stdout.write(line);
  process.stderr.write((String.fromCharCode(${
    FILLER.stderr.charCodeAt(0)
  }).repeat(9) + "\\\\n").repeat(${ERROR_LINES}));
  console.log("counted \${count}");
  process.exitCode = \${exit};\`;
const parse = (runtime) => ({
  runtime,
  read: (out) => {
    const n = out.match(/counted (\\d+)/)?.[1];
    return { passed: n === undefined ? undefined : Number(n), failed: n === undefined ? undefined : 0 };
  },
});
await runSteps([
  { title: "deno leg", command: process.execPath, args: ["-e", noisy("${FILLER.deno}", 3, 0)], parse: parse("deno") },
  { title: "bun leg", command: process.execPath, args: ["-e", noisy("${FILLER.bun}", 4, fail ? 3 : 0)], parse: parse("bun") },
  { title: "node leg", command: process.execPath, args: ["-e", noisy("${FILLER.node}", 5, 0)], parse: parse("node") },
], { cwd: process.cwd(), runtimes: ["deno", "bun", "node"] });
`;
}

interface Run {
  code: number | null;
  output: string;
}

/** Runs `sh -c script node driver [arg]`, returning its exit status and what it wrote to stdout. */
function runShell(script: string, node: string, driver: string, arg: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", script, node, driver, arg], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const chunks: Uint8Array[] = [];
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`driver did not finish within ${RUN_TIMEOUT_MS} ms`));
    }, RUN_TIMEOUT_MS);
    child.stdout.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output: new TextDecoder().decode(concat(chunks)) });
    });
  });
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function count(output: string, text: string): number {
  return output.split(text).length - 1;
}

/** The last `n` lines of `output`, without the final newline. */
function tail(output: string, n: number): string[] {
  return output.replace(/\n$/, "").split("\n").slice(-n);
}

const root = repoRoot();
const skip = root === undefined
  ? "scripts/_run_steps.mjs not found above the tests"
  : (globalThis as { process?: { platform?: string } }).process?.platform === "win32"
  ? "needs a POSIX sh to merge stdout and stderr"
  : false;

describe("npm test step runner (scripts/_run_steps.mjs) under Node", { skip }, () => {
  /** Stdout and stderr merged into one pipe that this test reads, or into one file. */
  const targets = {
    pipe: (run: (script: string) => Promise<Run>) => run(`exec "$0" "$1" "$2" 2>&1`),
    file: async (run: (script: string) => Promise<Run>, file: string) => {
      const { code } = await run(`exec "$0" "$1" "$2" >"${file}" 2>&1`);
      return { code, output: readFileSync(file, "utf8") };
    },
  };

  for (const target of ["pipe", "file"] as const) {
    for (const failing of [false, true]) {
      const what = failing ? "a failing step stops the run" : "every step passes";
      it(`to a ${target}: ${what}, no output is lost, the summary comes last, the exit status is right`, async () => {
        const work = mkdtempSync(join(tmpdir(), "kdht-run-steps-"));
        try {
          const driver = join(work, "driver.mjs");
          const runner = pathToFileURL(join(root!, "scripts", "_run_steps.mjs")).href;
          writeFileSync(driver, driverSource(runner));
          const run = (script: string): Promise<Run> =>
            runShell(script, nodeBinary(root!), driver, failing ? "fail" : "pass");
          const { code, output } = target === "pipe"
            ? await targets.pipe(run)
            : await targets.file(run, join(work, "out.log"));

          const all = LINES * FILL;
          assert.equal(count(output, FILLER.deno), all, "all of the first step's stdout");
          assert.equal(count(output, FILLER.bun), all, "all of the second step's stdout");
          const errors = (failing ? 2 : 3) * ERROR_LINES * 9;
          assert.equal(count(output, FILLER.stderr), errors, "all the steps' stderr");
          if (failing) {
            assert.equal(count(output, FILLER.node), 0, "no step runs after a failure");
            assert.deepEqual(tail(output, 4), [
              "Summary",
              "deno: 3 passed, 0 failed",
              "bun: 4 passed, 0 failed",
              "node: not run",
            ]);
            assert.equal(code, 1);
          } else {
            assert.equal(count(output, FILLER.node), all, "all of the last step's stdout");
            assert.deepEqual(tail(output, 4), [
              "Summary",
              "deno: 3 passed, 0 failed",
              "bun: 4 passed, 0 failed",
              "node: 5 passed, 0 failed",
            ]);
            assert.equal(code, 0);
          }
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      });
    }
  }
});
