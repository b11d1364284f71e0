#!/usr/bin/env -S deno run -A --unstable-net
/**
 * The demo behind `npm start` and `deno task start`: a small DHT of real UDP nodes on 127.0.0.1.
 * It joins them through one seed, stores a text and a binary value, reads both back from other
 * nodes with their types intact, looks up the nodes nearest an id, prints the counters, and shuts
 * down.
 *
 * Runs the same with `deno run -A examples/demo.ts`, `bun examples/demo.ts`, or
 * `node examples/demo.mjs`-style after the npm build. Options: `[nodes] [json|bencode]`.
 *
 * @module
 */
import { KademliaNode } from "../mod.ts";

const args = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const size = Math.max(2, Number(args[0] ?? 12));
const serialization = args[1] === "json" ? "json" : "bencode";

console.log(`Starting ${size} nodes on 127.0.0.1 (${serialization} wire)…`);
const nodes = Array.from({ length: size }, () => new KademliaNode({ serialization }));
try {
  for (const node of nodes) await node.listen(0, "127.0.0.1");
  const seed = nodes[0]!;
  console.log(
    `seed ${seed.id.slice(0, 8)}… listening on ${seed.address!.host}:${seed.address!.port}`,
  );
  for (const node of nodes.slice(1)) await node.bootstrap([seed.address!]);
  console.log(
    `joined: each node knows ${nodes.map((n) => n.stats().routingTableSize).join(", ")} peers`,
  );

  const text = await nodes[1]!.set("greeting", "hello, DHT ✓");
  console.log(`set "greeting" (key ${text.key.slice(0, 8)}…) on ${text.storedOn.length} peers`);
  const blob = await nodes[2]!.set("blob", new Uint8Array([0, 1, 2, 253, 254, 255]));
  console.log(`set "blob" on ${blob.storedOn.length} peers`);

  const reader = nodes[size - 1]!;
  const greeting = await reader.get("greeting");
  const bytes = await reader.get("blob");
  console.log(
    `get "greeting" from another node → ${JSON.stringify(greeting)} (${typeof greeting})`,
  );
  console.log(
    `get "blob" from another node → Uint8Array [${bytes instanceof Uint8Array ? [...bytes] : "?"}]`,
  );
  console.log(`get "missing" → ${await reader.get("missing")}`);

  const target = nodes[3]!.id;
  const closest = await reader.findNode(target);
  console.log(
    `findNode(${target.slice(0, 8)}…) → nearest ${closest[0]?.id.slice(0, 8)}… at ${
      closest[0]?.host
    }:${closest[0]?.port}`,
  );
  const s = reader.stats();
  console.log(
    `reader counters: sent ${s.sent}, received ${s.received}, timed out ${s.timedOut}, malformed ${s.malformed}`,
  );
} finally {
  for (const node of nodes) await node.close();
  console.log("all nodes closed");
}
