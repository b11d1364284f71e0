/**
 * A node that joins a network, stores a value, and reads it back through another node.
 *
 * With an address it joins that network (a `kdht node`, say); without one it first starts a
 * seed node of its own in this process, so it runs anywhere:
 *
 *   deno run -A --unstable-net examples/join_and_store.ts [host:port]
 *   bun examples/join_and_store.ts [host:port]
 *   node examples/join_and_store.ts [host:port]      (Node 22.18+; in a checkout, after
 *                                                    `npm run build:npm`)
 *
 * @module
 */
import process from "node:process";
import { KademliaNode } from "@kdht/core";

const given = process.argv[2];
const seed = given === undefined ? new KademliaNode() : undefined;
const node = new KademliaNode();
const reader = new KademliaNode();
try {
  let join = given;
  if (seed) {
    const { host, port } = await seed.listen(0, "127.0.0.1");
    join = `${host}:${port}`;
    console.log(`seed node listening on ${join}`);
  }
  await node.listen(0, "127.0.0.1");
  node.addEventListener("peer-added", (event) => console.log(`  peer added: ${event.peer}`));
  const joined = await node.bootstrap([join!]);
  console.log(`joined through ${join}: ${joined.peers} peer(s) in the routing table`);

  const stored = await node.set("greeting", "hello from join_and_store");
  console.log(`stored "greeting" on ${stored.storedOn.length} peer(s)`);

  await reader.listen(0, "127.0.0.1");
  await reader.bootstrap([join!]);
  const value = await reader.get("greeting");
  console.log(`another node read "greeting": ${JSON.stringify(value)}`);
  if (value !== "hello from join_and_store") process.exitCode = 1;
} finally {
  await reader.close();
  await node.close();
  await seed?.close();
}
