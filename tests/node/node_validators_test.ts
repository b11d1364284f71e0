// Namespaced keys with validators on whole memory networks, in both codecs: a set is validated
// before any traffic and refused if select prefers what the network holds; receivers validate
// and rank too, and check that the key they are sent hashes to the target.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type KademliaNode, ValidationError } from "../../mod.ts";
import { hashKey, idToHex } from "../../src/id/node_id.ts";
import type { Codec, WireDict, WireValue } from "../../src/wire/codec.ts";
import { BencodeCodec } from "../../src/wire/bencode.ts";
import { JsonCodec } from "../../src/wire/json.ts";
import { RawClient } from "../_helpers/raw_krpc.ts";
import { versioned } from "../_helpers/validators.ts";
import { createSim, type Sim } from "../_helpers/sim.ts";

function heldBy(sim: Sim, key: string): Map<number, unknown> {
  const held = new Map<number, unknown>();
  sim.storages.forEach((storage, i) => {
    const record = storage.get(hashKey(key));
    if (record) held.set(i, record.value);
  });
  return held;
}

/** A raw KRPC client on the sim's network, to send stores as any node could. */
async function rawStore(sim: Sim, codec: Codec, to: KademliaNode, a: WireDict): Promise<WireValue> {
  const client = new RawClient(
    await sim.network.bind({ hostname: "10.200.0.1" }),
    codec,
    sim.clock,
  );
  try {
    await client.send({ t: Uint8Array.of(1, 2), y: "q", q: "store", a }, to.address!);
    await sim.clock.advance(5);
    const [reply] = client.take();
    assert.ok(reply, "an answer");
    return codec.text(reply.y) === "e" ? (reply.e as WireValue[])[0]! : "ok";
  } finally {
    await client.transport.close();
  }
}

for (const codec of [new BencodeCodec(), new JsonCodec()]) {
  describe(`validators on a memory network (${codec.name})`, () => {
    it("validates a set before any traffic and refuses one select ranks below the held value", async () => {
      const sim = await createSim({
        size: 30,
        seed: 11,
        node: { k: 6, serialization: codec.name },
      });
      try {
        for (const node of sim.nodes) node.registerValidator("app", versioned);
        const [a, b, c] = [sim.nodes[3]!, sim.nodes[17]!, sim.nodes[25]!];
        const sent = sim.network.stats().sent;
        await assert.rejects(sim.run(a.set("/app/user-1", "no version")), (error: unknown) => {
          assert.ok(error instanceof ValidationError);
          assert.equal(error.code, "invalid");
          assert.equal(error.key, "/app/user-1");
          return true;
        });
        await assert.rejects(sim.run(a.set("/app/user-1", Uint8Array.of(1))), ValidationError);
        assert.equal(sim.network.stats().sent, sent, "not one datagram for an invalid value");

        const first = await sim.run(a.set("/app/user-1", "2:alice"));
        assert.equal(first.storedOn.length, 6);
        assert.deepEqual(first.failed, []);
        const holders = heldBy(sim, "/app/user-1");
        // Another node, holding nothing itself, cannot replace it with a lower version...
        await assert.rejects(sim.run(b.set("/app/user-1", "1:mallory")), (error: unknown) => {
          assert.ok(error instanceof ValidationError);
          assert.equal(error.code, "outranked");
          return true;
        });
        assert.deepEqual(heldBy(sim, "/app/user-1"), holders, "nothing stored anywhere");
        // ...nor can the publisher itself.
        await assert.rejects(sim.run(a.set("/app/user-1", "1:older")), /select prefers/);
        // A higher version replaces it on every holder.
        const second = await sim.run(b.set("/app/user-1", "3:bob"));
        assert.equal(second.storedOn.length, 6);
        for (const [index, value] of heldBy(sim, "/app/user-1")) {
          assert.equal(
            value,
            index === sim.nodes.indexOf(a) ? "2:alice" : "3:bob",
            `node ${index}`,
          );
        }
        assert.equal(await sim.run(c.get("/app/user-1")), "3:bob");
        assert.equal(await sim.run(a.get("/app/user-1")), "3:bob", "the old publisher too");
        // The same value again is a republish, not a conflict.
        await sim.run(b.set("/app/user-1", "3:bob"));
      } finally {
        await sim.close();
      }
    });

    it("receivers validate, rank with select, and check the key hashes to the target", async () => {
      const sim = await createSim({ size: 3, seed: 12, node: { serialization: codec.name } });
      try {
        for (const node of sim.nodes) node.registerValidator("app", versioned);
        const node = sim.nodes[1]!;
        const key = "/app/doc";
        const store = (value: string, ts: number, extra: WireDict = {}, named = true) => {
          const a: WireDict = {
            id: new Uint8Array(20).fill(9),
            target: hashKey(key),
            v: value,
            vt: "s",
            ts,
            ttl: 3_600_000,
            ...extra,
          };
          if (named) a.key ??= key;
          return rawStore(sim, codec, node, a);
        };
        const now = sim.clock.wallTime();
        assert.equal(await store("garbage", now), 203, "invalid value");
        assert.equal(await store("5:x", now, { key: "/app/other" }), 203, "key does not hash");
        assert.equal(await store("5:five", now), "ok");
        assert.equal(await store("4:four", now + 1000), 302, "select prefers the held version");
        assert.equal(
          await store("9:nine", now + 1000, {}, false),
          203,
          "a store without the key cannot bypass the validator",
        );
        assert.equal(await store("6:six", now - 1000), "ok", "a higher version wins even if older");
        assert.equal(sim.storages[1]!.get(hashKey(key))!.value, "6:six");
        // Without a validator for the namespace, the receiver keeps last writer wins.
        const free = "/free/x";
        const plain = (value: string, ts: number) =>
          rawStore(sim, codec, node, {
            id: new Uint8Array(20).fill(9),
            target: hashKey(free),
            v: value,
            vt: "s",
            ts,
            ttl: 3_600_000,
            key: free,
          });
        assert.equal(await plain("anything", now), "ok");
        assert.equal(await plain("older", now - 1), 302);
      } finally {
        await sim.close();
      }
    });

    it("keeps last writer wins for plain keys and for namespaces without a validator", async () => {
      const sim = await createSim({
        size: 12,
        seed: 13,
        node: { k: 4, serialization: codec.name },
      });
      try {
        for (const node of sim.nodes) node.registerValidator("app", versioned);
        // A millisecond apart at least: last writer wins by publication time.
        await sim.run(sim.nodes[1]!.set("plain", "9:first"));
        await sim.clock.advance(1000);
        await sim.run(sim.nodes[2]!.set("plain", "1:second"));
        assert.equal(await sim.run(sim.nodes[7]!.get("plain")), "1:second");
        await sim.run(sim.nodes[1]!.set("/unvalidated/k", "no rules"));
        await sim.clock.advance(1000);
        await sim.run(sim.nodes[2]!.set("/unvalidated/k", "later wins"));
        assert.equal(await sim.run(sim.nodes[8]!.get("/unvalidated/k")), "later wins");
      } finally {
        await sim.close();
      }
    });

    it("guards /pk/<sha1> with the default validator", async () => {
      const sim = await createSim({ size: 8, seed: 14, node: { k: 3, serialization: codec.name } });
      try {
        const publicKey = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
        const key = `/pk/${idToHex(hashKey(publicKey))}`;
        await assert.rejects(sim.run(sim.nodes[1]!.set(key, new Uint8Array(32))), ValidationError);
        const stored = await sim.run(sim.nodes[1]!.set(key, publicKey));
        assert.equal(stored.storedOn.length, 3);
        assert.deepEqual(await sim.run(sim.nodes[6]!.get(key)), publicKey);
      } finally {
        await sim.close();
      }
    });

    it("finds nothing under a namespaced key nobody set, and says so", async () => {
      const sim = await createSim({
        size: 10,
        seed: 15,
        node: { k: 4, serialization: codec.name },
      });
      try {
        for (const node of sim.nodes) node.registerValidator("app", versioned);
        assert.equal(await sim.run(sim.nodes[3]!.get("/app/missing")), undefined);
        const detail = await sim.run(sim.nodes[3]!.getRecord("/app/missing", { quorum: 2 }));
        assert.equal(detail.value, undefined);
        assert.equal(detail.holders, 0);
        assert.equal(detail.agreed, 0);
        assert.equal(detail.quorumMet, false);
        assert.ok(detail.asked >= 4, `asked ${detail.asked}`);
        assert.deepEqual(detail.corrected, []);
      } finally {
        await sim.close();
      }
    });
  });
}
