/**
 * UDP transport for Deno, on `Deno.listenDatagram` (unstable: run with `--unstable-net`, or
 * list `"net"` under `unstable` in deno.json).
 *
 * @example
 * ```ts
 * import { createDenoTransport } from "@kdht/core/deno";
 * const transport = await createDenoTransport({ port: 0 });
 * transport.onDatagram((data, from) => console.log(data.length, "bytes from", from));
 * await transport.close();
 * ```
 *
 * @module
 */
import type {
  Address,
  BindOptions,
  DatagramHandler,
  DatagramTransport,
} from "../src/transport/datagram_transport.ts";
import { TransportError } from "../src/errors.ts";
import { checkSend, resolveBindOptions, toTransportError } from "./_common.ts";

/** Big enough for any UDP payload over IPv4 or IPv6, so nothing arrives truncated. */
const RECEIVE_BUFFER_SIZE = 65536;
/**
 * Receives outstanding at most. `DatagramConn.receive()` yields one datagram per event-loop
 * turn, so one loop reads a burst of replies (a `set` gets 20 at once) one turn at a time; on a
 * busy process turns are slow and the last replies of a burst outlived their queries' timeouts
 * (the demo lost whole sets under load with every datagram delivered). Several receives drain
 * a burst that many per turn.
 */
const MAX_RECEIVE_LOOPS = 4;
/**
 * Datagrams this close together (in ms) are a burst: another receive starts, up to
 * {@linkcode MAX_RECEIVE_LOOPS}. Each pending receive holds 1.5 KB of heap and its 64 KiB
 * buffer (bench/socket_memory.ts: 8.3 KB of heap and 224 KB of RSS per socket with four, 3.5
 * and 58 KB with one), and a pending receive cannot be cancelled, so a socket keeps one until
 * traffic shows it needs more.
 */
const BURST_GAP_MS = 1;
/**
 * A receive beyond the first ends once this long has passed without a burst: the socket then
 * sends itself an empty datagram per receive to end, since a pending receive can only end
 * with a datagram (KRPC has no empty message, and the handler never sees these).
 */
const BURST_OVER_MS = 500;
const WAKE = new Uint8Array(0);
/** A receive that fails this many times in a row means the socket is gone: stop the loop. */
const MAX_CONSECUTIVE_RECEIVE_ERRORS = 100;

class DenoTransport implements DatagramTransport {
  readonly localAddress: Address;
  readonly maxDatagramSize: number;
  #conn: Deno.DatagramConn;
  #handler: DatagramHandler | undefined;
  #closed = false;
  readonly #loops = new Set<Promise<void>>();
  /** Loops that have not decided to end. */
  #running = 0;
  #lastArrival = -Infinity;
  #lastBurst = -Infinity;
  #retireTimer: ReturnType<typeof setTimeout> | undefined;
  /** Where this socket reaches itself: its own address, or loopback for a wildcard bind. */
  readonly #selfHost: string;

  constructor(conn: Deno.DatagramConn, maxDatagramSize: number) {
    const addr = conn.addr as Deno.NetAddr;
    this.#conn = conn;
    this.localAddress = { host: addr.hostname, port: addr.port };
    this.maxDatagramSize = maxDatagramSize;
    const host = addr.hostname;
    this.#selfHost = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
    this.#startLoop();
  }

  get closed(): boolean {
    return this.#closed;
  }

  onDatagram(handler: DatagramHandler): void {
    this.#handler = handler;
  }

  async send(data: Uint8Array, to: Address): Promise<void> {
    const error = checkSend(this.#closed, data, to, this.maxDatagramSize);
    if (error) throw error;
    try {
      await this.#conn.send(data, { transport: "udp", hostname: to.host, port: to.port });
    } catch (err) {
      throw toTransportError(err, "send", to);
    }
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      clearTimeout(this.#retireTimer);
      try {
        this.#conn.close();
      } catch {
        // Already closed underneath us; the loop below still ends.
      }
    }
    // Waiting for the loops lets their pending receive ops settle, so Deno's op sanitizer is
    // happy. A loop may start another while settling: wait until none is left.
    while (this.#loops.size > 0) await Promise.all(this.#loops);
  }

  #startLoop(): void {
    this.#running++;
    const loop: Promise<void> = this.#receiveLoop().finally(() => this.#loops.delete(loop));
    this.#loops.add(loop);
  }

  /** Notes an arrival; true if the loop that received it should end (the burst is over). */
  #arrived(): boolean {
    const now = performance.now();
    if (now - this.#lastArrival <= BURST_GAP_MS) {
      this.#lastBurst = now;
      if (this.#running < MAX_RECEIVE_LOOPS && !this.#closed) {
        this.#startLoop();
        this.#scheduleRetire(BURST_OVER_MS);
      }
    }
    this.#lastArrival = now;
    return now - this.#lastBurst > BURST_OVER_MS && this.#retireOne();
  }

  /** Counts one loop out, unless it is the last: true if the caller's loop should end. */
  #retireOne(): boolean {
    if (this.#running <= 1) return false;
    this.#running--;
    return true;
  }

  #scheduleRetire(delayMs: number): void {
    if (this.#retireTimer !== undefined) return;
    this.#retireTimer = setTimeout(() => {
      this.#retireTimer = undefined;
      if (this.#closed || this.#running <= 1) return;
      const quietMs = performance.now() - this.#lastBurst;
      if (quietMs <= BURST_OVER_MS) return this.#scheduleRetire(BURST_OVER_MS - quietMs + 1);
      const to = {
        transport: "udp",
        hostname: this.#selfHost,
        port: this.localAddress.port,
      } as const;
      for (let i = 1; i < this.#running; i++) this.#conn.send(WAKE, to).catch(() => {});
    }, delayMs);
    // An idle socket's bookkeeping must not keep the process alive.
    Deno.unrefTimer(this.#retireTimer as unknown as number);
  }

  /** An empty datagram from this socket itself: sent by #scheduleRetire to end a receive. */
  #isWake(data: Uint8Array, from: Deno.NetAddr): boolean {
    return data.length === 0 && from.port === this.localAddress.port &&
      from.hostname === this.#selfHost;
  }

  async #receiveLoop(): Promise<void> {
    // One buffer per loop for all its receives: Deno would otherwise allocate 64 KiB per
    // datagram. Each payload is copied out (slice) so a handler may keep what it is given.
    const buffer = new Uint8Array(RECEIVE_BUFFER_SIZE);
    let errors = 0;
    while (!this.#closed && errors < MAX_CONSECUTIVE_RECEIVE_ERRORS) {
      let received: [Uint8Array, Deno.Addr];
      try {
        received = await this.#conn.receive(buffer);
      } catch {
        errors++;
        continue;
      }
      errors = 0;
      const from = received[1] as Deno.NetAddr;
      if (this.#isWake(received[0], from)) {
        if (this.#retireOne()) return;
        continue;
      }
      const last = this.#arrived();
      const handler = this.#handler;
      if (handler !== undefined && !this.#closed) {
        try {
          handler(received[0].slice(), { host: from.hostname, port: from.port });
        } catch {
          // A throwing handler must not stop the socket (see DatagramTransport.onDatagram).
        }
      }
      if (last) return; // #arrived counted it out
    }
    this.#running--;
  }
}

/**
 * Binds a UDP socket with `Deno.listenDatagram`.
 *
 * @param options port (default 0: any free port), hostname (default `"127.0.0.1"`; an IP
 * literal or `"localhost"`), maxDatagramSize (default 8192)
 * @returns the bound transport; `localAddress.port` is the actual port
 * @throws {TransportError} `address_in_use` if the port is taken, `bad_address` for an invalid
 * hostname or port, `bind_failed` otherwise (including a Deno run without `--unstable-net`)
 * @throws {RangeError} if `maxDatagramSize` is not an integer in 1–65507
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 * import { createDenoTransport } from "@kdht/core/deno";
 *
 * await using node = new KademliaNode({ transport: createDenoTransport }); // in Deno, --unstable-net
 * await node.listen(0);
 * ```
 */
export function createDenoTransport(options?: BindOptions): Promise<DatagramTransport> {
  try {
    const { port, hostname, maxDatagramSize } = resolveBindOptions(options);
    if (typeof Deno.listenDatagram !== "function") {
      throw new TransportError(
        "bind_failed",
        "Cannot bind UDP socket: Deno.listenDatagram is unavailable; run with --unstable-net",
      );
    }
    let conn: Deno.DatagramConn;
    try {
      conn = Deno.listenDatagram({ transport: "udp", hostname, port });
    } catch (err) {
      throw toTransportError(err, "bind", { host: hostname, port });
    }
    return Promise.resolve(new DenoTransport(conn, maxDatagramSize));
  } catch (err) {
    return Promise.reject(err);
  }
}
