/**
 * The node the restart test kills and starts again: a KademliaNode on real UDP (127.0.0.1)
 * with a SqliteStorage file and a state file.
 *
 * `<runtime> _restart_child.ts '<json>'` where the JSON is
 * - `{ "phase": "first", db, state, bootstrap: "host:port", keys }`: joins through the
 *   bootstrap address, sets `keys` values, waits for a periodic state save after them, prints
 *   `ready <json>` and idles until killed;
 * - `{ "phase": "second", db, state, port, target }`: listens on `port` with no bootstrap
 *   address, looks `target` up, prints `ready <json>` and idles until killed.
 *
 * Bounded: it exits by itself (code 3) after 20 s.
 */
import process from "node:process";
import { KademliaNode } from "../../mod.ts";
import { SqliteStorage } from "../../adapters/sqlite.ts";

const args = JSON.parse(process.argv.at(-1)!);
const deadline = setTimeout(() => process.exit(3), 20_000);
const storage = new SqliteStorage(args.db);

if (args.phase === "first") {
  const node = new KademliaNode({ storage, stateFile: args.state, saveStateIntervalMs: 1000 });
  const { port } = await node.listen(0, "127.0.0.1");
  await node.bootstrap([args.bootstrap]);
  for (let i = 0; i < args.keys; i++) await node.set(`restart key ${i}`, `restart value ${i} ✓`);
  const saves = node.stats().maintenance.saves;
  while (node.stats().maintenance.saves <= saves) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const ready = { id: node.id, port, peers: node.peers().length };
  process.stdout.write(`ready ${JSON.stringify(ready)}\n`);
} else {
  const node = new KademliaNode({ storage, stateFile: args.state });
  await node.listen(args.port, "127.0.0.1");
  const peers = node.peers().length;
  const found = await node.findNode(args.target);
  const own = await node.get("restart key 0");
  const ready = { id: node.id, peers, found: found.map((peer) => peer.id), own };
  process.stdout.write(`ready ${JSON.stringify(ready)}\n`);
}
await new Promise((resolve) => setTimeout(resolve, 20_000));
clearTimeout(deadline);
process.exit(3);
