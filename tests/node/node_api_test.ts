import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  BootstrapError,
  generateNodeId,
  hashKeyToNodeId,
  KademliaNode,
  NodeStateError,
  Peer,
  SeededRandom,
  xorDistance,
} from "../../mod.ts";
import { MemoryNetwork } from "../../src/testing/memory_network.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import { createSim } from "../_helpers/sim.ts";

describe("KademliaNode options", () => {
  it("rejects out-of-range options with a message naming the option", () => {
    assert.throws(
      () => new KademliaNode({ k: 0 }),
      /Cannot create node: 'k' must be an integer from 1 to 256, got 0/,
    );
    assert.throws(() => new KademliaNode({ alpha: 1.5 }), RangeError);
    assert.throws(() => new KademliaNode({ queryTimeoutMs: -1 }), /queryTimeoutMs/);
    // deno-lint-ignore no-explicit-any
    assert.throws(() => new KademliaNode({ serialization: "xml" as any }), TypeError);
    assert.throws(() => new KademliaNode({ nodeId: "abc" }), TypeError);
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => new KademliaNode({ oneNodePerIp: "yes" as any }),
      /'oneNodePerIp' must be a boolean, got yes/,
    );
  });
  it("uses the node id it is given, as lowercase hex", () => {
    const node = new KademliaNode({ nodeId: "AB".repeat(20) });
    assert.equal(node.id, "ab".repeat(20));
    assert.equal(new KademliaNode({ nodeId: new Uint8Array(20).fill(1) }).id, "01".repeat(20));
  });
  it("does no I/O in the constructor and refuses operations before listen()", async () => {
    const node = new KademliaNode();
    assert.equal(node.address, undefined);
    await assert.rejects(node.set("k", "v"), NodeStateError);
    await assert.rejects(node.findNode(generateNodeId()), NodeStateError);
    await node.close();
  });
  it("rejects bad keys, values and bootstrap addresses with TypeError or RangeError", async () => {
    const network = new MemoryNetwork();
    const node = new KademliaNode({ transport: network.bind, maxValueSize: 10 });
    await node.listen();
    // deno-lint-ignore no-explicit-any
    await assert.rejects(node.set(42 as any, "v"), TypeError);
    // deno-lint-ignore no-explicit-any
    await assert.rejects(node.set("k", 42 as any), TypeError);
    await assert.rejects(
      node.set("k", "x".repeat(11)),
      /11 bytes is more than maxValueSize \(10 bytes\)/,
    );
    await assert.rejects(node.bootstrap(["nonsense"]), TypeError);
    await assert.rejects(node.bootstrap([["127.0.0.1", 0]]), /port must be an integer in 1-65535/);
    await node.close();
  });
});

describe("KademliaNode lifecycle", () => {
  it("listen() and close() are idempotent, and await using closes the node", async () => {
    const network = new MemoryNetwork();
    let address;
    {
      await using node = new KademliaNode({ transport: network.bind });
      address = await node.listen(4000, "127.0.0.1");
      assert.deepEqual(await node.listen(), address);
      assert.deepEqual(node.address, address);
    }
    // The port is free again, so the node really closed.
    const again = await network.bind({ port: 4000 });
    await again.close();
    const node = new KademliaNode({ transport: network.bind });
    await node.listen();
    await node.close();
    await node.stop();
    await assert.rejects(node.listen(), NodeStateError);
    await assert.rejects(node.get("k"), NodeStateError);
  });
  it("close() aborts operations in progress", async () => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork({ clock });
    const node = new KademliaNode({ transport: network.bind, clock });
    await node.listen();
    const pending = node.bootstrap([["127.0.0.1", 9]]); // nobody there
    await node.close();
    await assert.rejects(clock.runUntilSettled(pending), NodeStateError);
    await clock.runAll();
  });
  it("an aborted signal rejects the operation with its reason", async () => {
    const sim = await createSim({ size: 3 });
    try {
      const controller = new AbortController();
      controller.abort(new Error("not wanted"));
      await assert.rejects(
        sim.nodes[0]!.findNode(generateNodeId(), { signal: controller.signal }),
        /not wanted/,
      );
    } finally {
      await sim.close();
    }
  });
});

describe("KademliaNode in tiny networks", () => {
  it("a lone node stores locally and says so", async () => {
    const network = new MemoryNetwork();
    await using node = new KademliaNode({ transport: network.bind });
    await node.listen();
    const result = await node.set("alone", "here");
    assert.deepEqual(result.storedOn, []);
    assert.equal(result.storedLocally, true);
    assert.equal(result.key, hashKeyToNodeId("alone"));
    assert.equal(await node.get("alone"), "here");
    assert.equal(await node.get("missing"), undefined);
    assert.deepEqual(await node.findNode(generateNodeId()), []);
    assert.deepEqual(await node.findValue("alone"), { value: undefined, peers: [] });
  });
  it("findValue caches a found value on one node that lacked it, even when holders are slow", async () => {
    // Holders answer five times slower than the rest: past the lookup's slow threshold, within
    // their timeout. A read must wait for them rather than report the value absent, and then
    // leave exactly one new copy, on a node that did not hold it.
    const slow = new Set<string>();
    const sim = await createSim({
      size: 40,
      seed: 3,
      node: { k: 3 },
      latency: (_from, to) => (slow.has(to.host) ? 5 : 1),
    });
    try {
      const [setter, getter] = [sim.nodes[0]!, sim.nodes[39]!];
      const stored = await sim.run(setter.set("cached", "copy me"));
      const holders = new Set([setter.id, ...stored.storedOn.map((p) => p.id)]);
      for (const node of sim.nodes) if (holders.has(node.id)) slow.add(node.address!.host);
      assert.ok(!holders.has(getter.id));
      const found = await sim.run(getter.findValue("cached"));
      assert.equal(found.value, "copy me");
      await sim.clock.advance(200);
      const copies = sim.nodes.filter((n) => n.stats().storedValues > 0).map((n) => n.id);
      const added = copies.filter((id) => !holders.has(id));
      assert.equal(added.length, 1, "exactly one new copy");
    } finally {
      await sim.close();
    }
  });
  it("a bootstrap to a node of the other codec fails and says so, both ways", async () => {
    for (const [mine, theirs] of [["bencode", "json"], ["json", "bencode"]] as const) {
      const network = new MemoryNetwork();
      await using other = new KademliaNode({ transport: network.bind, serialization: theirs });
      await using node = new KademliaNode({ transport: network.bind, serialization: mine });
      const address = await other.listen();
      await node.listen();
      const error = await node.bootstrap([address]).catch((e) => e);
      assert.ok(error instanceof BootstrapError, String(error));
      assert.deepEqual(error.failures.map((f) => f.reason), ["other_codec"]);
      assert.equal(other.stats().otherCodec, 1);
      assert.equal(other.stats().routingTableSize, 0);
      assert.equal(node.stats().routingTableSize, 0);
    }
  });
});

describe("KademliaNode routing upkeep", () => {
  // Ids chosen so that a, b and c share no prefix bit with the watcher: after the first split
  // they all fall into the same far bucket, which cannot split again.
  const ids = {
    watcher: "00".repeat(20),
    a: "80" + "00".repeat(18) + "01",
    b: "80" + "00".repeat(18) + "02",
    c: "80" + "00".repeat(18) + "03",
  };

  // a and b fill the watcher's far bucket (k = 2), then c queries the watcher, after which
  // the watcher does `then`: nothing, pings c (c answers one of its queries), or runs two
  // lookups (which ask a, twice: two failures make a contact bad).
  async function threeAndANewcomer(aliveA: boolean, then: "nothing" | "ping c" | "lookups") {
    const clock = new VirtualClock();
    const network = new MemoryNetwork({ clock });
    const make = (nodeId: string) =>
      new KademliaNode({ transport: network.bind, clock, k: 2, nodeId, queryTimeoutMs: 100 });
    const watcher = make(ids.watcher), a = make(ids.a), b = make(ids.b), c = make(ids.c);
    for (const node of [watcher, a, b, c]) await node.listen();
    await clock.runUntilSettled(a.bootstrap([watcher.address!]));
    await clock.advance(10);
    await clock.runUntilSettled(b.bootstrap([watcher.address!]));
    await clock.advance(10);
    assert.deepEqual(watcher.peers().map((p) => p.id).sort(), [ids.a, ids.b]);
    if (!aliveA) network.setDown(a.address!, true);
    await clock.runUntilSettled(c.bootstrap([watcher.address!]).catch(() => undefined));
    await clock.advance(500);
    if (then === "ping c") await clock.runUntilSettled(watcher.ping(c.address!));
    if (then === "lookups") {
      for (let i = 0; i < 2; i++) await clock.runUntilSettled(watcher.findNode("81".repeat(20)));
    }
    await clock.advance(500);
    const peers = watcher.peers().map((p) => p.id).sort();
    const { evictionPings } = watcher.stats();
    for (const node of [watcher, a, b, c]) await node.close();
    await clock.runAll();
    return { peers, evictionPings };
  }

  it("a node that only queried us waits as a spare: no ping, the bucket keeps its contacts", async () => {
    for (const aliveA of [true, false]) {
      assert.deepEqual(await threeAndANewcomer(aliveA, "nothing"), {
        peers: [ids.a, ids.b],
        evictionPings: 0,
      });
    }
  });
  it("a newcomer that answers us pings the least-recently-seen contact, evicted if silent", async () => {
    assert.deepEqual(await threeAndANewcomer(false, "ping c"), {
      peers: [ids.b, ids.c],
      evictionPings: 1,
    });
  });
  it("a full bucket keeps a least-recently-seen contact that answers its ping", async () => {
    assert.deepEqual(await threeAndANewcomer(true, "ping c"), {
      peers: [ids.a, ids.b],
      evictionPings: 1,
    });
  });
  it("a spare takes the place of a contact that failed our queries", async () => {
    const { peers } = await threeAndANewcomer(false, "lookups");
    assert.deepEqual(peers, [ids.b, ids.c]);
  });
});

describe("ids and peers", () => {
  it("generateNodeId gives 40 hex chars; seeded generation repeats", () => {
    assert.match(generateNodeId(), /^[0-9a-f]{40}$/);
    assert.equal(generateNodeId(new SeededRandom(5)), generateNodeId(new SeededRandom(5)));
  });
  it("hashKeyToNodeId is SHA-1 as hex; xorDistance is a bigint", () => {
    assert.equal(hashKeyToNodeId("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert.equal(xorDistance("00".repeat(19) + "03", "00".repeat(19) + "05"), 6n);
  });
  it("Peer round-trips through JSON and validates its fields", () => {
    const peer = new Peer("cd".repeat(20), "::1", 8000);
    assert.deepEqual(Peer.fromJSON(JSON.parse(JSON.stringify(peer))), peer);
    assert.throws(() => new Peer("cd".repeat(20), "example.com", 1), TypeError);
    assert.throws(() => new Peer("cd".repeat(20), "127.0.0.1", 70000), TypeError);
  });
});
