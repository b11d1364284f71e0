/**
 * Load-generator process of the KRPC load benchmark (`krpc_load.ts`): plain UDP sockets
 * sending pre-encoded BEP 5 queries, written byte by byte here so that neither library's
 * encoder is involved, with a fixed window in flight (`_window_load.ts`), counting replies.
 *
 * First it primes the server with `--prime` pings from distinct random ids, so that its table
 * holds that many contacts and a `find_node` reply carries a full node list; then it warms up,
 * prints `{"event":"start"}`, loads for `--seconds`, prints `{"event":"stop"}` and its figures.
 * With `--kind echo` it sends the same find_node datagrams to an echo socket.
 *
 * @module
 */
import process from "node:process";
import { createUdpTransport } from "../mod.ts";
import type { Address, DatagramTransport } from "../mod.ts";
import { guardLifetime } from "./_child.ts";
import { benchFlags, numberFlag, runtimeLabel } from "./_runtime.ts";
import { round } from "./_stats.ts";
import { windowLoad } from "./_window_load.ts";

const text = new TextEncoder();

function concat(parts: (string | Uint8Array)[]): Uint8Array {
  const bytes = parts.map((part) => typeof part === "string" ? text.encode(part) : part);
  const out = new Uint8Array(bytes.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of bytes) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** `ping` or `find_node` with a 2-byte transaction id, keys in bencode's sorted order. */
function query(method: "ping" | "find_node", t: number, id: Uint8Array): Uint8Array {
  const target = method === "find_node"
    ? ["6:target20:", crypto.getRandomValues(new Uint8Array(20))]
    : [];
  return concat([
    "d1:ad2:id20:",
    id,
    ...target,
    `e1:q${method.length}:${method}1:t2:`,
    Uint8Array.of(t >> 8, t & 255),
    "1:y1:qe",
  ]);
}

/** The offset just past `needle` at its last occurrence in `data`, or -1. */
function after(data: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = data.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (data[i + j] !== needle[j]) continue outer;
    return i + needle.length;
  }
  return -1;
}

const T_KEY = text.encode("1:t2:");
const Y_KEY = text.encode("1:y1:");
const NODES_KEY = text.encode("5:nodes");

/** The 2-byte transaction id of a reply as a number, or -1. */
function transaction(reply: Uint8Array): number {
  const at = after(reply, T_KEY);
  return at < 0 || at + 2 > reply.length ? -1 : (reply[at]! << 8) | reply[at + 1]!;
}

/** Compact IPv4 contacts in a reply's `nodes` string (26 bytes each). */
function nodeCount(reply: Uint8Array): number {
  let at = after(reply, NODES_KEY);
  if (at < 0) return 0;
  let length = 0;
  while (at < reply.length && reply[at] !== 0x3a) length = length * 10 + reply[at++]! - 0x30;
  return Math.floor(length / 26);
}

async function prime(client: DatagramTransport, to: Address, count: number): Promise<number> {
  let answered = 0;
  const done = new Promise<void>((resolve) => {
    client.onDatagram(() => {
      if (++answered === count) resolve();
    });
  });
  for (let i = 0; i < count; i++) {
    await client.send(query("ping", i, crypto.getRandomValues(new Uint8Array(20))), to);
  }
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 2000))]);
  return answered;
}

const flags = benchFlags();
guardLifetime(flags);
const to = { host: "127.0.0.1", port: numberFlag(flags, "port", 0, 1, 65535) };
const kind = flags.get("kind") ?? "find_node";
if (kind !== "find_node" && kind !== "ping" && kind !== "echo") {
  throw new TypeError(`Invalid flag: '--kind' must be find_node, ping or echo, got ${kind}`);
}
const method = kind === "ping" ? "ping" : "find_node";
const window = numberFlag(flags, "window", 128, 1, 65536);
const sockets = numberFlag(flags, "sockets", 2, 1, 64);
const clients = await Promise.all(
  Array.from({ length: sockets }, () => createUdpTransport({ hostname: "127.0.0.1", port: 0 })),
);
const ids = clients.map(() => crypto.getRandomValues(new Uint8Array(20)));
const primed = kind === "echo" ? 0 : await prime(clients[0]!, to, numberFlag(flags, "prime", 32));
let bytes = 0;
let errors = 0;
let nodes = 0;
let sampled = 0;
const load = (ms: number) =>
  windowLoad({
    clients,
    to,
    window,
    ms,
    payload: (slot) => query(method, slot, ids[slot % sockets]!),
    slotOf: transaction,
    onReply: (reply) => {
      bytes += reply.length;
      const y = after(reply, Y_KEY);
      if (kind !== "echo" && reply[y] !== 0x72) errors++;
      if (sampled < 1000) {
        sampled++;
        nodes += nodeCount(reply);
      }
    },
  });
await load(numberFlag(flags, "warmup", 1, 0, 60) * 1000);
bytes =
  errors =
  nodes =
  sampled =
    0;
console.log(JSON.stringify({ event: "start" }));
const cpuBefore = process.cpuUsage();
const result = await load(numberFlag(flags, "seconds", 5, 0.1, 600) * 1000);
const cpu = process.cpuUsage(cpuBefore);
console.log(JSON.stringify({ event: "stop" }));
await Promise.all(clients.map((client) => client.close()));
console.log(JSON.stringify({
  runtime: runtimeLabel(),
  kind,
  primed,
  ...result,
  bytesPerReply: round(bytes / Math.max(1, result.replies), 1),
  nodesPerReply: round(nodes / Math.max(1, sampled), 1),
  errorReplies: errors,
  // Near 100 % means the load generator, not the server, set the pace.
  clientCpuPercent: round((cpu.user + cpu.system) / 10 / (result.seconds * 1000), 1),
}));
process.exit(0);
