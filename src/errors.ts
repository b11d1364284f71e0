/**
 * The error classes @kdht/core throws. Each extends the closest built-in error and sets `name`,
 * so callers can branch on `instanceof` or on `name` after serialization.
 *
 * @module
 */

/** Why a transport operation failed. */
export type TransportErrorCode =
  | "closed"
  | "too_large"
  | "bad_address"
  | "address_in_use"
  | "bind_failed"
  | "send_failed";

/** A datagram transport refused or failed an operation. `code` says which case it was. */
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

/** Bytes that are not a well-formed message in the codec that read them. */
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
 * A KRPC error: either a remote node answered a query with an error message (BEP 5 codes 201
 * generic, 202 server, 203 protocol, 204 method unknown), or a query failed locally (timeout,
 * abort) and is reported with the same shape.
 */
export class RpcError extends Error {
  /** The KRPC error code (201–204 from BEP 5; 0 for local failures such as timeouts). */
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

/** A query got no answer within its timeout. */
export class TimeoutError extends RpcError {
  /**
   * Creates a timeout error (code 0).
   *
   * @param message which query timed out, and after how long
   */
  constructor(message: string) {
    super(0, message);
    this.name = "TimeoutError";
  }
}

/** An operation needed a running node: it was called before `listen()` or after `close()`. */
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
