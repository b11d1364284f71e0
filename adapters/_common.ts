/**
 * Checks and error mapping shared by the runtime UDP adapters, so Deno, Bun and Node reject
 * the same inputs with the same {@linkcode TransportError} codes.
 *
 * @module
 */
import { TransportError } from "../src/errors.ts";
import type { Address, BindOptions } from "../src/transport/datagram_transport.ts";
import { DEFAULT_MAX_DATAGRAM_SIZE, MAX_UDP_PAYLOAD } from "../src/transport/datagram_transport.ts";
import { formatAddress, isIPv4, isIPv6, isPort } from "../src/transport/address.ts";

/** Bind options after defaults and validation. */
export interface ResolvedBindOptions {
  /** Port to bind, 0–65535. */
  readonly port: number;
  /** An IPv4 or IPv6 literal; `"localhost"` has become `"127.0.0.1"`. */
  readonly hostname: string;
  /** True when `hostname` is an IPv6 literal. */
  readonly ipv6: boolean;
  /** Cap on payload size for `send`, 1–{@linkcode MAX_UDP_PAYLOAD}. */
  readonly maxDatagramSize: number;
}

/**
 * Applies defaults to {@linkcode BindOptions} and validates them before any socket exists.
 *
 * @param options what the caller passed
 * @returns the options with every field set
 * @throws {TransportError} `bad_address` if the hostname is not an IP literal (we never resolve
 * names: a DNS lookup per bind or send is slow and leaks queries) or the port is out of range
 * @throws {RangeError} if `maxDatagramSize` is not an integer in 1–65507
 */
export function resolveBindOptions(options: BindOptions = {}): ResolvedBindOptions {
  const { port = 0, maxDatagramSize = DEFAULT_MAX_DATAGRAM_SIZE } = options;
  let { hostname = "127.0.0.1" } = options;
  if (hostname === "localhost") hostname = "127.0.0.1";
  if (typeof hostname !== "string" || !(isIPv4(hostname) || isIPv6(hostname))) {
    throw new TransportError(
      "bad_address",
      `Cannot bind UDP socket: 'hostname' must be an IPv4 or IPv6 literal, got ${String(hostname)}`,
    );
  }
  if (!isPort(port)) {
    throw new TransportError(
      "bad_address",
      `Cannot bind UDP socket: 'port' must be an integer in 0-65535, got ${String(port)}`,
    );
  }
  if (
    !Number.isInteger(maxDatagramSize) || maxDatagramSize < 1 || maxDatagramSize > MAX_UDP_PAYLOAD
  ) {
    throw new RangeError(
      `Cannot bind UDP socket: 'maxDatagramSize' must be an integer in 1-${MAX_UDP_PAYLOAD}, got ${
        String(maxDatagramSize)
      }`,
    );
  }
  return { port, hostname, ipv6: isIPv6(hostname), maxDatagramSize };
}

/**
 * The checks every `send` makes before touching the socket. Returns the error instead of
 * throwing so the caller can reject its promise without a try/catch on the hot path.
 *
 * @param closed whether the transport is closed
 * @param data the payload
 * @param to the destination
 * @param maxDatagramSize the transport's cap
 * @returns `undefined` when the send may proceed, else the error to reject with
 */
export function checkSend(
  closed: boolean,
  data: Uint8Array,
  to: Address,
  maxDatagramSize: number,
): TransportError | TypeError | undefined {
  if (closed) return closedError();
  if (!(data instanceof Uint8Array)) {
    return new TypeError(`Cannot send datagram: data must be a Uint8Array, got ${typeof data}`);
  }
  if (data.byteLength > maxDatagramSize) {
    return new TransportError(
      "too_large",
      `Cannot send datagram: ${data.byteLength} bytes exceeds maxDatagramSize of ${maxDatagramSize} bytes`,
    );
  }
  const host = to?.host;
  const port = to?.port;
  if (
    typeof host !== "string" || !(isIPv4(host) || isIPv6(host)) || !isPort(port) || port === 0
  ) {
    return new TransportError(
      "bad_address",
      `Cannot send datagram: destination must be an IP literal with a port in 1-65535, got ${
        typeof host === "string" ? `${host}:${String(port)}` : String(host)
      }`,
    );
  }
  return undefined;
}

/** The error for any operation on a closed transport. */
export function closedError(): TransportError {
  return new TransportError("closed", "Cannot send datagram: the transport is closed");
}

const BAD_ADDRESS_CODES = new Set([
  "EADDRNOTAVAIL",
  "EAFNOSUPPORT",
  "EINVAL",
  "ENOENT",
  "ENOTFOUND",
  "ERR_INVALID_ARG_TYPE",
  "ERR_SOCKET_BAD_PORT",
]);
const CLOSED_NAMES = new Set(["BadResource", "Interrupted"]);

/**
 * Translates what a runtime threw (Deno `Deno.errors.*`, Bun and Node errors with an errno
 * `code`) into a {@linkcode TransportError}, keeping the original as `cause`.
 *
 * @param err what the runtime threw
 * @param op whether binding or sending failed
 * @param address the local address (bind) or destination (send), for the message
 * @returns the mapped error
 */
export function toTransportError(
  err: unknown,
  op: "bind" | "send",
  address: Address,
): TransportError {
  if (err instanceof TransportError) return err;
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === "string" ? e.code : "";
  const name = typeof e?.name === "string" ? e.name : "";
  const detail = typeof e?.message === "string" ? e.message : String(err);
  const where = formatAddress(address);
  const what = op === "bind"
    ? `Cannot bind UDP socket to ${where}`
    : `Cannot send datagram to ${where}`;
  const cause = { cause: err };
  if (code === "EADDRINUSE" || name === "AddrInUse") {
    return new TransportError(
      "address_in_use",
      `Cannot bind UDP socket: ${where} is already in use`,
      cause,
    );
  }
  if (code === "EMSGSIZE") {
    return new TransportError("too_large", `${what}: ${detail}`, cause);
  }
  if (
    CLOSED_NAMES.has(name) || code === "ERR_SOCKET_DGRAM_NOT_RUNNING" ||
    detail === "Socket is closed"
  ) {
    return new TransportError("closed", `${what}: the transport is closed`, cause);
  }
  if (BAD_ADDRESS_CODES.has(code) || name === "AddrNotAvailable") {
    return new TransportError("bad_address", `${what}: ${detail}`, cause);
  }
  return new TransportError(
    op === "bind" ? "bind_failed" : "send_failed",
    `${what}: ${detail}`,
    cause,
  );
}
