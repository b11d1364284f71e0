#!/usr/bin/env node
// The README's test command (`npm test`): every check, on every runtime, in order.
// It stops at the first failing step, and ends with one line per runtime giving the tests
// passed and failed, in the "N passed, N failed" form CI reads.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const results = [];

function run(title, command, args, parse, { quiet = false } = {}) {
  console.log(`\n=== ${title}: ${[command, ...args].join(" ")}`);
  const started = Date.now();
  const child = spawnSync(command, args, {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  if (!quiet || child.status !== 0) {
    process.stdout.write(child.stdout ?? "");
    process.stderr.write(child.stderr ?? "");
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (parse) {
    results.push({ runtime: parse.runtime, ...parse.read(`${child.stdout}\n${child.stderr}`) });
  }
  if (child.status !== 0) {
    console.error(
      `\n=== ${title} failed (exit ${child.status ?? child.signal}) after ${seconds} s`,
    );
    finish(1);
  }
  console.log(`=== ${title} ok (${seconds} s)`);
}

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

function finish(code) {
  console.log("\nSummary");
  for (const { runtime, passed, failed } of results) {
    console.log(`${runtime}: ${passed ?? 0} passed, ${failed ?? 0} failed`);
  }
  process.exit(code);
}

const deno = bin("deno");
run("format", deno, ["fmt", "--check"]);
run("lint", deno, ["lint"]);
run("type check", deno, [
  "check",
  "mod.ts",
  "testing.ts",
  "cli.ts",
  "examples/",
  "adapters/",
  "tests/",
  "bench/",
  "scripts/",
]);
// Every export documented (JSR's score, STYLE.md).
run(
  "doc lint",
  deno,
  [
    "doc",
    "--lint",
    "mod.ts",
    "testing.ts",
    "adapters/deno.ts",
    "adapters/bun.ts",
    "adapters/node.ts",
  ],
);
run("deno test", deno, ["test", "-A", "--parallel"], {
  runtime: "deno",
  // Deno counts describe blocks as tests and their `it` cases as steps; report the steps,
  // which are the cases the other runtimes count.
  read: (out) => ({
    passed: lastNumber(out, /passed \((\d+) steps?\)/g) ?? lastNumber(out, /\|\s+(\d+) passed/g),
    failed: lastNumber(out, /failed \((\d+) steps?\)/g) ?? lastNumber(out, /\|\s+(\d+) failed/g),
  }),
});
run("bun test", bin("bun"), ["test", "--timeout", "60000"], {
  runtime: "bun",
  read: (out) => ({
    passed: lastNumber(out, /^\s*(\d+) pass$/gm),
    failed: lastNumber(out, /^\s*(\d+) fail$/gm),
  }),
});
run("build npm", deno, ["run", "-A", "scripts/build_npm.ts"]);
run("node test (built package)", process.execPath, [
  "--test",
  "--test-reporter=spec",
  ...testFiles(join(root, "npm", "esm", "tests")),
], {
  runtime: "node",
  read: (out) => ({
    passed: lastNumber(out, /^ℹ pass (\d+)$/gm),
    failed: lastNumber(out, /^ℹ fail (\d+)$/gm),
  }),
});
run("npm pack smoke test", process.execPath, [join(root, "scripts", "pack_smoke.mjs")]);
finish(0);
