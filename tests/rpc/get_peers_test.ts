// get_peers replies on both sides of the wire: the largest reply a node can send fits in its
// datagrams, and the asking side reads values and ids the way BEP 5 and our extension write them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { getPeers, providersPerReply } from "../../src/rpc/methods/get_peers.ts";
import { BencodeCodec } from "../../src/wire/bencode.ts";
import type { WireDict } from "../../src/wire/codec.ts";
import { buildResponseEnvelope } from "../../src/wire/envelope.ts";
import { JsonCodec } from "../../src/wire/json.ts";

const id = (n: number) => Uint8Array.from({ length: 20 }, (_, i) => (n * 31 + i) & 255);
const requester = { host: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", port: 65535 };

describe("get_peers replies", () => {
  for (const codec of [new BencodeCodec(), new JsonCodec()]) {
    it(`fit in one datagram with as many IPv6 providers as allowed (${codec.name})`, () => {
      for (const [maxDatagramSize, k] of [[8192, 20], [4096, 20], [2048, 8], [65507, 64]]) {
        const count = providersPerReply(maxDatagramSize!, k!);
        assert.ok(count >= 1);
        const nodes = Array.from({ length: 2 * k! }, (_, i) => ({
          id: id(i),
          host: i % 2 ? `2001:db8::${i.toString(16)}` : `10.0.${i}.1`,
          port: 60000 + i,
        }));
        const peers = Array.from({ length: count }, (_, i) => ({
          id: id(1000 + i),
          host: `2001:db8:ffff:ffff:ffff:ffff:ffff:${i.toString(16)}`,
          port: 65000 + (i % 500),
        }));
        const args = { id: id(1), target: id(2), want: ["n4", "n6"] };
        const reply = { id: id(3), token: new Uint8Array(8).fill(255), nodes, peers };
        const r = getPeers.encodeReply(reply, args, { from: requester, readOnly: false });
        const t = new Uint8Array(20).fill(255);
        const size = codec.encode(buildResponseEnvelope(t, r, requester)).length;
        assert.ok(size <= maxDatagramSize!, `${count} providers: ${size} > ${maxDatagramSize}`);
        assert.equal((r.values as unknown[]).length, count);
      }
    });

    it(`reads values, lines ids up with them, and skips what is not compact peer info (${codec.name})`, () => {
      const wire = (r: WireDict) => codec.decode(codec.encode({ r })).r as WireDict;
      const v4 = Uint8Array.of(127, 0, 0, 1, 0x1a, 0xe1);
      const portZero = Uint8Array.of(127, 0, 0, 2, 0, 0);
      const decoded = getPeers.decodeReply(
        codec,
        wire({
          id: id(1),
          token: Uint8Array.of(1, 2),
          values: [v4, portZero, new Uint8Array(5)],
          ids: [id(7), id(8), id(9)],
        }),
      );
      assert.deepEqual(decoded.token, Uint8Array.of(1, 2));
      assert.deepEqual(decoded.peers, [{ id: id(7), host: "127.0.0.1", port: 6881 }]);
      // A mainline reply: values without ids, so the providers' ids are unknown.
      const mainline = getPeers.decodeReply(
        codec,
        wire({ id: id(1), token: Uint8Array.of(9), values: [v4] }),
      );
      assert.deepEqual(mainline.peers, [{ id: undefined, host: "127.0.0.1", port: 6881 }]);
      // ids that do not line up with values are ignored as a whole.
      const misaligned = getPeers.decodeReply(codec, wire({ id: id(1), values: [v4], ids: [] }));
      assert.equal(misaligned.peers[0]!.id, undefined);
      assert.throws(() => getPeers.decodeReply(codec, wire({ id: id(1), values: v4 })), /list/);
    });
  }
});
