/**
 * One of our nodes in its own process, for the interop test that runs it under Deno or Bun
 * while bittorrent-dht runs in the parent: it listens on 127.0.0.1, joins through the address
 * given, prints `{"ready":…}` and then answers one JSON command per stdin line with one JSON
 * line on stdout. Bounded: it exits after 30 s whatever happens.
 *
 * Usage: `<runtime> _kdht_child.ts <host:port>`.
 */
import process from "node:process";
import { ed25519, KademliaNode } from "../../mod.ts";

const DEADLINE_MS = 30_000;
const hexOf = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));

interface Command {
  op: "getImmutable" | "putImmutable" | "getMutable" | "putMutable" | "close";
  target?: string;
  value?: string;
  publicKey?: string;
  secretKey?: string;
  salt?: string;
}

const runtime = (globalThis as { Deno?: unknown }).Deno !== undefined
  ? "deno"
  : (globalThis as { Bun?: unknown }).Bun !== undefined
  ? "bun"
  : "node";
const node = new KademliaNode({ serialization: "bencode" });
const deadline = setTimeout(() => void node.close().then(() => process.exit(2)), DEADLINE_MS);

async function answer(command: Command): Promise<Record<string, unknown>> {
  switch (command.op) {
    case "getImmutable": {
      const value = await node.getImmutable(command.target!);
      return { value: value instanceof Uint8Array ? hexOf(value) : null };
    }
    case "putImmutable":
      return { target: await node.putImmutable(command.value!) };
    case "getMutable": {
      const item = await node.getMutable(command.publicKey!, { salt: command.salt ?? "" });
      return item && item.value instanceof Uint8Array
        ? { seq: item.seq, value: hexOf(item.value) }
        : { seq: null };
    }
    case "putMutable": {
      const secretKey = fromHex(command.secretKey!);
      const keyPair = { publicKey: ed25519.publicKeyOf(secretKey), secretKey };
      const put = await node.putMutable({
        keyPair,
        value: command.value!,
        salt: command.salt ?? "",
      });
      return { target: put.target, seq: put.seq, storedOn: put.storedOn.length };
    }
    case "close":
      clearTimeout(deadline);
      await node.close();
      process.exit(0);
  }
  return { error: `unknown op ${String(command.op)}` };
}

const address = await node.listen(0, "127.0.0.1");
await node.bootstrap([process.argv.at(-1)!]);
process.stdout.write(
  JSON.stringify({ ready: true, runtime, id: node.id, port: address.port }) + "\n",
);

let buffered = "";
let queue = Promise.resolve();
process.stdin.on("data", (chunk: Uint8Array | string) => {
  buffered += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
  let newline;
  while ((newline = buffered.indexOf("\n")) >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    queue = queue.then(async () => {
      let reply: Record<string, unknown>;
      try {
        reply = await answer(JSON.parse(line) as Command);
      } catch (error) {
        reply = { error: String(error) };
      }
      process.stdout.write(JSON.stringify(reply) + "\n");
    });
  }
});
