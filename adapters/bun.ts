/**
 * UDP transport for Bun, on `Bun.udpSocket`. Bun's types are declared here (only the slice we
 * use) so the package type-checks without `@types/bun`.
 *
 * @example
 * ```ts ignore
 * import { createBunTransport } from "@kdht/core/bun";
 * const transport = await createBunTransport({ port: 0 });
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
import type { ResolvedBindOptions } from "./_common.ts";
import { checkSend, closedError, resolveBindOptions, toTransportError } from "./_common.ts";

/** The part of Bun's `udp.Socket` this adapter uses. */
interface BunUdpSocket {
  readonly port: number;
  readonly address: { readonly address: string; readonly port: number };
  send(data: Uint8Array, port: number, address: string): boolean;
  close(): void;
}

/** The part of `Bun.udpSocket`'s options this adapter uses. */
interface BunUdpSocketOptions {
  hostname: string;
  port: number;
  binaryType: "uint8array";
  socket: {
    data(socket: BunUdpSocket, data: Uint8Array, port: number, address: string): void;
    drain(socket: BunUdpSocket): void;
    error(socket: BunUdpSocket, error: Error): void;
  };
}

type BunGlobal = { udpSocket(options: BunUdpSocketOptions): Promise<BunUdpSocket> };

/** A send that met backpressure (`send` returned false) and waits for `drain`. */
interface Pending {
  data: Uint8Array;
  to: Address;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * How many more times a send refused with ECONNREFUSED is tried at once. On an unconnected UDP
 * socket that error never concerns the datagram being sent: it is the kernel's report of an ICMP
 * port unreachable for an earlier datagram, to any destination, which Bun's send() surfaces and
 * thereby clears. Without the retry one dead peer would fail the send to the next, live one.
 */
const REFUSED_RETRIES = 3;

function isRefused(err: unknown): boolean {
  return (err as { code?: unknown } | undefined)?.code === "ECONNREFUSED";
}

class BunTransport implements DatagramTransport {
  readonly maxDatagramSize: number;
  #socket!: BunUdpSocket;
  #localAddress!: Address;
  #handler: DatagramHandler | undefined;
  #closed = false;
  #pending: Pending[] = [];

  private constructor(maxDatagramSize: number) {
    this.maxDatagramSize = maxDatagramSize;
  }

  static async bind(bun: BunGlobal, options: ResolvedBindOptions): Promise<BunTransport> {
    const { hostname, port } = options;
    // The handlers need the transport and the transport needs the socket: build the transport
    // first and give it the socket once bound.
    const transport = new BunTransport(options.maxDatagramSize);
    try {
      transport.#socket = await bun.udpSocket({
        hostname,
        port,
        binaryType: "uint8array",
        socket: {
          data: (_socket, data, port, host) => transport.#receive(data, port, host),
          drain: () => transport.#drain(),
          // Send errors reach us as exceptions from send(); a socket-level error has no
          // datagram to fail, and throwing here would become an uncaught exception.
          error: () => {},
        },
      });
    } catch (err) {
      throw toTransportError(err, "bind", { host: hostname, port });
    }
    transport.#localAddress = {
      host: transport.#socket.address.address,
      port: transport.#socket.port,
    };
    return transport;
  }

  get localAddress(): Address {
    return this.#localAddress;
  }

  get closed(): boolean {
    return this.#closed;
  }

  onDatagram(handler: DatagramHandler): void {
    this.#handler = handler;
  }

  send(data: Uint8Array, to: Address): Promise<void> {
    const error = checkSend(this.#closed, data, to, this.maxDatagramSize);
    if (error) return Promise.reject(error);
    // Keep order behind datagrams already waiting for drain.
    if (this.#pending.length > 0) return this.#enqueue(data, to);
    try {
      if (this.#sendNow(data, to)) return RESOLVED;
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#enqueue(data, to);
  }

  close(): Promise<void> {
    if (this.#closed) return RESOLVED;
    this.#closed = true;
    this.#socket.close();
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) p.reject(closedError());
    return RESOLVED;
  }

  /** Bun calls this for each datagram (binaryType "uint8array": a fresh array each time). */
  #receive(data: Uint8Array, port: number, host: string): void {
    const handler = this.#handler;
    if (handler === undefined || this.#closed) return;
    try {
      handler(data, { host, port });
    } catch {
      // A throwing handler must not stop the socket (see DatagramTransport.onDatagram).
    }
  }

  /**
   * Hands one datagram to the socket: `true` if sent, `false` on backpressure (wait for drain).
   * A refusal left over from an earlier datagram's ICMP is skipped over by sending again.
   *
   * @throws {TransportError} the mapped error when the send itself fails
   */
  #sendNow(data: Uint8Array, to: Address): boolean {
    for (let retries = 0;; retries++) {
      try {
        return this.#socket.send(data, to.port, to.host);
      } catch (err) {
        if (!isRefused(err)) throw toTransportError(err, "send", to);
        if (retries === REFUSED_RETRIES) {
          throw new TransportError(
            "send_failed",
            `Cannot send datagram to ${to.host}:${to.port}: the socket refused it ${
              REFUSED_RETRIES + 1
            } times with ECONNREFUSED, each a report of ICMP port unreachable for an earlier datagram`,
            { cause: err },
          );
        }
      }
    }
  }

  /** The kernel's send buffer has room again: retry the waiting datagrams in order. */
  #drain(): void {
    while (this.#pending.length > 0 && !this.#closed) {
      const p = this.#pending[0]!;
      try {
        if (!this.#sendNow(p.data, p.to)) return; // wait for the next drain
        p.resolve();
      } catch (err) {
        p.reject(err);
      }
      this.#pending.shift();
    }
  }

  #enqueue(data: Uint8Array, to: Address): Promise<void> {
    return new Promise((resolve, reject) => this.#pending.push({ data, to, resolve, reject }));
  }
}

/**
 * Binds a UDP socket with `Bun.udpSocket`.
 *
 * @param options port (default 0: any free port), hostname (default `"127.0.0.1"`; an IP
 * literal or `"localhost"`), maxDatagramSize (default 8192)
 * @returns the bound transport; `localAddress.port` is the actual port
 * @throws {TransportError} `address_in_use` if the port is taken, `bad_address` for an invalid
 * hostname or port, `bind_failed` otherwise (including when not running on Bun)
 * @throws {RangeError} if `maxDatagramSize` is not an integer in 1–65507
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 * import { createBunTransport } from "@kdht/core/bun";
 *
 * await using node = new KademliaNode({ transport: createBunTransport }); // in Bun
 * await node.listen(0);
 * ```
 */
export async function createBunTransport(options?: BindOptions): Promise<DatagramTransport> {
  const resolved = resolveBindOptions(options);
  const bun = (globalThis as { Bun?: BunGlobal }).Bun;
  if (typeof bun?.udpSocket !== "function") {
    throw new TransportError(
      "bind_failed",
      "Cannot bind UDP socket: Bun.udpSocket is unavailable; createBunTransport needs Bun",
    );
  }
  return await BunTransport.bind(bun, resolved);
}
