/**
 * An in-memory UDP network: thousands of {@linkcode DatagramTransport}s in one process, with
 * seeded loss, modelled latency, partitions and nodes that drop off and come back
 * (reference/reliability.md c.0). Pair it with {@linkcode VirtualClock} for deterministic
 * runs.
 *
 * @module
 */
import { type Clock, systemClock } from "../clock.ts";
import { TransportError } from "../errors.ts";
import { type Random, SeededRandom } from "../random.ts";
import { formatAddress, isIPv4, isIPv6, isPort } from "../transport/address.ts";
import {
  type Address,
  type BindOptions,
  type DatagramTransport,
  DEFAULT_MAX_DATAGRAM_SIZE,
  MAX_UDP_PAYLOAD,
} from "../transport/datagram_transport.ts";
import { type Endpoint, type EndpointLink, MemoryTransport } from "./_memory_transport.ts";
import type { LatencyModel } from "./latency.ts";
import { Faults, type PartitionMember } from "./_faults.ts";

export type { PartitionMember };

/**
 * Options for {@linkcode MemoryNetwork}.
 *
 * @example
 * ```ts
 * import { MemoryNetwork, type MemoryNetworkOptions, VirtualClock } from "@kdht/core/testing";
 *
 * const options: MemoryNetworkOptions = { clock: new VirtualClock(), loss: 0.01 };
 * const network = new MemoryNetwork(options);
 * ```
 */
export interface MemoryNetworkOptions {
  /**
   * Schedules deliveries that have latency. Use a `VirtualClock` for simulations.
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * Draws losses and latencies; seed it to replay a run.
   * @default {new SeededRandom(1)}
   */
  random?: Random;
  /**
   * One-way delay per datagram. With 0 ms a datagram arrives in a microtask, never through
   * a host timer.
   * @default {constantLatency(0)}
   */
  latency?: LatencyModel;
  /**
   * Probability, 0–1, that a datagram is dropped.
   * @default {0}
   */
  loss?: number;
  /**
   * The payload cap for transports bound without their own `maxDatagramSize`.
   * @default {DEFAULT_MAX_DATAGRAM_SIZE}
   */
  maxDatagramSize?: number;
}

/**
 * Counters since the network was created; `sent = delivered + lost + undeliverable + inFlight`.
 *
 * @example
 * ```ts
 * import { MemoryNetwork, type MemoryNetworkStats } from "@kdht/core/testing";
 *
 * const network = new MemoryNetwork();
 * const stats: MemoryNetworkStats = network.stats();
 * console.log(stats.sent, stats.lost); // 0 0
 * ```
 */
export interface MemoryNetworkStats {
  /** Datagrams accepted by `send`. */
  sent: number;
  /** Datagrams handed to a receive handler. */
  delivered: number;
  /** Dropped by the loss rate, a partition, a down endpoint, or an infinite latency. */
  lost: number;
  /** Arrived where nothing is bound, or where no handler is set. */
  undeliverable: number;
  /** Payload bytes accepted by `send`. */
  bytes: number;
  /** Sent and not yet due. */
  inFlight: number;
  /** Receive handlers that threw (the error is swallowed, as a socket would). */
  handlerErrors: number;
}

const EPHEMERAL_FIRST = 49152;
const EPHEMERAL_COUNT = 65536 - EPHEMERAL_FIRST;
const zeroLatency: LatencyModel = () => 0;

function checkLoss(what: string, rate: unknown): number {
  if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) {
    throw new RangeError(`Cannot ${what}: 'loss' must be a number in 0-1, got ${String(rate)}`);
  }
  return rate;
}

function checkSize(what: string, size: unknown): number {
  if (!Number.isInteger(size) || (size as number) < 1 || (size as number) > MAX_UDP_PAYLOAD) {
    throw new RangeError(
      `Cannot ${what}: 'maxDatagramSize' must be an integer in 1-${MAX_UDP_PAYLOAD}, got ${size}`,
    );
  }
  return size as number;
}

function checkLatency(what: string, model: unknown): LatencyModel {
  if (typeof model !== "function") {
    throw new TypeError(`Cannot ${what}: 'latency' must be a LatencyModel function, got ${model}`);
  }
  return model as LatencyModel;
}

/**
 * Many in-memory datagram transports in one process. Datagrams are copied on send, then
 * lost (with probability `loss`, from the seeded random) or delivered after the latency
 * model's delay through the clock. A datagram is lost if its sender is down when it is
 * sent, its receiver is down when it arrives, or a partition separates the two at either
 * moment. No real packet is ever sent, so any IPv4 or IPv6 literal can be bound.
 *
 * @example
 * ```ts
 * import { MemoryNetwork, pairwiseLatency, uniformLatency, VirtualClock } from "@kdht/core/testing";
 *
 * const clock = new VirtualClock();
 * const network = new MemoryNetwork({ clock, latency: pairwiseLatency(uniformLatency(10, 310)) });
 * const a = await network.bind({ hostname: "10.0.0.1", port: 6881 });
 * const b = await network.bind({ hostname: "10.0.0.2", port: 6881 });
 * const got = new Promise((resolve) => b.onDatagram((data) => resolve(data)));
 * await a.send(new Uint8Array([1, 2, 3]), b.localAddress);
 * console.log(await clock.runUntilSettled(got)); // Uint8Array(3) [ 1, 2, 3 ]
 * ```
 */
export class MemoryNetwork {
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #maxDatagramSize: number;
  #latency: LatencyModel;
  #loss: number;
  readonly #endpoints = new Map<string, Endpoint>();
  readonly #nextPort = new Map<string, number>();
  readonly #faults = new Faults();
  #sent = 0;
  #delivered = 0;
  #lost = 0;
  #undeliverable = 0;
  #bytes = 0;
  #inFlight = 0;
  #handlerErrors = 0;
  readonly #link: EndpointLink = {
    send: (endpoint, data, to, max) => this.#send(endpoint, data, to, max),
    release: (endpoint) => {
      if (this.#endpoints.get(endpoint.key) === endpoint) this.#endpoints.delete(endpoint.key);
    },
  };

  /**
   * Creates an empty network; `bind` adds endpoints to it.
   *
   * @param options clock, random, latency, loss and datagram size cap
   * @throws {RangeError} if `loss` is outside 0–1 or `maxDatagramSize` outside 1–65,507
   * @throws {TypeError} if `clock`, `random` or `latency` lacks the expected functions
   */
  constructor(options?: MemoryNetworkOptions) {
    const {
      clock = systemClock,
      random = new SeededRandom(1),
      latency = zeroLatency,
      loss = 0,
      maxDatagramSize = DEFAULT_MAX_DATAGRAM_SIZE,
    } = options ?? {};
    if (typeof clock?.setTimer !== "function" || typeof clock.now !== "function") {
      throw new TypeError(`Cannot create MemoryNetwork: 'clock' must implement Clock`);
    }
    if (typeof random?.float !== "function") {
      throw new TypeError(`Cannot create MemoryNetwork: 'random' must implement Random`);
    }
    this.#clock = clock;
    this.#random = random;
    this.#latency = checkLatency("create MemoryNetwork", latency);
    this.#loss = checkLoss("create MemoryNetwork", loss);
    this.#maxDatagramSize = checkSize("create MemoryNetwork", maxDatagramSize);
  }

  /**
   * Binds a transport: a {@linkcode TransportFactory}, safe to pass around unbound
   * (`new KademliaNode({ transport: network.bind })`).
   *
   * @param options hostname (any IP literal; `"localhost"` means 127.0.0.1), port (0 picks a
   *   free one from 49152–65535, then 1024–49151), maxDatagramSize
   * @returns the bound transport
   * @throws {TransportError} `bad_address` if the hostname is not an IP literal or the port
   *   is not in 0–65535, `address_in_use` if the address is bound or the host has no free
   *   port (all as rejections, like the UDP adapters)
   * @throws {RangeError} if maxDatagramSize is not in 1–65,507 (rejected)
   */
  readonly bind = (options: BindOptions = {}): Promise<DatagramTransport> => {
    try {
      return Promise.resolve(this.#bind(options));
    } catch (error) {
      return Promise.reject(error);
    }
  };

  /**
   * Cuts every link between the two groups, both ways, until {@linkcode MemoryNetwork.heal}.
   * Cuts accumulate. A member is a host (all its ports), `"host:port"` / `"[v6]:port"`, or an
   * Address; hosts are compared as written (IPv6 lower-cased, not otherwise normalized).
   *
   * @param groupA one side
   * @param groupB the other side
   * @throws {TypeError} if a member is not an IP literal, with or without a port
   */
  partition(groupA: readonly PartitionMember[], groupB: readonly PartitionMember[]): void {
    this.#faults.partition(groupA, groupB);
  }

  /** Removes every partition. */
  heal(): void {
    this.#faults.heal();
  }

  /**
   * Takes an endpoint off the network or brings it back. A down address stays bound but
   * neither sends nor receives: its datagrams and those arriving for it are lost. The state
   * belongs to the address, so it holds across close and rebind, and may be set before bind.
   *
   * @param address `"host:port"`, `[host, port]` or an Address
   * @param down true to take it down, false to bring it back
   * @throws {TypeError} if the address is not an IP literal with a port in 1–65535
   */
  setDown(address: Address | string, down: boolean): void {
    this.#faults.setDown(address, down);
  }

  /**
   * Changes the loss rate for datagrams sent from now on.
   *
   * @param rate probability, 0–1, of dropping a datagram
   * @throws {RangeError} if `rate` is outside 0–1
   */
  setLoss(rate: number): void {
    this.#loss = checkLoss("set loss", rate);
  }

  /**
   * Changes the latency model for datagrams sent from now on.
   *
   * @param model the new model
   * @throws {TypeError} if `model` is not a function
   */
  setLatency(model: LatencyModel): void {
    this.#latency = checkLatency("set latency", model);
  }

  /**
   * The datagram counters since the network was created.
   *
   * @returns a snapshot of the counters
   */
  stats(): MemoryNetworkStats {
    return {
      sent: this.#sent,
      delivered: this.#delivered,
      lost: this.#lost,
      undeliverable: this.#undeliverable,
      bytes: this.#bytes,
      inFlight: this.#inFlight,
      handlerErrors: this.#handlerErrors,
    };
  }

  #bind(options: BindOptions): DatagramTransport {
    const { port = 0, maxDatagramSize = this.#maxDatagramSize } = options;
    let { hostname = "127.0.0.1" } = options;
    if (hostname === "localhost") hostname = "127.0.0.1";
    if (typeof hostname !== "string" || !(isIPv4(hostname) || isIPv6(hostname))) {
      throw new TransportError(
        "bad_address",
        `Cannot bind: 'hostname' must be an IPv4 or IPv6 literal, got ${String(hostname)}`,
      );
    }
    if (!isPort(port)) {
      throw new TransportError(
        "bad_address",
        `Cannot bind: 'port' must be an integer in 0-65535, got ${String(port)}`,
      );
    }
    const max = checkSize("bind", maxDatagramSize);
    const host = hostname.toLowerCase();
    const actualPort = port === 0 ? this.#freePort(host) : port;
    const key = formatAddress({ host, port: actualPort });
    if (this.#endpoints.has(key)) {
      throw new TransportError("address_in_use", `Cannot bind: ${key} is already in use`);
    }
    const endpoint: Endpoint = {
      address: Object.freeze({ host, port: actualPort }),
      key,
      handler: undefined,
    };
    this.#endpoints.set(key, endpoint);
    return new MemoryTransport(endpoint, this.#link, max);
  }

  #freePort(host: string): number {
    // A per-host cursor, so ports are handed out in a fixed order (determinism) and a port
    // just released is not reused at once (as OS ephemeral allocators avoid, too).
    const cursor = this.#nextPort.get(host) ?? 0;
    for (let i = 0; i < EPHEMERAL_COUNT; i++) {
      const offset = (cursor + i) % EPHEMERAL_COUNT;
      const port = EPHEMERAL_FIRST + offset;
      if (!this.#endpoints.has(formatAddress({ host, port }))) {
        this.#nextPort.set(host, offset + 1);
        return port;
      }
    }
    for (let port = 1024; port < EPHEMERAL_FIRST; port++) {
      if (!this.#endpoints.has(formatAddress({ host, port }))) return port;
    }
    throw new TransportError("address_in_use", `Cannot bind: no free port left on ${host}`);
  }

  #send(endpoint: Endpoint, data: Uint8Array, to: Address, maxDatagramSize: number): void {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(`Cannot send: 'data' must be a Uint8Array, got ${typeof data}`);
    }
    if (data.byteLength > maxDatagramSize) {
      throw new TransportError(
        "too_large",
        `Cannot send: ${data.byteLength} bytes exceeds the ${maxDatagramSize}-byte datagram limit`,
      );
    }
    const toKey = this.#destinationKey(to);
    this.#sent++;
    this.#bytes += data.byteLength;
    const from = endpoint.address;
    if (
      this.#faults.isDown(endpoint.key) ||
      this.#faults.separates(from.host, endpoint.key, toKey) ||
      (this.#loss > 0 && this.#random.float() < this.#loss)
    ) {
      this.#lost++;
      return;
    }
    const delay = this.#latency(from, to, this.#random);
    if (delay === Infinity) {
      this.#lost++;
      return;
    }
    const copy = new Uint8Array(data);
    this.#inFlight++;
    const deliver = (): void => this.#deliver(copy, endpoint, toKey);
    // 0 ms must not mean a host timer: setTimeout costs >= 1 ms per hop on Node.
    if (delay > 0) this.#clock.setTimer(deliver, delay);
    else queueMicrotask(deliver);
  }

  #destinationKey(to: Address): string {
    const host: unknown = to?.host;
    const port: unknown = to?.port;
    if (typeof host === "string" && typeof port === "number") {
      const key = formatAddress(to);
      if (this.#endpoints.has(key)) return key; // bound, hence valid: skip the regexes
      if ((isIPv4(host) || isIPv6(host)) && isPort(port) && port !== 0) {
        return isIPv6(host) ? formatAddress({ host: host.toLowerCase(), port }) : key;
      }
    }
    throw new TransportError(
      "bad_address",
      `Cannot send: destination must be an IP literal with a port in 1-65535, got ${
        host === undefined ? String(to) : `${String(host)} port ${String(port)}`
      }`,
    );
  }

  #deliver(data: Uint8Array, sender: Endpoint, toKey: string): void {
    this.#inFlight--;
    const from = sender.address;
    const target = this.#endpoints.get(toKey);
    if (target === undefined) {
      this.#undeliverable++;
    } else if (
      this.#faults.isDown(toKey) || this.#faults.separates(from.host, sender.key, toKey)
    ) {
      this.#lost++;
    } else if (target.handler === undefined) {
      this.#undeliverable++;
    } else {
      this.#delivered++;
      try {
        target.handler(data, from);
      } catch {
        // The DatagramTransport contract: a throwing handler must not stop the socket.
        this.#handlerErrors++;
      }
    }
  }
}
