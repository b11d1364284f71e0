import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  NodeStateError,
  ProtocolError,
  RpcError,
  TimeoutError,
  TransportError,
} from "../../src/errors.ts";
import { SeededRandom } from "../../src/random.ts";
import { KrpcSocket, WRONG_CODEC_MESSAGE } from "../../src/rpc/krpc_socket.ts";
import type { KrpcMethod } from "../../src/rpc/method.ts";
import { MemoryNetwork } from "../../src/testing/memory_network.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import type { DatagramTransport } from "../../src/transport/datagram_transport.ts";
import { BencodeCodec } from "../../src/wire/bencode.ts";
import type { WireDict } from "../../src/wire/codec.ts";
import { buildResponseEnvelope, ErrorCode } from "../../src/wire/envelope.ts";
import { JsonCodec } from "../../src/wire/json.ts";
import { idMethod, nodesMethod, RawClient } from "../_helpers/raw_krpc.ts";

const id = (fill: number) => new Uint8Array(20).fill(fill);

// deno-lint-ignore no-explicit-any
type AnyMethod = KrpcMethod<any, any>;

async function setup(served: AnyMethod[] = [], maxConcurrentQueries?: number) {
  const clock = new VirtualClock();
  const random = new SeededRandom(7);
  const network = new MemoryNetwork({ clock, random });
  const codec = new BencodeCodec();
  const byName = new Map(served.map((m) => [m.name, m]));
  const make = (transport: DatagramTransport) =>
    new KrpcSocket({
      transport,
      codec,
      otherCodec: new JsonCodec(),
      clock,
      random,
      methods: (name) => byName.get(name),
      context: undefined,
      ...(maxConcurrentQueries ? { maxConcurrentQueries } : {}),
    });
  const ta = await network.bind({});
  const tb = await network.bind({});
  const a = make(ta);
  const b = make(tb);
  const close = async () => {
    a.close();
    b.close();
    await ta.close();
    await tb.close();
    await clock.runAll();
  };
  return { clock, network, codec, a, b, ta, tb, close };
}

const ping = idMethod("ping", () => ({ id: id(2) }));

describe("KrpcSocket", () => {
  it("sends a query and resolves with the parsed reply and its round-trip time", async () => {
    const findNode = nodesMethod("find_node", (args) => ({
      id: id(2),
      nodes: [{ id: args.target, host: "127.0.0.9", port: 9 }],
    }));
    const s = await setup([findNode]);
    try {
      const reply = await s.clock.runUntilSettled(
        s.a.query(s.tb.localAddress, findNode, { id: id(1), target: id(9) }),
      );
      assert.deepEqual(reply.body.id, id(2));
      assert.deepEqual(reply.body.nodes, [{ id: id(9), host: "127.0.0.9", port: 9 }]);
      assert.deepEqual(reply.from, s.tb.localAddress);
      assert.deepEqual(reply.ip, s.ta.localAddress, "BEP 42: the reply says where we are");
      assert.equal(s.a.stats().queriesSent, 1);
      assert.deepEqual(s.a.stats().queriesByMethod, { find_node: 1 });
      assert.equal(s.b.stats().queriesReceived, 1);
      assert.equal(s.a.pendingQueries, 0);
    } finally {
      await s.close();
    }
  });

  it("fails a query with TimeoutError after its timeout and counts it", async () => {
    const s = await setup([ping]);
    try {
      s.network.setDown(s.tb.localAddress, true);
      let started = s.clock.now();
      await assert.rejects(
        s.clock.runUntilSettled(s.a.query(s.tb.localAddress, ping, { id: id(1) })),
        TimeoutError,
      );
      assert.equal(s.clock.now() - started, 2000, "the default ceiling");
      started = s.clock.now();
      await assert.rejects(
        s.clock.runUntilSettled(
          s.a.query(s.tb.localAddress, ping, { id: id(1) }, { timeoutMs: 75 }),
        ),
        TimeoutError,
      );
      assert.equal(s.clock.now() - started, 75, "a per-query timeout");
      assert.equal(s.a.stats().timedOut, 2);
      const timeout = new TimeoutError("x");
      assert.ok(!(timeout instanceof RpcError), "a timeout is not a KRPC error");
    } finally {
      await s.close();
    }
  });

  it("sends a query once more at resendAfterMs when unanswered, with the same deadline", async () => {
    const s = await setup([ping]);
    try {
      // The first datagram is lost (the peer is down), the second one is answered.
      s.network.setDown(s.tb.localAddress, true);
      const started = s.clock.now();
      const asked = s.a.query(s.tb.localAddress, ping, { id: id(1) }, {
        timeoutMs: 200,
        resendAfterMs: 50,
      });
      await s.clock.advance(40);
      s.network.setDown(s.tb.localAddress, false);
      const reply = await s.clock.runUntilSettled(asked);
      assert.deepEqual(reply.body.id, id(2));
      assert.ok(s.clock.now() - started >= 50);
      assert.deepEqual(
        { resent: s.a.stats().resent, sent: s.a.stats().sent, queries: s.a.stats().queriesSent },
        { resent: 1, sent: 2, queries: 1 },
      );
      assert.equal(s.b.stats().queriesReceived, 1);
      // Answered in time: nothing is sent again. Silent throughout: the timeout still holds.
      await s.clock.runUntilSettled(
        s.a.query(s.tb.localAddress, ping, { id: id(1) }, { timeoutMs: 200, resendAfterMs: 50 }),
      );
      await s.clock.advance(300);
      assert.equal(s.a.stats().resent, 1);
      s.network.setDown(s.tb.localAddress, true);
      const silentFrom = s.clock.now();
      await assert.rejects(
        s.clock.runUntilSettled(
          s.a.query(s.tb.localAddress, ping, { id: id(1) }, { timeoutMs: 200, resendAfterMs: 50 }),
        ),
        TimeoutError,
      );
      assert.equal(s.clock.now() - silentFrom, 200);
      assert.equal(s.a.stats().resent, 2);
    } finally {
      await s.close();
    }
  });

  it("keeps one clock timer for all its pending queries, whatever their timeouts", async () => {
    const s = await setup([ping]);
    try {
      s.network.setDown(s.tb.localAddress, true);
      const before = s.clock.pendingTimers;
      const queries = Array.from(
        { length: 50 },
        (_, i) =>
          s.a.query(s.tb.localAddress, ping, { id: id(1) }, { timeoutMs: 100 + (i % 7) * 10 })
            .catch((e) => e),
      );
      assert.equal(s.clock.pendingTimers - before, 1);
      const outcomes = await s.clock.runUntilSettled(Promise.all(queries));
      assert.ok(outcomes.every((e) => e instanceof TimeoutError));
      assert.equal(s.clock.now(), 160, "the last deadline");
    } finally {
      await s.close();
    }
  });

  it("rejects at once, not after a timeout, when the datagram cannot be sent", async () => {
    const s = await setup([ping]);
    try {
      const started = s.clock.now();
      const error = await s.clock.runUntilSettled(
        s.a.query({ host: "127.0.0.1", port: 0 }, ping, { id: id(1) }).catch((e) => e),
      );
      assert.ok(error instanceof TransportError, String(error));
      assert.equal(s.clock.now(), started);
      assert.equal(s.a.stats().sendFailures, 1);
      assert.equal(s.a.pendingQueries, 0);
    } finally {
      await s.close();
    }
  });

  it("refuses to send to the other address family than the socket's", async () => {
    const s = await setup([ping]);
    try {
      const error = await s.a.query({ host: "::1", port: 4000 }, ping, { id: id(1) })
        .catch((e) => e);
      assert.ok(error instanceof TransportError);
      assert.equal(error.code, "address_family");
    } finally {
      await s.close();
    }
  });

  it("ignores a reply with the right transaction id from another address", async () => {
    const s = await setup([ping]);
    try {
      const spoofer = await s.network.bind({ hostname: "127.0.0.66" });
      s.network.setDown(s.tb.localAddress, true); // b never answers
      const query = s.a.query(s.tb.localAddress, ping, { id: id(1) });
      // Forge a reply for every possible 2-byte transaction id: none may be accepted.
      for (let tid = 0; tid < 65536; tid++) {
        const data = s.codec.encode(
          buildResponseEnvelope(Uint8Array.of(tid >> 8, tid & 255), { id: id(66) }),
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
    const refuse = idMethod("ping", () => {
      throw new RpcError(ErrorCode.Protocol, "bad token");
    });
    const s = await setup([refuse]);
    try {
      const error = await s.clock.runUntilSettled(
        s.a.query(s.tb.localAddress, refuse, { id: id(1) }),
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

  it("rejects a reply that is malformed for its method with ProtocolError", async () => {
    const broken = nodesMethod("find_node", () => ({ id: id(2), nodes: [] }));
    const s = await setup([{ ...broken, encodeReply: () => ({ id: id(2), nodes: "abc" }) }]);
    try {
      const error = await s.clock.runUntilSettled(
        s.a.query(s.tb.localAddress, broken, { id: id(1), target: id(3) }),
      ).catch((e) => e);
      assert.ok(error instanceof ProtocolError, String(error));
      assert.equal(error.code, "bad_reply");
    } finally {
      await s.close();
    }
  });

  it("answers a handler crash with error 202 and keeps serving", async () => {
    let calls = 0;
    const flaky = idMethod("ping", () => {
      if (calls++ === 0) throw new Error("boom");
      return { id: id(2) };
    });
    const s = await setup([flaky]);
    try {
      const first = await s.clock.runUntilSettled(
        s.a.query(s.tb.localAddress, flaky, { id: id(1) }),
      ).catch((e) => e);
      assert.equal((first as RpcError).code, 202);
      const second = await s.clock.runUntilSettled(
        s.a.query(s.tb.localAddress, flaky, { id: id(1) }),
      );
      assert.deepEqual(second.body.id, id(2));
    } finally {
      await s.close();
    }
  });

  it("drops malformed datagrams, and answers a bad query with at most as many bytes", async () => {
    const s = await setup([nodesMethod("find_node", () => ({ id: id(2), nodes: [] }))]);
    try {
      const probe = new RawClient(
        await s.network.bind({ hostname: "127.0.0.77" }),
        s.codec,
        s.clock,
      );
      const junk = [
        "",
        "d",
        "x",
        "de",
        "d1:y1:qe",
        "d1:t2:aa1:y1:qe",
        "li1ee",
        "d1:ad2:id3:abce1:q4:ping1:t2:aa1:y1:qe", // ping unknown here: 204, short enough
        "d1:ad2:id20:abcdefghij01234567896:target3:abce1:q9:find_node1:t2:aa1:y1:qe",
      ];
      const sent: number[] = [];
      for (const text of junk) {
        const data = new TextEncoder().encode(text);
        sent.push(data.length);
        await probe.sendBytes(data, s.tb.localAddress);
      }
      await s.clock.advance(10);
      // Only the last two have a usable t and y = q and are long enough to be decoded at all
      // (datagrams of 20 bytes or less are dropped unread); the rest get no reply.
      const sizes = probe.sizes();
      const codes = probe.take().map((tree) => (tree.e as unknown[])[0]);
      assert.deepEqual(codes, [204, 203]);
      assert.ok(sizes[0]! <= sent[7]! && sizes[1]! <= sent[8]!, `${sizes} vs ${sent}`);
      await probe.transport.close();
    } finally {
      await s.close();
    }
  });

  it("tells a peer that sends a query in the other codec which codec it speaks", async () => {
    const s = await setup([ping]);
    try {
      const json = new JsonCodec();
      const probe = new RawClient(await s.network.bind({ hostname: "127.0.0.78" }), json, s.clock);
      const t = Uint8Array.of(0x61, 0x61);
      await probe.send({ t, y: "q", q: "ping", a: { id: id(1) } }, s.tb.localAddress);
      await s.clock.advance(10);
      assert.equal(s.b.stats().otherCodec, 1);
      assert.equal(s.b.stats().malformed, 1);
      assert.equal(s.b.stats().queriesReceived, 0);
      const [reply] = probe.take() as [WireDict];
      assert.deepEqual(reply.e, [203, WRONG_CODEC_MESSAGE + "bencode"]);
      await probe.transport.close();
    } finally {
      await s.close();
    }
  });

  it("handles at most maxConcurrentQueries pending answers and drops the excess", async () => {
    const gates: (() => void)[] = [];
    const slow = idMethod(
      "ping",
      () => new Promise((resolve) => gates.push(() => resolve({ id: id(2) }))),
    );
    const s = await setup([slow], 4);
    try {
      const queries = Array.from(
        { length: 10 },
        () => s.a.query(s.tb.localAddress, slow, { id: id(1) }).then(() => "ok", (e) => e.name),
      );
      await s.clock.advance(10);
      assert.equal(gates.length, 4);
      assert.equal(s.b.pendingAnswers, 4);
      assert.equal(s.b.stats().dropped, 6);
      for (const open of gates) open();
      const outcomes = await s.clock.runUntilSettled(Promise.all(queries));
      assert.equal(outcomes.filter((o) => o === "ok").length, 4);
      assert.equal(outcomes.filter((o) => o === "TimeoutError").length, 6);
      assert.equal(s.b.pendingAnswers, 0);
    } finally {
      await s.close();
    }
  });

  it("rejects a query when its signal aborts, and all pending ones on close", async () => {
    const s = await setup([ping]);
    try {
      s.network.setDown(s.tb.localAddress, true);
      const controller = new AbortController();
      const aborted = s.a.query(s.tb.localAddress, ping, { id: id(1) }, {
        signal: controller.signal,
      });
      controller.abort(new Error("stop"));
      await assert.rejects(aborted, /stop/);
      const pending = s.a.query(s.tb.localAddress, ping, { id: id(1) });
      s.a.close();
      await assert.rejects(pending, NodeStateError);
      await assert.rejects(s.a.query(s.tb.localAddress, ping, { id: id(1) }), NodeStateError);
      assert.equal(s.a.pendingQueries, 0);
    } finally {
      await s.close();
    }
  });
});

describe("KrpcSocket abort signals", () => {
  it("adds one abort listener per signal however many queries share it, and removes it", async () => {
    const s = await setup([ping]);
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
        () => s.a.query(s.tb.localAddress, ping, { id: id(1) }, { signal }).catch((e) => e),
      );
      assert.equal(added, 1);
      const outcomes = await s.clock.runUntilSettled(Promise.all(queries));
      assert.ok(outcomes.every((e) => e instanceof TimeoutError));
      assert.equal(removed, 1, "the listener goes once no query uses the signal");
      const again = s.a.query(s.tb.localAddress, ping, { id: id(1) }, { signal });
      controller.abort(new Error("gone"));
      await assert.rejects(again, /gone/);
      assert.equal(added, 2);
    } finally {
      await s.close();
    }
  });
});
