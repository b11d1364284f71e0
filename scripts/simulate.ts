/**
 * The simulator from the command line: a network of real KademliaNodes on the memory network
 * and virtual time (no packet leaves the process), measured at one or more sizes, or one of the
 * test plan's scenarios C0–C9 (reference/reliability.md § c.5) with its pass criteria.
 *
 * ```sh
 * deno run -A scripts/simulate.ts --nodes 1000,3000,10000 --seed 7 --out results/
 * deno run -A scripts/simulate.ts --preset C3 --out results/
 * bun scripts/simulate.ts --preset all
 * node npm/esm/scripts/simulate.js --nodes 1000     # after deno run -A scripts/build_npm.ts
 * ```
 *
 * Flags: `--nodes N[,N…]` sizes (a scale run; with a preset, its size), `--seed S`,
 * `--preset C0…C9|all`, `--lookups L` per batch, `--k K` (scale run; presets use the plan's
 * k = 8), `--minutes M` of churn (C2, C3), `--out DIR` for the JSON and SVG files. For memory
 * per node after a full collection, give `--v8-flags=--expose-gc` (Deno) or `--expose-gc` (Node).
 *
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises";
import process from "node:process";
import {
  costChartSvg,
  latencyCdfSvg,
  presetById,
  type PresetReport,
  PRESETS,
  runScale,
  type ScalePoint,
} from "../testing.ts";
import { readMemory } from "../bench/_memory.ts";
import { benchArgs, benchFlags, runtimeLabel } from "../bench/_runtime.ts";

const flags = benchFlags(benchArgs());
const known = new Set(["nodes", "seed", "preset", "lookups", "k", "minutes", "out", "help"]);
for (const name of flags.keys()) {
  if (!known.has(name)) fail(`unknown flag --${name}`);
}
if (flags.has("help")) {
  console.log(
    "usage: simulate [--nodes 1000[,3000…]] [--seed 1] [--preset C0…C9|all] [--lookups 500]\n" +
      "                [--k 20] [--minutes M] [--out results/]",
  );
  process.exit(0);
}

function fail(message: string): never {
  console.error(`simulate: ${message}`);
  process.exit(2);
}

function intFlag(name: string, fallback: number | undefined, min: number): number | undefined {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    fail(`--${name} must be an integer >= ${min}, got ${raw}`);
  }
  return value;
}

const sizes = flags.get("nodes")?.split(",").map((s) => Number(s.replaceAll("_", "")));
if (sizes?.some((n) => !Number.isSafeInteger(n) || n < 2)) {
  fail(`--nodes must be integers >= 2, comma-separated, got ${flags.get("nodes")}`);
}
const seed = intFlag("seed", 1, 0)!;
const lookups = intFlag("lookups", undefined, 1);
const minutes = intFlag("minutes", undefined, 1);
const k = intFlag("k", 20, 1)!;
const out = flags.get("out");
const tty = process.stdout.isTTY === true;

/** One progress line: rewritten in place on a terminal, else printed every ~10 %. */
function progress(): (label: string, done: number, total: number) => void {
  let lastLabel = "";
  let lastTenth = -1;
  let lastDraw = 0;
  return (label, done, total) => {
    const fraction = total === 0 ? 1 : done / total;
    if (tty) {
      const now = Date.now();
      if (now - lastDraw < 100 && done < total && label === lastLabel) return;
      lastDraw = now;
      lastLabel = label;
      const line = `${label}: ${done}/${total} (${Math.floor(fraction * 100)} %)`;
      process.stdout.write(`\r${line.padEnd(72)}${done >= total ? "\n" : ""}`);
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (label !== lastLabel) [lastLabel, lastTenth] = [label, -1];
    if (tenth === lastTenth) return;
    lastTenth = tenth;
    console.log(`${label}: ${done}/${total} (${tenth * 10} %)`);
  };
}

async function save(name: string, json: unknown, svgs: Record<string, string>): Promise<void> {
  if (out === undefined) return;
  await mkdir(out, { recursive: true });
  const base = `${out.replace(/\/$/, "")}/${name}`;
  await writeFile(`${base}.json`, JSON.stringify(json, null, 2) + "\n");
  for (const [suffix, svg] of Object.entries(svgs)) await writeFile(`${base}-${suffix}.svg`, svg);
  console.log(`wrote ${base}.json and ${Object.keys(svgs).length} SVG file(s)`);
}

function printPreset(report: PresetReport): void {
  console.log(`\n${report.id} ${report.title} — ${report.verdict} (${report.wallSeconds} s)`);
  console.log(`  ${report.scenario}`);
  for (const c of report.criteria) {
    console.log(`  ${c.verdict.padEnd(4)}  ${c.name}: ${c.measured} (target ${c.target})`);
  }
}

async function runPresets(which: string): Promise<void> {
  const presets = which.toLowerCase() === "all" ? PRESETS : [presetById(which)];
  const show = progress();
  const reports: PresetReport[] = [];
  for (const preset of presets) {
    const report = await preset.run({
      seed,
      ...(sizes === undefined ? {} : { nodes: sizes[0]! }),
      ...(lookups === undefined ? {} : { lookups }),
      ...(minutes === undefined ? {} : { minutes }),
      onProgress: (p) => show(`${p.id} ${p.phase}`, p.done, p.total),
    });
    printPreset(report);
    reports.push(report);
    const svgs: Record<string, string> = report.batches.length === 0
      ? {}
      : { "latency-cdf": latencyCdfSvg(report.batches) };
    await save(`${report.id}-seed${seed}`, { runtime: runtimeLabel(), ...report }, svgs);
  }
  if (presets.length > 1) {
    console.log("\nsummary: " + reports.map((r) => `${r.id} ${r.verdict}`).join(", "));
  }
}

function printPoint(p: ScalePoint): void {
  const l = p.lookups;
  const memory = p.memory === undefined
    ? ""
    : `; RSS ${p.memory.rssMB} MB (${p.memory.rssPerNodeKB} KB/node), heap ${p.memory.heapPerNodeKB} KB/node`;
  console.log(
    `${p.size} nodes: built in ${p.build.wallSeconds} s (${p.build.joinsPerSecond} joins/s)` +
      `${memory}; lookups: success ${l.successPercent} %, recall ${l.recallPercent} %, ` +
      `rounds ${l.rounds.mean} (p95 ${l.rounds.p95}), messages ${l.messages.mean} ` +
      `(p95 ${l.messages.p95}), latency p50/p95/p99 ${l.latencyMs.p50}/${l.latencyMs.p95}/` +
      `${l.latencyMs.p99} ms; ${p.engine.messagesPerSecond} datagrams/s`,
  );
}

async function runSizes(): Promise<void> {
  const show = progress();
  const started = Date.now();
  const points = await runScale({
    sizes: sizes ?? [1000],
    seed,
    k,
    lookups: lookups ?? 500,
    lookupConcurrency: 8,
    memory: () => {
      const m = readMemory();
      return { rss: m.rss, heapUsed: m.heapUsed };
    },
    onProgress: (p) =>
      p.phase === "build"
        ? show(`build to ${p.size}`, p.joined, p.total)
        : show(`lookups at ${p.size}`, p.done, p.total),
  });
  for (const point of points) printPoint(point);
  const gc = readMemory().gc;
  await save(`scale-${points.map((p) => p.size).join("_")}-seed${seed}`, {
    runtime: runtimeLabel(),
    seed,
    k,
    gcBeforeMemoryReadings: gc,
    wallSeconds: (Date.now() - started) / 1000,
    points,
  }, {
    cost: costChartSvg(points),
    "latency-cdf": latencyCdfSvg(
      points.map((p) => ({ name: `${p.size} nodes`, lookups: p.lookups })),
    ),
  });
}

const preset = flags.get("preset");
try {
  if (preset !== undefined) await runPresets(preset);
  else await runSizes();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
