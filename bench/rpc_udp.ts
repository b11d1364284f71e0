/**
 * RPC capacity of one node over real UDP on loopback: `ping` and `find_node` queries answered
 * per second, as a ratio of the raw datagram echo rate of the same runtime's socket measured
 * in the same run (performance.md row 8: target ≥ 50 % for find_node, ≥ 70 % for ping).
 *
 * One process: a load client keeps a window of queries in flight against one server (a raw
 * echo socket, then a KademliaNode in bencode mode whose table holds 32 contacts, so each
 * find_node reply carries k = 20 compact nodes, 520 bytes). Client and server share one
 * event loop, in both phases alike, so the ratio compares like with like.
 *
 * Run: `deno run -A bench/rpc_udp.ts [seconds]` or `bun bench/rpc_udp.ts [seconds]`.
 *
 * @module
 */
import { createUdpTransport, KademliaNode } from "../mod.ts";
import type { Address, DatagramTransport } from "../mod.ts";
import { BencodeCodec } from "../src/wire/bencode.ts";
import { buildQueryEnvelope } from "../src/wire/envelope.ts";
import { findNode } from "../src/rpc/methods/find_node.ts";
import { ping } from "../src/rpc/methods/ping.ts";
import { benchArgs, runtimeLabel } from "./_runtime.ts";

const args = benchArgs();
const seconds = Number(args[0] ?? 3);
const window = 64;
const codec = new BencodeCodec();

/** Keeps `window` requests in flight for `seconds`; returns replies per second after warm-up. */
async function load(
  client: DatagramTransport,
  to: Address,
  requests: Uint8Array[],
): Promise<number> {
  let replies = 0;
  let counting = false;
  let running = true;
  let next = 0;
  const fire = () => {
    client.send(requests[next++ % requests.length]!, to).catch(() => {});
  };
  client.onDatagram(() => {
    if (counting) replies++;
    if (running) fire();
  });
  for (let i = 0; i < window; i++) fire();
  // A lost datagram shrinks the window; top it up every 50 ms so the load stays steady.
  const topUp = setInterval(() => {
    for (let i = 0; i < 4; i++) fire();
  }, 50);
  await new Promise((resolve) => setTimeout(resolve, 500)); // warm-up, not counted
  counting = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  counting = false;
  running = false;
  clearInterval(topUp);
  const rate = replies / ((performance.now() - started) / 1000);
  await new Promise((resolve) => setTimeout(resolve, 200)); // drain
  return rate;
}

function id(seed: number): Uint8Array {
  return Uint8Array.from({ length: 20 }, (_, i) => (seed * 131 + i * 17) & 255);
}

// Phase 1: raw echo, the ceiling.
const echo = await createUdpTransport({});
echo.onDatagram((data, from) => {
  echo.send(data, from).catch(() => {});
});
const client = await createUdpTransport({});
const payload = [new Uint8Array(100).fill(7)];
const echoRate = await load(client, echo.localAddress, payload);
await echo.close();

// Phase 2: a DHT node answering ping and find_node.
const node = new KademliaNode({ serialization: "bencode" });
const server = await node.listen(0);
// Prime the table: 32 pings from distinct ids (same address) become 32 contacts.
const primed = new Promise<void>((resolve) => {
  let answers = 0;
  client.onDatagram(() => {
    if (++answers === 32) resolve();
  });
});
for (let i = 0; i < 32; i++) {
  await client.send(
    codec.encode(
      buildQueryEnvelope(Uint8Array.of(0, i), "ping", ping.encodeArgs({ id: id(i + 1) })),
    ),
    server,
  );
}
await primed;
const pings = Array.from(
  { length: window },
  (_, i) =>
    codec.encode(buildQueryEnvelope(Uint8Array.of(1, i), "ping", ping.encodeArgs({ id: id(1) }))),
);
const findNodes = Array.from(
  { length: window },
  (_, i) =>
    codec.encode(
      buildQueryEnvelope(
        Uint8Array.of(2, i),
        "find_node",
        findNode.encodeArgs({ id: id(1), target: id(1000 + i) }),
      ),
    ),
);
const pingRate = await load(client, server, pings);
const findNodeRate = await load(client, server, findNodes);
const stats = node.stats();
await node.close();
await client.close();

console.log(JSON.stringify(
  {
    bench: "rpc_udp",
    runtime: runtimeLabel(),
    seconds,
    window,
    tableSize: stats.routingTableSize,
    echoPerSecond: Math.round(echoRate),
    pingPerSecond: Math.round(pingRate),
    findNodePerSecond: Math.round(findNodeRate),
    pingRatio: +(pingRate / echoRate).toFixed(3),
    findNodeRatio: +(findNodeRate / echoRate).toFixed(3),
    serverDropped: stats.dropped,
    serverMalformed: stats.malformed,
  },
  null,
  2,
));
