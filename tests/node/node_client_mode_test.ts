// Client mode (BEP 43 read-only) on memory networks: a client asks but answers nothing, marks
// its queries ro: 1, and no server ever adds it; setMode switches at run time, both ways.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KademliaNode } from "../../mod.ts";
import { randomId } from "../../src/id/node_id.ts";
import { BencodeCodec } from "../../src/wire/bencode.ts";
import type { WireDict } from "../../src/wire/codec.ts";
import { RawClient } from "../_helpers/raw_krpc.ts";
import { createSim, type Sim } from "../_helpers/sim.ts";

async function addNode(
  sim: Sim,
  mode: "client" | "server",
  host: string,
  k = 8,
): Promise<KademliaNode> {
  const node = new KademliaNode({
    k,
    transport: sim.network.bind,
    clock: sim.clock,
    random: sim.random,
    mode,
    serialization: "bencode",
  });
  await node.listen(0, host);
  return node;
}

/** The servers whose routing table holds `id`. */
const knownBy = (sim: Sim, id: string) =>
  sim.nodes.filter((node) => node.peers().some((peer) => peer.id === id));

describe("client mode (BEP 43)", () => {
  it("a client is in no routing table after 100 lookups, yet gets its answers", async () => {
    const sim = await createSim({ size: 40, seed: 43, node: { serialization: "bencode", k: 8 } });
    const client = await addNode(sim, "client", "10.9.0.1");
    try {
      assert.equal(client.mode, "client");
      assert.equal(client.stats().mode, "client");
      await sim.run(client.bootstrap([sim.nodes[0]!.address!]));
      assert.ok(client.stats().routingTableSize >= 8, "the client learns the servers");
      await sim.run(sim.nodes[3]!.set("seen", "by the client"));
      for (let i = 0; i < 100; i++) {
        if (i % 10 === 0) {
          assert.equal(await sim.run(client.get("seen")), "by the client");
        } else if (i % 10 === 1) {
          await sim.run(client.provide(`client-content-${i}`));
        } else {
          const found = await sim.run(client.findNode(randomId(sim.random)));
          assert.equal(found.length, 8);
        }
      }
      await sim.run(client.set("written-by-client", "ok"));
      assert.deepEqual(knownBy(sim, client.id), [], "no server added the client");
      assert.equal(client.stats().queriesReceived, 0, "and none asked it anything");
      // Servers still serve its reads and stores.
      assert.equal(await sim.run(sim.nodes[9]!.get("written-by-client")), "ok");
      const found = await sim.run(sim.nodes[9]!.findProviders("client-content-1"));
      assert.equal(found[0]?.id, client.id);
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it("marks its queries ro: 1 and answers none", async () => {
    const sim = await createSim({ size: 1 });
    const client = await addNode(sim, "client", "10.9.0.2");
    const codec = new BencodeCodec();
    const raw = new RawClient(await sim.network.bind({ hostname: "10.9.0.3" }), codec, sim.clock);
    try {
      const joining = client.bootstrap([raw.transport.localAddress]).catch(() => {});
      await sim.clock.advance(5);
      const [query] = raw.take();
      assert.equal(codec.text(query!.q), "find_node");
      assert.equal(query!.ro, 1);
      await sim.run(joining);
      // The join asks a silent address twice (one retry), both times read-only.
      for (const retry of raw.take()) assert.equal(retry.ro, 1);
      await raw.send(
        { t: Uint8Array.of(1, 1), y: "q", q: "ping", a: { id: new Uint8Array(20) } },
        client.address!,
      );
      await sim.clock.advance(100);
      assert.deepEqual(raw.take(), [], "no answer");
      assert.equal(client.stats().dropped, 1);
    } finally {
      await raw.transport.close();
      await client.close();
      await sim.close();
    }
  });

  it("setMode: a server going client stops answering; a client going server becomes visible", async () => {
    const sim = await createSim({ size: 20, seed: 44, node: { serialization: "bencode", k: 6 } });
    const node = await addNode(sim, "client", "10.9.0.4", 6);
    const codec = new BencodeCodec();
    const raw = new RawClient(await sim.network.bind({ hostname: "10.9.0.5" }), codec, sim.clock);
    const ping = async () => {
      await raw.send({
        t: Uint8Array.of(2, 2),
        y: "q",
        q: "ping",
        a: { id: new Uint8Array(20).fill(3) },
      }, node.address!);
      await sim.clock.advance(100);
      return raw.take().map((reply: WireDict) => codec.text(reply.y));
    };
    try {
      await sim.run(node.bootstrap([sim.nodes[0]!.address!]));
      assert.deepEqual(knownBy(sim, node.id), []);
      assert.deepEqual(await ping(), []);
      await sim.run(node.setMode("server"));
      assert.equal(node.mode, "server");
      assert.deepEqual(await ping(), ["r"], "answers once a server");
      assert.ok(knownBy(sim, node.id).length >= 6, "the nodes nearest it learned of it");
      await sim.run(node.setMode("client"));
      assert.deepEqual(await ping(), [], "a client again: silent");
      assert.equal(node.stats().mode, "client");
      assert.throws(() => node.setMode("relay" as "client"), /'mode' must be "server" or "client"/);
      assert.throws(() => new KademliaNode({ mode: "peer" as "server" }), TypeError);
    } finally {
      await raw.transport.close();
      await node.close();
      await sim.close();
    }
  });
});
