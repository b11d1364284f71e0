/**
 * The {@linkcode DatagramTransport} that {@linkcode MemoryNetwork.bind} hands out: a thin
 * handle on an endpoint record that the network owns. Private to `src/testing/`.
 *
 * @module
 */
import { TransportError } from "../errors.ts";
import type {
  Address,
  DatagramHandler,
  DatagramTransport,
} from "../transport/datagram_transport.ts";

/** One bound address, as the network sees it. */
export interface Endpoint {
  /** Frozen, and shared as the `from` of every datagram this endpoint sends. */
  readonly address: Address;
  /** `formatAddress(address)`: the key in the network's table. */
  readonly key: string;
  /** The receive callback; undefined until set, and again after close. */
  handler: DatagramHandler | undefined;
}

/** What a transport asks of its network. */
export interface EndpointLink {
  /** Validates and routes one datagram; throws TransportError/TypeError on bad input. */
  send(endpoint: Endpoint, data: Uint8Array, to: Address, maxDatagramSize: number): void;
  /** Frees the endpoint's address. */
  release(endpoint: Endpoint): void;
}

/** A transport bound on a {@linkcode MemoryNetwork}. */
export class MemoryTransport implements DatagramTransport {
  readonly #endpoint: Endpoint;
  readonly #link: EndpointLink;
  readonly #maxDatagramSize: number;
  #closed = false;

  /**
   * @param endpoint the record the network created for this address
   * @param link the network's routing functions
   * @param maxDatagramSize the payload cap for `send`
   */
  constructor(endpoint: Endpoint, link: EndpointLink, maxDatagramSize: number) {
    this.#endpoint = endpoint;
    this.#link = link;
    this.#maxDatagramSize = maxDatagramSize;
  }

  /** The bound address; the port is the one allocated when 0 was asked for. */
  get localAddress(): Address {
    return this.#endpoint.address;
  }

  /** The largest payload `send` accepts, in bytes. */
  get maxDatagramSize(): number {
    return this.#maxDatagramSize;
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sets the receive callback, replacing any earlier one; ignored after close.
   *
   * @param handler called with a private copy of each datagram and its sender's address
   * @throws {TypeError} if `handler` is not a function
   */
  onDatagram(handler: DatagramHandler): void {
    if (typeof handler !== "function") {
      throw new TypeError(`Cannot set datagram handler: expected a function, got ${handler}`);
    }
    if (!this.#closed) this.#endpoint.handler = handler;
  }

  /**
   * Sends a copy of `data` to `to`; `data` may be reused as soon as this returns.
   *
   * @param data the payload
   * @param to the destination
   * @returns a promise that resolves once the datagram is on the (virtual) wire
   * @throws {TransportError} `closed`, `too_large` or `bad_address`, as a rejected promise
   * @throws {TypeError} if `data` is not a Uint8Array, as a rejected promise
   */
  send(data: Uint8Array, to: Address): Promise<void> {
    try {
      if (this.#closed) {
        throw new TransportError(
          "closed",
          `Cannot send: the transport at ${this.#endpoint.key} is closed`,
        );
      }
      this.#link.send(this.#endpoint, data, to, this.#maxDatagramSize);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Frees the address for a new bind; datagrams still in flight to it vanish. Idempotent. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#endpoint.handler = undefined;
      this.#link.release(this.#endpoint);
    }
    return Promise.resolve();
  }

  /** Same as {@linkcode MemoryTransport.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
