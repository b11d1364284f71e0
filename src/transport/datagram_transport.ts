/**
 * The only way the core touches the network: an unreliable, unordered datagram socket.
 * Adapters implement it for Deno, Bun and Node; the memory network implements it for tests
 * and simulations.
 *
 * @module
 */

/**
 * A UDP endpoint: an IPv4 or IPv6 literal (no brackets) and a port.
 *
 * @example
 * ```ts
 * import { type Address, KademliaNode } from "@kdht/core";
 *
 * await using node = new KademliaNode();
 * const address: Address = await node.listen(0);
 * console.log(address.host); // "127.0.0.1"
 * ```
 */
export interface Address {
  /** IP address literal, e.g. `"127.0.0.1"` or `"::1"`. */
  readonly host: string;
  /** UDP port, 0–65535 (0 only when asking to bind any free port). */
  readonly port: number;
}

/**
 * Called once per datagram received, with the bytes and the sender's address.
 *
 * @example
 * ```ts
 * import { createUdpTransport, type DatagramHandler } from "@kdht/core";
 *
 * const transport = await createUdpTransport();
 * const handler: DatagramHandler = (data, from) => console.log(data.length, from.port);
 * transport.onDatagram(handler);
 * await transport.close();
 * ```
 */
export type DatagramHandler = (data: Uint8Array, from: Address) => void;

/**
 * What every transport factory accepts.
 *
 * @example
 * ```ts
 * import { type BindOptions, createUdpTransport } from "@kdht/core";
 *
 * const options: BindOptions = { port: 0, hostname: "127.0.0.1", maxDatagramSize: 1500 };
 * const transport = await createUdpTransport(options);
 * console.log(transport.maxDatagramSize); // 1500
 * await transport.close();
 * ```
 */
export interface BindOptions {
  /**
   * Port to bind; 0 picks any free port.
   * @default {0}
   */
  port?: number;
  /**
   * Address to bind. Loopback by default: exposing a node is the user's explicit choice.
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * The largest payload `send` accepts, in bytes. UDP allows 65,507 over IPv4; a DHT keeps
   * far below that to avoid IP fragmentation.
   * @default {DEFAULT_MAX_DATAGRAM_SIZE}
   */
  maxDatagramSize?: number;
}

/**
 * Default cap on a datagram's payload: large enough for any KRPC message we send.
 *
 * @example
 * ```ts
 * import { createUdpTransport, DEFAULT_MAX_DATAGRAM_SIZE } from "@kdht/core";
 *
 * const transport = await createUdpTransport();
 * console.log(transport.maxDatagramSize === DEFAULT_MAX_DATAGRAM_SIZE); // true
 * await transport.close();
 * ```
 */
export const DEFAULT_MAX_DATAGRAM_SIZE = 8192;

/**
 * The largest UDP payload over IPv4 (65,535 − 8 UDP header − 20 IP header).
 *
 * @example
 * ```ts
 * import { KademliaNode, MAX_UDP_PAYLOAD } from "@kdht/core";
 *
 * await using node = new KademliaNode({ maxDatagramSize: MAX_UDP_PAYLOAD }); // the most UDP allows
 * ```
 */
export const MAX_UDP_PAYLOAD = 65507;

/**
 * A bound datagram socket.
 *
 * @example
 * ```ts
 * import { createUdpTransport } from "@kdht/core";
 *
 * const a = await createUdpTransport();
 * const b = await createUdpTransport();
 * const got = new Promise<string>((resolve) => b.onDatagram((data) => resolve(new TextDecoder().decode(data))));
 * await a.send(new TextEncoder().encode("hi"), b.localAddress);
 * console.log(await got); // "hi"
 * await a.close();
 * await b.close();
 * ```
 */
export interface DatagramTransport {
  /** The address this transport is bound to, with the actual port when 0 was asked for. */
  readonly localAddress: Address;
  /** The largest payload, in bytes, that `send` accepts. */
  readonly maxDatagramSize: number;
  /** True once `close()` has been called. */
  readonly closed: boolean;
  /**
   * Sets the function called for each datagram that arrives, replacing any earlier one.
   * Datagrams that arrive while no handler is set are dropped. The handler must not throw;
   * if it does, the transport swallows the error so one bad datagram cannot stop the socket.
   */
  onDatagram(handler: DatagramHandler): void;
  /**
   * Sends one datagram. Delivery is not guaranteed (this is UDP).
   *
   * @param data the payload, at most `maxDatagramSize` bytes
   * @param to where to send it
   * @throws {TransportError} `too_large`, `bad_address` or `closed`, as a rejected promise
   */
  send(data: Uint8Array, to: Address): Promise<void>;
  /** Releases the socket. Idempotent: later calls resolve at once. */
  close(): Promise<void>;
}

/**
 * Creates and binds a transport; used by `KademliaNode.listen()`.
 *
 * @example
 * ```ts
 * import { createUdpTransport, KademliaNode, type TransportFactory } from "@kdht/core";
 *
 * const logged: TransportFactory = (options) => {
 *   console.log("binding", options.hostname, options.port);
 *   return createUdpTransport(options);
 * };
 * await using node = new KademliaNode({ transport: logged });
 * await node.listen(0);
 * ```
 */
export type TransportFactory = (options: BindOptions) => Promise<DatagramTransport>;
