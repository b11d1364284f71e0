/**
 * The RPC layer: KRPC queries and replies over a datagram transport. It owns transaction ids,
 * deadlines, the check that a reply comes from where its query went, inbound backpressure and
 * the message counters, and dispatches to method objects (src/rpc/methods/) without knowing
 * any method by name.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import { NodeStateError, ProtocolError, RpcError, TransportError } from "../errors.ts";
import type { Random } from "../random.ts";
import type { Address, DatagramTransport } from "../transport/datagram_transport.ts";
import type { Codec, WireDict } from "../wire/codec.ts";
import {
  buildErrorEnvelope,
  buildQueryEnvelope,
  buildResponseEnvelope,
  ErrorCode,
  parseEnvelope,
  type QueryEnvelope,
} from "../wire/envelope.ts";
import type { KrpcMethod, MethodArgs, MethodReply, QueryInfo } from "./method.ts";
import { Transactions } from "./transactions.ts";
import { type DropReason, emptyRpcStats, type RpcStats } from "./rpc_stats.ts";

export { emptyRpcStats } from "./rpc_stats.ts";
export type { DropReason, RpcStats } from "./rpc_stats.ts";

/**
 * Datagrams this short cannot hold a KRPC message (the smallest, a ping reply, is 47 bytes in
 * bencode): drop them before decoding, as libtorrent does (reliability.md row 2).
 */
const MIN_MESSAGE_LENGTH = 20;

/** The start of a message in each codec: a JSON network hearing `d` hears bencode. */
const OPENING_BYTE = { json: 0x7b, bencode: 0x64 } as const;

/** The start of the 203 error a node sends back to a query in the other codec (short: it must
 * fit in fewer bytes than the query had). */
export const WRONG_CODEC_MESSAGE = "wrong codec: ";

/** Finds the method for a query: by name, or a fallback for unknown names. */
export type MethodResolver = (name: string, args: WireDict) => KrpcMethod | undefined;

/** What the RPC layer needs. */
export interface KrpcSocketOptions {
  /** The bound transport; the socket sets its datagram handler. */
  transport: DatagramTransport;
  /** The network's codec. */
  codec: Codec;
  /** The other codec, to tell a peer on the wrong codec so in its own language. */
  otherCodec?: Codec;
  /** Source of time for deadlines and round trips. */
  clock: Clock;
  /** Source of transaction ids. */
  random: Random;
  /** The methods this node answers. */
  methods: MethodResolver;
  /** Handed to every method's `handle`. */
  context: unknown;
  /**
   * Told of every valid query before it is handled (the node updates its routing table), with
   * the name of the method answering it.
   */
  onQuery?: (args: MethodArgs, info: QueryInfo, method: string) => void;
  /** When false the node answers no query at all (BEP 43 read-only / client mode). */
  answering?: () => boolean;
  /**
   * The ceiling for a query's timeout when the caller gives none.
   * @default {2000}
   */
  timeoutMs?: number;
  /**
   * Answers still being worked out (asynchronous handlers) at once; while that many are
   * pending, new queries are dropped and counted.
   * @default {64}
   */
  maxConcurrentQueries?: number;
  /** Told about dropped or malformed datagrams; never throws into the receive path. */
  onWarning?: (message: string, from: Address) => void;
  /**
   * The client version written as the top-level `v` of every message sent (BEP 5: 2 characters
   * naming the client, 2 bytes of version). Omitted when not given.
   */
  clientVersion?: Uint8Array;
  /**
   * Told of every reply to our queries that says where the responder saw us from (BEP 42 `ip`),
   * with the responder's address; the node votes on its external IP with it.
   */
  onReplyIp?: (ip: Address, from: Address) => void;
}

/** A reply to one of our queries. */
export interface RpcReply<Reply extends MethodReply = MethodReply> {
  /** The parsed reply. */
  readonly body: Reply;
  /** Who answered (always the address the query went to). */
  readonly from: Address;
  /** Round-trip time in milliseconds. */
  readonly rttMs: number;
  /** BEP 42: our address as the responder saw it, if it said. */
  readonly ip: Address | undefined;
}

/** Options for one query. */
export interface QueryOptions {
  /** Abort the query; it rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Overrides the socket's timeout for this query. */
  timeoutMs?: number | undefined;
  /** Send BEP 43 `ro: 1`. */
  readOnly?: boolean | undefined;
  /**
   * Sends the same datagram (same transaction id) once more if no reply came this long after
   * the first send: a lost datagram then costs one retransmission, not the node's answer. The
   * timeout still runs from the first send. Only for queries the receiver may apply twice
   * (reads, pings, stores of one publication), never for a `put` with `cas`.
   */
  resendAfterMs?: number | undefined;
}

/** Adds one to a counter keyed by method name. */
function count(counters: Record<string, number>, name: string): void {
  counters[name] = (counters[name] ?? 0) + 1;
}

/** A KRPC endpoint over one transport. */
export class KrpcSocket {
  readonly #transport: DatagramTransport;
  readonly #codec: Codec;
  readonly #otherCodec: Codec | undefined;
  readonly #clock: Clock;
  readonly #methods: MethodResolver;
  readonly #context: unknown;
  readonly #onQuery: ((args: MethodArgs, info: QueryInfo, method: string) => void) | undefined;
  readonly #answering: () => boolean;
  readonly #onWarning: ((message: string, from: Address) => void) | undefined;
  readonly #clientVersion: Uint8Array | undefined;
  readonly #onReplyIp: ((ip: Address, from: Address) => void) | undefined;
  readonly #timeoutMs: number;
  readonly #maxConcurrent: number;
  readonly #localIPv6: boolean | undefined;
  readonly #transactions: Transactions;
  readonly #stats: RpcStats = emptyRpcStats();
  #handling = 0;
  #closed = false;

  /** @param options the transport, codecs, clock, random source and methods */
  constructor(options: KrpcSocketOptions) {
    this.#transport = options.transport;
    this.#codec = options.codec;
    this.#otherCodec = options.otherCodec;
    this.#clock = options.clock;
    this.#transactions = new Transactions(options.clock, options.random);
    this.#methods = options.methods;
    this.#context = options.context;
    this.#onQuery = options.onQuery;
    this.#answering = options.answering ?? (() => true);
    this.#onWarning = options.onWarning;
    this.#clientVersion = options.clientVersion;
    this.#onReplyIp = options.onReplyIp;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#maxConcurrent = options.maxConcurrentQueries ?? 64;
    const local = this.#transport.localAddress.host;
    // An IPv4 socket reaches only IPv4; an IPv6 one bound to "::" may be dual-stack.
    this.#localIPv6 = local === "::" ? undefined : local.includes(":");
    this.#transport.onDatagram((data, from) => this.#receive(data, from));
  }

  /** A snapshot of the counters. */
  stats(): RpcStats {
    const stats = this.#stats;
    return {
      ...stats,
      queriesByMethod: { ...stats.queriesByMethod },
      queriesReceivedByMethod: { ...stats.queriesReceivedByMethod },
      timedOutByMethod: { ...stats.timedOutByMethod },
      droppedByReason: { ...stats.droppedByReason },
    };
  }

  /** Queries sent that have not been answered, timed out or aborted yet. */
  get pendingQueries(): number {
    return this.#transactions.size;
  }

  /** Answers still being worked out by asynchronous handlers. */
  get pendingAnswers(): number {
    return this.#handling;
  }

  /**
   * Sends a query and waits for the reply.
   *
   * @param to where to send it
   * @param method the method
   * @param args its arguments (`id` is the caller's node id)
   * @param options abort signal, timeout, read-only flag
   * @returns the parsed reply
   * @throws {RpcError} if the remote answered with a KRPC error
   * @throws {TimeoutError} if no reply came in time
   * @throws {ProtocolError} if the reply is malformed for the method
   * @throws {TransportError} if the datagram could not be sent (at once, not after a timeout)
   * @throws {NodeStateError} if the socket is closed
   */
  query<Args extends MethodArgs, Reply extends MethodReply>(
    to: Address,
    method: KrpcMethod<Args, Reply>,
    args: Args,
    options: QueryOptions = {},
  ): Promise<RpcReply<Reply>> {
    if (this.#closed) return Promise.reject(new NodeStateError("Cannot send query: socket closed"));
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    if (this.#localIPv6 !== undefined && to.host.includes(":") !== this.#localIPv6) {
      return Promise.reject(
        new TransportError(
          "address_family",
          `Cannot send to ${to.host}: this node's socket is ${
            this.#localIPv6 ? "IPv6" : "IPv4"
          } (bound to ${this.#transport.localAddress.host})`,
        ),
      );
    }
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const stats = this.#stats;
    const opened = this.#transactions.open(
      to,
      method as unknown as KrpcMethod,
      timeoutMs,
      options.signal,
      () => {
        stats.timedOut++;
        count(stats.timedOutByMethod, method.name);
      },
    );
    if (opened === undefined) {
      return Promise.reject(
        new TransportError("send_failed", "Cannot send query: too many queries pending"),
      );
    }
    const data = this.#codec.encode(this.#stamp(
      buildQueryEnvelope(opened.t, method.name, method.encodeArgs(args), options.readOnly),
    ));
    if (data.length > this.#transport.maxDatagramSize) {
      this.#transactions.take(opened.tid);
      return Promise.reject(
        new TransportError(
          "too_large",
          `Cannot send '${method.name}': ${data.length} bytes exceeds the ${this.#transport.maxDatagramSize}-byte datagram limit`,
        ),
      );
    }
    stats.queriesSent++;
    count(stats.queriesByMethod, method.name);
    const send = (): void => {
      stats.sent++;
      this.#transport.send(data, to).catch((error: Error) => {
        stats.sendFailures++;
        // Fail the query now: waiting for its timeout would only hide the cause.
        this.#transactions.fail(
          opened.tid,
          error instanceof TransportError
            ? error
            : new TransportError("send_failed", `Cannot send to ${to.host}:${to.port}`, {
              cause: error,
            }),
        );
      });
    };
    send();
    const resendAfterMs = options.resendAfterMs;
    if (resendAfterMs !== undefined && resendAfterMs < timeoutMs) {
      this.#transactions.resendAt(opened.tid, this.#clock.now() + resendAfterMs, () => {
        stats.resent++;
        send();
      });
    }
    return opened.promise as Promise<RpcReply<Reply>>;
  }

  /** Stops receiving, and rejects every pending query. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#transport.onDatagram(() => {});
    this.#transactions.rejectAll(new NodeStateError("Query aborted: node closed"));
  }

  /** Adds our client version as the message's top-level `v` (BEP 5). */
  #stamp(tree: WireDict): WireDict {
    if (this.#clientVersion) tree.v = this.#clientVersion;
    return tree;
  }

  #send(data: Uint8Array, to: Address): void {
    this.#stats.sent++;
    this.#transport.send(data, to).catch((error: Error) => {
      this.#stats.sendFailures++;
      this.#onWarning?.(`send failed: ${error.message}`, to);
    });
  }

  #drop(reason: DropReason): void {
    this.#stats.dropped++;
    this.#stats.droppedByReason[reason]++;
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
      if (data[0] === OPENING_BYTE[this.#codec.name === "json" ? "bencode" : "json"]) {
        this.#stats.otherCodec++;
        this.#answerOtherCodec(data, from);
      }
      this.#warn(`undecodable datagram: ${(error as Error).message}`, from);
      return;
    }
    const envelope = parseEnvelope(this.#codec, tree);
    switch (envelope.kind) {
      case "query":
        this.#handleQuery(envelope, data.length, from);
        return;
      case "response":
      case "error": {
        const pending = this.#match(envelope.t, from);
        if (!pending) return;
        this.#stats.responsesReceived++;
        const rttMs = this.#clock.now() - pending.sentAt;
        if (envelope.kind === "error") {
          this.#stats.errorsReceived++;
          pending.reject(
            new RpcError(envelope.code, envelope.message || `KRPC error ${envelope.code}`),
          );
          return;
        }
        let body: MethodReply;
        try {
          body = pending.method.decodeReply(this.#codec, envelope.body);
        } catch (error) {
          this.#stats.malformed++;
          pending.reject(
            new ProtocolError(
              "bad_reply",
              `malformed '${pending.method.name}' reply: ${(error as Error).message}`,
            ),
          );
          return;
        }
        pending.resolve({ body, from, rttMs, ip: envelope.ip });
        if (envelope.ip) this.#onReplyIp?.(envelope.ip, from);
        return;
      }
      case "malformed": {
        this.#stats.malformed++;
        this.#warn(`malformed message: ${envelope.reason}`, from);
        if (!envelope.t) return;
        if (envelope.y === "q") {
          this.#replyError(envelope.t, ErrorCode.Protocol, envelope.reason, from, data.length);
        } else {
          this.#match(envelope.t, from)?.reject(
            new ProtocolError("bad_reply", `malformed reply: ${envelope.reason}`),
          );
        }
      }
    }
  }

  /** The pending query a reply answers; a reply nobody waits for is dropped and counted. */
  #match(t: Uint8Array, from: Address) {
    const pending = this.#transactions.match(t, from);
    if (typeof pending === "string") {
      this.#drop(pending);
      return undefined;
    }
    return pending;
  }

  #handleQuery(query: QueryEnvelope, size: number, from: Address): void {
    if (!this.#answering()) {
      this.#drop("not_answering");
      return;
    }
    if (this.#handling >= this.#maxConcurrent) {
      this.#drop("overloaded");
      this.#warn("inbound query dropped: too many answers pending", from);
      return;
    }
    const method = this.#methods(query.method, query.args);
    if (!method) {
      this.#stats.queriesReceived++;
      count(this.#stats.queriesReceivedByMethod, "unknown");
      this.#replyError(
        query.t,
        ErrorCode.MethodUnknown,
        `method unknown: ${query.method}`,
        from,
        size,
      );
      return;
    }
    let args: MethodArgs;
    try {
      args = method.decodeArgs(this.#codec, query.args);
    } catch (error) {
      this.#stats.malformed++;
      this.#replyError(query.t, ErrorCode.Protocol, (error as Error).message, from, size);
      return;
    }
    this.#stats.queriesReceived++;
    count(this.#stats.queriesReceivedByMethod, method.name);
    const info: QueryInfo = { from, readOnly: query.readOnly };
    this.#onQuery?.(args, info, method.name);
    let result: MethodReply | Promise<MethodReply>;
    try {
      result = method.handle(this.#context, args, info);
    } catch (error) {
      this.#replyFailure(query, error, from);
      return;
    }
    if (!(result instanceof Promise)) {
      this.#reply(query, method, args, info, result);
      return;
    }
    this.#handling++;
    result.then(
      (body) => this.#reply(query, method, args, info, body),
      (error) => this.#replyFailure(query, error, from),
    ).finally(() => this.#handling--);
  }

  #reply(
    query: QueryEnvelope,
    method: KrpcMethod,
    args: MethodArgs,
    info: QueryInfo,
    body: MethodReply,
  ): void {
    if (this.#closed) return;
    const data = this.#codec.encode(this.#stamp(
      buildResponseEnvelope(query.t, method.encodeReply(body, args, info), info.from),
    ));
    if (data.length > this.#transport.maxDatagramSize) {
      this.#replyError(query.t, ErrorCode.Server, "response too large", info.from);
      return;
    }
    this.#send(data, info.from);
  }

  #replyFailure(query: QueryEnvelope, error: unknown, from: Address): void {
    if (error instanceof RpcError) {
      this.#replyError(query.t, error.code, error.message, from);
    } else {
      this.#warn(`query handler failed: ${(error as Error)?.message}`, from);
      this.#replyError(query.t, ErrorCode.Server, "server error", from);
    }
  }

  /**
   * Sends a KRPC error. When `budget` is given (the size of a malformed datagram), the error
   * is never larger: a short message replaces a long one, and if even that does not fit,
   * nothing is sent (no amplification from bad input).
   */
  #replyError(
    t: Uint8Array,
    code: number,
    message: string,
    to: Address,
    budget = Infinity,
    codec: Codec = this.#codec,
  ): void {
    if (this.#closed) return;
    let data = codec.encode(this.#stamp(buildErrorEnvelope(t, code, message)));
    // Shorter and shorter, and not at all if even the bare error is larger than the input.
    if (data.length > budget) {
      data = codec.encode(this.#stamp(buildErrorEnvelope(t, code, "malformed")));
    }
    if (data.length > budget) data = codec.encode(buildErrorEnvelope(t, code, "malformed"));
    if (data.length > budget) return;
    this.#stats.errorsSent++;
    this.#send(data, to);
  }

  /**
   * A query in the other codec gets a short 203 error in that codec, saying which codec this
   * node speaks, so the sender can report the mismatch instead of a timeout.
   */
  #answerOtherCodec(data: Uint8Array, from: Address): void {
    const other = this.#otherCodec;
    if (!other || !this.#answering()) return;
    let tree: WireDict;
    try {
      tree = other.decode(data);
    } catch {
      return;
    }
    const envelope = parseEnvelope(other, tree);
    if (envelope.kind !== "query") return;
    const message = WRONG_CODEC_MESSAGE + this.#codec.name;
    this.#replyError(envelope.t, ErrorCode.Protocol, message, from, data.length, other);
  }
}
