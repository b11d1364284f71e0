import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { NodeStateError, RpcError, TimeoutError } from "../../src/errors.ts";
import { SeededRandom } from "../../src/random.ts";
import { KrpcSocket } from "../../src/rpc/krpc_socket.ts";
import type { QueryHandler } from "../../src/rpc/krpc_socket.ts";
import { MemoryNetwork } from "../../src/testing/memory_network.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import type { DatagramTransport } from "../../src/transport/datagram_transport.ts";
import { BencodeCodec } from "../../src/wire/bencode.ts";
import { JsonCodec } from "../../src/wire/json.ts";
import { buildResponse, ErrorCode } from "../../src/wire/krpc.ts";

const id = (fill: number) => new Uint8Array(20).fill(fill);

async function setup(onQuery: QueryHandler = () => ({ id: id(2) }), maxConcurrentQueries?: number) {
  const clock = new VirtualClock();
  const random = new SeededRandom(7);
  const network = new MemoryNetwork({ clock, random });
  const codec = new BencodeCodec();
  const make = (transport: DatagramTransport, handler: QueryHandler) =>
    new KrpcSocket({
      transport,
      codec,
      clock,
      random,
      onQuery: handler,
      ...(maxConcurrentQueries ? { maxConcurrentQueries } : {}),
    });
  const ta = await network.bind({});
  const tb = await network.bind({});
  const a = make(ta, () => ({ id: id(1) }));
  const b = make(tb, onQuery);
  const close = async () => {
    a.close();
    b.close();
    await ta.close();
    await tb.close();
    await clock.runAll();
  };
  return { clock, network, codec, a, b, ta, tb, close };
}

describe("KrpcSocket", () => {
  it("sends a query and resolves with the reply and its round-trip time", async () => {
    const s = await setup((query) => ({
      id: id(2),
      nodes: [{ id: query.args.target!, host: "127.0.0.9", port: 9 }],
    }));
    try {
      const reply = await s.clock.runUntilSettled(
        s.a.query(s.tb.localAddress, "find_node", { id: id(1), target: id(9) }),
      );
      assert.deepEqual(reply.body.id, id(2));
      assert.deepEqual(reply.body.nodes, [{ id: id(9), host: "127.0.0.9", port: 9 }]);
      assert.deepEqual(reply.from, s.tb.localAddress);
      assert.equal(s.a.stats().queriesSent, 1);
      assert.equal(s.b.stats().queriesReceived, 1);
      assert.equal(s.a.pendingQueries, 0);
    } finally {
      await s.close();
    }
  });

  it("fails a query with TimeoutError after the timeout and counts it", async () => {
    const s = await setup();
    try {
      s.network.setDown(s.tb.localAddress, true);
      const started = s.clock.now();
      await assert.rejects(
        s.clock.runUntilSettled(s.a.query(s.tb.localAddress, "ping", { id: id(1) })),
        TimeoutError,
      );
      assert.equal(s.clock.now() - started, 2000);
      assert.equal(s.a.stats().timedOut, 1);
    } finally {
      await s.close();
    }
  });

  it("ignores a reply with the right transaction id from another address", async () => {
    const s = await setup();
    try {
      const spoofer = await s.network.bind({ hostname: "127.0.0.66" });
      s.network.setDown(s.tb.localAddress, true); // b never answers
      const query = s.a.query(s.tb.localAddress, "ping", { id: id(1) });
      // Forge a reply for every possible 2-byte transaction id: none may be accepted.
      for (let tid = 0; tid < 65536; tid++) {
        const data = s.codec.encode(
          buildResponse(Uint8Array.of(tid >> 8, tid & 255), { id: id(66) }),
        );
        await spoofer.send(data, s.ta.localAddress);
      }
      await assert.rejects(s.clock.runUntilSettled(query), TimeoutError);
      assert.equal(s.a.stats().dropped, 65536, "every forged reply dropped");
      assert.equal(s.a.stats().responsesReceived, 0);
      await spoofer.close();
    } finally {
      await s.close();
    }
  });

  it("rejects with the remote's KRPC error code", async () => {
    const s = await setup(() => {
      throw new RpcError(ErrorCode.Protocol, "bad token");
    });
    try {
      const error = await s.clock.runUntilSettled(
        s.a.query(s.tb.localAddress, "ping", { id: id(1) }),
      ).catch((e) => e);
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, 203);
      assert.equal(error.message, "bad token");
      assert.equal(s.a.stats().errorsReceived, 1);
      assert.equal(s.b.stats().errorsSent, 1);
    } finally {
      await s.close();
    }
  });

  it("answers a handler crash with error 202 and keeps serving", async () => {
    let calls = 0;
    const s = await setup(() => {
      if (calls++ === 0) throw new Error("boom");
      return { id: id(2) };
    });
    try {
      const first = await s.clock.runUntilSettled(
        s.a.query(s.tb.localAddress, "ping", { id: id(1) }),
      ).catch((e) => e);
      assert.equal((first as RpcError).code, 202);
      const second = await s.clock.runUntilSettled(
        s.a.query(s.tb.localAddress, "ping", { id: id(1) }),
      );
      assert.deepEqual(second.body.id, id(2));
    } finally {
      await s.close();
    }
  });

  it("drops and counts malformed datagrams without replying, and answers a bad query with 203", async () => {
    const s = await setup();
    try {
      const probe = await s.network.bind({ hostname: "127.0.0.77" });
      const replies: Uint8Array[] = [];
      probe.onDatagram((data) => replies.push(data));
      const junk = [
        "",
        "d",
        "x",
        "de",
        "d1:y1:qe",
        "d1:t2:aa1:y1:qe",
        "li1ee",
        "d1:ad2:id3:abce1:q4:ping1:t2:aa1:y1:qe",
      ];
      for (const text of junk) await probe.send(new TextEncoder().encode(text), s.tb.localAddress);
      await s.clock.advance(10);
      assert.equal(s.b.stats().malformed, junk.length);
      // Only the last has a usable t and y = q and is long enough to be decoded at all
      // (datagrams of 20 bytes or less are dropped unread); the rest get no reply.
      assert.equal(replies.length, 1);
      for (const reply of replies) {
        const tree = s.codec.decode(reply);
        assert.deepEqual((tree.e as unknown[])[0], 203);
      }
      await probe.close();
    } finally {
      await s.close();
    }
  });

  it("counts a datagram in the other codec", async () => {
    const s = await setup();
    try {
      const probe = await s.network.bind({ hostname: "127.0.0.78" });
      const json = new JsonCodec().encode({ t: "aa", y: "q", q: "ping", a: { id: id(1) } });
      await probe.send(json, s.tb.localAddress);
      await s.clock.advance(10);
      assert.equal(s.b.stats().otherCodec, 1);
      assert.equal(s.b.stats().malformed, 1);
      assert.equal(s.b.stats().queriesReceived, 0);
      await probe.close();
    } finally {
      await s.close();
    }
  });

  it("handles at most maxConcurrentQueries at once and drops the excess", async () => {
    const gates: (() => void)[] = [];
    const s = await setup(
      () => new Promise((resolve) => gates.push(() => resolve({ id: id(2) }))),
      4,
    );
    try {
      const queries = Array.from(
        { length: 10 },
        () => s.a.query(s.tb.localAddress, "ping", { id: id(1) }).then(() => "ok", (e) => e.name),
      );
      await s.clock.advance(10);
      assert.equal(gates.length, 4);
      assert.equal(s.b.stats().dropped, 6);
      for (const open of gates) open();
      const outcomes = await s.clock.runUntilSettled(Promise.all(queries));
      assert.equal(outcomes.filter((o) => o === "ok").length, 4);
      assert.equal(outcomes.filter((o) => o === "TimeoutError").length, 6);
    } finally {
      await s.close();
    }
  });

  it("rejects a query when its signal aborts, and all pending ones on close", async () => {
    const s = await setup();
    try {
      s.network.setDown(s.tb.localAddress, true);
      const controller = new AbortController();
      const aborted = s.a.query(s.tb.localAddress, "ping", { id: id(1) }, {
        signal: controller.signal,
      });
      controller.abort(new Error("stop"));
      await assert.rejects(aborted, /stop/);
      const pending = s.a.query(s.tb.localAddress, "ping", { id: id(1) });
      s.a.close();
      await assert.rejects(pending, NodeStateError);
      await assert.rejects(s.a.query(s.tb.localAddress, "ping", { id: id(1) }), NodeStateError);
      assert.equal(s.a.pendingQueries, 0);
    } finally {
      await s.close();
    }
  });
});

describe("KrpcSocket abort signals", () => {
  it("adds one abort listener per signal however many queries share it, and removes it", async () => {
    const s = await setup();
    try {
      s.network.setDown(s.tb.localAddress, true);
      const controller = new AbortController();
      let added = 0;
      let removed = 0;
      const { signal } = controller;
      const add = signal.addEventListener.bind(signal);
      const remove = signal.removeEventListener.bind(signal);
      signal.addEventListener = (...args: Parameters<typeof add>) => {
        added++;
        add(...args);
      };
      signal.removeEventListener = (...args: Parameters<typeof remove>) => {
        removed++;
        remove(...args);
      };
      const queries = Array.from(
        { length: 50 },
        () => s.a.query(s.tb.localAddress, "ping", { id: id(1) }, { signal }).catch((e) => e),
      );
      assert.equal(added, 1);
      const outcomes = await s.clock.runUntilSettled(Promise.all(queries));
      assert.ok(outcomes.every((e) => e instanceof TimeoutError));
      assert.equal(removed, 1, "the listener goes once no query uses the signal");
      const again = s.a.query(s.tb.localAddress, "ping", { id: id(1) }, { signal });
      controller.abort(new Error("gone"));
      await assert.rejects(again, /gone/);
      assert.equal(added, 2);
    } finally {
      await s.close();
    }
  });
});

describe("KrpcSocket reply families (BEP 32)", () => {
  const nodes = [
    { id: id(4), host: "10.0.0.4", port: 4 },
    { id: id(6), host: "2001:db8::6", port: 6 },
  ];
  for (
    const [want, expected] of [
      [undefined, [id(4)]], // an IPv4 requester gets its own family
      [["n6"], [id(6)]],
      [["n4", "n6"], [id(4), id(6)]],
      [["bogus"], [id(4)]], // unknown entries are ignored
    ] as const
  ) {
    it(`want ${JSON.stringify(want)} gets ${expected.length} contact(s)`, async () => {
      const s = await setup(() => ({ id: id(2), nodes }));
      try {
        const args = { id: id(1), target: id(3), ...(want ? { want } : {}) };
        const reply = await s.clock.runUntilSettled(
          s.a.query(s.tb.localAddress, "find_node", args),
        );
        assert.deepEqual(reply.body.nodes?.map((n) => n.id), expected);
      } finally {
        await s.close();
      }
    });
  }
});
