// Records and content routing over real UDP on 127.0.0.1 with the current runtime's socket, in
// both codecs: validators with select, a quorum read that corrects older copies, providers
// found, and a client node that no server adds.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KademliaNode, MemoryStorage, ValidationError } from "../../mod.ts";
import { compareDistance, hashKey, idFromHex, randomId } from "../../src/id/node_id.ts";
import { cryptoRandom } from "../../src/random.ts";
import { versioned } from "../_helpers/validators.ts";

function runtimeName(): string {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  return g.Deno ? "deno" : g.Bun ? "bun" : "node";
}

for (const serialization of ["json", "bencode"] as const) {
  describe(`records over real UDP on ${runtimeName()} (${serialization})`, () => {
    it("validates, reads with a quorum and corrects, finds providers, hides a client", async () => {
      const k = 4;
      const storages = Array.from({ length: 14 }, () => new MemoryStorage());
      const nodes = storages.map((storage) => new KademliaNode({ serialization, k, storage }));
      const client = new KademliaNode({ serialization, k, mode: "client" });
      try {
        for (const node of [...nodes, client]) await node.listen(0, "127.0.0.1");
        for (const node of nodes) node.registerValidator("app", versioned);
        const seed = nodes[0]!.address!;
        for (const node of [...nodes.slice(1), client]) await node.bootstrap([seed]);

        // Validators with select.
        await assert.rejects(nodes[1]!.set("/app/doc", "unversioned"), ValidationError);
        assert.equal((await nodes[1]!.set("/app/doc", "2:two")).storedOn.length, k);
        await assert.rejects(nodes[2]!.set("/app/doc", "1:one"), { code: "outranked" });

        // A quorum read over the reader's k closest, two holders of which have an older copy.
        const target = hashKey("/app/doc");
        const closest = nodes.map((node, index) => ({ id: idFromHex(node.id), index }))
          .filter(({ index }) => index !== 12)
          .sort((a, b) => compareDistance(target, a.id, b.id)).slice(0, k);
        const planted = closest.filter(({ index }) => storages[index]!.get(target)).slice(0, 2);
        assert.equal(planted.length, 2);
        for (const { index } of planted) {
          const held = storages[index]!.get(target)!;
          storages[index]!.put({ ...held, value: "1:one", publishedAt: held.publishedAt + 1 });
        }
        const detail = await nodes[12]!.getRecord("/app/doc", { quorum: k });
        assert.equal(detail.value, "2:two");
        // The two planted, and any of the reader's k closest the setter did not store on.
        const corrected = new Set(detail.corrected.map((peer) => peer.id));
        for (const { index } of planted) assert.ok(corrected.has(nodes[index]!.id));
        assert.ok(corrected.size <= k);
        for (const { index } of closest) assert.equal(storages[index]!.get(target)!.value, "2:two");
        assert.equal(await nodes[13]!.get("/app/doc"), "2:two");
        assert.equal(await nodes[13]!.get("/app/missing"), undefined);

        // Providers.
        for (const node of nodes.slice(0, 10)) await node.provide("shared-file");
        const found = await nodes[11]!.findProviders("shared-file", { count: 20 });
        assert.deepEqual(
          found.map((p) => `${p.id}@${p.port}`).sort(),
          nodes.slice(0, 10).map((n) => `${n.id}@${n.address!.port}`).sort(),
        );

        // The client reads and looks up, and no server adds it.
        assert.equal(await client.get("/app/doc"), "2:two", "a plain read where no validator is");
        for (let i = 0; i < 20; i++) await client.findNode(randomId(cryptoRandom));
        assert.equal((await client.findProviders("shared-file", { count: 3 })).length, 3);
        for (const node of nodes) {
          assert.ok(!node.peers().some((peer) => peer.id === client.id), `${node.id} added it`);
        }
      } finally {
        for (const node of [...nodes, client]) await node.close();
      }
    });
  });
}
