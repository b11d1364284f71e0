/**
 * The KRPC envelope (BEP 5) shared by every codec and every method: `{ t, y, q, a | r | e }`
 * plus `ro` (BEP 43), `ip` (BEP 42) and `v` (the client version). The arguments `a` and the
 * reply `r` are left as dictionaries: each method file (src/rpc/methods/) reads and writes its
 * own fields, so adding a method never touches this file.
 *
 * Every envelope field is checked before use (reliability.md §a). A datagram that fails a check
 * is reported as malformed, keeping `t` and `y` when they were readable, so that a bad query can
 * get a short 203 error and a bad reply can fail its transaction.
 *
 * @module
 */
import type { Codec, WireDict, WireValue } from "./codec.ts";
import { bytesToIPv4, bytesToIPv6, ipv6ToBytes, writeIPv4 } from "./ip.ts";
import type { Address } from "../transport/datagram_transport.ts";

/** KRPC error codes: BEP 5's four, and BEP 44's, which our refusals reuse. */
export const ErrorCode = {
  /** Generic error. */
  Generic: 201,
  /** Server error: the node could not serve the query (overloaded, storage full). */
  Server: 202,
  /** Protocol error: malformed packet, invalid arguments or bad token. */
  Protocol: 203,
  /** Method unknown. */
  MethodUnknown: 204,
  /** BEP 44: the value is too big. */
  ValueTooBig: 205,
  /** BEP 44: the signature is invalid. */
  InvalidSignature: 206,
  /** BEP 44: the salt is too big. */
  SaltTooBig: 207,
  /** BEP 44: the compare-and-swap sequence number did not match. */
  CasMismatch: 301,
  /** BEP 44 (and our `store`): the record is older than the one held. */
  SequenceTooOld: 302,
} as const;

/** A query received: the method name and its raw arguments. */
export interface QueryEnvelope {
  readonly kind: "query";
  readonly t: Uint8Array;
  readonly method: string;
  readonly args: WireDict;
  /** BEP 43: the sender is read-only and must not be added to routing tables. */
  readonly readOnly: boolean;
}

/** A response received: the raw reply dictionary. */
export interface ResponseEnvelope {
  readonly kind: "response";
  readonly t: Uint8Array;
  readonly body: WireDict;
  /** BEP 42: our address as the responder saw it, when it said. */
  readonly ip: Address | undefined;
}

/** An error received. */
export interface ErrorEnvelope {
  readonly kind: "error";
  readonly t: Uint8Array;
  readonly code: number;
  readonly message: string;
}

/** A datagram that decoded but is not a valid KRPC envelope. */
export interface MalformedEnvelope {
  readonly kind: "malformed";
  readonly reason: string;
  readonly t?: Uint8Array;
  readonly y?: string;
}

/** Any envelope, parsed. */
export type Envelope = QueryEnvelope | ResponseEnvelope | ErrorEnvelope | MalformedEnvelope;

/** The longest transaction id we accept and echo (rakshasa/libtorrent#876: never echo more). */
export const MAX_TRANSACTION_ID_LENGTH = 20;

/**
 * True for a dictionary node (not bytes, text, a number or a list).
 *
 * @param value any decoded node
 */
export function isDict(value: WireValue | undefined): value is WireDict {
  return typeof value === "object" && value !== null && !(value instanceof Uint8Array) &&
    !Array.isArray(value);
}

function malformed(reason: string, t?: Uint8Array, y?: string): MalformedEnvelope {
  const result: { kind: "malformed"; reason: string; t?: Uint8Array; y?: string } = {
    kind: "malformed",
    reason,
  };
  if (t) result.t = t;
  if (y) result.y = y;
  return result;
}

/**
 * Validates a decoded tree as a KRPC envelope.
 *
 * @param codec the codec that decoded `tree` (it knows how leaves are typed)
 * @param tree the decoded datagram
 * @returns the envelope, or a `malformed` result saying why
 */
export function parseEnvelope(codec: Codec, tree: WireDict): Envelope {
  const y = codec.text(tree.y);
  const t = codec.bytes(tree.t);
  if (y !== "q" && y !== "r" && y !== "e") {
    // BEP 5 / libtorrent: never answer a message without a valid `y` (no amplification).
    return malformed("'y' must be one of q, r, e");
  }
  if (!t || t.length === 0 || t.length > MAX_TRANSACTION_ID_LENGTH) {
    return malformed(`'t' must be 1-${MAX_TRANSACTION_ID_LENGTH} bytes`);
  }
  if (y === "q") {
    const method = codec.text(tree.q);
    const args = tree.a;
    if (method === undefined || method.length === 0) return malformed("'q' missing", t, y);
    if (!isDict(args)) return malformed("'a' must be a dictionary", t, y);
    return { kind: "query", t, method, args, readOnly: tree.ro === 1 };
  }
  if (y === "r") {
    const body = tree.r;
    if (!isDict(body)) return malformed("'r' must be a dictionary", t, y);
    return { kind: "response", t, body, ip: readCompactAddress(codec.bytes(tree.ip)) };
  }
  const error = tree.e;
  if (!Array.isArray(error) || typeof error[0] !== "number") {
    return malformed("'e' must be a list [code, message]", t, y);
  }
  return { kind: "error", t, code: error[0], message: codec.text(error[1]) ?? "" };
}

/**
 * Builds a query envelope.
 *
 * @param t transaction id
 * @param method the method name (`q`)
 * @param args the method's arguments dictionary
 * @param readOnly set `ro: 1` (BEP 43)
 */
export function buildQueryEnvelope(
  t: Uint8Array,
  method: string,
  args: WireDict,
  readOnly = false,
): WireDict {
  const tree: WireDict = { t, y: "q", q: method, a: args };
  if (readOnly) tree.ro = 1;
  return tree;
}

/**
 * Builds a response envelope.
 *
 * @param t the transaction id of the query answered
 * @param body the method's reply dictionary
 * @param requester when given, its address goes in `ip` (BEP 42)
 */
export function buildResponseEnvelope(
  t: Uint8Array,
  body: WireDict,
  requester?: Address,
): WireDict {
  const tree: WireDict = { t, y: "r", r: body };
  const ip = requester && writeCompactAddress(requester);
  if (ip) tree.ip = ip;
  return tree;
}

/** Builds an error envelope `{ t, y: "e", e: [code, message] }`. */
export function buildErrorEnvelope(t: Uint8Array, code: number, message: string): WireDict {
  return { t, y: "e", e: [code, message] };
}

/** BEP 42 `ip`: 4-byte IPv4 or 16-byte IPv6 address, then a 2-byte port. */
function readCompactAddress(data: Uint8Array | undefined): Address | undefined {
  if (data?.length === 6) return { host: bytesToIPv4(data, 0), port: (data[4]! << 8) | data[5]! };
  if (data?.length === 18) {
    return { host: bytesToIPv6(data, 0), port: (data[16]! << 8) | data[17]! };
  }
  return undefined;
}

function writeCompactAddress(address: Address): Uint8Array | undefined {
  if (address.host.includes(":")) {
    const ip = ipv6ToBytes(address.host);
    if (!ip) return undefined;
    const out = new Uint8Array(18);
    out.set(ip);
    out[16] = address.port >> 8;
    out[17] = address.port & 0xff;
    return out;
  }
  const out = new Uint8Array(6);
  if (!writeIPv4(address.host, out, 0)) return undefined;
  out[4] = address.port >> 8;
  out[5] = address.port & 0xff;
  return out;
}
