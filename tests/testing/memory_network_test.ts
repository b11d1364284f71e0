import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryNetwork } from "../../src/testing/memory_network.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import {
  constantLatency,
  normalLatency,
  pairwiseLatency,
  uniformLatency,
} from "../../src/testing/latency.ts";
import { SeededRandom } from "../../src/random.ts";
import { TransportError } from "../../src/errors.ts";
import type { Address, DatagramTransport } from "../../src/transport/datagram_transport.ts";

interface Arrival {
  at: number;
  from: string;
  to: string;
  bytes: number[];
}

function record(transport: DatagramTransport, clock: { now(): number }, log: Arrival[]): void {
  const to = `${transport.localAddress.host}:${transport.localAddress.port}`;
  transport.onDatagram((data, from) => {
    log.push({ at: clock.now(), from: `${from.host}:${from.port}`, to, bytes: [...data] });
  });
}

function isCode(code: string): (error: unknown) => boolean {
  return (error) => error instanceof TransportError && error.code === code;
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe("MemoryNetwork.bind", () => {
  it("binds 127.0.0.1 by default and hands out distinct free ports", async () => {
    const network = new MemoryNetwork();
    const a = await network.bind();
    const b = await network.bind({ port: 0 });
    assert.equal(a.localAddress.host, "127.0.0.1");
    assert.notEqual(a.localAddress.port, b.localAddress.port);
    assert.ok(a.localAddress.port > 0 && b.localAddress.port > 0);
    assert.equal(a.maxDatagramSize, 8192);
    assert.equal(a.closed, false);
  });

  it("binds any IPv4 or IPv6 literal, since nothing leaves the process", async () => {
    const network = new MemoryNetwork();
    const v4 = await network.bind({ hostname: "10.0.0.7", port: 6881 });
    const v6 = await network.bind({ hostname: "2001:DB8::1", port: 6881 });
    assert.deepEqual({ ...v4.localAddress }, { host: "10.0.0.7", port: 6881 });
    assert.deepEqual({ ...v6.localAddress }, { host: "2001:db8::1", port: 6881 });
    const got = new Promise<Address>((resolve) => v6.onDatagram((_data, from) => resolve(from)));
    await v4.send(new Uint8Array([1]), { host: "2001:db8::1", port: 6881 });
    assert.deepEqual(await got, v4.localAddress);
  });

  it("rejects an address in use until its holder closes", async () => {
    const network = new MemoryNetwork();
    const first = await network.bind({ port: 4000 });
    await assert.rejects(network.bind({ port: 4000 }), isCode("address_in_use"));
    await first.close();
    await first.close(); // idempotent
    assert.equal(first.closed, true);
    const second = await network.bind({ port: 4000 });
    assert.equal(second.localAddress.port, 4000);
  });

  it("rejects bad hostnames, ports and sizes", async () => {
    const network = new MemoryNetwork();
    await assert.rejects(network.bind({ hostname: "example.com" }), isCode("bad_address"));
    await assert.rejects(network.bind({ port: 70000 }), isCode("bad_address"));
    await assert.rejects(network.bind({ maxDatagramSize: 0 }), RangeError);
  });

  it("works as a free-standing TransportFactory", async () => {
    const factory = new MemoryNetwork().bind;
    const transport = await factory({ hostname: "localhost" });
    assert.equal(transport.localAddress.host, "127.0.0.1");
  });
});

describe("MemoryNetwork send and delivery", () => {
  it("delivers a private copy, asynchronously, with the sender's address", async () => {
    const network = new MemoryNetwork();
    const a = await network.bind();
    const b = await network.bind();
    const received: Uint8Array[] = [];
    b.onDatagram((data, from) => {
      assert.deepEqual(from, a.localAddress);
      received.push(data);
    });
    const buffer = new Uint8Array([1, 2, 3]);
    const sending = a.send(buffer, b.localAddress);
    assert.equal(received.length, 0, "delivered synchronously inside send");
    buffer.fill(9); // the sender reuses its buffer at once
    await sending;
    await flush();
    assert.equal(received.length, 1);
    assert.deepEqual([...received[0]!], [1, 2, 3]);
    assert.notEqual(received[0]!.buffer, buffer.buffer);
  });

  it("rejects sends that are too large, badly addressed or from a closed transport", async () => {
    const network = new MemoryNetwork({ maxDatagramSize: 100 });
    const a = await network.bind();
    const b = await network.bind({ maxDatagramSize: 10 });
    assert.equal(b.maxDatagramSize, 10);
    await a.send(new Uint8Array(100), b.localAddress);
    await assert.rejects(a.send(new Uint8Array(101), b.localAddress), isCode("too_large"));
    await assert.rejects(b.send(new Uint8Array(11), a.localAddress), isCode("too_large"));
    for (const to of [{ host: "nowhere", port: 1 }, { host: "127.0.0.1", port: 0 }, null]) {
      await assert.rejects(a.send(new Uint8Array(1), to as Address), isCode("bad_address"));
    }
    await a.close();
    await assert.rejects(a.send(new Uint8Array(1), b.localAddress), isCode("closed"));
    assert.equal(network.stats().sent, 1);
  });

  it("drops datagrams to unbound addresses and to closed or handler-less endpoints", async () => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork({ clock, latency: constantLatency(10) });
    const a = await network.bind();
    const b = await network.bind();
    await a.send(new Uint8Array(1), { host: "127.0.0.1", port: 1 });
    await a.send(new Uint8Array(1), b.localAddress); // no handler yet
    b.onDatagram(() => assert.fail("closed endpoint received"));
    await a.send(new Uint8Array(1), b.localAddress);
    assert.equal(network.stats().inFlight, 3);
    await b.close(); // while the datagram is in flight
    await clock.advance(10);
    assert.deepEqual(network.stats(), {
      sent: 3,
      delivered: 0,
      lost: 0,
      undeliverable: 3,
      bytes: 3,
      inFlight: 0,
      handlerErrors: 0,
    });
  });

  it("swallows and counts errors thrown by a receive handler", async () => {
    const network = new MemoryNetwork();
    const a = await network.bind();
    const b = await network.bind();
    let calls = 0;
    b.onDatagram(() => {
      calls++;
      throw new Error("bad handler");
    });
    await a.send(new Uint8Array(1), b.localAddress);
    await a.send(new Uint8Array(1), b.localAddress);
    await flush();
    assert.equal(calls, 2);
    assert.equal(network.stats().handlerErrors, 2);
  });

  it("completes 10,000 zero-latency ping-pong round trips on the system clock quickly", async () => {
    const network = new MemoryNetwork();
    const ping = await network.bind();
    const pong = await network.bind();
    pong.onDatagram((data, from) => void pong.send(data, from));
    const rounds = 10_000;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      let count = 0;
      ping.onDatagram((data, from) => {
        if (++count === rounds) resolve();
        else void ping.send(data, from);
      });
      void ping.send(new Uint8Array(20), pong.localAddress);
    });
    const elapsed = performance.now() - started;
    assert.equal(network.stats().delivered, 2 * rounds);
    assert.ok(elapsed < 500, `took ${elapsed.toFixed(0)} ms`);
  });
});

describe("MemoryNetwork latency and loss", () => {
  async function blast(
    network: MemoryNetwork,
    clock: VirtualClock,
    count: number,
  ): Promise<Arrival[]> {
    const log: Arrival[] = [];
    const a = await network.bind({ hostname: "10.0.0.1", port: 1 });
    const b = await network.bind({ hostname: "10.0.0.2", port: 1 });
    record(b, clock, log);
    for (let i = 0; i < count; i++) await a.send(new Uint8Array([i & 0xff]), b.localAddress);
    await clock.runAll();
    return log;
  }

  it("spreads uniform latency over [min, max) with the expected mean", async () => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork({ clock, latency: uniformLatency(10, 310) });
    const delays = (await blast(network, clock, 4000)).map((arrival) => arrival.at);
    const mean = delays.reduce((sum, d) => sum + d, 0) / delays.length;
    assert.equal(delays.length, 4000);
    assert.ok(Math.min(...delays) >= 10 && Math.max(...delays) < 310);
    assert.ok(Math.abs(mean - 160) < 5, `mean ${mean}`); // sd of the mean ≈ 1.4 ms
  });

  it("draws normal latency with the requested mean and deviation, floored at minMs", async () => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork({ clock, latency: normalLatency(100, 20, 50) });
    const delays = (await blast(network, clock, 4000)).map((arrival) => arrival.at);
    const mean = delays.reduce((sum, d) => sum + d, 0) / delays.length;
    const sd = Math.sqrt(delays.reduce((sum, d) => sum + (d - mean) ** 2, 0) / delays.length);
    assert.ok(Math.abs(mean - 100) < 2, `mean ${mean}`);
    assert.ok(Math.abs(sd - 20) < 2, `sd ${sd}`);
    assert.ok(Math.min(...delays) >= 50);
  });

  it("loses about the configured fraction and keeps the counters consistent", async () => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork({ clock, loss: 0.2, latency: constantLatency(5) });
    const log = await blast(network, clock, 5000);
    const stats = network.stats();
    assert.ok(Math.abs(stats.lost / 5000 - 0.2) < 0.025, `lost ${stats.lost}`);
    assert.equal(stats.delivered, log.length);
    assert.equal(stats.sent, stats.delivered + stats.lost + stats.undeliverable + stats.inFlight);
    assert.equal(stats.bytes, 5000);
    network.setLoss(1);
    network.setLoss(0);
    assert.throws(() => network.setLoss(1.5), RangeError);
  });

  it("keeps one delay per link with pairwiseLatency, the same both ways", () => {
    const model = pairwiseLatency(uniformLatency(10, 310));
    const random = new SeededRandom(5);
    const a = { host: "10.0.0.1", port: 1 };
    const b = { host: "10.0.0.2", port: 1 };
    const c = { host: "10.0.0.3", port: 1 };
    const ab = model(a, b, random);
    assert.ok(ab >= 10 && ab < 310);
    assert.equal(model(a, b, random), ab);
    assert.equal(model(b, a, random), ab);
    assert.equal(pairwiseLatency(uniformLatency(10, 310))(a, b, random), ab);
    const links = [model(a, c, random), model(b, c, random), ab];
    assert.equal(new Set(links).size, 3);
    const jittery = pairwiseLatency(uniformLatency(10, 310), { jitter: uniformLatency(0, 5) });
    const samples = Array.from({ length: 50 }, () => jittery(a, b, random) - ab);
    assert.ok(samples.every((s) => s >= 0 && s < 5) && new Set(samples).size > 1);
  });

  it("replays a lossy, jittery run identically from the same seed", async () => {
    async function run(seed: number): Promise<Arrival[]> {
      const clock = new VirtualClock();
      const network = new MemoryNetwork({
        clock,
        random: new SeededRandom(seed),
        loss: 0.3,
        latency: pairwiseLatency(uniformLatency(10, 310), { jitter: normalLatency(0, 10) }),
      });
      const log: Arrival[] = [];
      const nodes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => network.bind({ hostname: `10.0.1.${i}` })),
      );
      const random = new SeededRandom(seed);
      for (const node of nodes) {
        record(node, clock, log);
        for (let i = 0; i < 20; i++) {
          const to = nodes[Math.floor(random.float() * nodes.length)]!;
          await node.send(new Uint8Array([i]), to.localAddress);
        }
      }
      await clock.runAll();
      return log;
    }
    const first = await run(7);
    assert.ok(first.length > 200 && first.length < 360, `delivered ${first.length}`);
    assert.deepEqual(await run(7), first);
    assert.notDeepEqual(await run(8), first);
  });

  it("treats negative or NaN latency as 0 ms and Infinity as loss", async () => {
    const clock = new VirtualClock();
    const results = [-5, Number.NaN, Infinity, 0];
    let call = 0;
    const network = new MemoryNetwork({ clock, latency: () => results[call++ % 4]! });
    const log = await blast(network, clock, 4);
    assert.deepEqual(log.map((arrival) => [arrival.at, arrival.bytes[0]]), [[0, 0], [0, 1], [
      0,
      3,
    ]]);
    assert.equal(network.stats().lost, 1);
    assert.equal(clock.firedTimers, 0, "0 ms deliveries must not go through timers");
  });

  it("validates its options", () => {
    assert.throws(() => new MemoryNetwork({ loss: -0.1 }), RangeError);
    assert.throws(() => new MemoryNetwork({ loss: Number.NaN }), RangeError);
    assert.throws(() => new MemoryNetwork({ maxDatagramSize: 70000 }), RangeError);
    assert.throws(() => new MemoryNetwork({ latency: 5 as never }), TypeError);
    assert.throws(() => uniformLatency(10, 5), RangeError);
    assert.throws(() => constantLatency(-1), RangeError);
    assert.throws(() => normalLatency(10, Infinity), RangeError);
    assert.throws(() => new MemoryNetwork().setLatency(null as never), TypeError);
  });
});

describe("MemoryNetwork faults", () => {
  async function setup(): Promise<{
    clock: VirtualClock;
    network: MemoryNetwork;
    nodes: DatagramTransport[];
    log: Arrival[];
    sendAll: () => Promise<void>;
  }> {
    const clock = new VirtualClock();
    const network = new MemoryNetwork({ clock, latency: constantLatency(10) });
    const nodes = [
      await network.bind({ hostname: "10.0.0.1", port: 1 }),
      await network.bind({ hostname: "10.0.0.1", port: 2 }),
      await network.bind({ hostname: "10.0.0.2", port: 1 }),
      await network.bind({ hostname: "10.0.0.3", port: 1 }),
    ];
    const log: Arrival[] = [];
    for (const node of nodes) record(node, clock, log);
    const sendAll = async (): Promise<void> => {
      log.length = 0;
      for (const from of nodes) {
        for (const to of nodes) {
          if (from !== to) await from.send(new Uint8Array(1), to.localAddress);
        }
      }
      await clock.runAll();
    };
    return { clock, network, nodes, log, sendAll };
  }

  const pairs = (log: Arrival[]): string[] => log.map((a) => `${a.from}>${a.to}`).sort();

  it("partitions hosts both ways and heals", async () => {
    const { network, log, sendAll } = await setup();
    network.partition(["10.0.0.1"], ["10.0.0.2"]);
    await sendAll();
    assert.deepEqual(pairs(log), [
      "10.0.0.1:1>10.0.0.1:2",
      "10.0.0.1:1>10.0.0.3:1",
      "10.0.0.1:2>10.0.0.1:1",
      "10.0.0.1:2>10.0.0.3:1",
      "10.0.0.2:1>10.0.0.3:1",
      "10.0.0.3:1>10.0.0.1:1",
      "10.0.0.3:1>10.0.0.1:2",
      "10.0.0.3:1>10.0.0.2:1",
    ]);
    assert.equal(network.stats().lost, 4);
    network.heal();
    await sendAll();
    assert.equal(log.length, 12);
  });

  it("partitions single addresses, given as strings or Address objects", async () => {
    const { network, nodes, log, sendAll } = await setup();
    network.partition(["10.0.0.1:1"], [nodes[1]!.localAddress, "10.0.0.3"]);
    await sendAll();
    assert.equal(log.length, 8);
    assert.ok(!pairs(log).includes("10.0.0.1:1>10.0.0.1:2"));
    assert.ok(!pairs(log).includes("10.0.0.3:1>10.0.0.1:1"));
    assert.ok(pairs(log).includes("10.0.0.3:1>10.0.0.1:2"));
    assert.throws(() => network.partition(["example.com"], []), TypeError);
  });

  it("drops datagrams already in flight when a partition starts before they arrive", async () => {
    const { clock, network, nodes, log } = await setup();
    await nodes[0]!.send(new Uint8Array(1), nodes[2]!.localAddress);
    await clock.advance(5);
    network.partition(["10.0.0.2"], ["10.0.0.1"]);
    await clock.advance(10);
    assert.equal(log.length, 0);
    assert.equal(network.stats().lost, 1);
  });

  it("takes an endpoint down and back up without unbinding it", async () => {
    const { network, nodes, log, sendAll } = await setup();
    network.setDown("10.0.0.2:1", true);
    await sendAll();
    assert.equal(log.length, 6);
    assert.ok(pairs(log).every((pair) => !pair.includes("10.0.0.2")));
    await assert.rejects(
      network.bind({ hostname: "10.0.0.2", port: 1 }),
      isCode("address_in_use"),
    );
    await assert.doesNotReject(nodes[2]!.send(new Uint8Array(1), nodes[0]!.localAddress));
    network.setDown(nodes[2]!.localAddress, false);
    await sendAll();
    assert.equal(log.length, 12);
  });
});
