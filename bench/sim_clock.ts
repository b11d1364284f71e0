/**
 * Simulation throughput: virtual timer firings per second of wall time, and memory-network
 * datagrams delivered per second (ping-pong between 1,000 transports, each pong answered by a
 * ping to a random peer, 10–310 ms one-way per link, on a VirtualClock). Each figure comes with the same run's raw host-hop rate as its baseline,
 * plus the settle mechanisms VirtualClock could have used, measured side by side.
 *
 *   node_modules/.bin/deno run -A bench/sim_clock.ts
 *   node_modules/.bin/bun bench/sim_clock.ts
 *
 * Prints one JSON object.
 */
import { VirtualClock } from "../src/testing/virtual_clock.ts";
import { MemoryNetwork } from "../src/testing/memory_network.ts";
import { pairwiseLatency, uniformLatency } from "../src/testing/latency.ts";
import { SeededRandom } from "../src/random.ts";
import type { DatagramTransport } from "../src/transport/datagram_transport.ts";
import { runtimeLabel } from "./_runtime.ts";

const host = globalThis as { setImmediate?: (callback: () => void) => unknown };
const runtime = runtimeLabel();

type Hop = () => Promise<void>;

/** Ways to let queued promise reactions run; only correct ones may drive a virtual clock. */
function mechanisms(): Record<string, { hop: Hop; close(): void } | undefined> {
  const channel = new MessageChannel();
  let wake: (() => void) | undefined;
  channel.port1.onmessage = () => wake?.();
  const immediate = host.setImmediate;
  return {
    setImmediate: immediate
      ? { hop: () => new Promise<void>((resolve) => void immediate(resolve)), close() {} }
      : undefined,
    messageChannel: {
      hop: () =>
        new Promise<void>((resolve) => {
          wake = resolve;
          channel.port2.postMessage(null);
        }),
      close: () => channel.port1.close(),
    },
    microtaskBurst50: {
      hop: async () => {
        for (let i = 0; i < 50; i++) await null;
      },
      close() {},
    },
    setTimeout0: {
      hop: () => new Promise<void>((resolve) => void setTimeout(resolve, 0)),
      close() {},
    },
  };
}

async function chain(depth: number): Promise<number> {
  return depth === 0 ? 0 : (await chain(depth - 1)) + 1;
}

/** Hops per second, and whether a 20-deep async chain started before a hop ends within it. */
async function measureHop(
  hop: Hop,
  count: number,
): Promise<{ perSecond: number; correct: boolean }> {
  let correct = true;
  for (let i = 0; i < 50; i++) {
    let done = false;
    void chain(20).then(() => done = true);
    await hop();
    correct &&= done;
  }
  const started = performance.now();
  for (let i = 0; i < count; i++) await hop();
  return { perSecond: Math.round(count / ((performance.now() - started) / 1000)), correct };
}

async function timerFirings(count: number): Promise<number> {
  const clock = new VirtualClock();
  const timers = 1000;
  let fired = 0;
  for (let t = 0; t < timers; t++) {
    const tick = (): void => {
      fired++;
      clock.setTimer(tick, 1000);
    };
    clock.setTimer(tick, t);
  }
  const started = performance.now();
  await clock.advance((count / timers) * 1000 - 1);
  const seconds = (performance.now() - started) / 1000;
  if (fired !== count) throw new Error(`expected ${count} firings, got ${fired}`);
  return Math.round(fired / seconds);
}

async function pingPong(nodes: number, virtualMs: number): Promise<Record<string, number>> {
  const clock = new VirtualClock();
  const random = new SeededRandom(1);
  const network = new MemoryNetwork({
    clock,
    random,
    latency: pairwiseLatency(uniformLatency(10, 310)),
  });
  const transports: DatagramTransport[] = [];
  for (let i = 0; i < nodes; i++) {
    transports.push(await network.bind({ hostname: `10.0.${i >> 8}.${i & 255}`, port: 6881 }));
  }
  const PING = 0;
  const PONG = 1;
  const ping = (transport: DatagramTransport): Promise<void> => {
    const peer = transports[Math.floor(random.float() * nodes)]!;
    const data = new Uint8Array(64);
    data[0] = PING;
    return transport.send(data, peer.localAddress);
  };
  for (const transport of transports) {
    // A ping is answered on the same link; a pong starts a ping on a new random link, so the
    // run exercises ~all pairs rather than 1,000 fixed ones.
    transport.onDatagram((data, from) => {
      if (data[0] === PING) {
        data[0] = PONG;
        void transport.send(data, from);
      } else {
        void ping(transport);
      }
    });
  }
  for (const transport of transports) await ping(transport);
  const started = performance.now();
  await clock.advance(virtualMs);
  const seconds = (performance.now() - started) / 1000;
  const { delivered } = network.stats();
  return {
    nodes,
    virtualSeconds: virtualMs / 1000,
    delivered,
    deliveredPerSecond: Math.round(delivered / seconds),
    virtualToWall: Math.round(virtualMs / 1000 / seconds),
  };
}

const settle: Record<string, unknown> = {};
const available = mechanisms();
for (const [name, mechanism] of Object.entries(available)) {
  if (mechanism === undefined) {
    settle[name] = "unavailable";
    continue;
  }
  settle[name] = await measureHop(mechanism.hop, name === "setTimeout0" ? 200 : 200_000);
  mechanism.close();
}

const hostHops = (settle.setImmediate ?? settle.messageChannel) as { perSecond: number };
const firingsPerSecond = await timerFirings(500_000);
const network = await pingPong(1000, 600_000);

console.log(JSON.stringify(
  {
    runtime,
    settle,
    timers: {
      firingsPerSecond,
      ratioToHostHops: Number((firingsPerSecond / hostHops.perSecond).toFixed(3)),
    },
    network: {
      ...network,
      ratioToHostHops: Number((network.deliveredPerSecond! / hostHops.perSecond).toFixed(3)),
    },
  },
  null,
  2,
));
