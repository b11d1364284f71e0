import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TimeoutError } from "../../src/errors.ts";
import { commonPrefixLength, compareDistance, idToHex, randomId } from "../../src/id/node_id.ts";
import { disjointLookup } from "../../src/lookup/disjoint.ts";
import { lookup } from "../../src/lookup/lookup.ts";
import type { LookupOptions, LookupReply } from "../../src/lookup/lookup.ts";
import { SeededRandom } from "../../src/random.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import type { NodeInfo } from "../../src/wire/compact_nodes.ts";

// A synthetic network with ideal Kademlia tables: each node knows up to `bucketSize` (8)
// random members of each of its buckets (the nodes sharing exactly i leading bits with it).
function world(size: number, seed: number, bucketSize = 8) {
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
      if (bucket.length < bucketSize) bucket.push(other);
      else if (random.float() < 0.5) bucket[Math.floor(random.float() * bucketSize)] = other;
      buckets.set(cpl, bucket);
    }
    known.set(idToHex(node.id), [...buckets.values()].flat());
  }
  const closest = (target: Uint8Array, from: NodeInfo[], k: number) =>
    [...from].sort((a, b) => compareDistance(target, a.id, b.id)).slice(0, k);
  return { random, nodes, known, closest };
}

type Options = LookupOptions<string>;

function run(
  options: Partial<Options> & Pick<Options, "target" | "seeds" | "query">,
  clock = new VirtualClock(),
) {
  return clock.runUntilSettled(lookup<string>({
    localId: new Uint8Array(20),
    k: 8,
    alpha: 3,
    clock,
    slowAfter: () => 1000,
    ...options,
  }));
}

/** An id sharing exactly `depth` leading bits with `target`, the rest random. */
function idAtDepth(target: Uint8Array, depth: number, random: SeededRandom): Uint8Array {
  const id = randomId(random);
  const byte = depth >>> 3;
  const bit = 0x80 >>> (depth & 7);
  id.set(target.subarray(0, byte));
  const mask = (0xff00 >>> (depth & 7)) & 0xff; // the bits before `depth` in this byte
  id[byte] = (target[byte]! & mask) | (id[byte]! & ~mask & 0xff);
  id[byte] = (id[byte]! & ~bit) | (~target[byte]! & bit); // bit `depth` differs
  return id;
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

  for (const alpha of [1, 2, 3, 5]) {
    it(`keeps exactly alpha = ${alpha} queries in flight while replies bring closer nodes`, async () => {
      // Every reply names nodes closer than any seen so far, so the lookup never flushes
      // while the ladder lasts: the queries in flight must stay at alpha, neither more (alpha
      // ignored) nor fewer (slots not refilled).
      const random = new SeededRandom(alpha);
      const target = randomId(random);
      const clock = new VirtualClock();
      let depth = 1;
      let replies = 0;
      let inFlight = 0;
      const inFlightWhileNarrowing: number[] = [];
      const seeds = Array.from({ length: alpha + 2 }, (_, i) => ({
        id: idAtDepth(target, 0, random),
        host: "10.0.0.1",
        port: i + 1,
      }));
      await run({
        target,
        seeds,
        alpha,
        query: () => {
          inFlight++;
          if (replies < 30) inFlightWhileNarrowing.push(inFlight);
          return new Promise<LookupReply<string>>((resolve) =>
            clock.setTimer(() => {
              inFlight--;
              replies++;
              if (replies > 30) return resolve({ nodes: [] });
              depth++;
              resolve({
                nodes: Array.from({ length: alpha }, (_, i) => ({
                  id: idAtDepth(target, depth, random),
                  host: "10.0.0.2",
                  port: depth * 10 + i,
                })),
              });
            }, 10 + (replies % 3))
          );
        },
      }, clock);
      assert.ok(inFlightWhileNarrowing.length >= 30);
      assert.equal(Math.max(...inFlightWhileNarrowing), alpha);
      assert.equal(inFlightWhileNarrowing.slice(alpha).filter((n) => n !== alpha).length, 0);
    });
  }

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
      slowAfter: () => 100,
      query: (node) => {
        const hex = idToHex(node.id);
        if (dead.has(hex)) return Promise.reject(new Error("unreachable"));
        if (hex === silent) return new Promise<LookupReply<string>>(() => {}); // never answers
        // Everyone knows the true closest nodes, so the dead and silent ones are found.
        return Promise.resolve({ nodes: truth });
      },
    }, clock);
    const ids = result.closest.map((n) => idToHex(n.id));
    assert.ok(!ids.includes(idToHex(truth[0]!.id)) && !ids.includes(silent));
    assert.equal(result.failures, 1);
    assert.ok(clock.now() - started <= 100, `took ${clock.now() - started} ms of virtual time`);
  });

  it("reports every find, and stops at one when onFound says so", async () => {
    const w = world(100, 4);
    const target = randomId(w.random);
    const truth = w.closest(target, w.nodes, 8);
    const holders = new Set([idToHex(truth[2]!.id), idToHex(truth[5]!.id)]);
    const clock = new VirtualClock();
    const query = (node: NodeInfo) =>
      new Promise<LookupReply<string>>((resolve) =>
        clock.setTimer(
          () =>
            resolve(
              holders.has(idToHex(node.id))
                ? { nodes: [], found: `from ${idToHex(node.id)}` }
                : { nodes: truth },
            ),
          5,
        )
      );
    const all = await run({ target, seeds: truth.slice(0, 3), alpha: 1, query }, clock);
    assert.deepEqual(
      new Set(all.found.map((f) => idToHex(f.from.id))),
      holders,
      "collects every holder",
    );
    assert.equal(all.closest.length, 8, "holders count as answered");
    const first = await run({
      target,
      seeds: truth.slice(0, 3),
      alpha: 1,
      query,
      onFound: () => true,
    }, clock);
    assert.equal(first.found.length, 1);
    assert.equal(first.found[0]!.value, `from ${idToHex(first.found[0]!.from.id)}`);
  });

  it("drain: sends nothing more once asked to, but keeps the answers already on their way", async () => {
    const w = world(100, 5);
    const target = randomId(w.random);
    const truth = w.closest(target, w.nodes, 8);
    const clock = new VirtualClock();
    const asked: string[] = [];
    // Every node of the true 8 holds a value; the 8 are all in flight at once (seeded with them).
    const query = (node: NodeInfo) => {
      asked.push(idToHex(node.id));
      return new Promise<LookupReply<string>>((resolve) =>
        clock.setTimer(() => resolve({ nodes: truth, found: idToHex(node.id) }), 5 + asked.length)
      );
    };
    let finds = 0;
    const result = await run({
      target,
      seeds: truth,
      alpha: 8,
      query,
      onFound: () => (finds++, false),
      drain: () => finds >= 2,
    }, clock);
    assert.equal(asked.length, 8, "nothing sent after the drain began");
    assert.equal(result.found.length, 8, "yet every answer in flight was kept");
    // One at a time, each answer a step closer: the drain ends the walk after the second find.
    asked.length = 0;
    finds = 0;
    const stepCloser = (node: NodeInfo) => {
      asked.push(idToHex(node.id));
      const next = truth[truth.indexOf(node) - 1];
      return Promise.resolve({ nodes: next ? [next] : [], found: idToHex(node.id) });
    };
    const narrow = await run({
      target,
      seeds: truth.slice(7),
      alpha: 1,
      query: stepCloser,
      onFound: () => (finds++, false),
      drain: () => finds >= 2,
    }, clock);
    assert.equal(narrow.found.length, 2);
    assert.equal(asked.length, 2);
    assert.deepEqual(narrow.unasked, [truth[5]], "met but never asked, reported as such");
  });

  it("asks a suspect without waiting on it, skips a bad node, and can await a slow one", async () => {
    const w = world(100, 7);
    const target = randomId(w.random);
    const truth = w.closest(target, w.nodes, 8);
    const clock = new VirtualClock();
    const suspect = idToHex(truth[0]!.id);
    const bad = idToHex(truth[1]!.id);
    const asked = new Set<string>();
    const events: string[] = [];
    const result = await run({
      target,
      seeds: truth,
      standing: (node) => {
        const hex = idToHex(node.id);
        return hex === suspect ? "suspect" : hex === bad ? "bad" : "fresh";
      },
      onEvent: (event) => events.push(`${event.type}:${idToHex(event.node.id)}`),
      query: (node) => {
        asked.add(idToHex(node.id));
        if (idToHex(node.id) === suspect) return new Promise(() => {}); // silent
        return new Promise((resolve) => clock.setTimer(() => resolve({ nodes: truth }), 5));
      },
    }, clock);
    assert.ok(asked.has(suspect), "a suspect is still asked");
    assert.ok(!asked.has(bad), "a bad node is not");
    assert.ok(clock.now() < 100, `did not wait on the suspect (${clock.now()} ms)`);
    assert.equal(result.closest.length, 6);
    assert.ok(events.includes(`query:${suspect}`) && !events.some((e) => e.endsWith(bad)));
    assert.equal(events.filter((e) => e.startsWith("reply:")).length, 6);

    // A slow holder among 12 nodes, k = 8: others fill the k places, so without awaitSlow the
    // lookup ends without it; with awaitSlow it waits up to four slow thresholds (80 ms here),
    // so a holder at 60 ms is found and one at 300 ms not. A 5 ms threshold still waits the
    // 50 ms floor for a holder at 40 ms.
    const twelve = w.closest(target, w.nodes, 12);
    const holder = idToHex(twelve[0]!.id);
    const slowHolder = (delay: number) => (node: NodeInfo) =>
      new Promise<LookupReply<string>>((resolve) =>
        clock.setTimer(
          () =>
            resolve(idToHex(node.id) === holder ? { nodes: [], found: "v" } : { nodes: twelve }),
          idToHex(node.id) === holder ? delay : 5,
        )
      );
    const common = { target, seeds: twelve, slowAfter: () => 20 };
    const hasty = await run({ ...common, query: slowHolder(60) }, clock);
    assert.equal(hasty.found.length, 0);
    assert.equal(hasty.closest.length, 8);
    const patient = await run({ ...common, query: slowHolder(60), awaitSlow: () => true }, clock);
    assert.equal(patient.found[0]?.value, "v");
    const started = clock.now();
    const bounded = await run({ ...common, query: slowHolder(300), awaitSlow: () => true }, clock);
    assert.equal(bounded.found.length, 0);
    assert.ok(clock.now() - started <= 90, `waited ${clock.now() - started} ms, not 300`);
    const floor = await run({
      ...common,
      slowAfter: () => 5,
      query: slowHolder(40),
      awaitSlow: () => true,
    }, clock);
    assert.equal(floor.found[0]?.value, "v");
  });

  it("waits for slow nodes it cannot do without: a short result, and no answer at all", async () => {
    const w = world(30, 8);
    const target = randomId(w.random);
    const three = w.closest(target, w.nodes, 3);
    const clock = new VirtualClock();
    const late = (delay: number) => (_node: NodeInfo) =>
      new Promise<LookupReply<string>>((resolve) =>
        clock.setTimer(() => resolve({ nodes: three }), delay)
      );
    // Three nodes, all slower than their 5 ms threshold (a busy process): every one is needed.
    const short = await run({ target, seeds: three, slowAfter: () => 5, query: late(30) }, clock);
    assert.equal(short.closest.length, 3, "waited the grace period for them");
    // Slower than the grace period: with no answer at all, still waited for until one answers.
    let started = clock.now();
    const none = await run({ target, seeds: three, slowAfter: () => 5, query: late(400) }, clock);
    assert.ok(none.closest.length >= 1);
    assert.ok(clock.now() - started >= 400);
    // One of them answers; the two dead ones cost the grace period, not their timeout.
    started = clock.now();
    const partial = await run({
      target,
      seeds: three,
      slowAfter: () => 5,
      query: (node) =>
        node === three[0] ? late(1)(node) : new Promise<LookupReply<string>>(() => {}),
    }, clock);
    assert.equal(partial.closest.length, 1);
    assert.ok(clock.now() - started <= 60, `took ${clock.now() - started} ms`);
    // The lookup says which nodes it gave up on, so the caller can stop waiting on them too.
    const overdue: string[] = [];
    await run({
      target,
      seeds: three,
      slowAfter: () => 5,
      onEvent: (event) => event.type === "overdue" && overdue.push(idToHex(event.node.id)),
      query: (node) =>
        node === three[0] ? late(1)(node) : new Promise<LookupReply<string>>(() => {}),
    }, clock);
    assert.deepEqual(overdue.sort(), [three[1]!, three[2]!].map((n) => idToHex(n.id)).sort());
  });

  it("times slowness by its own replies when stored estimates are far too long", async () => {
    // Every node's stored estimate says 1 s, but replies come in 2 ms: a dead node, asked in
    // the first wave, is given up on after three times the lookup's median reply time.
    const w = world(100, 9);
    const target = randomId(w.random);
    const truth = w.closest(target, w.nodes, 12);
    const dead = idToHex(truth[1]!.id);
    const clock = new VirtualClock();
    const slowAt: number[] = [];
    const started = clock.now();
    const result = await run({
      target,
      seeds: truth,
      slowAfter: () => 1000,
      onEvent: (event) => event.type === "slow" && slowAt.push(clock.now() - started),
      query: (node) =>
        idToHex(node.id) === dead
          ? new Promise<LookupReply<string>>(() => {})
          : new Promise((resolve) => clock.setTimer(() => resolve({ nodes: truth }), 2)),
    }, clock);
    assert.deepEqual(slowAt, [6]);
    assert.ok(clock.now() - started <= 8, `took ${clock.now() - started} ms`);
    assert.ok(!result.closest.some((n) => idToHex(n.id) === dead));
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
      query: () => new Promise<LookupReply<string>>(() => {}),
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

describe("lookup with the β-style stop", () => {
  it("ends once the 3 closest and the nearest of each subtree answered: the true k closest in under half the queries", async () => {
    // k = 20 as the node's default, each node answering with the 20 it knows closest.
    const w = world(2000, 11, 20);
    let exact = 0;
    let betaQueries = 0;
    let allQueries = 0;
    const trials = 40;
    for (let trial = 0; trial < trials; trial++) {
      const target = randomId(w.random);
      const seeds = w.nodes.slice(trial * 3, trial * 3 + 3);
      const answering = (node: NodeInfo) =>
        Promise.resolve({ nodes: w.closest(target, w.known.get(idToHex(node.id))!, 20) });
      const strict = await run({ target, seeds, k: 20, query: answering });
      const asked: string[] = [];
      const result = await run({
        target,
        seeds,
        k: 20,
        beta: 3,
        query: (node) => {
          asked.push(idToHex(node.id));
          return answering(node);
        },
      });
      const truth = w.closest(target, w.nodes, 20).map((n) => idToHex(n.id));
      const ids = result.closest.map((n) => idToHex(n.id));
      if (JSON.stringify(ids) === JSON.stringify(truth)) exact++;
      // The 3 nearest of the result answered; the others were named by nodes that did.
      const answered = new Set(result.answered.map((n) => idToHex(n.id)));
      for (const id of ids.slice(0, 3)) assert.ok(answered.has(id), "the β closest answered");
      assert.ok(ids.some((id) => !answered.has(id)), "nodes never asked stand in the result");
      assert.equal(result.queries, asked.length);
      betaQueries += result.queries;
      allQueries += strict.queries;
    }
    assert.ok(exact >= trials - 1, `the true 20 closest in ${exact} of ${trials} lookups`);
    assert.ok(betaQueries * 2 < allQueries, `${betaQueries} queries against ${allQueries}`);
  });

  it("leaves out a failed node and an unasked suspect, keeps a slow one, and waits for neither", async () => {
    const w = world(100, 12);
    const clock = new VirtualClock();
    const target = randomId(w.random);
    const truth = w.closest(target, w.nodes, 8);
    const hex = (node: NodeInfo) => idToHex(node.id);
    // The nearest node answers with the whole neighbourhood; the 2nd and 3rd fail; the 4th
    // never answers; the 8th is a suspect (its last query failed) that the lookup, done with
    // the 1st, 5th and 6th, never asks.
    const failing = new Set([hex(truth[1]!), hex(truth[2]!)]);
    const silent = hex(truth[3]!);
    const suspect = hex(truth[7]!);
    const started = clock.now();
    const result = await run({
      target,
      seeds: [truth[0]!, ...w.nodes.slice(0, 2)],
      beta: 3,
      slowAfter: () => 100,
      standing: (node) => hex(node) === suspect ? "suspect" : "fresh",
      query: (node) => {
        if (failing.has(hex(node))) return Promise.reject(new Error("unreachable"));
        if (hex(node) === silent) return new Promise<LookupReply<string>>(() => {});
        return Promise.resolve({ nodes: truth });
      },
    }, clock);
    const ids = result.closest.map(hex);
    assert.ok(!ids.includes(hex(truth[1]!)) && !ids.includes(hex(truth[2]!)), ids.join());
    assert.ok(ids.includes(silent), "a slow node is not a failed one");
    assert.ok(!result.answered.some((n) => hex(n) === suspect) && !ids.includes(suspect));
    assert.ok(clock.now() - started <= 100, `took ${clock.now() - started} ms`);
  });
});

describe("lookup after a timeout", () => {
  /** A reply, or a TimeoutError, `ms` later on `clock`. */
  const after = (clock: VirtualClock, ms: number, nodes?: NodeInfo[]) =>
    new Promise<LookupReply<string>>((resolve, reject) =>
      clock.setTimer(() => nodes ? resolve({ nodes }) : reject(new TimeoutError("no answer")), ms)
    );

  it("asks a node the end waits for once more, and counts its answer; no other node twice", async () => {
    const w = world(100, 13);
    const clock = new VirtualClock();
    const target = randomId(w.random);
    const truth = w.closest(target, w.nodes, 8);
    const hex = (node: NodeInfo) => idToHex(node.id);
    const asked = new Map<string, number>();
    // The nearest loses its first query and answers the second; the 2nd is gone (every query
    // times out); the 3rd is a suspect whose query times out; the 4th refuses (not a timeout).
    const lostOnce = hex(truth[0]!);
    const gone = hex(truth[1]!);
    const suspect = hex(truth[2]!);
    const refuses = hex(truth[3]!);
    // Answers take 10 ms, a timeout 20: the lookup, timing slowness by its replies (3 × their
    // pace), is still waiting on the nearest when its query times out.
    const result = await run({
      target,
      seeds: w.nodes.slice(0, 3),
      beta: 3,
      slowAfter: () => 100,
      standing: (node) => hex(node) === suspect ? "suspect" : "fresh",
      query: (node) => {
        const id = hex(node);
        const n = (asked.get(id) ?? 0) + 1;
        asked.set(id, n);
        if (id === gone || id === suspect || (id === lostOnce && n === 1)) return after(clock, 20);
        if (id === refuses) return Promise.reject(new Error("unreachable"));
        return after(clock, 10, truth);
      },
    }, clock);
    const ids = result.closest.map(hex);
    assert.equal(asked.get(lostOnce), 2);
    assert.ok(result.answered.some((n) => hex(n) === lostOnce) && ids[0] === lostOnce);
    assert.equal(asked.get(gone), 2, "asked again once, not more");
    assert.ok(!ids.includes(gone), "a node silent twice is left out");
    assert.equal(asked.get(suspect), 1, "a suspect is not asked again");
    assert.equal(asked.get(refuses) ?? 0, 1, "only a timeout earns a second query");
    for (const [id, n] of asked) {
      if (id !== lostOnce && id !== gone) assert.equal(n, 1, `${id} asked ${n} times`);
    }
    assert.equal(result.queries, [...asked.values()].reduce((a, b) => a + b, 0));
    assert.equal(result.failures, 5, "each timeout and the refusal");
    assert.ok(!result.unasked.some((n) => asked.has(hex(n))), "unasked lists no node asked");
  });

  it("background work (bestEffort) asks nobody twice", async () => {
    const w = world(100, 13);
    const clock = new VirtualClock();
    const target = randomId(w.random);
    const truth = w.closest(target, w.nodes, 8);
    const asked = new Map<string, number>();
    const lost = idToHex(truth[0]!.id);
    const result = await run({
      target,
      seeds: w.nodes.slice(0, 3),
      beta: 3,
      bestEffort: true,
      slowAfter: () => 100,
      query: (node) => {
        const id = idToHex(node.id);
        asked.set(id, (asked.get(id) ?? 0) + 1);
        return id === lost ? after(clock, 5) : after(clock, 10, truth);
      },
    }, clock);
    assert.equal(asked.get(lost), 1);
    assert.ok(!result.closest.some((n) => idToHex(n.id) === lost));
    assert.ok([...asked.values()].every((n) => n === 1));
  });
});

describe("lookup with one node per IP", () => {
  // Ten ids next to the target on one public address, named by the one honest seed.
  function sybilWorld(random: SeededRandom, host: string) {
    const target = randomId(random);
    const sybils: NodeInfo[] = Array.from({ length: 10 }, (_, i) => {
      const id = target.slice();
      id[19] = i + 1;
      return { id, host, port: 7000 + i };
    });
    const honest: NodeInfo[] = Array.from(
      { length: 20 },
      (_, i) => ({ id: randomId(random), host: `198.51.100.${i + 1}`, port: 6881 }),
    );
    const seed = honest[0]!;
    const query = (node: NodeInfo): Promise<LookupReply<string>> =>
      Promise.resolve({ nodes: node === seed ? [...sybils, ...honest] : [] });
    return { target, sybils, seed, query };
  }

  it("keeps the first id met at a public address and passes over the others", async () => {
    const w = sybilWorld(new SeededRandom(41), "203.0.113.9");
    const asked: NodeInfo[] = [];
    const result = await run({
      target: w.target,
      seeds: [w.seed],
      k: 8,
      oneNodePerIp: true,
      query: (node) => {
        asked.push(node);
        return w.query(node);
      },
    });
    const fromSybilIp = result.closest.filter((node) => node.host === "203.0.113.9");
    assert.equal(fromSybilIp.length, 1, "one place for the address");
    assert.equal(asked.filter((node) => node.host === "203.0.113.9").length, 1, "asked once");
    assert.equal(result.closest.length, 8, "the other places go to other addresses");
  });

  it("leaves local addresses and the rule's absence alone", async () => {
    for (const [host, oneNodePerIp] of [["10.1.2.3", true], ["203.0.113.9", false]] as const) {
      const w = sybilWorld(new SeededRandom(42), host);
      const result = await run({
        target: w.target,
        seeds: [w.seed],
        k: 8,
        oneNodePerIp,
        query: w.query,
      });
      assert.equal(
        result.closest.filter((node) => node.host === host).length,
        8,
        `${host}, oneNodePerIp ${oneNodePerIp}: the ten ids next to the target fill the k closest`,
      );
    }
  });
});

describe("lookup over disjoint paths", () => {
  // 400 nodes with ideal tables; 25 % are colluders that answer only with the colluders
  // nearest the target (reliability.md C7). Success: the true closest honest node is found.
  it("no two paths share a node, and three paths beat one against colluders", async () => {
    const w = world(400, 51);
    const colluders = new Set(
      w.nodes.filter(() => w.random.float() < 0.35).map((n) => idToHex(n.id)),
    );
    const honest = w.nodes.filter((n) => !colluders.has(idToHex(n.id)));
    const evil = w.nodes.filter((n) => colluders.has(idToHex(n.id)));
    const successes = [0, 0];
    const trials = 60;
    for (let trial = 0; trial < trials; trial++) {
      const target = randomId(w.random);
      const asker = honest[Math.floor(w.random.float() * honest.length)]!;
      const seeds = w.closest(target, w.known.get(idToHex(asker.id))!, 8);
      const truth = idToHex(w.closest(target, honest, 1)[0]!.id);
      for (const [slot, paths] of [[0, 1], [1, 3]] as const) {
        const asked = new Map<string, number>();
        const clock = new VirtualClock();
        const result = await clock.runUntilSettled(disjointLookup<string>({
          localId: asker.id,
          target,
          seeds,
          k: 8,
          alpha: 3,
          beta: 3,
          clock,
          slowAfter: () => 1000,
          query: (node) => {
            const key = idToHex(node.id);
            asked.set(key, (asked.get(key) ?? 0) + 1);
            const from = colluders.has(key) ? evil : w.known.get(key)!;
            return Promise.resolve({ nodes: w.closest(target, from, 8) });
          },
        }, paths));
        for (const [key, n] of asked) assert.equal(n, 1, `${key} asked by ${n} paths`);
        assert.equal(result.queries, asked.size);
        assert.ok(result.closest.length <= 8);
        const order = result.closest.map((n) => n.id);
        for (let i = 1; i < order.length; i++) {
          assert.ok(compareDistance(target, order[i - 1]!, order[i]!) < 0, "nearest first");
        }
        if (result.closest.some((n) => idToHex(n.id) === truth)) successes[slot]!++;
      }
    }
    assert.ok(
      successes[1]! >= successes[0]! + 4 && successes[1]! >= trials * 0.95,
      `true closest found by 1 path in ${successes[0]} of ${trials}, by 3 in ${successes[1]}`,
    );
  });
});
