/**
 * Two processes that find each other. The first listens on 127.0.0.1 and starts the second
 * (the same file, the same runtime) with its address; the second joins through it, finds it
 * by id with a lookup, and stores a value; the first hears of the value through its
 * `value-stored` event, reads it, finds the second by id and pings it; the second hears the
 * ping through its `query-received` event, and both exit.
 *
 *   deno run -A --unstable-net examples/two_processes.ts
 *   bun examples/two_processes.ts
 *   node examples/two_processes.ts      (Node 22.18+; in a checkout, after `npm run build:npm`)
 *
 * Run the second by hand from another terminal instead with `… two_processes.ts host:port`.
 *
 * @module
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { KademliaNode } from "@kdht/core";

/** How long the first process waits for the second before giving up. */
const LIMIT_MS = 30_000;

async function second(first: string): Promise<void> {
  const node = new KademliaNode();
  try {
    await node.listen(0, "127.0.0.1");
    await node.bootstrap([first]);
    const firstId = node.peers()[0]!.id;
    const [found] = await node.findNode(firstId);
    console.log(`second: found the first process by id: ${found}`);
    const pinged = new Promise<void>((resolve) => {
      node.addEventListener("query-received", (event) => {
        if (event.method === "ping") resolve();
      });
    });
    const result = await node.set("from-second", `hello from process ${process.pid}`);
    console.log(`second: stored "from-second" on ${result.storedOn.length} peer(s)`);
    // Stay up until the first process has found us and says so with a ping.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("no ping from the first process")), LIMIT_MS);
    });
    await Promise.race([pinged, late]).finally(() => clearTimeout(timer));
    console.log("second: pinged by the first process; exiting");
  } finally {
    await node.close();
  }
}

async function first(): Promise<void> {
  const node = new KademliaNode();
  try {
    const { host, port } = await node.listen(0, "127.0.0.1");
    console.log(`first: listening on ${host}:${port}, id ${node.id}`);
    const stored = new Promise<string>((resolve) => {
      node.addEventListener("value-stored", (event) => {
        if (!event.local) resolve(event.key);
      });
    });
    let secondId: string | undefined;
    node.addEventListener("peer-added", (event) => secondId ??= event.peer.id);

    // The same runtime runs the second process: Deno needs `run -A`; Bun and Node the file.
    const script = fileURLToPath(import.meta.url);
    const args = "Deno" in globalThis
      ? ["run", "-A", "--unstable-net", script, `${host}:${port}`]
      : [...process.execArgv, script, `${host}:${port}`];
    const child = spawn(process.execPath, args, { stdio: "inherit" });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const timer = setTimeout(() => child.kill(), LIMIT_MS);

    const key = await Promise.race([stored, exited.then(() => undefined)]);
    if (key === undefined) throw new Error("the second process ended without storing a value");
    console.log(`first: a peer stored key ${key}`);
    console.log(`first: get("from-second") → ${JSON.stringify(await node.get("from-second"))}`);
    const [peer] = await node.findNode(secondId!);
    if (peer === undefined || peer.id !== secondId) {
      throw new Error(`the lookup did not find ${secondId}`);
    }
    console.log(`first: found the second process by id: ${peer}`);
    const { rttMs } = await node.ping(peer);
    console.log(`first: pinged it (${rttMs.toFixed(2)} ms)`);
    const code = await exited;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`the second process exited with ${code}`);
  } finally {
    await node.close();
  }
}

const address = process.argv[2];
await (address === undefined ? first() : second(address));
