/**
 * The error classes @kdht/core throws. Each extends the closest built-in error and sets `name`,
 * so callers can branch on `instanceof` or on `name` after serialization.
 *
 * @module
 */

/**
 * Why a transport operation failed.
 *
 * @example
 * ```ts
 * import { KademliaNode, TransportError, type TransportErrorCode } from "@kdht/core";
 *
 * await using a = new KademliaNode();
 * await using b = new KademliaNode();
 * const { port } = await a.listen(0);
 * let code: TransportErrorCode | undefined;
 * try {
 *   await b.listen(port); // the port is taken
 * } catch (error) {
 *   if (error instanceof TransportError) code = error.code;
 * }
 * console.log(code); // "address_in_use"
 * ```
 */
export type TransportErrorCode =
  | "closed"
  | "too_large"
  | "bad_address"
  | "address_family"
  | "address_in_use"
  | "bind_failed"
  | "send_failed";

/**
 * A datagram transport refused or failed an operation. `code` says which case it was.
 *
 * @example
 * ```ts
 * import { KademliaNode, TransportError } from "@kdht/core";
 *
 * await using a = new KademliaNode();
 * await using b = new KademliaNode();
 * const { port } = await a.listen(0);
 * await b.listen(port).catch((error) => {
 *   if (error instanceof TransportError) console.log(error.code); // "address_in_use"
 * });
 * ```
 */
export class TransportError extends Error {
  /** Which failure this is; stable across releases, unlike the message. */
  readonly code: TransportErrorCode;

  /**
   * Creates a transport error.
   *
   * @param code the failure case
   * @param message what happened and why, for people
   * @param options the underlying error, if any
   */
  constructor(code: TransportErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TransportError";
    this.code = code;
  }
}

/**
 * Bytes that are not a well-formed message in the codec that read them.
 *
 * @example
 * ```ts
 * import { BencodeCodec, DecodeError } from "@kdht/core";
 *
 * try {
 *   new BencodeCodec().decode(new TextEncoder().encode("d1:t"));
 * } catch (error) {
 *   console.log(error instanceof DecodeError); // true: the dictionary never ends
 * }
 * ```
 */
export class DecodeError extends Error {
  /**
   * Creates a decode error.
   *
   * @param message what is wrong with the input
   * @param options the underlying error, if any
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DecodeError";
  }
}

/**
 * A remote node answered a query with a KRPC error (BEP 5 codes 201 generic, 202 server, 203
 * protocol, 204 method unknown; BEP 44 codes 205–207, 301, 302). Local failures are other
 * classes: {@linkcode TimeoutError}, {@linkcode TransportError}, {@linkcode ProtocolError}.
 *
 * @example
 * ```ts
 * import { RpcError, TimeoutError } from "@kdht/core";
 *
 * function explain(error: unknown): string {
 *   if (error instanceof RpcError) return `the peer refused: KRPC ${error.code}`;
 *   if (error instanceof TimeoutError) return "no answer"; // not an RpcError
 *   return String(error);
 * }
 * console.log(explain(new RpcError(204, "method unknown"))); // "the peer refused: KRPC 204"
 * ```
 */
export class RpcError extends Error {
  /** The KRPC error code the remote sent. */
  readonly code: number;

  /**
   * Creates a KRPC error.
   *
   * @param code the KRPC error code
   * @param message the remote's message, or what failed locally
   * @param options the underlying error, if any
   */
  constructor(code: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RpcError";
    this.code = code;
  }
}

/**
 * A query got no answer within its timeout. Not a kind of {@linkcode RpcError}.
 *
 * @example
 * ```ts
 * import { RpcError, TimeoutError } from "@kdht/core";
 *
 * const error: Error = new TimeoutError("Query 'ping' to 127.0.0.1:6881 timed out after 2000 ms");
 * console.log(error instanceof TimeoutError, error instanceof RpcError); // true false
 * ```
 */
export class TimeoutError extends Error {
  /**
   * Creates a timeout error.
   *
   * @param message which query timed out, and after how long
   */
  constructor(message: string) {
    super(message);
    this.name = "TimeoutError";
  }
}

/**
 * A reply came, but not one we can use: it is malformed for its method, or it came from
 * another node than the one asked (`code` says which).
 *
 * @example
 * ```ts
 * import { ProtocolError } from "@kdht/core";
 *
 * const error = new ProtocolError("wrong_node", "127.0.0.1:6881 answered as another id");
 * console.log(error.code); // "wrong_node"
 * ```
 */
export class ProtocolError extends Error {
  /** `"bad_reply"`: the reply did not parse; `"wrong_node"`: another node id answered. */
  readonly code: "bad_reply" | "wrong_node";

  /**
   * Creates a protocol error.
   *
   * @param code which case it is
   * @param message what was wrong
   */
  constructor(code: "bad_reply" | "wrong_node", message: string) {
    super(message);
    this.name = "ProtocolError";
    this.code = code;
  }
}

/**
 * Why one bootstrap address did not let us join.
 *
 * @example
 * ```ts
 * import { BootstrapError, type BootstrapFailureReason, KademliaNode } from "@kdht/core";
 *
 * await using node = new KademliaNode();
 * await node.listen(0);
 * const reasons: BootstrapFailureReason[] = [];
 * await node.bootstrap([]).catch((error) => {
 *   if (error instanceof BootstrapError) reasons.push(...error.failures.map((f) => f.reason));
 * });
 * console.log(reasons); // []: no address was given, and the table is empty
 * ```
 */
export type BootstrapFailureReason =
  /** Nothing answered in time. */
  | "timeout"
  /** A node answered in the other codec (a JSON node met a bencode one, or the reverse). */
  | "other_codec"
  /** The address is of the other family than our socket (IPv6 from an IPv4 socket, or back). */
  | "address_family"
  /** Something answered, but not with a usable find_node reply. */
  | "bad_reply"
  /** The node answered with a KRPC error. */
  | "refused"
  /** The query could not be sent. */
  | "send_failed";

/**
 * One bootstrap address that failed, and why.
 *
 * @example
 * ```ts
 * import { type BootstrapFailure, KademliaNode } from "@kdht/core";
 *
 * await using node = new KademliaNode();
 * await node.listen(0);
 * const result = await node.bootstrap([await new KademliaNode().listen(0)]).catch(() => undefined);
 * const failed: readonly BootstrapFailure[] = result?.failed ?? [];
 * for (const { address, reason } of failed) console.log(address.host, address.port, reason);
 * ```
 */
export interface BootstrapFailure {
  /** The address as given, parsed. */
  readonly address: { readonly host: string; readonly port: number };
  /** The reason, stable across releases. */
  readonly reason: BootstrapFailureReason;
  /** What happened, for people. */
  readonly message: string;
}

/**
 * `bootstrap()` reached no node: `failures` says, per address, why.
 *
 * @example
 * ```ts
 * import { BootstrapError, KademliaNode } from "@kdht/core";
 *
 * await using node = new KademliaNode();
 * await node.listen(0);
 * try {
 *   await node.bootstrap([]); // no address, and no contact to join through
 * } catch (error) {
 *   console.log(error instanceof BootstrapError && error.failures.length); // 0
 * }
 * ```
 */
export class BootstrapError extends Error {
  /** Each address tried and why it failed. */
  readonly failures: readonly BootstrapFailure[];

  /**
   * Creates a bootstrap error.
   *
   * @param failures each address and why it failed
   */
  constructor(failures: readonly BootstrapFailure[]) {
    super(
      failures.length === 0
        ? "Cannot bootstrap: no address given and no known contact to join through"
        : `Cannot bootstrap: no node answered (${
          failures.map((f) => `${f.address.host}:${f.address.port} ${f.reason}`).join(", ")
        })`,
    );
    this.name = "BootstrapError";
    this.failures = failures;
  }
}

/**
 * An operation needed a running node: it was called before `listen()` or after `close()`.
 *
 * @example
 * ```ts
 * import { KademliaNode, NodeStateError } from "@kdht/core";
 *
 * const node = new KademliaNode();
 * await node.close();
 * await node.listen(0).catch((error) => {
 *   console.log(error instanceof NodeStateError); // true: the node is closed
 * });
 * ```
 */
export class NodeStateError extends Error {
  /**
   * Creates a node state error.
   *
   * @param message what was called and in which state
   */
  constructor(message: string) {
    super(message);
    this.name = "NodeStateError";
  }
}

/** One peer that did not store an item, and why (the shape of a `StoreFailure`). */
export interface PutFailure {
  /** The peer asked, as `id@host:port` when printed. */
  readonly peer: { readonly id: string; readonly host: string; readonly port: number };
  /** The cause: `refused` (with `code`), `timeout`, `no_token`, ... */
  readonly reason: string;
  /** The KRPC error code, when the peer refused. */
  readonly code?: number;
  /** What happened, for people. */
  readonly message: string;
}

/**
 * `putImmutable()` stored the item nowhere: no peer accepted it and this node did not keep it.
 * `failed` says, per peer asked, why.
 */
export class PutError extends Error {
  /** Each peer asked and why it did not store the item. */
  readonly failed: readonly PutFailure[];

  /**
   * Creates a put error.
   *
   * @param failed each peer asked and why it did not store the item
   * @param localRefusal why this node did not keep it
   */
  constructor(failed: readonly PutFailure[], localRefusal?: string) {
    super(
      `Cannot put item: no node stored it (${
        failed.length === 0
          ? "no peer to ask"
          : failed.map((f) => `${f.peer.host}:${f.peer.port} ${f.reason}`).join(", ")
      }${localRefusal ? `; here: ${localRefusal}` : ""})`,
    );
    this.name = "PutError";
    this.failed = failed;
  }
}

/** Why a value under a namespaced key was refused. */
export type ValidationErrorCode =
  /** The namespace's validator rejected the value (`validate` threw). */
  | "invalid"
  /** The namespace's `select` ranks the value below one the network (or this node) holds. */
  | "outranked";

/**
 * A `set` under a namespaced key (`/namespace/rest`) was refused before anything was stored:
 * the namespace's validator rejected the value, or its `select` preferred a value already held.
 */
export class ValidationError extends Error {
  /** Which refusal this is. */
  readonly code: ValidationErrorCode;
  /** The key as written. */
  readonly key: string;

  /**
   * Creates a validation error.
   *
   * @param code which refusal
   * @param key the key as written
   * @param message what was refused and why
   * @param options the validator's own error, as `cause`
   */
  constructor(code: ValidationErrorCode, key: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ValidationError";
    this.code = code;
    this.key = key;
  }
}
