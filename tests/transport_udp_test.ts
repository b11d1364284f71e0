/**
 * Runs the transport conformance suite on real loopback UDP: the current runtime's own adapter
 * (Deno → adapters/deno.ts, Bun → adapters/bun.ts, Node → adapters/node.ts) and the
 * runtime-detecting `createUdpTransport`. Each adapter is imported only on its own runtime.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TransportError } from "../src/errors.ts";
import type { TransportFactory } from "../src/transport/datagram_transport.ts";
import { MAX_UDP_PAYLOAD } from "../src/transport/datagram_transport.ts";
import { createUdpTransport } from "../adapters/runtime.ts";
import { probeIPv6, transportSuite } from "./_suites/transport_suite.ts";

const host = globalThis as { Deno?: unknown; Bun?: unknown };
const runtime = host.Deno !== undefined ? "Deno" : host.Bun !== undefined ? "Bun" : "Node";

/**
 * The Deno adapter is not part of the npm build, which compiles this file too; a specifier in
 * a variable keeps the compiler from following it there. Only Deno ever takes this branch.
 */
const DENO_ADAPTER = "../adapters/deno.ts";

async function loadAdapter(): Promise<TransportFactory> {
  if (runtime === "Deno") {
    const module: { createDenoTransport: TransportFactory } = await import(DENO_ADAPTER);
    return module.createDenoTransport;
  }
  if (runtime === "Bun") return (await import("../adapters/bun.ts")).createBunTransport;
  return (await import("../adapters/node.ts")).createNodeTransport;
}

const adapter = await loadAdapter();
const ipv6 = await probeIPv6(adapter);

transportSuite(`${runtime} UDP adapter`, adapter, { ipv6 });
transportSuite("createUdpTransport (runtime detection)", createUdpTransport, { ipv6 });

describe(`${runtime} UDP adapter: limits`, () => {
  it("accepts maxDatagramSize up to the UDP limit and binds 'localhost' as 127.0.0.1", async () => {
    const transport = await adapter({ hostname: "localhost", maxDatagramSize: MAX_UDP_PAYLOAD });
    try {
      assert.equal(transport.maxDatagramSize, MAX_UDP_PAYLOAD);
      assert.equal(transport.localAddress.host, "127.0.0.1");
    } finally {
      await transport.close();
    }
  });

  it("delivers a datagram of the UDP limit, 65,507 bytes, whole", async () => {
    const a = await adapter({ maxDatagramSize: MAX_UDP_PAYLOAD });
    const b = await adapter({ maxDatagramSize: MAX_UDP_PAYLOAD }).catch(async (err) => {
      await a.close();
      throw err;
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const payload = new Uint8Array(MAX_UDP_PAYLOAD).map((_, i) => i % 251);
      const arrived = new Promise<Uint8Array>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error("no datagram within 2000 ms")), 2000);
        b.onDatagram((data) => resolve(data.slice()));
      });
      await a.send(payload, b.localAddress);
      assert.deepEqual(await arrived, payload);
    } finally {
      clearTimeout(timer);
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe(`${runtime} UDP adapter: bursts`, () => {
  // The Deno adapter adds receives for a burst and lets them go 0.5 s after it: the socket must
  // keep receiving through both changes, alone and in bursts.
  it("receives a burst, then datagrams one at a time after it is over, then a burst again", {
    timeout: 20_000,
  }, async () => {
    const a = await adapter({});
    const b = await adapter({}).catch(async (err) => {
      await a.close();
      throw err;
    });
    const got: number[] = [];
    b.onDatagram((data) => got.push(data[0]! | (data[1]! << 8)));
    const datagram = (i: number) => new Uint8Array([i & 255, i >> 8, 0, 0]);
    const arrival = async (count: number, what: string) => {
      const until = Date.now() + 5_000;
      while (got.length < count && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.equal(got.length, count, `${what}: ${got.length} of ${count} arrived`);
    };
    try {
      await Promise.all(Array.from({ length: 100 }, (_, i) => a.send(datagram(i), b.localAddress)));
      await arrival(100, "first burst");
      await new Promise((resolve) => setTimeout(resolve, 800));
      for (let i = 100; i < 110; i++) {
        await a.send(datagram(i), b.localAddress);
        await arrival(i + 1, "one at a time");
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => a.send(datagram(110 + i), b.localAddress)),
      );
      await arrival(210, "second burst");
      assert.deepEqual([...got].sort((x, y) => x - y), Array.from({ length: 210 }, (_, i) => i));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

/** Just enough of `Bun.udpSocket` to drive the Bun adapter's backpressure path by hand. */
class FakeBunSocket {
  readonly port = 40000;
  readonly address = { address: "127.0.0.1", port: 40000 };
  accepting = false;
  closed = false;
  /** Sends still to be refused with ECONNREFUSED, as after an ICMP port unreachable. */
  refusals = 0;
  attempts = 0;
  readonly sent: number[] = [];
  send(data: Uint8Array): boolean {
    this.attempts++;
    if (this.refusals > 0) {
      this.refusals--;
      throw Object.assign(new Error("ECONNREFUSED: connection refused, send"), {
        code: "ECONNREFUSED",
      });
    }
    if (!this.accepting) return false;
    this.sent.push(data[0]!);
    return true;
  }
  close(): void {
    this.closed = true;
  }
}

interface FakeHandlers {
  data(socket: unknown, data: Uint8Array, port: number, address: string): void;
  drain(socket: unknown): void;
}

/** Runs `body` with a simulated `globalThis.Bun`, removed afterwards. */
async function withFakeBun(
  body: (socket: FakeBunSocket, handlers: FakeHandlers, bind: TransportFactory) => Promise<void>,
): Promise<void> {
  const socket = new FakeBunSocket();
  let handlers: FakeHandlers | undefined;
  const fakeBun = {
    udpSocket(options: { socket: FakeHandlers }): Promise<FakeBunSocket> {
      handlers = options.socket;
      return Promise.resolve(socket);
    },
  };
  (globalThis as { Bun?: unknown }).Bun = fakeBun;
  try {
    const { createBunTransport } = await import("../adapters/bun.ts");
    const bind: TransportFactory = (options) => createBunTransport(options);
    await body(
      socket,
      { data: (...a) => handlers!.data(...a), drain: (s) => handlers!.drain(s) },
      bind,
    );
  } finally {
    delete (globalThis as { Bun?: unknown }).Bun;
  }
}

const fakeBunSkip = runtime === "Bun"
  ? "needs a simulated Bun global; covered under Deno and Node"
  : false;

describe("Bun adapter with a simulated Bun.udpSocket", () => {
  it("queues sends refused by backpressure and flushes them in order on drain", {
    skip: fakeBunSkip,
  }, async () => {
    await withFakeBun(async (socket, handlers, bind) => {
      const transport = await bind({});
      try {
        const to = { host: "127.0.0.1", port: 5000 };
        let settled = 0;
        const sends = [0, 1, 2].map((i) =>
          transport.send(new Uint8Array([i]), to).then(() => settled++)
        );
        await Promise.resolve();
        assert.equal(settled, 0, "refused sends wait for drain");
        socket.accepting = true;
        const late = transport.send(new Uint8Array([3]), to).then(() => settled++);
        assert.deepEqual(socket.sent, [], "a send queues behind waiting ones");
        handlers.drain(socket);
        await Promise.all([...sends, late]);
        assert.deepEqual(socket.sent, [0, 1, 2, 3]);
      } finally {
        await transport.close();
      }
    });
  });

  it(
    "rejects sends still waiting for drain with code closed when closed",
    { skip: fakeBunSkip },
    async () => {
      await withFakeBun(async (socket, _handlers, bind) => {
        const transport = await bind({});
        const waiting = transport.send(new Uint8Array([1]), { host: "127.0.0.1", port: 5000 });
        await transport.close();
        assert.equal(socket.closed, true);
        await assert.rejects(waiting, (err: unknown) => {
          assert.ok(err instanceof TransportError);
          assert.equal(err.code, "closed");
          return true;
        });
      });
    },
  );

  it("sends again when refused for an earlier datagram's ICMP, a bounded number of times", {
    skip: fakeBunSkip,
  }, async () => {
    await withFakeBun(async (socket, _handlers, bind) => {
      const transport = await bind({});
      try {
        const to = { host: "127.0.0.1", port: 5000 };
        socket.accepting = true;
        socket.refusals = 3;
        await transport.send(new Uint8Array([1]), to);
        assert.deepEqual(socket.sent, [1], "sent on the fourth try");
        assert.equal(socket.attempts, 4);
        socket.refusals = Infinity;
        socket.attempts = 0;
        await assert.rejects(transport.send(new Uint8Array([2]), to), (err: unknown) => {
          assert.ok(err instanceof TransportError);
          assert.equal(err.code, "send_failed");
          assert.match(err.message, /ECONNREFUSED/);
          return true;
        });
        assert.equal(socket.attempts, 4, "gives up after three retries");
        assert.deepEqual(socket.sent, [1]);
      } finally {
        await transport.close();
      }
    });
  });

  it("hands received bytes and the sender to the handler", { skip: fakeBunSkip }, async () => {
    await withFakeBun(async (socket, handlers, bind) => {
      const transport = await bind({});
      try {
        assert.deepEqual(transport.localAddress, { host: "127.0.0.1", port: 40000 });
        const got: unknown[] = [];
        transport.onDatagram((data, from) => got.push([Array.from(data), from]));
        handlers.data(socket, new Uint8Array([7, 8]), 6881, "127.0.0.2");
        assert.deepEqual(got, [[[7, 8], { host: "127.0.0.2", port: 6881 }]]);
      } finally {
        await transport.close();
      }
    });
  });
});
