// get_peers and announce_peer as BEP 5 has them, seen from raw KRPC datagrams in both codecs:
// write tokens bound to the requester's IP and the info hash, rotating every 5 minutes with the
// previous secret still accepted; ports checked, implied_port honoured; values as compact peer
// info with our `ids` extension beside them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KademliaNode } from "../../mod.ts";
import { idFromHex } from "../../src/id/node_id.ts";
import { SeededRandom } from "../../src/random.ts";
import { TOKEN_ROTATION_MS } from "../../src/records/write_tokens.ts";
import { MemoryNetwork } from "../../src/testing/memory_network.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import { BencodeCodec } from "../../src/wire/bencode.ts";
import type { Codec, WireDict, WireValue } from "../../src/wire/codec.ts";
import { JsonCodec } from "../../src/wire/json.ts";
import { RawClient } from "../_helpers/raw_krpc.ts";

const id = (fill: number) => new Uint8Array(20).fill(fill);
const T = Uint8Array.of(0x61, 0x61);

async function setup(codec: Codec) {
  const clock = new VirtualClock();
  const random = new SeededRandom(8);
  const network = new MemoryNetwork({ clock, random });
  const node = new KademliaNode({
    transport: network.bind,
    clock,
    random,
    serialization: codec.name,
  });
  const address = await node.listen(0, "127.0.0.1");
  const client = async (host: string) => {
    const raw = new RawClient(await network.bind({ hostname: host }), codec, clock);
    const ask = async (q: string, a: WireDict): Promise<WireDict> => {
      await raw.send({ t: T, y: "q", q, a }, address);
      await clock.advance(5);
      const [reply, more] = raw.take();
      assert.ok(reply, `no reply to ${q}`);
      assert.equal(more, undefined);
      return reply;
    };
    const y = (reply: WireDict) => codec.text(reply.y);
    return { raw, ask, y, port: raw.transport.localAddress.port };
  };
  const a = await client("127.0.0.2");
  const b = await client("127.0.0.3");
  const tokenFor = async (asker: typeof a, infoHash: Uint8Array) => {
    const reply = await asker.ask("get_peers", { id: id(1), info_hash: infoHash });
    assert.equal(asker.y(reply), "r");
    const token = codec.bytes((reply.r as WireDict).token);
    assert.equal(token?.length, 8, "an 8-byte token");
    return token!;
  };
  const errorCode = (reply: WireDict) => {
    assert.equal(codec.text(reply.y), "e", `expected an error, got ${codec.text(reply.y)}`);
    return (reply.e as WireValue[])[0];
  };
  const close = async () => {
    await a.raw.transport.close();
    await b.raw.transport.close();
    await node.close();
    await clock.runAll();
  };
  return { node, clock, a, b, tokenFor, errorCode, close };
}

for (const codec of [new BencodeCodec(), new JsonCodec()]) {
  describe(`announce_peer and get_peers (${codec.name})`, () => {
    it("stores an announce with a token issued to its IP and lists it as compact peer info", async () => {
      const s = await setup(codec);
      try {
        const infoHash = id(7);
        const first = await s.a.ask("get_peers", { id: id(1), info_hash: infoHash });
        const r = first.r as WireDict;
        assert.ok(codec.bytes(r.nodes) !== undefined, "nodes beside the token");
        assert.equal(r.values, undefined, "no values before any announce");
        const token = codec.bytes(r.token)!;
        const ok = await s.a.ask("announce_peer", {
          id: id(1),
          info_hash: infoHash,
          port: 6881,
          token,
        });
        assert.equal(s.a.y(ok), "r");
        assert.deepEqual(codec.bytes((ok.r as WireDict).id), idFromHex(s.node.id));
        // implied_port: the source port counts, whatever `port` says (bittorrent-dht sends 0).
        const implied = await s.a.ask("announce_peer", {
          id: id(2),
          info_hash: infoHash,
          port: 0,
          implied_port: 1,
          token,
        });
        assert.equal(s.a.y(implied), "r");
        const listed = (await s.b.ask("get_peers", { id: id(3), info_hash: infoHash }))
          .r as WireDict;
        const values = (listed.values as WireValue[]).map((v) => [...codec.bytes(v)!]);
        const port = s.a.port;
        assert.deepEqual(values, [
          [127, 0, 0, 2, port >> 8, port & 255],
          [127, 0, 0, 2, 6881 >> 8, 6881 & 255],
        ]);
        assert.deepEqual((listed.ids as WireValue[]).map((v) => codec.bytes(v)), [id(2), id(1)]);
        assert.equal(s.node.stats().providersHeld, 2);
        assert.equal(s.node.stats().providerKeys, 1);
      } finally {
        await s.close();
      }
    });

    it("refuses with 203, storing nothing: no token, a wrong one, another IP's, another key's", async () => {
      const s = await setup(codec);
      try {
        const infoHash = id(7);
        const token = await s.tokenFor(s.a, infoHash);
        const announce = (extra: WireDict) => ({
          id: id(1),
          info_hash: infoHash,
          port: 6881,
          ...extra,
        });
        assert.equal(s.errorCode(await s.a.ask("announce_peer", announce({}))), 203, "missing");
        const wrong = token.slice();
        wrong[0]! ^= 1;
        assert.equal(s.errorCode(await s.a.ask("announce_peer", announce({ token: wrong }))), 203);
        assert.equal(
          s.errorCode(await s.b.ask("announce_peer", announce({ token }))),
          203,
          "a token issued to another IP",
        );
        const otherKey = { id: id(1), info_hash: id(8), port: 6881, token };
        assert.equal(s.errorCode(await s.a.ask("announce_peer", otherKey)), 203, "another key");
        assert.equal(s.node.stats().providersHeld, 0);
      } finally {
        await s.close();
      }
    });

    it("refuses a port of 0 or out of range without implied_port", async () => {
      const s = await setup(codec);
      try {
        const infoHash = id(7);
        const token = await s.tokenFor(s.a, infoHash);
        for (const port of [0, 65536, -1, "6881"]) {
          const reply = await s.a.ask("announce_peer", {
            id: id(1),
            info_hash: infoHash,
            port,
            token,
          });
          assert.equal(s.errorCode(reply), 203, `port ${port}`);
        }
        const none = await s.a.ask("announce_peer", { id: id(1), info_hash: infoHash, token });
        assert.equal(s.errorCode(none), 203, "no port at all");
        const badImplied = { id: id(1), info_hash: infoHash, port: 1, implied_port: 2, token };
        assert.equal(s.errorCode(await s.a.ask("announce_peer", badImplied)), 203);
        assert.equal(s.node.stats().providersHeld, 0);
        const edge = await s.a.ask("announce_peer", {
          id: id(1),
          info_hash: infoHash,
          port: 65535,
          token,
        });
        assert.equal(s.a.y(edge), "r");
      } finally {
        await s.close();
      }
    });

    it("accepts a token for 5 to 10 minutes: the previous secret yes, an expired one no", async () => {
      const s = await setup(codec);
      try {
        const infoHash = id(7);
        await s.clock.advance(TOKEN_ROTATION_MS - 1_000);
        const token = await s.tokenFor(s.a, infoHash); // issued just before a rotation
        await s.clock.advance(TOKEN_ROTATION_MS);
        const announce = { id: id(1), info_hash: infoHash, port: 6881, token };
        assert.equal(s.a.y(await s.a.ask("announce_peer", announce)), "r", "previous secret");
        await s.clock.advance(TOKEN_ROTATION_MS);
        assert.equal(s.errorCode(await s.a.ask("announce_peer", announce)), 203, "expired secret");
        assert.equal(s.node.stats().providersHeld, 1, "only the announce in time");
      } finally {
        await s.close();
      }
    });
  });
}
