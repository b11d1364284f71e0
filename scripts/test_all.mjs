#!/usr/bin/env node
// The README's test command (`npm test`): every check, on every runtime, in order.
// It stops at the first failing step, and ends with one line per runtime giving the tests
// passed and failed, in the "N passed, N failed" form CI reads (scripts/_run_steps.mjs).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runSteps } from "./_run_steps.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const binDir = join(root, "node_modules", ".bin");
const bin = (name) => join(binDir, name);

// Every runtime comes from npm ci, pinned in package.json: Deno and Bun, and the Node the Node
// leg runs on (the `node` package), whatever `node` is on PATH or runs this script.
const deno = bin("deno");
const bun = bin("bun");
const node = bin("node");

function lastNumber(text, pattern) {
  const matches = [...text.matchAll(pattern)];
  return matches.length ? Number(matches.at(-1)[1]) : undefined;
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith("_") ? [] : testFiles(path);
    return entry.name.endsWith("_test.js") ? [path] : [];
  });
}

async function main() {
  const version = (command) => execFileSync(command, ["--version"], { encoding: "utf8" }).trim();
  const versions = [
    `deno ${version(deno).split("\n")[0].split(" ")[1]}`,
    `bun ${version(bun)}`,
    `node ${version(node).replace(/^v/, "")} (${node})`,
  ].join(", ");
  console.log(`Runtimes: ${versions}`);
  const steps = [
    { title: "format", command: deno, args: ["fmt", "--check"] },
    { title: "lint", command: deno, args: ["lint"] },
    {
      title: "type check",
      command: deno,
      args: [
        "check",
        "mod.ts",
        "testing.ts",
        "sqlite.ts",
        "cli.ts",
        "examples/",
        "adapters/",
        "tests/",
        "bench/",
        "scripts/",
      ],
    },
    // Every export documented (JSR's score, STYLE.md).
    {
      title: "doc lint",
      command: deno,
      args: [
        "doc",
        "--lint",
        "mod.ts",
        "testing.ts",
        "sqlite.ts",
        "adapters/deno.ts",
        "adapters/bun.ts",
        "adapters/node.ts",
      ],
    },
    {
      title: "deno test",
      command: deno,
      args: ["test", "-A", "--parallel"],
      parse: {
        runtime: "deno",
        // Deno counts describe blocks as tests and their `it` cases as steps; report the steps,
        // which are the cases the other runtimes count.
        read: (out) => ({
          passed: lastNumber(out, /passed \((\d+) steps?\)/g) ??
            lastNumber(out, /\|\s+(\d+) passed/g),
          failed: lastNumber(out, /failed \((\d+) steps?\)/g) ??
            lastNumber(out, /\|\s+(\d+) failed/g),
        }),
      },
    },
    {
      title: "bun test",
      command: bun,
      // Two test files at a time, as deno --parallel and node --test-concurrency=2.
      args: ["test", "--parallel=2", "--timeout", "60000"],
      parse: {
        runtime: "bun",
        read: (out) => ({
          passed: lastNumber(out, /^\s*(\d+) pass$/gm),
          failed: lastNumber(out, /^\s*(\d+) fail$/gm),
        }),
      },
    },
    { title: "build npm", command: deno, args: ["run", "-A", "scripts/build_npm.ts"] },
    {
      title: "node test (built package)",
      command: node,
      // The compiled tests exist only once the build step has run. Node runs one file less
      // than the CPUs at a time by default, one on a 2-core machine: two, as deno --parallel.
      args: () => [
        "--test",
        "--test-concurrency=2",
        "--test-reporter=spec",
        ...testFiles(join(root, "npm", "esm", "tests")),
      ],
      parse: {
        runtime: "node",
        read: (out) => ({
          passed: lastNumber(out, /^ℹ pass (\d+)$/gm),
          failed: lastNumber(out, /^ℹ fail (\d+)$/gm),
        }),
      },
    },
    {
      title: "npm pack smoke test",
      command: node,
      args: [join(root, "scripts", "pack_smoke.mjs")],
    },
  ];

  await runSteps(steps, {
    cwd: root,
    env: {
      ...process.env,
      // What a step starts by name (npm in the smoke test, and the Node npm itself runs on) finds
      // the pinned runtimes first, as under `npm test`, which puts node_modules/.bin on PATH too.
      PATH: [binDir, process.env.PATH].filter(Boolean).join(delimiter),
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    },
    runtimes: ["deno", "bun", "node"],
    notes: () => [`Runtimes: ${versions}`],
  });
}

const missing = [deno, bun, node].filter((path) => !existsSync(path));
if (missing.length > 0) {
  console.error(`npm test needs ${missing.join(", ")}: run \`npm ci\` first.`);
  process.exitCode = 1;
} else {
  await main();
}
