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
 * Receives outstanding at once. `DatagramConn.receive()` yields one datagram per event-loop
 * turn, so one loop reads a burst of replies (a `set` gets 20 at once) one turn at a time; on a
 * busy process turns are slow and the last replies of a burst outlived their queries' timeouts
 * (the demo lost whole sets under load with every datagram delivered). Several receives drain
 * a burst that many per turn.
 */
const RECEIVE_LOOPS = 4;
/** A receive that fails this many times in a row means the socket is gone: stop the loop. */
const MAX_CONSECUTIVE_RECEIVE_ERRORS = 100;

class DenoTransport implements DatagramTransport {
  readonly localAddress: Address;
  readonly maxDatagramSize: number;
  #conn: Deno.DatagramConn;
  #handler: DatagramHandler | undefined;
  #closed = false;
  #loop: Promise<void>;

  constructor(conn: Deno.DatagramConn, maxDatagramSize: number) {
    const addr = conn.addr as Deno.NetAddr;
    this.#conn = conn;
    this.localAddress = { host: addr.hostname, port: addr.port };
    this.maxDatagramSize = maxDatagramSize;
    this.#loop = Promise.all(Array.from({ length: RECEIVE_LOOPS }, () => this.#receiveLoop()))
      .then(() => {});
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
      try {
        this.#conn.close();
      } catch {
        // Already closed underneath us; the loop below still ends.
      }
    }
    // Waiting for the loop lets its pending receive op settle, so Deno's op sanitizer is happy.
    await this.#loop;
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
      const handler = this.#handler;
      if (handler === undefined || this.#closed) continue;
      const from = received[1] as Deno.NetAddr;
      try {
        handler(received[0].slice(), { host: from.hostname, port: from.port });
      } catch {
        // A throwing handler must not stop the socket (see DatagramTransport.onDatagram).
      }
    }
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
