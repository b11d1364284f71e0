/**
 * The RPC layer: KRPC queries and responses over a datagram transport. It owns transaction
 * ids, per-query timeouts, the check that a reply comes from where the query went, inbound
 * backpressure and the message counters. It knows nothing of Kademlia: the node answers
 * queries through `onQuery`.
 *
 * @module
 */
import type { Clock, Timer } from "../clock.ts";
import { NodeStateError, RpcError, TimeoutError } from "../errors.ts";
import type { Random } from "../random.ts";
import type { Address, DatagramTransport } from "../transport/datagram_transport.ts";
import type { Codec, WireDict } from "../wire/codec.ts";
import { bytesToIPv6, ipv6ToBytes } from "../wire/ip.ts";
import {
  buildError,
  buildQuery,
  buildResponse,
  ErrorCode,
  parseMessage,
  type QueryArgs,
  type QueryMessage,
  type ResponseBody,
} from "../wire/krpc.ts";

/**
 * Datagrams this short cannot hold a KRPC message (the smallest, a ping reply, is 47 bytes in
 * bencode): drop them before decoding, as libtorrent does (reliability.md row 2).
 */
const MIN_MESSAGE_LENGTH = 20;

/** Answers one query; throw an {@linkcode RpcError} to reply with a KRPC error. */
export type QueryHandler = (
  query: QueryMessage,
  from: Address,
) => ResponseBody | Promise<ResponseBody>;

/** What the RPC layer needs. */
export interface KrpcSocketOptions {
  /** The bound transport; the socket sets its datagram handler. */
  transport: DatagramTransport;
  /** The network's codec. */
  codec: Codec;
  /** Source of time for timeouts. */
  clock: Clock;
  /** Source of transaction ids. */
  random: Random;
  /** Answers inbound queries. */
  onQuery: QueryHandler;
  /**
   * How long to wait for a reply before a query fails with a TimeoutError.
   * @default {2000}
   */
  timeoutMs?: number;
  /**
   * Inbound queries handled at once; more are dropped and counted (backpressure).
   * @default {64}
   */
  maxConcurrentQueries?: number;
  /** Told about dropped or malformed datagrams; never throws into the receive path. */
  onWarning?: (message: string, from: Address) => void;
}

/** Message counters, all since the socket was created. */
export interface RpcStats {
  /** Datagrams sent (queries, responses and errors). */
  sent: number;
  /** Datagrams received. */
  received: number;
  /** Queries we sent. */
  queriesSent: number;
  /** Queries we received and handled. */
  queriesReceived: number;
  /** Replies (responses or errors) matched to our queries. */
  responsesReceived: number;
  /** KRPC error replies received. */
  errorsReceived: number;
  /** Error replies we sent. */
  errorsSent: number;
  /** Our queries that got no reply in time. */
  timedOut: number;
  /** Datagrams dropped: inbound queries over the concurrency limit, replies nobody waits for. */
  dropped: number;
  /** Datagrams that did not decode or were not valid KRPC. */
  malformed: number;
  /** Datagrams in the other codec (a JSON node hearing bencode, or the reverse); also malformed. */
  otherCodec: number;
  /** Sends the transport refused or failed. */
  sendFailures: number;
}

/** All counters at zero. */
export function emptyRpcStats(): RpcStats {
  return {
    sent: 0,
    received: 0,
    queriesSent: 0,
    queriesReceived: 0,
    responsesReceived: 0,
    errorsReceived: 0,
    errorsSent: 0,
    timedOut: 0,
    dropped: 0,
    malformed: 0,
    otherCodec: 0,
    sendFailures: 0,
  };
}

/** A reply to one of our queries. */
export interface RpcReply {
  /** The response body. */
  readonly body: ResponseBody;
  /** Who answered (always the address the query went to). */
  readonly from: Address;
  /** Round-trip time in milliseconds. */
  readonly rttMs: number;
}

/** Options for one query. */
export interface QueryOptions {
  /** Abort the query; it rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Overrides the socket's timeout for this query. */
  timeoutMs?: number | undefined;
  /** Send BEP 43 `ro: 1`. */
  readOnly?: boolean | undefined;
}

interface Pending {
  resolve(reply: RpcReply): void;
  reject(error: Error): void;
  timer: Timer;
  to: Address;
  sentAt: number;
  signal: AbortSignal | undefined;
}

/** The pending queries that share one abort signal, and the single listener watching it. */
interface SignalWatch {
  readonly keys: Set<string>;
  readonly onAbort: () => void;
}

/** Normalises a host so replies match however the runtime spells an IPv6 address. */
function hostKey(host: string): string {
  if (!host.includes(":")) return host;
  const bytes = ipv6ToBytes(host);
  return bytes ? bytesToIPv6(bytes) : host;
}

/** A KRPC endpoint over one transport. */
export class KrpcSocket {
  readonly #transport: DatagramTransport;
  readonly #codec: Codec;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #onQuery: QueryHandler;
  readonly #onWarning: ((message: string, from: Address) => void) | undefined;
  readonly #timeoutMs: number;
  readonly #maxConcurrent: number;
  readonly #pending = new Map<string, Pending>();
  // One listener per signal, however many queries use it: a lookup's flush sends k queries
  // under one signal, and a listener each would pile up (Node warns past 10).
  readonly #watches = new Map<AbortSignal, SignalWatch>();
  readonly #tid = new Uint8Array(2);
  #handling = 0;
  #closed = false;
  readonly #stats: RpcStats = emptyRpcStats();

  /** @param options the transport, codec, clock, random source and query handler */
  constructor(options: KrpcSocketOptions) {
    this.#transport = options.transport;
    this.#codec = options.codec;
    this.#clock = options.clock;
    this.#random = options.random;
    this.#onQuery = options.onQuery;
    this.#onWarning = options.onWarning;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#maxConcurrent = options.maxConcurrentQueries ?? 64;
    this.#transport.onDatagram((data, from) => this.#receive(data, from));
  }

  /** A snapshot of the counters. */
  stats(): RpcStats {
    return { ...this.#stats };
  }

  /** Queries sent that have not been answered, timed out or aborted yet. */
  get pendingQueries(): number {
    return this.#pending.size;
  }

  /**
   * Sends a query and waits for the reply.
   *
   * @param to where to send it
   * @param method the KRPC method
   * @param args the arguments (`id` is the caller's node id)
   * @param options abort signal, timeout, read-only flag
   * @returns the reply
   * @throws {RpcError} if the remote answered with a KRPC error
   * @throws {TimeoutError} if no reply came in time
   * @throws {NodeStateError} if the socket is closed
   */
  query(
    to: Address,
    method: string,
    args: QueryArgs,
    options: QueryOptions = {},
  ): Promise<RpcReply> {
    if (this.#closed) return Promise.reject(new NodeStateError("Cannot send query: socket closed"));
    options.signal?.throwIfAborted();
    const prefix = `${hostKey(to.host)}|${to.port}|`;
    let key = "";
    // Two random bytes, as BEP 5 suggests; redraw on the rare clash with a pending query.
    for (let attempt = 0; attempt < 8; attempt++) {
      this.#random.fill(this.#tid);
      key = prefix + ((this.#tid[0]! << 8) | this.#tid[1]!);
      if (!this.#pending.has(key)) break;
    }
    if (this.#pending.has(key)) {
      return Promise.reject(new RpcError(ErrorCode.Server, "Too many queries pending to one node"));
    }
    const t = this.#tid.slice();
    const data = this.#codec.encode(buildQuery(t, method, args, options.readOnly ?? false));
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    return new Promise<RpcReply>((resolve, reject) => {
      const signal = options.signal;
      const pending: Pending = {
        resolve,
        reject,
        to,
        sentAt: this.#clock.now(),
        signal,
        timer: this.#clock.setTimer(() => {
          this.#settle(key)?.reject(
            new TimeoutError(
              `Query '${method}' to ${to.host}:${to.port} timed out after ${timeoutMs} ms`,
            ),
          );
          this.#stats.timedOut++;
        }, timeoutMs),
      };
      if (signal) this.#watch(signal, key);
      this.#pending.set(key, pending);
      this.#stats.queriesSent++;
      this.#send(data, to);
    });
  }

  /** Stops receiving, and rejects every pending query. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#transport.onDatagram(() => {});
    for (const key of [...this.#pending.keys()]) {
      this.#settle(key)?.reject(new NodeStateError("Query aborted: node closed"));
    }
  }

  #settle(key: string): Pending | undefined {
    const pending = this.#pending.get(key);
    if (!pending) return undefined;
    this.#pending.delete(key);
    pending.timer.cancel();
    if (pending.signal) this.#unwatch(pending.signal, key);
    return pending;
  }

  #watch(signal: AbortSignal, key: string): void {
    let watch = this.#watches.get(signal);
    if (!watch) {
      const keys = new Set<string>();
      const onAbort = () => {
        for (const pendingKey of [...keys]) this.#settle(pendingKey)?.reject(signal.reason);
      };
      watch = { keys, onAbort };
      this.#watches.set(signal, watch);
      signal.addEventListener("abort", onAbort, { once: true });
    }
    watch.keys.add(key);
  }

  #unwatch(signal: AbortSignal, key: string): void {
    const watch = this.#watches.get(signal);
    if (!watch) return;
    watch.keys.delete(key);
    if (watch.keys.size > 0) return;
    this.#watches.delete(signal);
    signal.removeEventListener("abort", watch.onAbort);
  }

  #send(data: Uint8Array, to: Address): void {
    this.#stats.sent++;
    this.#transport.send(data, to).catch((error: Error) => {
      this.#stats.sendFailures++;
      this.#onWarning?.(`send failed: ${error.message}`, to);
    });
  }

  #warn(message: string, from: Address): void {
    this.#onWarning?.(message, from);
  }

  #receive(data: Uint8Array, from: Address): void {
    if (this.#closed) return;
    this.#stats.received++;
    if (data.length <= MIN_MESSAGE_LENGTH) {
      this.#stats.malformed++;
      this.#warn(`datagram of ${data.length} bytes is too short to be a message`, from);
      return;
    }
    let tree: WireDict;
    try {
      tree = this.#codec.decode(data);
    } catch (error) {
      this.#stats.malformed++;
      // A JSON network hearing bencode starts with "d"; a bencode network hearing JSON, "{".
      if (data[0] === (this.#codec.name === "json" ? 0x64 : 0x7b)) this.#stats.otherCodec++;
      this.#warn(`undecodable datagram: ${(error as Error).message}`, from);
      return;
    }
    const message = parseMessage(this.#codec, tree);
    switch (message.kind) {
      case "query":
        this.#handleQuery(message, from);
        return;
      case "response":
      case "error": {
        const pending = this.#settle(
          `${hostKey(from.host)}|${from.port}|${transactionNumber(message.t)}`,
        );
        if (!pending) {
          // Unknown t, or a reply from another address than the query went to: ignored.
          this.#stats.dropped++;
          return;
        }
        this.#stats.responsesReceived++;
        if (message.kind === "response") {
          pending.resolve({ body: message.body, from, rttMs: this.#clock.now() - pending.sentAt });
        } else {
          this.#stats.errorsReceived++;
          pending.reject(
            new RpcError(message.code, message.message || `KRPC error ${message.code}`),
          );
        }
        return;
      }
      case "malformed": {
        this.#stats.malformed++;
        this.#warn(`malformed message: ${message.reason}`, from);
        if (!message.t) return;
        if (message.y === "q") {
          this.#replyError(message.t, ErrorCode.Protocol, message.reason, from);
        } else {
          const key = `${hostKey(from.host)}|${from.port}|${transactionNumber(message.t)}`;
          this.#settle(key)?.reject(new RpcError(ErrorCode.Protocol, message.reason));
        }
      }
    }
  }

  #handleQuery(query: QueryMessage, from: Address): void {
    if (this.#handling >= this.#maxConcurrent) {
      this.#stats.dropped++;
      this.#warn("inbound query dropped: too many in progress", from);
      return;
    }
    this.#stats.queriesReceived++;
    let result: ResponseBody | Promise<ResponseBody>;
    try {
      result = this.#onQuery(query, from);
    } catch (error) {
      this.#replyFailure(query, error, from);
      return;
    }
    if (!(result instanceof Promise)) {
      this.#reply(query, result, from);
      return;
    }
    this.#handling++;
    result.then(
      (body) => this.#reply(query, body, from),
      (error) => this.#replyFailure(query, error, from),
    ).finally(() => this.#handling--);
  }

  #reply(query: QueryMessage, body: ResponseBody, from: Address): void {
    if (this.#closed) return;
    // BEP 32: answer with the requester's own family unless it asks for others with `want`.
    const data = this.#codec.encode(
      buildResponse(query.t, body, replyFamilies(query.args.want, from.host)),
    );
    if (data.length > this.#transport.maxDatagramSize) {
      this.#replyError(query.t, ErrorCode.Server, "response too large", from);
      return;
    }
    this.#send(data, from);
  }

  #replyFailure(query: QueryMessage, error: unknown, from: Address): void {
    if (error instanceof RpcError) {
      this.#replyError(query.t, error.code, error.message, from);
    } else {
      this.#warn(`query handler failed: ${(error as Error)?.message}`, from);
      this.#replyError(query.t, ErrorCode.Server, "server error", from);
    }
  }

  #replyError(t: Uint8Array, code: number, message: string, from: Address): void {
    if (this.#closed) return;
    this.#stats.errorsSent++;
    this.#send(this.#codec.encode(buildError(t, code, message)), from);
  }
}

const IPV4_ONLY: readonly (4 | 6)[] = [4];
const IPV6_ONLY: readonly (4 | 6)[] = [6];
const BOTH: readonly (4 | 6)[] = [4, 6];

/** BEP 32: the families a `want` list asks for, else the requester's own. No allocation. */
function replyFamilies(want: readonly string[] | undefined, host: string): readonly (4 | 6)[] {
  const n4 = want?.includes("n4") ?? false;
  const n6 = want?.includes("n6") ?? false;
  if (n4 && n6) return BOTH;
  if (n4) return IPV4_ONLY;
  if (n6) return IPV6_ONLY;
  return host.includes(":") ? IPV6_ONLY : IPV4_ONLY;
}

/** Our transaction ids are 2 bytes; longer or shorter ones cannot match a pending query. */
function transactionNumber(t: Uint8Array): number {
  return t.length === 2 ? (t[0]! << 8) | t[1]! : -1;
}
