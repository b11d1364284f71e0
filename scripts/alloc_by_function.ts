/**
 * Where the churn run allocates: runs `hours` simulated hours of the churn run of
 * tests/maintenance (300 nodes, 10 % replaced every 2 h, 500 values, seed 7) under V8's sampling
 * heap profiler, keeping the samples of objects already collected, and prints the bytes
 * allocated per datagram and the functions that allocated most (docs/performance.md).
 *
 * Run: `npm run build:npm && node npm/esm/scripts/alloc_by_function.js [hours = 6]`
 * (Node: `node:inspector`'s HeapProfiler.startSampling).
 *
 * @module
 */
import { Session } from "node:inspector/promises";
import process from "node:process";
import { runChurn } from "../tests/_helpers/churn.ts";
import { churnRunOptions } from "../tests/maintenance/_churn_run.ts";

interface SampleNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SampleNode[];
}

const hours = Number(process.argv[2] ?? 6);
if (!(hours > 0 && hours <= 48)) {
  throw new RangeError(`Invalid hours: expected 0-48, got ${process.argv[2]}`);
}
const session = new Session();
session.connect();
await session.post("HeapProfiler.enable");
await session.post("HeapProfiler.startSampling", {
  samplingInterval: 16384,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
const result = await runChurn(churnRunOptions(true, hours));
const { profile } = await session.post("HeapProfiler.stopSampling") as {
  profile: { head: SampleNode };
};
session.disconnect();

const bytesBy = new Map<string, number>();
let total = 0;
const stack = [profile.head];
while (stack.length > 0) {
  const node = stack.pop()!;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = `${functionName || "(anonymous)"} ${
    url.split("/").slice(-2).join("/")
  }:${lineNumber}`;
  bytesBy.set(where, (bytesBy.get(where) ?? 0) + node.selfSize);
  total += node.selfSize;
  stack.push(...node.children);
}
console.log(
  `${hours} h: ${result.datagrams} datagrams, ${(total / 1e6).toFixed(0)} MB sampled, ` +
    `${(total / result.datagrams / 1000).toFixed(1)} KB per datagram`,
);
for (const [where, bytes] of [...bytesBy].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  const share = ((100 * bytes) / total).toFixed(1).padStart(5);
  console.log(`${(bytes / 1e6).toFixed(1).padStart(7)} MB ${share} %  ${where}`);
}
