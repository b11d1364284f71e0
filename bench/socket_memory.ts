/**
 * What one UDP socket of this runtime's adapter costs: binds N loopback sockets (each with a
 * datagram handler, as a node's), collects garbage, and prints the heap, external and RSS per
 * socket (docs/performance.md, "Memory per node": a node's share that is the runtime's, not ours).
 *
 *   deno run -A --unstable-net --v8-flags=--expose-gc bench/socket_memory.ts [sockets=300]
 *   bun bench/socket_memory.ts [sockets=300]
 *   node --expose-gc npm/esm/bench/socket_memory.js [sockets=300]   (after scripts/build_npm.ts)
 *
 * @module
 */
import { createUdpTransport } from "../adapters/runtime.ts";
import type { DatagramTransport } from "../src/transport/datagram_transport.ts";
import { readMemory } from "./_memory.ts";
import { benchArgs, runtimeLabel } from "./_runtime.ts";

const count = Number(benchArgs()[0] ?? 300);
if (!Number.isSafeInteger(count) || count < 1 || count > 2000) {
  throw new RangeError(`Invalid socket count: expected 1-2000, got ${benchArgs()[0]}`);
}
// One socket first, closed again: the adapter's code is compiled then, and is no socket's cost.
await (await createUdpTransport({ port: 0, hostname: "127.0.0.1" })).close();
const before = readMemory();
const sockets: DatagramTransport[] = [];
try {
  for (let i = 0; i < count; i++) {
    const socket = await createUdpTransport({ port: 0, hostname: "127.0.0.1" });
    socket.onDatagram(() => {});
    sockets.push(socket);
  }
  // Let receive loops reach their first pending receive.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const after = readMemory();
  const kb = (bytes: number) => Math.round((bytes / count / 1024) * 100) / 100;
  console.log(JSON.stringify({
    bench: "socket_memory",
    runtime: runtimeLabel(),
    sockets: count,
    heapPerSocketKB: kb(after.heapUsed - before.heapUsed),
    externalPerSocketKB: kb(after.external - before.external),
    rssPerSocketKB: kb(after.rss - before.rss),
    gc: after.gc,
  }));
} finally {
  for (const socket of sockets) await socket.close();
}
