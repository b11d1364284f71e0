// The BEP 44 operations of KademliaNode on simulated networks, in both codecs: putImmutable /
// getImmutable, putMutable / getMutable with salt, seq and cas, what a put reports, and a
// read that never returns an older seq or a forged copy (reliability.md B25, S10).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ed25519, generateKeyPair, PutError, SeededRandom } from "../../mod.ts";
import type { Ed25519KeyPair } from "../../mod.ts";
import { idFromHex, idToHex } from "../../src/id/node_id.ts";
import { sha1 } from "../../src/id/sha1.ts";
import { mutableItemTarget } from "../../src/records/bep44.ts";
import type { Address } from "../../src/transport/datagram_transport.ts";
import { BencodeCodec, encodeBencode } from "../../src/wire/bencode.ts";
import type { WireDict } from "../../src/wire/codec.ts";
import { buildResponseEnvelope } from "../../src/wire/envelope.ts";
import { createSim } from "../_helpers/sim.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A key pair drawn from a seed, so every run builds the same targets and the same network. */
function keysFor(seed: number): Ed25519KeyPair {
  const secretKey = new SeededRandom(seed).fill(new Uint8Array(32));
  return { publicKey: ed25519.publicKeyOf(secretKey), secretKey };
}
const text = (v: unknown) => new TextDecoder().decode(v as Uint8Array);

for (const serialization of ["bencode", "json"] as const) {
  describe(`BEP 44 items among our nodes (${serialization})`, () => {
    it("putImmutable returns SHA-1 of the bencoded value; any node reads it back as bytes", async () => {
      const sim = await createSim({ size: 30, seed: 5, node: { serialization } });
      try {
        const target = await sim.run(sim.nodes[3]!.putImmutable("hello"));
        assert.equal(target, idToHex(sha1(utf8("5:hello"))));
        for (const reader of [sim.nodes[3]!, sim.nodes[17]!, sim.nodes[29]!]) {
          assert.deepEqual(await sim.run(reader.getImmutable(target)), utf8("hello"));
        }
        const structured = { name: "kdht", tags: ["dht", utf8("bep44")], n: 44 };
        const t2 = await sim.run(sim.nodes[9]!.putImmutable(structured));
        assert.equal(t2, idToHex(sha1(encodeBencode(structured))));
        const got = await sim.run(sim.nodes[21]!.getImmutable(idFromHex(t2))) as Record<
          string,
          unknown
        >;
        assert.deepEqual({ ...got }, {
          n: 44,
          name: utf8("kdht"),
          tags: [utf8("dht"), utf8("bep44")],
        });
        assert.equal(
          await sim.run(sim.nodes[4]!.getImmutable(idToHex(sha1(utf8("1:x"))))),
          undefined,
        );
      } finally {
        await sim.close();
      }
    });

    it("putMutable signs, numbers and stores; getMutable returns the newest under key and salt", async () => {
      const sim = await createSim({ size: 30, seed: 6, node: { serialization } });
      try {
        const keys = keysFor(101);
        const first = await sim.run(
          sim.nodes[1]!.putMutable({ keyPair: keys, value: "one", salt: "a" }),
        );
        assert.equal(first.seq, 1);
        assert.equal(first.target, idToHex(mutableItemTarget(keys.publicKey, utf8("a"))));
        assert.equal(first.storedOn.length, 20, JSON.stringify(first.failed));
        assert.deepEqual(first.failed, []);
        assert.equal(first.storedLocally, true);
        // Another node, with the same key, continues the sequence.
        const second = await sim.run(
          sim.nodes[2]!.putMutable({ keyPair: keys, value: "two", salt: "a" }),
        );
        assert.equal(second.seq, 2);
        const other = await sim.run(
          sim.nodes[3]!.putMutable({ keyPair: keys, value: "b", salt: "b" }),
        );
        assert.equal(other.seq, 1, "another salt is another item");
        const item = await sim.run(sim.nodes[27]!.getMutable(keys.publicKey, { salt: "a" }));
        assert.equal(item?.seq, 2);
        assert.equal(text(item?.value), "two");
        assert.equal(item?.signature.length, 64);
        const hexKey = Array.from(keys.publicKey, (b) => b.toString(16).padStart(2, "0")).join("");
        assert.equal(
          (await sim.run(sim.nodes[28]!.getMutable(hexKey, { salt: utf8("b") })))?.seq,
          1,
        );
        assert.equal(await sim.run(sim.nodes[28]!.getMutable(keys.publicKey)), undefined);
      } finally {
        await sim.close();
      }
    });

    it("putMutable says which nodes refused and why: 302 for an old seq, 301 for a wrong cas", async () => {
      const sim = await createSim({ size: 25, seed: 7, node: { serialization } });
      try {
        const keys = keysFor(102);
        await sim.run(sim.nodes[1]!.putMutable({ keyPair: keys, value: "v5", seq: 5 }));
        const old = await sim.run(sim.nodes[2]!.putMutable({ keyPair: keys, value: "v4", seq: 4 }));
        // Every node that holds seq 5 refuses seq 4 with 302; so does this node, which learned
        // of seq 5 on the way. (The one node asked that never held seq 5, if any, takes it.)
        assert.equal(old.storedOn.length + old.failed.length, 20);
        assert.ok(old.failed.length >= 19);
        for (const f of old.failed) assert.deepEqual([f.reason, f.code], ["refused", 302]);
        assert.equal(old.storedLocally, false);
        const cas = await sim.run(
          sim.nodes[2]!.putMutable({ keyPair: keys, value: "v6", seq: 6, cas: 4 }),
        );
        assert.ok(cas.failed.every((f) => f.code === 301));
        const good = await sim.run(
          sim.nodes[2]!.putMutable({ keyPair: keys, value: "v6", seq: 6, cas: 5 }),
        );
        assert.equal(good.storedOn.length, 20);
        assert.equal((await sim.run(sim.nodes[20]!.getMutable(keys.publicKey)))?.seq, 6);
      } finally {
        await sim.close();
      }
    });
  });
}

describe("BEP 44 reads (bencode)", () => {
  it("getMutable returns the highest seq whichever copies answer first", async () => {
    for (const slow of ["newer", "older"] as const) {
      const sim = await createSim({ size: 30, seed: 8, node: { serialization: "bencode" } });
      try {
        const keys = keysFor(103);
        const writer = sim.nodes[0]!;
        const first = await sim.run(writer.putMutable({ keyPair: keys, value: "old" }));
        // Half the holders miss the update.
        const missed = first.storedOn.slice(0, 10);
        for (const peer of missed) sim.network.setDown(peer, true);
        const second = await sim.run(writer.putMutable({ keyPair: keys, value: "new" }));
        for (const peer of missed) sim.network.setDown(peer, false);
        assert.equal(second.seq, 2);
        const stale = new Set(missed.map((p) => p.host));
        const fresh = new Set(second.storedOn.map((p) => p.host));
        // One group's links are ten times slower than the rest: its copies come last.
        const late = slow === "older" ? stale : fresh;
        sim.network.setLatency((from, to) => late.has(from.host) || late.has(to.host) ? 20 : 2);
        const reader = sim.nodes[29]!;
        const item = await sim.run(reader.getMutable(keys.publicKey));
        assert.equal(item?.seq, 2, `with the ${slow} copies slow`);
        assert.equal(text(item?.value), "new");
      } finally {
        await sim.close();
      }
    }
  });

  it("discards forged copies and keeps looking (B25)", async () => {
    const sim = await createSim({ size: 20, seed: 9, node: { serialization: "bencode" } });
    const codec = new BencodeCodec();
    try {
      const keys = keysFor(104);
      const put = await sim.run(
        sim.nodes[2]!.putMutable({ keyPair: keys, value: "genuine", salt: "s" }),
      );
      const immutableTarget = await sim.run(sim.nodes[3]!.putImmutable("genuine"));
      // Liars whose ids sit right next to the targets answer get with forged items.
      const mutableTarget = idFromHex(put.target);
      const other = keysFor(105);
      const forgeries: [Uint8Array, WireDict][] = [
        [idFromHex(immutableTarget), { v: "forged" }], // its hash is not the target
        [mutableTarget, {
          v: "forged",
          k: keys.publicKey,
          sig: new Uint8Array(64).fill(7),
          seq: 99,
        }],
        // A well-formed item under another key: SHA-1(k ‖ salt) is not the target.
        [mutableTarget, { v: "forged", k: other.publicKey, sig: new Uint8Array(64), seq: 100 }],
      ];
      const liars: Address[] = [];
      for (const [i, [near, forged]] of forgeries.entries()) {
        const transport = await sim.network.bind({ hostname: `10.9.0.${i + 1}` });
        const liarId = near.slice();
        liarId[19] = liarId[19]! ^ (i + 1);
        transport.onDatagram((data, from) => {
          const query = codec.decode(data);
          const r: WireDict = { id: liarId, nodes: new Uint8Array(0), token: Uint8Array.of(1) };
          if (codec.text(query.q) === "get") Object.assign(r, forged);
          void transport.send(codec.encode(buildResponseEnvelope(query.t as Uint8Array, r)), from);
        });
        liars.push(transport.localAddress);
      }
      const reader = sim.nodes[15]!;
      // The reader meets the liars first: they answer its join like any node.
      await sim.run(reader.bootstrap([...liars, sim.nodes[0]!.address!]));
      const item = await sim.run(reader.getMutable(keys.publicKey, { salt: "s" }));
      assert.equal(item?.seq, put.seq);
      assert.equal(text(item?.value), "genuine");
      assert.equal(text(await sim.run(reader.getImmutable(immutableTarget))), "genuine");
    } finally {
      await sim.close();
    }
  });

  it("reads an item from r.v, never from the top-level v of a mainline reply (its client version)", async () => {
    const sim = await createSim({ size: 2, seed: 12, node: { serialization: "bencode" } });
    const codec = new BencodeCodec();
    try {
      const transport = await sim.network.bind({ hostname: "10.8.0.1" });
      const holderId = new Uint8Array(20).fill(0x42);
      transport.onDatagram((data, from) => {
        const query = codec.decode(data);
        const r: WireDict = { id: holderId, nodes: new Uint8Array(0), token: Uint8Array.of(1) };
        if (codec.text(query.q) === "get") r.v = "Hello World!";
        const reply = buildResponseEnvelope(query.t as Uint8Array, r, from);
        reply.v = "LT\x01\x02"; // libtorrent 1.2
        void transport.send(codec.encode(reply), from);
      });
      const reader = sim.nodes[1]!;
      await sim.run(reader.bootstrap([transport.localAddress]));
      const value = await sim.run(reader.getImmutable("e5f96f6f38320f0f33959cb4d3d656452117aadb"));
      assert.equal(text(value), "Hello World!", "BEP 44 test 3 served by a libtorrent-like node");
    } finally {
      await sim.close();
    }
  });

  it("putImmutable rejects with PutError when no node could store it", async () => {
    const sim = await createSim({ size: 3, seed: 10, node: { maxItems: 0 } });
    try {
      const error = await sim.run(sim.nodes[1]!.putImmutable("nowhere")).catch((e) => e);
      assert.ok(error instanceof PutError, String(error));
      assert.equal(error.failed.length, 2);
      assert.ok(error.failed.every((f: { reason: string }) => f.reason === "no_token"));
    } finally {
      await sim.close();
    }
  });

  it("checks its arguments before any traffic", async () => {
    const sim = await createSim({ size: 2, seed: 11 });
    try {
      const node = sim.nodes[1]!;
      const keys = keysFor(106);
      const sent = node.stats().sent;
      await assert.rejects(node.putImmutable("x".repeat(997)), RangeError);
      await assert.rejects(node.putImmutable(1.5), TypeError);
      await assert.rejects(node.getImmutable("abc"), TypeError);
      await assert.rejects(
        node.putMutable({ keyPair: keys, value: "v", salt: "s".repeat(65) }),
        RangeError,
      );
      await assert.rejects(node.putMutable({ keyPair: keys, value: "v", seq: -1 }), RangeError);
      await assert.rejects(
        node.putMutable({
          keyPair: { ...keys, publicKey: generateKeyPair().publicKey },
          value: "v",
        }),
        /not the public key of its secret key/,
      );
      await assert.rejects(node.getMutable(new Uint8Array(31)), TypeError);
      assert.equal(node.stats().sent, sent);
    } finally {
      await sim.close();
    }
  });
});
