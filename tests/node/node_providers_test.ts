// Provider records across whole memory networks, in both codecs: provide() collects its own
// tokens and announces to the k closest, findProviders() finds every provider, records expire
// after 48 h unless re-announced every 22 h, and a node can stop providing.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { QueryEvent } from "../../mod.ts";
import { queryEvents } from "../../mod.ts";
import { compareDistance, hashKey, idFromHex, idToHex } from "../../src/id/node_id.ts";
import { createSim } from "../_helpers/sim.ts";

const HOUR = 3_600_000;

for (const serialization of ["bencode", "json"] as const) {
  describe(`provider records on a memory network (${serialization})`, () => {
    it("finds all 50 providers of one key, with their ids and addresses", async () => {
      const sim = await createSim({
        size: 70,
        seed: 50,
        node: { serialization },
        bootstrapFrom: 2,
      });
      try {
        const key = "the-content";
        const target = hashKey(key);
        const providers = sim.nodes.slice(0, 50);
        for (const node of providers) {
          const result = await sim.run(node.provide(key));
          assert.equal(result.key, idToHex(target));
          assert.equal(result.announcedTo.length, 20, "told the k closest");
          assert.deepEqual(result.failed, []);
          // They are the true k closest to the key, apart from the provider itself.
          const truth = sim.nodes.map((n) => idFromHex(n.id)).filter((id) =>
            idToHex(id) !== node.id
          )
            .sort((a, b) => compareDistance(target, a, b)).slice(0, 20).map(idToHex);
          assert.deepEqual(result.announcedTo.map((p) => p.id).sort(), truth.sort());
        }
        const seeker = sim.nodes[65]!;
        const found = await sim.run(seeker.findProviders(key, { count: 100 }));
        assert.equal(found.length, 50);
        const expected = providers.map((n) => `${n.id}@${n.address!.host}:${n.address!.port}`);
        assert.deepEqual(found.map((p) => `${p.id}@${p.host}:${p.port}`).sort(), expected.sort());
        // Fewer wanted: exactly that many, distinct.
        const some = await sim.run(sim.nodes[66]!.findProviders(key, { count: 7 }));
        assert.equal(some.length, 7);
        assert.equal(new Set(some.map((p) => p.id)).size, 7);
        // Default count: 20.
        assert.equal((await sim.run(sim.nodes[67]!.findProviders(key))).length, 20);
        assert.deepEqual(await sim.run(seeker.findProviders("nobody-has-this")), []);
      } finally {
        await sim.close();
      }
    });

    it("reports each peer's providers as typed events", async () => {
      const sim = await createSim({ size: 30, seed: 7, node: { serialization, k: 5 } });
      try {
        await sim.run(sim.nodes[3]!.provide("evented"));
        const events: (QueryEvent | { type: "done" })[] = [];
        const iterate = (async () => {
          for await (
            const event of queryEvents((onEvent) =>
              sim.nodes[20]!.findProviders("evented", { onEvent, count: 1 })
            )
          ) events.push(event);
        })();
        await sim.run(iterate);
        const last = events.at(-1) as { type: "done"; result: { id: string }[] };
        assert.equal(last.type, "done");
        assert.deepEqual(last.result.map((p) => p.id), [sim.nodes[3]!.id]);
        const kinds = new Set(events.map((e) => e.type));
        for (const kind of ["query", "reply", "providers"]) assert.ok(kinds.has(kind as "query"));
        const providers = events.find((e) => e.type === "providers") as Extract<
          QueryEvent,
          { type: "providers" }
        >;
        assert.deepEqual(providers.providers.map((p) => p.id), [sim.nodes[3]!.id]);
      } finally {
        await sim.close();
      }
    });
  });
}

describe("provider lifetimes", () => {
  it("expire 48 h after the last announce; a providing node re-announces every 22 h", async () => {
    const sim = await createSim({ size: 30, seed: 48, node: { k: 5 } });
    try {
      const [provider, quitter, seeker] = [sim.nodes[1]!, sim.nodes[2]!, sim.nodes[25]!];
      const start = sim.clock.wallTime();
      await sim.run(provider.provide("kept"));
      await sim.run(quitter.provide("dropped"));
      assert.equal(await sim.run(quitter.stopProviding("dropped")), true);
      assert.equal(await sim.run(quitter.stopProviding("dropped")), false, "already stopped");
      assert.deepEqual(quitter.providing(), []);
      const listed = provider.providing();
      assert.equal(listed.length, 1);
      assert.equal(listed[0]!.key, "kept");
      assert.equal(listed[0]!.id, idToHex(hashKey("kept")));
      assert.equal(listed[0]!.announcedTo, 5);
      assert.equal(listed[0]!.announcedAt, start);

      await sim.clock.advance(22 * HOUR + 1_000);
      assert.equal(provider.providing()[0]!.announcedAt, start + 22 * HOUR, "re-announced at 22 h");
      await sim.clock.advance(48 * HOUR - 22 * HOUR - 2_000);
      const before = await sim.run(seeker.findProviders("dropped"));
      assert.deepEqual(before.map((p) => p.id), [quitter.id], "still held just before 48 h");
      await sim.clock.advance(2_000);
      assert.deepEqual(await sim.run(seeker.findProviders("dropped")), [], "gone at 48 h");
      await sim.clock.advance(100 * HOUR);
      const kept = await sim.run(seeker.findProviders("kept"));
      assert.deepEqual(kept.map((p) => p.id), [provider.id], "kept alive by re-announcing");
      // The expiry job freed the dropped key's records everywhere: only "kept" is held.
      for (const node of sim.nodes) assert.ok(node.stats().providerKeys <= 1, node.id);
      assert.equal(provider.stats().providing, 1);
    } finally {
      await sim.close();
    }
  });

  it("takes shorter lifetimes and intervals as options", async () => {
    const sim = await createSim({
      size: 12,
      seed: 3,
      node: { k: 4, providerTtlMs: 60_000, reannounceIntervalMs: 20_000 },
    });
    try {
      await sim.run(sim.nodes[0]!.provide("short"));
      const first = sim.nodes[0]!.providing()[0]!.announcedAt;
      await sim.clock.advance(61_000);
      assert.equal(sim.nodes[0]!.providing()[0]!.announcedAt, first + 60_000, "3 re-announces");
      assert.equal((await sim.run(sim.nodes[9]!.findProviders("short"))).length, 1);
      await sim.run(sim.nodes[0]!.stopProviding("short"));
      await sim.clock.advance(61_000);
      assert.deepEqual(await sim.run(sim.nodes[9]!.findProviders("short")), []);
      for (const node of sim.nodes) assert.equal(node.stats().providersHeld, 0, node.id);
    } finally {
      await sim.close();
    }
  });

  it("checks its arguments", async () => {
    const sim = await createSim({ size: 2 });
    try {
      const node = sim.nodes[0]!;
      await assert.rejects(node.provide("k", { port: 0 }), RangeError);
      // deno-lint-ignore no-explicit-any
      await assert.rejects(node.provide(5 as any), TypeError);
      await assert.rejects(node.findProviders("k", { count: 0 }), /positive integer, got 0/);
      for (const n of sim.nodes) assert.equal(n.stats().providersHeld, 0, "nothing announced");
      assert.deepEqual(node.providing(), []);
    } finally {
      await sim.close();
    }
  });
});
