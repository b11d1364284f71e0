/**
 * Where a simulated node's heap goes: grows a `Simulation` of N nodes (seed 7), collects
 * garbage, writes a V8 heap snapshot and prints the self sizes per node, summed by type and
 * constructor, largest first (docs/performance.md, "Memory per node").
 *
 * Run: `npm run build:npm && node --expose-gc npm/esm/scripts/heap_by_type.js [nodes = 1000]`
 * (Node: `node:v8`'s `writeHeapSnapshot`).
 *
 * @module
 */
import { readFileSync, rmSync } from "node:fs";
import process from "node:process";
import { writeHeapSnapshot } from "node:v8";
import { Simulation } from "../src/testing/simulator/simulation.ts";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

const size = Number(process.argv[2] ?? 1000);
if (!Number.isSafeInteger(size) || size < 2 || size > 20_000) {
  throw new RangeError(`Invalid node count: expected 2-20000, got ${process.argv[2]}`);
}
const sim = new Simulation({ seed: 7 });
await sim.grow(size);
(globalThis as { gc?: () => void }).gc?.();
const file = writeHeapSnapshot();
const snapshot = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
rmSync(file);
await sim.close();

const { node_fields: fields, node_types: [types] } = snapshot.snapshot.meta;
const width = fields.length;
const typeAt = fields.indexOf("type");
const nameAt = fields.indexOf("name");
const sizeAt = fields.indexOf("self_size");
const totals = new Map<string, { bytes: number; count: number }>();
let all = 0;
for (let i = 0; i < snapshot.nodes.length; i += width) {
  const type = types[snapshot.nodes[i + typeAt]!]!;
  const named = type === "object" || type === "closure" || type === "native";
  const key = named ? `${type} ${snapshot.strings[snapshot.nodes[i + nameAt]!]}` : type;
  const entry = totals.get(key) ?? { bytes: 0, count: 0 };
  entry.bytes += snapshot.nodes[i + sizeAt]!;
  entry.count++;
  totals.set(key, entry);
  all += snapshot.nodes[i + sizeAt]!;
}
console.log(`${size} nodes: ${(all / 1024 / size).toFixed(1)} KB of heap per node`);
const rows = [...totals].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 25);
for (const [key, { bytes, count }] of rows) {
  const kb = (bytes / 1024 / size).toFixed(2).padStart(6);
  console.log(`${kb} KB/node  ${(count / size).toFixed(1).padStart(7)} per node  ${key}`);
}
