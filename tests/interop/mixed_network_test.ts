// BEP 44 items and provider records across a mixed network of our nodes and the real
// bittorrent-dht package, over real UDP on 127.0.0.1: items put by either library are read by
// the other, mutable items with salt are updated to a higher seq, get_peers / announce_peer
// work both ways, and lookups cross both kinds of node. In the island cases each library
// first builds its own network and stores there; the two are then joined by one link, so
// each item can be read only by walking through the other library's nodes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPair, type KademliaNode } from "../../mod.ts";
import { hashKey } from "../../src/id/node_id.ts";
import { sha1 } from "../../src/id/sha1.ts";
import { encodeBencode } from "../../src/wire/bencode.ts";
import {
  bytes,
  closeAll,
  heldBy,
  link,
  type Mainline,
  mainlineAnnounce,
  mainlineGet,
  mainlineLookup,
  mainlinePut,
  signer,
  startMainline,
  startOurs,
  text,
} from "./_mainline.ts";

const saltOf = (s: string) => bytes(s);

async function mainlineIsland(size: number): Promise<Mainline[]> {
  const theirs: Mainline[] = [];
  for (let i = 0; i < size; i++) theirs.push(await startMainline());
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) link(theirs[i]!, theirs[j]!);
  }
  return theirs;
}

async function ourIsland(size: number): Promise<KademliaNode[]> {
  const ours: KademliaNode[] = [];
  for (let i = 0; i < size; i++) ours.push(await startOurs());
  for (const node of ours.slice(1)) await node.bootstrap([ours[0]!.address!]);
  return ours;
}

describe("mixed networks with bittorrent-dht 11: BEP 44 items and provider records", () => {
  it("immutable items put by either library are read by the other", async () => {
    const theirs = await mainlineIsland(3);
    const ours: KademliaNode[] = [];
    try {
      for (let i = 0; i < 3; i++) ours.push(await startOurs());
      for (const node of ours) await node.bootstrap([["127.0.0.1", theirs[0]!.port]]);

      const value = bytes("put by bittorrent-dht");
      const put = await mainlinePut(theirs[2]!, { v: value });
      assert.equal(
        put.target,
        Array.from(sha1(encodeBencode(value)), (b) => b.toString(16).padStart(2, "0")).join(""),
      );
      assert.ok(put.accepted >= 3, `accepted by ${put.accepted}`);
      const read = await ours[2]!.getImmutable(put.target);
      assert.equal(text(read), "put by bittorrent-dht");

      const target = await ours[1]!.putImmutable("put by kdht");
      const holders = theirs.filter((m) => heldBy(m).includes(target));
      assert.ok(holders.length >= 2, `${holders.length} bittorrent-dht nodes hold our item`);
      const got = await mainlineGet(theirs[1]!, target);
      assert.equal(text(got?.v), "put by kdht");
    } finally {
      await closeAll(ours, theirs);
    }
  });

  it("mutable items with salt go both ways, and an update to a higher seq wins on both sides", async () => {
    const theirs = await mainlineIsland(3);
    const ours: KademliaNode[] = [];
    try {
      for (let i = 0; i < 3; i++) ours.push(await startOurs());
      for (const node of ours) await node.bootstrap([["127.0.0.1", theirs[1]!.port]]);
      const salt = saltOf("profile");

      // bittorrent-dht publishes, we read; it publishes seq 2, we read seq 2.
      const theirKeys = generateKeyPair();
      const sign = signer(theirKeys.secretKey);
      const first = await mainlinePut(theirs[0]!, {
        k: theirKeys.publicKey,
        seq: 1,
        v: bytes("v1"),
        salt,
        sign,
      });
      assert.ok(first.accepted >= 3, `accepted by ${first.accepted}`);
      let item = await ours[0]!.getMutable(theirKeys.publicKey, { salt });
      assert.equal(item?.seq, 1);
      assert.equal(text(item?.value), "v1");
      await mainlinePut(theirs[0]!, { k: theirKeys.publicKey, seq: 2, v: bytes("v2"), salt, sign });
      item = await ours[2]!.getMutable(theirKeys.publicKey, { salt });
      assert.equal(item?.seq, 2);
      assert.equal(text(item?.value), "v2");
      assert.equal(await ours[2]!.getMutable(theirKeys.publicKey), undefined, "no unsalted item");

      // We publish, bittorrent-dht reads; our update takes the next seq by itself.
      const keys = generateKeyPair();
      const put1 = await ours[1]!.putMutable({ keyPair: keys, value: "mine 1", salt });
      assert.equal(put1.seq, 1);
      const mainlineHolders = put1.storedOn.filter((p) => theirs.some((m) => m.id === p.id));
      assert.equal(mainlineHolders.length, 3, JSON.stringify(put1.failed));
      let got = await mainlineGet(theirs[2]!, put1.target, salt);
      assert.equal(got?.seq, 1);
      assert.equal(text(got?.v), "mine 1");
      const put2 = await ours[2]!.putMutable({ keyPair: keys, value: "mine 2", salt });
      assert.equal(put2.seq, 2);
      assert.deepEqual(put2.failed, []);
      got = await mainlineGet(theirs[0]!, put2.target, salt);
      assert.equal(got?.seq, 2);
      assert.equal(text(got?.v), "mine 2");

      // Republishing seq 2: bittorrent-dht answers 302 because it holds it; that is holding it.
      const again = await ours[0]!.putMutable({ keyPair: keys, value: "mine 2", salt, seq: 2 });
      assert.equal(again.storedOn.length, 5, JSON.stringify(again.failed));
      // An older seq is refused everywhere, each refusal with BEP 44's code.
      const stale = await ours[0]!.putMutable({ keyPair: keys, value: "old", salt, seq: 1 });
      assert.equal(stale.storedOn.length, 0);
      assert.equal(stale.failed.length, 5);
      for (const failure of stale.failed) {
        assert.equal(failure.reason, "refused");
        assert.equal(failure.code, 302);
      }
      // cas against the wrong seq: our nodes and bittorrent-dht both answer 301.
      const cas = await ours[0]!.putMutable({
        keyPair: keys,
        value: "mine 3",
        salt,
        seq: 3,
        cas: 1,
      });
      assert.deepEqual(cas.failed.map((f) => f.code), [301, 301, 301, 301, 301]);
      assert.equal((await ours[1]!.getMutable(keys.publicKey, { salt }))?.seq, 2);
    } finally {
      await closeAll(ours, theirs);
    }
  });

  it("islands: items held only by one library are read through the other's nodes", async () => {
    const theirs = await mainlineIsland(4);
    const ours = await ourIsland(4);
    try {
      // Each island stores its own items, out of the other's reach.
      const theirKeys = generateKeyPair();
      const salt = saltOf("island");
      const theirImmutable = await mainlinePut(theirs[3]!, { v: bytes("only on bittorrent-dht") });
      await mainlinePut(theirs[3]!, {
        k: theirKeys.publicKey,
        seq: 7,
        v: bytes("mutable on bittorrent-dht"),
        salt,
        sign: signer(theirKeys.secretKey),
      });
      const ourImmutable = await ours[3]!.putImmutable("only on kdht");
      const keys = generateKeyPair();
      const ourMutable = await ours[3]!.putMutable({
        keyPair: keys,
        value: "mutable on kdht",
        salt,
        seq: 9,
      });
      assert.equal(ourMutable.storedOn.length, 3);
      for (const m of theirs) {
        assert.ok(!heldBy(m).includes(ourImmutable), "not on their island yet");
      }

      // One link joins the islands: our node 0 joins through their node 0.
      await ours[0]!.bootstrap([["127.0.0.1", theirs[0]!.port]]);

      // Our node 2 knows only our island; the item is only on theirs.
      assert.equal(
        text(await ours[2]!.getImmutable(theirImmutable.target)),
        "only on bittorrent-dht",
      );
      const item = await ours[1]!.getMutable(theirKeys.publicKey, { salt });
      assert.equal(item?.seq, 7);
      assert.equal(text(item?.value), "mutable on bittorrent-dht");

      // Their node 2 knows only their island and our node 0; our items are only on ours.
      assert.equal(text((await mainlineGet(theirs[2]!, ourImmutable))?.v), "only on kdht");
      const got = await mainlineGet(theirs[1]!, ourMutable.target, salt);
      assert.equal(got?.seq, 9);
      assert.equal(text(got?.v), "mutable on kdht");

      // Lookups cross both kinds: we find their farthest node, it finds ours.
      const found = await ours[3]!.findNode(theirs[3]!.id);
      assert.equal(found[0]?.id, theirs[3]!.id);
      const mixed = await new Promise<number>((resolve, reject) =>
        theirs[3]!.dht.lookup(
          new Uint8Array(20).fill(9),
          (err: Error | null, n: number) => (err ? reject(err) : resolve(n)),
        )
      );
      assert.equal(mixed, 7, "its get_peers walk is answered by all 7 other nodes, 4 of them ours");
    } finally {
      await closeAll(ours, theirs);
    }
  });

  it("islands: get_peers / announce_peer round trips both ways across the link", async () => {
    const theirs = await mainlineIsland(4);
    const ours = await ourIsland(4);
    try {
      await ours[0]!.bootstrap([["127.0.0.1", theirs[0]!.port]]);
      // bittorrent-dht announces a torrent; our farthest node finds it.
      await mainlineAnnounce(theirs[3]!, hashKey("their torrent"), 51413);
      const found = await ours[3]!.findProviders("their torrent");
      assert.ok(
        found.some((p) => p.host === "127.0.0.1" && p.port === 51413),
        `found ${JSON.stringify(found)}`,
      );
      // We announce; their farthest node's get_peers walk finds us.
      const provided = await ours[2]!.provide("our torrent");
      assert.ok(provided.announcedTo.length >= 4, JSON.stringify(provided.failed));
      const walk = await mainlineLookup(theirs[2]!, hashKey("our torrent"));
      const us = ours[2]!.address!;
      assert.ok(
        walk.peers.some((p) => p.host === us.host && p.port === us.port),
        `bittorrent-dht saw ${JSON.stringify(walk.peers)}`,
      );
      for (const node of ours) {
        assert.equal(node.stats().errorsSent, 0, "no query of theirs refused");
      }
    } finally {
      await closeAll(ours, theirs);
    }
  });
});
