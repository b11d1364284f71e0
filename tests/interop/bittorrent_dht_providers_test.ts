// Provider records with the real bittorrent-dht package over real UDP on 127.0.0.1: its
// announce_peer is accepted with the tokens our get_peers hands out, and our findProviders
// finds it; our provide() announces to it with its own tokens, and its lookup finds us.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import DHT from "bittorrent-dht";
import { KademliaNode } from "../../mod.ts";
import { hashKey } from "../../src/id/node_id.ts";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Rejects if `promise` takes longer than `ms` (bounded waits on real sockets). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe("provider records with bittorrent-dht 11 (BEP 5 get_peers / announce_peer)", () => {
  it("each side stores the other's announce and finds it", async () => {
    const dht = new DHT({ bootstrap: false, host: "127.0.0.1" });
    await new Promise<void>((resolve) => dht.listen(0, "127.0.0.1", () => resolve()));
    const mainlinePort = dht.address().port;
    const ours = Array.from({ length: 4 }, () => new KademliaNode({ serialization: "bencode" }));
    try {
      for (const node of ours) await node.listen(0, "127.0.0.1");
      for (const node of ours) await node.bootstrap([["127.0.0.1", mainlinePort]]);

      // The mainline node announces a torrent port; our nodes verify its tokens and keep it.
      const theirs = hashKey("announced-by-mainline");
      await within(
        new Promise<void>((resolve, reject) =>
          dht.announce(theirs, 6881, (err: Error | null) => (err ? reject(err) : resolve()))
        ),
        10_000,
        "bittorrent-dht announce",
      );
      const held = ours.reduce((sum, node) => sum + node.stats().providersHeld, 0);
      assert.ok(held >= 1, `our nodes hold ${held} provider records`);
      for (const node of ours) assert.equal(node.stats().errorsSent, 0, "no token refused");
      const found = await ours[0]!.findProviders("announced-by-mainline");
      const mainline = found.find((p) => p.port === 6881);
      assert.ok(mainline, `found ${JSON.stringify(found)}`);
      assert.equal(mainline.host, "127.0.0.1");
      assert.equal(mainline.id, hex(dht.nodeId), "our nodes know the announcer's id");

      // Our node announces; the mainline node accepts our token use and lists us.
      const provided = await ours[1]!.provide("provided-by-us");
      assert.equal(provided.failed.length, 0, JSON.stringify(provided.failed));
      assert.ok(provided.announcedTo.some((peer) => peer.id === hex(dht.nodeId)));
      const peers: { host: string; port: number }[] = [];
      const onPeer = (peer: { host: string; port: number }) => peers.push(peer);
      dht.on("peer", onPeer);
      await within(
        new Promise<void>((resolve, reject) =>
          dht.lookup(
            hashKey("provided-by-us"),
            (err: Error | null) => (err ? reject(err) : resolve()),
          )
        ),
        10_000,
        "bittorrent-dht lookup",
      );
      dht.removeListener("peer", onPeer);
      const us = ours[1]!.address!;
      assert.ok(
        peers.some((p) => p.host === us.host && p.port === us.port),
        `mainline saw ${JSON.stringify(peers)}`,
      );
    } finally {
      for (const node of ours) await node.close();
      await new Promise<void>((resolve) => dht.destroy(() => resolve()));
    }
  });
});
