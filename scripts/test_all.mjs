#!/usr/bin/env node
// The README's test command (`npm test`): every check, on every runtime, in order.
// It stops at the first failing step, and ends with one line per runtime giving the tests
// passed and failed, in the "N passed, N failed" form CI reads (scripts/_run_steps.mjs).
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runSteps } from "./_run_steps.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);

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

const deno = bin("deno");
const steps = [
  { title: "format", command: deno, args: ["fmt", "--check"] },
  { title: "lint", command: deno, args: ["lint"] },
  {
    title: "type check",
    command: deno,
    args: ["check", "mod.ts", "testing.ts", "adapters/", "tests/", "bench/", "scripts/"],
  },
  // Every export documented (JSR's score, STYLE.md); quiet because Deno warns about @types/node.
  {
    title: "doc lint",
    command: deno,
    args: [
      "doc",
      "--lint",
      "mod.ts",
      "testing.ts",
      "adapters/deno.ts",
      "adapters/bun.ts",
      "adapters/node.ts",
    ],
    quiet: true,
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
    command: bin("bun"),
    args: ["test", "--timeout", "60000"],
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
    command: process.execPath,
    // The compiled tests exist only once the build step has run.
    args: () => ["--test", "--test-reporter=spec", ...testFiles(join(root, "npm", "esm", "tests"))],
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
    command: process.execPath,
    args: [join(root, "scripts", "pack_smoke.mjs")],
  },
];

await runSteps(steps, {
  cwd: root,
  env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  runtimes: ["deno", "bun", "node"],
});
