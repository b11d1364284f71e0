import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { commonPrefixLength, compareDistance, idToHex, randomId } from "../../src/id/node_id.ts";
import { lookup } from "../../src/lookup/lookup.ts";
import type { LookupOptions, LookupReply } from "../../src/lookup/lookup.ts";
import { SeededRandom } from "../../src/random.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import type { NodeInfo } from "../../src/wire/compact_nodes.ts";

// A synthetic network with ideal Kademlia tables: each node knows up to 8 random members of
// each of its buckets (the nodes sharing exactly i leading bits with it), and answers with the
// 8 it knows closest to the target.
function world(size: number, seed: number) {
  const random = new SeededRandom(seed);
  const nodes: NodeInfo[] = Array.from(
    { length: size },
    (_, i) => ({ id: randomId(random), host: "10.0.0.1", port: i + 1 }),
  );
  const known = new Map<string, NodeInfo[]>();
  for (const node of nodes) {
    const buckets = new Map<number, NodeInfo[]>();
    for (const other of nodes) {
      if (other === node) continue;
      const cpl = commonPrefixLength(node.id, other.id);
      const bucket = buckets.get(cpl) ?? [];
      if (bucket.length < 8) bucket.push(other);
      else if (random.float() < 0.5) bucket[Math.floor(random.float() * 8)] = other;
      buckets.set(cpl, bucket);
    }
    known.set(idToHex(node.id), [...buckets.values()].flat());
  }
  const closest = (target: Uint8Array, from: NodeInfo[], k: number) =>
    [...from].sort((a, b) => compareDistance(target, a.id, b.id)).slice(0, k);
  return { random, nodes, known, closest };
}

function run(
  options: Partial<LookupOptions> & Pick<LookupOptions, "target" | "seeds" | "query">,
  clock = new VirtualClock(),
) {
  return clock.runUntilSettled(lookup({
    localId: new Uint8Array(20),
    k: 8,
    alpha: 3,
    wantValue: false,
    clock,
    slowQueryMs: 1000,
    ...options,
  }));
}

describe("lookup", () => {
  it("ends with the k closest nodes of the network, all of which answered", async () => {
    const w = world(300, 1);
    for (let trial = 0; trial < 20; trial++) {
      const target = randomId(w.random);
      const asked = new Set<string>();
      const result = await run({
        target,
        seeds: w.nodes.slice(0, 3),
        query: (node) => {
          asked.add(idToHex(node.id));
          return Promise.resolve({ nodes: w.closest(target, w.known.get(idToHex(node.id))!, 8) });
        },
      });
      const truth = w.closest(target, w.nodes, 8).map((n) => idToHex(n.id));
      assert.deepEqual(result.closest.map((n) => idToHex(n.id)), truth);
      for (const id of truth) assert.ok(asked.has(id), "every result node was queried");
      assert.equal(result.queries, asked.size);
      assert.ok(result.rounds >= 1 && result.rounds <= result.queries);
    }
  });

  it("keeps at most alpha queries in flight while narrowing", async () => {
    const w = world(200, 2);
    const clock = new VirtualClock();
    let inFlight = 0;
    let most = 0;
    const target = randomId(w.random);
    await run({
      target,
      seeds: w.nodes.slice(0, 10),
      alpha: 2,
      query: (node) => {
        most = Math.max(most, ++inFlight);
        return new Promise<LookupReply>((resolve) =>
          clock.setTimer(() => {
            inFlight--;
            resolve({ nodes: w.closest(target, w.known.get(idToHex(node.id))!, 8) });
          }, 10)
        );
      },
    }, clock);
    // Narrowing keeps 2 in flight; the flush at the end may ask up to k at once.
    assert.ok(most >= 2 && most <= 8, `most in flight: ${most}`);
  });

  it("skips failed nodes and does not wait a full timeout for a silent one", async () => {
    const w = world(100, 3);
    const clock = new VirtualClock();
    const target = randomId(w.random);
    const truth = w.closest(target, w.nodes, 8);
    const dead = new Set([idToHex(truth[0]!.id)]);
    const silent = idToHex(truth[1]!.id);
    const started = clock.now();
    const result = await run({
      target,
      seeds: w.nodes.slice(0, 3),
      slowQueryMs: 100,
      query: (node) => {
        const hex = idToHex(node.id);
        if (dead.has(hex)) return Promise.reject(new Error("unreachable"));
        if (hex === silent) return new Promise<LookupReply>(() => {}); // never answers
        // Everyone knows the true closest nodes, so the dead and silent ones are found.
        return Promise.resolve({ nodes: truth });
      },
    }, clock);
    const ids = result.closest.map((n) => idToHex(n.id));
    assert.ok(!ids.includes(idToHex(truth[0]!.id)) && !ids.includes(silent));
    assert.equal(result.failures, 1);
    assert.ok(clock.now() - started <= 100, `took ${clock.now() - started} ms of virtual time`);
  });

  it("stops at the first value and names the nearest node that answered without it", async () => {
    const w = world(100, 4);
    const target = randomId(w.random);
    const truth = w.closest(target, w.nodes, 8);
    const holder = idToHex(truth[2]!.id);
    const clock = new VirtualClock();
    const result = await run({
      target,
      wantValue: true,
      seeds: truth.slice(0, 3),
      alpha: 1, // asks truth[0] first; its reply brings nothing closer, so the rest are flushed
      query: (node) =>
        new Promise<LookupReply>((resolve) =>
          clock.setTimer(
            () =>
              resolve(
                idToHex(node.id) === holder ? { nodes: [], value: "found" } : { nodes: truth },
              ),
            5,
          )
        ),
    }, clock);
    assert.equal(result.value, "found");
    assert.equal(idToHex(result.valueFrom!.id), holder);
    assert.equal(idToHex(result.nearestWithoutValue!.id), idToHex(truth[0]!.id));
    // truth[0]'s reply brings nothing closer, so the flush asks the other 7 of the k closest.
    assert.equal(result.queries, 8);
  });

  it("returns nothing for no seeds, and rejects with the abort reason", async () => {
    const empty = await run({
      target: new Uint8Array(20),
      seeds: [],
      query: () => Promise.reject(new Error()),
    });
    assert.deepEqual(empty.closest, []);
    assert.equal(empty.queries, 0);
    const controller = new AbortController();
    const w = world(20, 5);
    const pending = run({
      target: new Uint8Array(20),
      seeds: w.nodes,
      signal: controller.signal,
      query: () => new Promise<LookupReply>(() => {}),
    });
    controller.abort(new Error("cancelled"));
    await assert.rejects(pending, /cancelled/);
  });

  it("never lists the local node as a candidate", async () => {
    const w = world(50, 6);
    const self = w.nodes[0]!;
    const target = randomId(w.random);
    const result = await run({
      target,
      localId: self.id,
      seeds: w.nodes.slice(1, 4),
      query: () => Promise.resolve({ nodes: w.nodes }),
    });
    assert.ok(result.closest.every((n) => idToHex(n.id) !== idToHex(self.id)));
  });
});
