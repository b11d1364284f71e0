// Mixed networks with the real bittorrent-dht package (the JavaScript mainline DHT): our nodes
// in bencode mode must speak BEP 5 KRPC well enough to join through it, be found by it and
// route its get_peers walks, over real UDP on 127.0.0.1.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import DHT from "bittorrent-dht";
import { KademliaNode } from "../../mod.ts";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function startMainline(): Promise<{ dht: DHT; port: number; id: string }> {
  // bootstrap: false keeps it off the public routers; it only ever talks to loopback peers.
  const dht = new DHT({ bootstrap: false, host: "127.0.0.1" });
  await new Promise<void>((resolve) => dht.listen(0, "127.0.0.1", () => resolve()));
  return { dht, port: dht.address().port, id: hex(dht.nodeId) };
}

describe("interop with bittorrent-dht 11 (BEP 5 over bencode)", () => {
  it("our nodes join through a mainline node, find it, and route its get_peers lookups", async () => {
    const mainline = await startMainline();
    const ours = Array.from({ length: 4 }, () => new KademliaNode({ serialization: "bencode" }));
    try {
      for (const node of ours) await node.listen(0, "127.0.0.1");
      for (const node of ours) {
        const joined = await node.bootstrap([["127.0.0.1", mainline.port]]);
        assert.equal(joined.reached, 1);
      }
      // It learned every one of us from our queries (implicit discovery, BEP 5).
      assert.equal(mainline.dht.toJSON().nodes.length, 4);
      const found = await ours[3]!.findNode(mainline.id);
      assert.equal(found[0]!.id, mainline.id);

      // Its own walk (get_peers on a random info hash) goes through our nodes without errors.
      let replies = 0;
      await new Promise<void>((resolve, reject) =>
        mainline.dht.lookup(new Uint8Array(20).fill(7), (err: Error | null, n: number) => {
          if (err) reject(err);
          replies = n;
          resolve();
        })
      );
      assert.ok(replies >= 4, `get_peers answered by ${replies} nodes`);
      for (const node of ours) assert.equal(node.stats().errorsSent, 0);

      // Values still work among our nodes; the mainline node ignores our store method.
      const stored = await ours[0]!.set("mixed", "network");
      assert.equal(stored.storedOn.length, 3);
      assert.equal(stored.failed.length, 1);
      assert.equal(stored.failed[0]!.peer.id, mainline.id);
      assert.equal(stored.failed[0]!.reason, "timeout", stored.failed[0]!.message);
      assert.equal(await ours[2]!.get("mixed"), "network");
    } finally {
      for (const node of ours) await node.close();
      await new Promise<void>((resolve) => mainline.dht.destroy(() => resolve()));
    }
  });
});
