// The node's events on a simulated network: each one fires when its part reports, carries what
// happened, and agrees with the counters in stats().
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  createLogger,
  KademliaNode,
  type KademliaNodeEventMap,
  type LookupFinishedEvent,
  type QueryReceivedEvent,
  type ValueStoredEvent,
} from "../../mod.ts";
import { hashKey, idToHex } from "../../src/id/node_id.ts";
import { constantLatency } from "../../src/testing/latency.ts";
import { createSim } from "../_helpers/sim.ts";

type Counts = { added: number; removed: number };

function countPeers(node: KademliaNode): Counts {
  const counts = { added: 0, removed: 0 };
  node.addEventListener("peer-added", () => counts.added++);
  node.addEventListener("peer-removed", () => counts.removed++);
  return counts;
}

function collect<K extends keyof KademliaNodeEventMap>(
  node: KademliaNode,
  type: K,
): KademliaNodeEventMap[K][] {
  const events: KademliaNodeEventMap[K][] = [];
  node.addEventListener(type, (event) => events.push(event));
  return events;
}

describe("KademliaNode events", () => {
  it("peer-added and peer-removed track the routing table exactly, through joins and a restart", async () => {
    const sim = await createSim({ size: 0, seed: 7 });
    const counts: Counts[] = [];
    const removedIds: string[][] = [];
    const build = () => {
      const node = new KademliaNode({
        k: 4,
        transport: sim.network.bind,
        clock: sim.clock,
        random: sim.random,
      });
      counts.push(countPeers(node));
      const gone: string[] = [];
      node.addEventListener("peer-removed", (event) => gone.push(event.peer.id));
      removedIds.push(gone);
      return node;
    };
    try {
      for (let i = 0; i < 16; i++) {
        const node = build();
        sim.nodes.push(node);
        await node.listen(0, `10.0.0.${i + 1}`);
        if (i > 0) await sim.run(node.bootstrap([sim.nodes[sim.pick(i)]!.address!]));
      }
      // Node 5 restarts at its address with a new id: whoever asks the old id there hears the
      // new one, and drops the old contact (the keeper's attribution rule).
      const old = sim.nodes[5]!;
      const oldId = old.id;
      const address = old.address!;
      const holders = sim.nodes.filter((n) => n.peers().some((p) => p.id === oldId));
      assert.ok(holders.length > 0, "some tables hold node 5");
      await old.close();
      const reborn = build();
      sim.nodes[5] = reborn;
      await reborn.listen(address.port, address.host);
      for (const node of holders) await sim.run(node.findNode(oldId));
      for (const node of holders) {
        const index = sim.nodes.indexOf(node);
        assert.ok(removedIds[index]!.includes(oldId), `node ${index} removed the old id`);
        assert.ok(!node.peers().some((p) => p.id === oldId));
      }
      for (const [i, node] of sim.nodes.entries()) {
        if (i === 5) continue;
        const { added, removed } = counts[i]!;
        assert.equal(added - removed, node.stats().routingTableSize, `node ${i}`);
        assert.equal(node.peers().length, node.stats().routingTableSize);
      }
    } finally {
      await sim.close();
    }
  });

  it("query-received names the method and sender, and agrees with queriesReceivedByMethod", async () => {
    const sim = await createSim({ size: 8, seed: 3 });
    try {
      const [a, b] = sim.nodes as [KademliaNode, KademliaNode];
      const seen = collect(a, "query-received");
      const before = a.stats().queriesReceivedByMethod;
      await sim.run(b.ping(a.address!));
      await sim.run(b.findNode(a.id));
      const after = a.stats().queriesReceivedByMethod;
      const fromB = seen.filter((e: QueryReceivedEvent) => e.from.host === b.address!.host);
      assert.ok(fromB.some((e) => e.method === "ping" && e.readOnly === false));
      assert.ok(fromB.some((e) => e.method === "find_node"));
      for (const method of ["ping", "find_node"]) {
        const events = seen.filter((e) => e.method === method).length;
        assert.equal((after[method] ?? 0) - (before[method] ?? 0), events, method);
      }
    } finally {
      await sim.close();
    }
  });

  it("lookup-finished reports rounds, messages and duration, summing to the stats totals", async () => {
    const sim = await createSim({ size: 40, seed: 5, latency: constantLatency(5) });
    try {
      const node = sim.nodes[39]!;
      const events: LookupFinishedEvent[] = collect(node, "lookup-finished");
      const before = node.stats();
      await sim.run(node.findNode(sim.nodes[3]!.id));
      await sim.run(node.set("k", "v"));
      await sim.run(node.findValue("k"));
      const after = node.stats();
      assert.deepEqual(events.map((e) => e.method), ["find_node", "find_node", "find_value"]);
      assert.equal(events[0]!.targetId, sim.nodes[3]!.id);
      assert.equal(events[1]!.targetId, idToHex(hashKey("k")));
      for (const event of events) {
        assert.ok(event.rounds >= 1 && event.queries >= event.rounds, JSON.stringify(event));
        assert.ok(event.answered >= 1 && event.durationMs > 0);
      }
      assert.ok(events[2]!.found >= 1, "find_value found the value");
      const sum = (field: "rounds" | "queries") => events.reduce((n, e) => n + e[field], 0);
      assert.equal(after.lookups - before.lookups, 3);
      assert.equal(after.lookupRounds - before.lookupRounds, sum("rounds"));
      assert.equal(after.lookupQueries - before.lookupQueries, sum("queries"));
      const histograms = after.lookupHistograms;
      assert.equal(histograms.rounds.count, after.lookups);
      assert.equal(histograms.queries.sum, after.lookupQueries);
      assert.equal(histograms.rounds.buckets.at(-1)!.le, Infinity);
      assert.equal(histograms.durationMs.buckets.at(-1)!.count, after.lookups);
    } finally {
      await sim.close();
    }
  });

  it("value-stored fires on the publisher (local) and on each holder (with the sender)", async () => {
    const sim = await createSim({ size: 12, seed: 9, node: { k: 4 } });
    try {
      const writer = sim.nodes[5]!;
      const events = sim.nodes.map((node) => collect(node, "value-stored"));
      const result = await sim.run(writer.set("hello", "world"));
      const key = idToHex(hashKey("hello"));
      const mine: ValueStoredEvent[] = events[5]!;
      assert.equal(mine.length, 1);
      assert.deepEqual(
        { key: mine[0]!.key, size: mine[0]!.size, local: mine[0]!.local, from: mine[0]!.from },
        { key, size: 5, local: true, from: undefined },
      );
      assert.equal(result.storedOn.length, 4);
      for (const peer of result.storedOn) {
        const index = sim.nodes.findIndex((n) => n.id === peer.id);
        const held = events[index]!;
        assert.equal(held.length, 1, `holder ${index}`);
        assert.equal(held[0]!.local, false);
        assert.deepEqual(held[0]!.from, writer.address);
      }
    } finally {
      await sim.close();
    }
  });

  it("warning reports a malformed datagram with its sender, and onWarning still hears it", async () => {
    const sim = await createSim({ size: 1 });
    const told: string[] = [];
    const node = new KademliaNode({
      transport: sim.network.bind,
      clock: sim.clock,
      random: sim.random,
      onWarning: (message) => told.push(message),
    });
    try {
      await node.listen(0, "10.9.9.9");
      const warnings = collect(node, "warning");
      const raw = await sim.network.bind({ hostname: "10.9.9.8", port: 4000 });
      await raw.send(new TextEncoder().encode("this is not a KRPC message at all"), node.address!);
      await sim.clock.runAll({ maxMs: 1000 });
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!.message, /undecodable/);
      assert.deepEqual(warnings[0]!.from, { host: "10.9.9.8", port: 4000 });
      assert.deepEqual(told, [warnings[0]!.message]);
      await raw.close();
    } finally {
      await node.close();
      await sim.close();
    }
  });

  it("a logger at debug hears peers, queries, lookups and values; none is the default", async () => {
    const sim = await createSim({ size: 6, seed: 2 });
    const lines: string[] = [];
    const node = new KademliaNode({
      transport: sim.network.bind,
      clock: sim.clock,
      random: sim.random,
      logger: createLogger({ level: "debug", write: (line) => lines.push(line) }),
    });
    try {
      await node.listen(0, "10.8.0.1");
      await sim.run(node.bootstrap([sim.nodes[0]!.address!]));
      await sim.run(node.set("a", "b"));
      await sim.run(sim.nodes[1]!.ping(node.address!));
      for (
        const start of [
          "debug peer added id=",
          "debug query received method=",
          "debug lookup finished method=find_node",
          "debug value stored key=",
        ]
      ) {
        assert.ok(lines.some((line) => line.startsWith(start)), `a line starting ${start}`);
      }
      assert.ok(lines.every((line) => !line.includes("\n")));
      const quiet: string[] = [];
      const info = createLogger({ level: "info", write: (line) => quiet.push(line) });
      info.debug("not written");
      info.info("written", { text: 'two words "quoted"\nnewline' });
      assert.deepEqual(quiet, ['info written text="two words \\"quoted\\"\\nnewline"']);
      assert.throws(() => createLogger({ level: "loud" as "info" }), RangeError);
    } finally {
      await node.close();
      await sim.close();
    }
  });
});
