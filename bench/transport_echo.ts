/**
 * Raw transport echo: the ceiling every RPC benchmark is a ratio of. For the running runtime's
 * own UDP adapter and for the in-memory network, in the same run:
 *
 * - ping-pong: round-trip time, one 100-byte datagram in flight (p50/p99 in µs);
 * - echo rate: a client keeps a window of 64 datagrams in flight against one echoing socket
 *   for ~3 s and counts echoes per second.
 *
 * The adapter runs twice: client and echo server on one event loop ("sameThread"), and the echo
 * server in a worker thread ("serverInWorker", each side on its own core, closer to
 * performance.md §3, which used a C client on the second core). The memory network is
 * in-process by nature, so it runs same-thread only.
 *
 * Run: `deno run -A bench/transport_echo.ts`, `bun bench/transport_echo.ts`, or Node on the
 * compiled copy (`node npm/esm/bench/transport_echo.js`). Prints one JSON object.
 *
 * @module
 */
import { cpus } from "node:os";
import type {
  Address,
  DatagramTransport,
  TransportFactory,
} from "../src/transport/datagram_transport.ts";
import { createUdpTransport } from "../adapters/runtime.ts";
import { MemoryNetwork } from "../src/testing/memory_network.ts";
import { windowLoad } from "./_window_load.ts";

const PAYLOAD_BYTES = 100;
const PING_PONG_WARMUP = 500;
const PING_PONG_SAMPLES = 5_000;
const WINDOW = 64;
const FLOOD_WARMUP_MS = 500;
const FLOOD_MS = 3_000;
const FLOOD_MAX_ECHOES = 50_000_000;
/** An echo not back after this long is counted lost, so a lossy run still ends. */
const LOST_AFTER_MS = 250;

function noop(): void {}

interface RoundTrips {
  p50Us: number;
  p99Us: number;
  meanUs: number;
  samples: number;
  lost: number;
}

interface EchoRate {
  perSecond: number;
  echoes: number;
  seconds: number;
  window: number;
  lost: number;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** One datagram in flight at a time; the first 4 bytes carry a sequence number. */
async function pingPong(client: DatagramTransport, to: Address): Promise<RoundTrips> {
  const total = PING_PONG_WARMUP + PING_PONG_SAMPLES;
  const samples = new Float64Array(PING_PONG_SAMPLES);
  const payload = new Uint8Array(PAYLOAD_BYTES);
  const view = new DataView(payload.buffer);
  let waiting = -1;
  let wake: (() => void) | undefined;
  client.onDatagram((data) => {
    const seq = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
    if (seq === waiting && wake) wake();
  });
  let lost = 0;
  let stuck = -1;
  const watchdog = setInterval(() => {
    if (waiting === stuck && wake) {
      lost++;
      wake();
    }
    stuck = waiting;
  }, LOST_AFTER_MS);
  try {
    for (let seq = 0; seq < total; seq++) {
      view.setUint32(0, seq);
      const echoed = new Promise<void>((resolve) => (wake = resolve));
      waiting = seq;
      const start = performance.now();
      client.send(payload, to).catch(noop);
      await echoed;
      if (seq >= PING_PONG_WARMUP) samples[seq - PING_PONG_WARMUP] = performance.now() - start;
    }
  } finally {
    clearInterval(watchdog);
  }
  samples.sort();
  let sum = 0;
  for (const s of samples) sum += s;
  return {
    p50Us: round(percentile(samples, 0.5) * 1000),
    p99Us: round(percentile(samples, 0.99) * 1000),
    meanUs: round((sum / samples.length) * 1000),
    samples: samples.length,
    lost,
  };
}

/** Keeps WINDOW datagrams in flight for `ms`; each carries its window slot in its first 2 bytes. */
async function flood(client: DatagramTransport, to: Address, ms: number): Promise<EchoRate> {
  const result = await windowLoad({
    clients: [client],
    to,
    window: WINDOW,
    ms,
    lostAfterMs: LOST_AFTER_MS,
    maxReplies: FLOOD_MAX_ECHOES,
    payload: (slot) => {
      const payload = new Uint8Array(PAYLOAD_BYTES);
      new DataView(payload.buffer).setUint16(0, slot);
      return payload;
    },
    slotOf: (echo) =>
      echo.length === PAYLOAD_BYTES
        ? new DataView(echo.buffer, echo.byteOffset, echo.byteLength).getUint16(0)
        : -1,
  });
  return {
    perSecond: result.perSecond,
    echoes: result.replies,
    seconds: result.seconds,
    window: result.window,
    lost: result.lost,
  };
}

interface Figures {
  roundTrip: RoundTrips;
  echo: EchoRate;
}

async function measureClient(client: DatagramTransport, server: Address): Promise<Figures> {
  const roundTrip = await pingPong(client, server);
  await flood(client, server, FLOOD_WARMUP_MS);
  const echo = await flood(client, server, FLOOD_MS);
  return { roundTrip, echo };
}

/** Client and echo server on one event loop. */
async function measureSameThread(bind: TransportFactory): Promise<Figures> {
  const server = await bind({ hostname: "127.0.0.1", port: 0 });
  const client = await bind({ hostname: "127.0.0.1", port: 0 }).catch(async (err) => {
    await server.close();
    throw err;
  });
  try {
    server.onDatagram((data, from) => {
      server.send(data, from).catch(noop);
    });
    return await measureClient(client, server.localAddress);
  } finally {
    await Promise.all([client.close(), server.close()]);
  }
}

/** A worker thread on this runtime: the Web Worker API where there is one, else Node's. */
interface EchoWorker {
  next(): Promise<unknown>;
  post(message: unknown): void;
  terminate(): Promise<void>;
}

async function startEchoWorker(): Promise<EchoWorker> {
  // Compiled for Node this file is .js, and so is its neighbour.
  const ext = import.meta.url.endsWith(".js") ? "js" : "ts";
  const url = new URL(`./_echo_server.${ext}`, import.meta.url);
  const inbox: unknown[] = [];
  let wake: (() => void) | undefined;
  const deliver = (message: unknown): void => {
    inbox.push(message);
    wake?.();
  };
  const next = async (): Promise<unknown> => {
    while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return inbox.shift();
  };
  type WebWorker = {
    onmessage: ((event: { data: unknown }) => void) | null;
    postMessage(message: unknown): void;
    terminate(): void;
  };
  const WebWorkerClass = (globalThis as {
    Worker?: new (url: URL, options: { type: "module" }) => WebWorker;
  }).Worker;
  if (WebWorkerClass) {
    const worker = new WebWorkerClass(url, { type: "module" });
    worker.onmessage = (event) => deliver(event.data);
    return {
      next,
      post: (message) => worker.postMessage(message),
      terminate: () => Promise.resolve(worker.terminate()),
    };
  }
  const { Worker } = await import("node:worker_threads");
  const worker = new Worker(url);
  worker.on("message", deliver);
  return {
    next,
    post: (message) => worker.postMessage(message),
    terminate: async () => {
      await worker.terminate();
    },
  };
}

/** The echo server in a worker thread, so client and server each get a core. */
async function measureServerInWorker(bind: TransportFactory): Promise<Figures> {
  const worker = await startEchoWorker();
  try {
    const { port } = await worker.next() as { port: number };
    const client = await bind({ hostname: "127.0.0.1", port: 0 });
    try {
      return await measureClient(client, { host: "127.0.0.1", port });
    } finally {
      await client.close();
      worker.post("close");
      await worker.next();
    }
  } finally {
    await worker.terminate();
  }
}

function describeRuntime(): { runtime: string; version: string; adapter: string } {
  const host = globalThis as {
    Deno?: { version: { deno: string } };
    Bun?: { version: string };
    process?: { versions: { node: string } };
  };
  if (host.Deno) {
    return { runtime: "deno", version: host.Deno.version.deno, adapter: "Deno.listenDatagram" };
  }
  if (host.Bun) return { runtime: "bun", version: host.Bun.version, adapter: "Bun.udpSocket" };
  return { runtime: "node", version: host.process?.versions.node ?? "?", adapter: "node:dgram" };
}

const { runtime, version, adapter } = describeRuntime();
const sameThread = await measureSameThread(createUdpTransport);
const serverInWorker = await measureServerInWorker(createUdpTransport);
const memory = await measureSameThread(new MemoryNetwork().bind);
console.log(JSON.stringify({
  runtime,
  version,
  cpu: `${cpus()[0]?.model ?? "?"} x${cpus().length}`,
  payloadBytes: PAYLOAD_BYTES,
  adapter: { name: adapter, sameThread, serverInWorker },
  memory: { name: "MemoryNetwork (zero latency, system clock)", sameThread: memory },
  memoryVsAdapterSameThread: round(memory.echo.perSecond / sameThread.echo.perSecond, 2),
}));
