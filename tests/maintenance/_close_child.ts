/**
 * Runs two nodes with every background job on (republish, re-store, refresh, expiry sweep,
 * state saves), over real UDP on 127.0.0.1 with the system clock, closes them, prints
 * `closed`, and returns: the process must then exit by itself, which it cannot while any
 * timer is left. `<runtime> _close_child.ts <state dir>`.
 */
import process from "node:process";
import { join } from "node:path";
import { KademliaNode } from "../../mod.ts";

const dir = process.argv.at(-1)!;
const a = new KademliaNode({ stateFile: join(dir, "a.json"), saveStateIntervalMs: 1000 });
const b = new KademliaNode({ stateFile: join(dir, "b.json"), saveStateIntervalMs: 1000 });
const address = await a.listen(0);
await b.listen(0);
await b.bootstrap([address]);
await b.set("key", "value");
await a.get("key");
await Promise.all([a.close(), b.close()]);
process.stdout.write("closed\n");
