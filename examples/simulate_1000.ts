/**
 * A simulated network of 1,000 nodes in one process: an in-memory network with 10–100 ms of
 * latency and 1% loss, driven by a virtual clock, so minutes of protocol time take seconds and
 * the same seed gives the same run. The nodes join one by one, 100 values are stored from random
 * nodes and read back from others.
 *
 *   deno run -A examples/simulate_1000.ts [nodes]
 *   bun examples/simulate_1000.ts [nodes]
 *   node examples/simulate_1000.ts [nodes]     (Node 22.18+; in a checkout, after
 *                                              `npm run build:npm`)
 *
 * @module
 */
import process from "node:process";
import { KademliaNode, SeededRandom } from "@kdht/core";
import { MemoryNetwork, uniformLatency, VirtualClock } from "@kdht/core/testing";

const size = Number(process.argv[2] ?? 1000);
const clock = new VirtualClock();
const random = new SeededRandom(1000);
const network = new MemoryNetwork({ clock, random, latency: uniformLatency(10, 100), loss: 0.01 });
const pick = (n: number) => Math.floor(random.float() * n);
const wall = performance.now();

const nodes: KademliaNode[] = [];
for (let i = 0; i < size; i++) {
  const node = new KademliaNode({ transport: network.bind, clock, random });
  // Addresses of the memory network: nothing is sent on a real interface.
  await node.listen(6881, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  if (i > 0) {
    // Three known nodes to join through: with 1% loss, one can miss a datagram.
    const seeds = [pick(i), pick(i), pick(i)].map((j) => nodes[j]!.address!);
    await clock.runUntilSettled(node.bootstrap(seeds));
  }
  nodes.push(node);
}
const joined = clock.now();
console.log(`${size} nodes joined in ${(joined / 1000).toFixed(0)} s of simulated time`);

let rounds = 0;
let lookups = 0;
for (const node of nodes) {
  node.addEventListener("lookup-finished", (event) => {
    if (event.method !== "find_value") return;
    rounds += event.rounds;
    lookups++;
  });
}
let found = 0;
const values = 100;
for (let i = 0; i < values; i++) {
  await clock.runUntilSettled(nodes[pick(size)]!.set(`key-${i}`, `value-${i}`));
  const value = await clock.runUntilSettled(nodes[pick(size)]!.get(`key-${i}`));
  if (value === `value-${i}`) found++;
}
const datagrams = network.stats().sent;
console.log(
  `read back ${found}/${values} values; ${
    (rounds / Math.max(1, lookups)).toFixed(2)
  } rounds per read`,
);
console.log(
  `${datagrams} datagrams in ${((clock.now() - joined) / 1000).toFixed(1)} s of simulated time`,
);
console.log(`wall time ${((performance.now() - wall) / 1000).toFixed(1)} s`);
for (const node of nodes) await node.close();
if (found !== values) process.exitCode = 1;
