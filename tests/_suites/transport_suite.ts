/**
 * The conformance suite every {@linkcode DatagramTransport} passes: the Deno, Bun and Node UDP
 * adapters and the memory network. Call {@linkcode transportSuite} from a `*_test.ts` file.
 *
 * Every test closes what it opens in `finally` and bounds every wait with a timer it clears,
 * so Deno's op and resource sanitizers stay on.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TransportError } from "../../src/errors.ts";
import type { TransportErrorCode } from "../../src/errors.ts";
import type {
  Address,
  BindOptions,
  DatagramTransport,
  TransportFactory,
} from "../../src/transport/datagram_transport.ts";
import {
  DEFAULT_MAX_DATAGRAM_SIZE,
  MAX_UDP_PAYLOAD,
} from "../../src/transport/datagram_transport.ts";

/** Options for {@linkcode transportSuite}. */
export interface TransportSuiteOptions {
  /**
   * Whether the transport can bind `::1`: `true` runs the IPv6 test, a string skips it and
   * says why (see {@linkcode probeIPv6}).
   * @default {true}
   */
  ipv6?: boolean | string;
  /**
   * Round trips in the no-loss test (a window of 32 in flight).
   * @default {10000}
   */
  roundTrips?: number;
}

/** How long any single expected datagram may take before the test fails instead of hanging. */
const WAIT_MS = 2_000;
/** Upper bound for the whole no-loss run. */
const ROUND_TRIP_BUDGET_MS = 30_000;
const WINDOW = 32;
/** Rounds of "datagram to a closed port, then one to a live transport". */
const ICMP_ROUNDS = 6;
/** Long enough for loopback's ICMP port unreachable to come back before the next send. */
const ICMP_PAUSE_MS = 20;

/** A datagram as the handler saw it, copied (a handler may be handed a reused buffer). */
interface Received {
  data: Uint8Array;
  from: Address;
}

/** Queues what a transport receives; `next()` waits for one datagram, bounded in time. */
class Inbox {
  #queue: Received[] = [];
  #waiter: ((received: Received) => void) | undefined;

  constructor(transport: DatagramTransport, options: { throwing?: boolean } = {}) {
    transport.onDatagram((data, from) => {
      this.#push({ data: data.slice(), from: { host: from.host, port: from.port } });
      if (options.throwing) throw new Error("handler failure (expected by the test)");
    });
  }

  #push(received: Received): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter) waiter(received);
    else this.#queue.push(received);
  }

  next(timeoutMs = WAIT_MS): Promise<Received> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new Error(`No datagram arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = (received) => {
        clearTimeout(timer);
        resolve(received);
      };
    });
  }
}

/**
 * Binds `::1` once to learn whether the host has IPv6 loopback.
 *
 * @param bind the factory under test
 * @returns `true` if binding `::1` works, else the reason to skip IPv6 tests
 */
export async function probeIPv6(bind: TransportFactory): Promise<true | string> {
  try {
    const transport = await bind({ hostname: "::1", port: 0 });
    await transport.close();
    return true;
  } catch (err) {
    return `IPv6 loopback ::1 unavailable on this host (${(err as Error).message})`;
  }
}

/** Asserts that `promise` rejects with a TransportError of `code`; closes what it resolves to. */
async function rejectsWith(
  promise: Promise<unknown>,
  code: TransportErrorCode,
  mentions: string[] = [],
): Promise<void> {
  let value: unknown;
  try {
    value = await promise;
  } catch (err) {
    assert.ok(err instanceof TransportError, `expected a TransportError, got ${String(err)}`);
    assert.equal(err.code, code, `wrong code; message: ${err.message}`);
    for (const text of mentions) {
      assert.ok(err.message.includes(text), `"${err.message}" should mention ${text}`);
    }
    return;
  }
  if (typeof (value as DatagramTransport | undefined)?.close === "function") {
    await (value as DatagramTransport).close();
  }
  assert.fail(`expected a rejection with TransportError "${code}"`);
}

function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

/**
 * Registers the transport conformance tests in a `describe` block.
 *
 * @param name shown in the block's title, e.g. `"Deno UDP"`
 * @param bind creates a bound transport; called many times, including with a fixed port
 * @param options IPv6 availability and the size of the no-loss run
 */
export function transportSuite(
  name: string,
  bind: TransportFactory,
  options: TransportSuiteOptions = {},
): void {
  const { ipv6 = true, roundTrips = 10_000 } = options;
  const ipv6Skip = ipv6 === true ? false : ipv6 === false ? "IPv6 not enabled for this run" : ipv6;

  /** Binds `count` transports, runs `body`, then closes them all whatever happened. */
  async function withTransports(
    count: number,
    bindOptions: BindOptions,
    body: (transports: DatagramTransport[]) => Promise<void>,
  ): Promise<void> {
    const open: DatagramTransport[] = [];
    try {
      for (let i = 0; i < count; i++) open.push(await bind({ ...bindOptions }));
      await body(open);
    } finally {
      await Promise.all(open.map((t) => t.close()));
    }
  }

  describe(`DatagramTransport conformance: ${name}`, () => {
    it("delivers datagrams both ways with exact content and sender address", async () => {
      await withTransports(2, { hostname: "127.0.0.1" }, async ([a, b]) => {
        assert.equal(a!.localAddress.host, "127.0.0.1");
        assert.ok(a!.localAddress.port > 0, "port 0 must be replaced by the actual port");
        assert.notEqual(a!.localAddress.port, b!.localAddress.port);
        assert.equal(a!.closed, false);
        const inboxA = new Inbox(a!);
        const inboxB = new Inbox(b!);
        await a!.send(pattern(100, 1), b!.localAddress);
        const atB = await inboxB.next();
        assert.deepEqual(atB.data, pattern(100, 1));
        assert.deepEqual(atB.from, { host: "127.0.0.1", port: a!.localAddress.port });
        await b!.send(pattern(3, 2), atB.from);
        const atA = await inboxA.next();
        assert.deepEqual(atA.data, pattern(3, 2));
        assert.deepEqual(atA.from, { host: "127.0.0.1", port: b!.localAddress.port });
        await a!.send(new Uint8Array(0), b!.localAddress);
        assert.equal((await inboxB.next()).data.byteLength, 0, "empty datagrams are delivered");
        // A codec may hand over a window into a larger buffer: only the window goes out.
        await a!.send(pattern(100, 1).subarray(10, 20), b!.localAddress);
        assert.deepEqual((await inboxB.next()).data, pattern(100, 1).slice(10, 20));
      });
    });

    it("delivers a datagram of exactly maxDatagramSize and rejects one byte more as too_large", async () => {
      await withTransports(2, {}, async ([a, b]) => {
        assert.equal(a!.maxDatagramSize, DEFAULT_MAX_DATAGRAM_SIZE);
        const max = a!.maxDatagramSize;
        const inbox = new Inbox(b!);
        await a!.send(pattern(max, 7), b!.localAddress);
        assert.deepEqual((await inbox.next()).data, pattern(max, 7));
        await rejectsWith(a!.send(new Uint8Array(max + 1), b!.localAddress), "too_large", [
          String(max),
          String(max + 1),
        ]);
      });
    });

    it("honours a smaller maxDatagramSize option", async () => {
      await withTransports(2, { maxDatagramSize: 1200 }, async ([a, b]) => {
        assert.equal(a!.maxDatagramSize, 1200);
        const inbox = new Inbox(b!);
        await a!.send(pattern(1200, 3), b!.localAddress);
        assert.deepEqual((await inbox.next()).data, pattern(1200, 3));
        await rejectsWith(a!.send(new Uint8Array(1201), b!.localAddress), "too_large");
      });
    });

    it(`completes ${roundTrips} round trips with ${WINDOW} in flight and none lost`, async () => {
      await withTransports(2, {}, async ([client, server]) => {
        server!.onDatagram((data, from) => {
          server!.send(data, from).catch(() => {});
        });
        const seen = new Uint8Array(roundTrips);
        let sent = 0;
        let received = 0;
        let duplicates = 0;
        await new Promise<void>((resolve, reject) => {
          const started = Date.now();
          let progress = -1;
          // A lost datagram shrinks the window for good, so loss shows up as a stall: fail as
          // soon as a whole check period passes without an echo, or when the budget runs out.
          const timer = setInterval(() => {
            if (received === progress || Date.now() - started > ROUND_TRIP_BUDGET_MS) {
              fail(new Error(`${roundTrips - received} of ${roundTrips} echoes missing`));
            }
            progress = received;
          }, WAIT_MS);
          const fail = (err: unknown): void => {
            clearInterval(timer);
            reject(err);
          };
          const sendNext = (): void => {
            const payload = new Uint8Array(64);
            new DataView(payload.buffer).setUint32(0, sent);
            sent++;
            client!.send(payload, server!.localAddress).catch(fail);
          };
          client!.onDatagram((data) => {
            const seq = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
            if (seen[seq]) duplicates++;
            seen[seq] = 1;
            received++;
            if (received === roundTrips) {
              clearInterval(timer);
              resolve();
            } else if (sent < roundTrips) sendNext();
          });
          for (let i = 0; i < WINDOW && sent < roundTrips; i++) sendNext();
        });
        assert.equal(duplicates, 0);
        assert.equal(seen.indexOf(0), -1, "every sequence number came back");
      });
    });

    it("exchanges datagrams over IPv6 loopback ::1", { skip: ipv6Skip }, async () => {
      await withTransports(2, { hostname: "::1" }, async ([a, b]) => {
        assert.equal(a!.localAddress.host, "::1");
        const inboxA = new Inbox(a!);
        const inboxB = new Inbox(b!);
        await a!.send(pattern(50, 4), b!.localAddress);
        const atB = await inboxB.next();
        assert.deepEqual(atB.data, pattern(50, 4));
        assert.deepEqual(atB.from, { host: "::1", port: a!.localAddress.port });
        await b!.send(pattern(60, 5), atB.from);
        assert.deepEqual((await inboxA.next()).data, pattern(60, 5));
      });
    });

    it("close() is idempotent and frees the port for a new bind", async () => {
      const first = await bind({ port: 0 });
      let port = 0;
      try {
        port = first.localAddress.port;
        await Promise.all([first.close(), first.close()]);
        assert.equal(first.closed, true);
        await first.close();
      } finally {
        await first.close();
      }
      await withTransports(1, { port }, ([again]) => {
        assert.equal(again!.localAddress.port, port);
        return Promise.resolve();
      });
    });

    it("send after close rejects with code closed", async () => {
      await withTransports(2, {}, async ([a, b]) => {
        await a!.close();
        await rejectsWith(a!.send(new Uint8Array([1]), b!.localAddress), "closed");
      });
    });

    it("binding a port in use rejects with code address_in_use naming the address", async () => {
      await withTransports(1, {}, async ([a]) => {
        const { host, port } = a!.localAddress;
        await rejectsWith(bind({ hostname: host, port }), "address_in_use", [String(port)]);
      });
    });

    it("send to an invalid address rejects with code bad_address", async () => {
      await withTransports(1, {}, async ([a]) => {
        const data = new Uint8Array([1]);
        await rejectsWith(a!.send(data, { host: "not-an-ip", port: 4000 }), "bad_address");
        await rejectsWith(a!.send(data, { host: "127.0.0.1", port: 0 }), "bad_address");
        await rejectsWith(a!.send(data, { host: "127.0.0.1", port: 70000 }), "bad_address");
        await rejectsWith(a!.send(data, { host: "127.0.0.1", port: 1.5 }), "bad_address");
      });
    });

    it("a datagram to a port where nothing listens fails at most its own send, never a later one", async () => {
      // A port known to be closed: bind one, note it, close it.
      const gone = await bind({ hostname: "127.0.0.1" });
      const closed = gone.localAddress;
      await gone.close();
      await withTransports(2, { hostname: "127.0.0.1" }, async ([a, b]) => {
        const inbox = new Inbox(b!);
        for (let round = 0; round < ICMP_ROUNDS; round++) {
          // The kernel answers the datagram to the closed port with ICMP port unreachable, and
          // a socket may report that on its next operation, whichever destination that has. The
          // next send goes back to back in even rounds, after a turn of the event loop in odd.
          const toClosed = a!.send(pattern(10, round), closed).then(
            () => undefined,
            (err: unknown) => err,
          );
          if (round % 2 === 1) await new Promise((resolve) => setTimeout(resolve, ICMP_PAUSE_MS));
          await a!.send(pattern(20, round), b!.localAddress);
          assert.deepEqual((await inbox.next()).data, pattern(20, round), `round ${round}`);
          const outcome = await toClosed;
          if (outcome !== undefined) {
            assert.ok(outcome instanceof TransportError, `expected a TransportError: ${outcome}`);
          }
        }
      });
    });

    it("rejects a bind to a non-literal hostname or a port outside 0-65535 with bad_address", async () => {
      // Names are never resolved: a lookup per bind would be slow and leak DNS queries.
      await rejectsWith(bind({ hostname: "example.invalid" }), "bad_address", ["example.invalid"]);
      for (const port of [-1, 65536, 1.5]) {
        await rejectsWith(bind({ port }), "bad_address", [String(port)]);
      }
    });

    it("rejects maxDatagramSize outside 1-65507 with RangeError", async () => {
      for (const maxDatagramSize of [0, MAX_UDP_PAYLOAD + 1, 100.5]) {
        let transport: DatagramTransport | undefined;
        try {
          transport = await bind({ maxDatagramSize });
        } catch (err) {
          assert.ok(err instanceof RangeError, `expected RangeError, got ${String(err)}`);
          assert.match(err.message, /maxDatagramSize/);
          continue;
        }
        await transport.close();
        assert.fail(`maxDatagramSize ${maxDatagramSize} should be rejected`);
      }
    });

    it("keeps receiving after the handler throws", async () => {
      await withTransports(2, {}, async ([a, b]) => {
        const inbox = new Inbox(b!, { throwing: true });
        for (let i = 0; i < 3; i++) {
          await a!.send(new Uint8Array([i]), b!.localAddress);
          assert.deepEqual((await inbox.next()).data, new Uint8Array([i]));
        }
      });
    });

    it("onDatagram replaces the earlier handler", async () => {
      await withTransports(2, {}, async ([a, b]) => {
        let stale = 0;
        b!.onDatagram(() => stale++);
        const inbox = new Inbox(b!);
        await a!.send(new Uint8Array([9]), b!.localAddress);
        assert.deepEqual((await inbox.next()).data, new Uint8Array([9]));
        assert.equal(stale, 0);
      });
    });
  });
}
