/**
 * Faults the memory network itself does not model, added per transport for the simulator
 * (reference/reliability.md C9): duplicated datagrams, reordered datagrams (held back so that
 * later ones overtake them; a per-link fixed latency never reorders), and loss in one direction
 * of each link.
 *
 * @module
 */
import type { Clock } from "../../clock.ts";
import type { Random } from "../../random.ts";
import type {
  Address,
  BindOptions,
  DatagramHandler,
  DatagramTransport,
  TransportFactory,
} from "../../transport/datagram_transport.ts";

/**
 * What {@linkcode withLinkFaults} adds.
 *
 * @example
 * ```ts
 * import type { LinkFaults } from "@kdht/core/testing";
 *
 * const faults: LinkFaults = { duplicate: 0.05, reorder: 0.05, oneWayLoss: 0.2 };
 * ```
 */
export interface LinkFaults {
  /**
   * Probability, 0–1, that a datagram is held back before it enters the network, by a delay
   * drawn uniformly from 0 to `reorderDelayMs`, so that datagrams sent after it may arrive
   * first.
   * @default {0}
   */
  readonly reorder?: number;
  /**
   * The longest a reordered datagram is held back, ms.
   * @default {100}
   */
  readonly reorderDelayMs?: number;
  /**
   * Probability, 0–1, that a datagram sent is sent twice (the copy follows the original
   * through the network's latency and loss on its own, so it may also arrive first).
   * @default {0}
   */
  readonly duplicate?: number;
  /**
   * Probability, 0–1, that a datagram is dropped when it goes the lossy way of its link. Each
   * link has one lossy direction, the same for the whole run: from the address whose hash is
   * lower to the one whose hash is higher.
   * @default {0}
   */
  readonly oneWayLoss?: number;
}

function hash(address: Address): number {
  let h = 0x811c9dc5;
  const host = address.host;
  for (let i = 0; i < host.length; i++) h = Math.imul(h ^ host.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ address.port, 0x01000193) >>> 0;
}

function checkRate(name: string, value: unknown): number {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw new RangeError(`Cannot add link faults: '${name}' must be a number in 0-1, got ${value}`);
  }
  return value;
}

interface Rates {
  readonly duplicate: number;
  readonly reorder: number;
  readonly reorderDelayMs: number;
  readonly oneWayLoss: number;
}

class FaultyTransport implements DatagramTransport {
  readonly #inner: DatagramTransport;
  readonly #random: Random;
  readonly #clock: Clock;
  readonly #rates: Rates;
  readonly #hash: number;

  constructor(inner: DatagramTransport, random: Random, clock: Clock, rates: Rates) {
    this.#inner = inner;
    this.#random = random;
    this.#clock = clock;
    this.#rates = rates;
    this.#hash = hash(inner.localAddress);
  }

  get localAddress(): Address {
    return this.#inner.localAddress;
  }

  get maxDatagramSize(): number {
    return this.#inner.maxDatagramSize;
  }

  get closed(): boolean {
    return this.#inner.closed;
  }

  onDatagram(handler: DatagramHandler): void {
    this.#inner.onDatagram(handler);
  }

  async send(data: Uint8Array, to: Address): Promise<void> {
    const { duplicate, reorder, reorderDelayMs, oneWayLoss } = this.#rates;
    if (oneWayLoss > 0 && this.#hash < hash(to) && this.#random.float() < oneWayLoss) {
      return; // lost on the way, as UDP loses silently
    }
    const copies = duplicate > 0 && this.#random.float() < duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      if (reorder > 0 && this.#random.float() < reorder) {
        const held = new Uint8Array(data); // the caller may reuse its buffer
        this.#clock.setTimer(() => {
          // A send that fails later is a datagram lost, as UDP's would be.
          if (!this.#inner.closed) this.#inner.send(held, to).catch(() => {});
        }, this.#random.float() * reorderDelayMs);
      } else await this.#inner.send(data, to);
    }
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/**
 * Wraps a transport factory (e.g. `network.bind`) so that every transport it binds duplicates,
 * reorders and loses datagrams as `faults` says.
 *
 * @example
 * ```ts
 * import { MemoryNetwork, SeededRandom, VirtualClock, withLinkFaults } from "@kdht/core/testing";
 *
 * const clock = new VirtualClock();
 * const network = new MemoryNetwork({ clock });
 * const bind = withLinkFaults(network.bind, { duplicate: 0.05 }, new SeededRandom(1), clock);
 * const transport = await bind({ hostname: "10.0.0.1" });
 * await transport.close();
 * ```
 *
 * @param bind the factory to wrap
 * @param faults duplication and one-way loss rates
 * @param random draws the faults; seed it to replay a run
 * @param clock times the datagrams held back to be reordered (the network's clock)
 * @returns a factory binding faulty transports
 * @throws {RangeError} if a rate is outside 0–1 or the reorder delay is negative
 */
export function withLinkFaults(
  bind: TransportFactory,
  faults: LinkFaults,
  random: Random,
  clock: Clock,
): TransportFactory {
  const reorderDelayMs = faults.reorderDelayMs ?? 100;
  if (typeof reorderDelayMs !== "number" || !(reorderDelayMs >= 0 && reorderDelayMs < Infinity)) {
    throw new RangeError(
      `Cannot add link faults: 'reorderDelayMs' must be a finite number >= 0, got ${reorderDelayMs}`,
    );
  }
  const rates: Rates = {
    duplicate: checkRate("duplicate", faults.duplicate ?? 0),
    reorder: checkRate("reorder", faults.reorder ?? 0),
    reorderDelayMs,
    oneWayLoss: checkRate("oneWayLoss", faults.oneWayLoss ?? 0),
  };
  if (rates.duplicate === 0 && rates.reorder === 0 && rates.oneWayLoss === 0) return bind;
  return async (options: BindOptions) =>
    new FaultyTransport(await bind(options), random, clock, rates);
}
