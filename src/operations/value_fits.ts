/**
 * Checks, before any traffic, that a value fits in one datagram in the node's codec: in the
 * `store` query that carries it and in the `find_value` reply that returns it. JSON writes
 * bytes as base64 (4 characters per 3 bytes) and escapes some text, so the limit depends on the
 * codec and on the value; the error names the effective limit.
 *
 * @module
 */
import { CLIENT_VERSION } from "../constants.ts";
import type { Codec, WireDict } from "../wire/codec.ts";
import { buildQueryEnvelope, buildResponseEnvelope } from "../wire/envelope.ts";
import type { TypedValue } from "../wire/value.ts";
import { findValue } from "../rpc/methods/find_value.ts";
import { store } from "../rpc/methods/store.ts";

const T = new Uint8Array(2);
// The largest wall-clock times and lifetimes encode in the most digits.
const LATEST = 2 ** 45;
// The longest `ip` a reply carries: an IPv6 address and port (BEP 42).
const IPV6_REQUESTER = { host: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", port: 65535 };

/** The larger of the two datagrams that carry `value`: its store query and its find_value reply. */
function carriedSize(
  codec: Codec,
  id: Uint8Array,
  target: Uint8Array,
  value: TypedValue,
  name: string | undefined,
): number {
  const query = codec.encode(versioned(buildQueryEnvelope(
    T,
    store.name,
    store.encodeArgs({ id, target, value, publishedAt: LATEST, ttlMs: LATEST, name }),
  )));
  const reply = codec.encode(versioned(buildResponseEnvelope(
    T,
    findValue.encodeReply(
      { id, record: { value, publishedAt: LATEST, ttlMs: LATEST }, nodes: [] },
      { id, target },
      { from: IPV6_REQUESTER, readOnly: false },
    ),
    IPV6_REQUESTER,
  )));
  return Math.max(query.length, reply.length);
}

/** Every message the node sends carries its client version (BEP 5 `v`). */
function versioned(tree: WireDict): WireDict {
  tree.v = CLIENT_VERSION;
  return tree;
}

/**
 * Throws if `value` cannot travel in one datagram.
 *
 * @param codec the node's codec
 * @param maxDatagramSize the transport's datagram limit
 * @param id this node's id
 * @param target the key's 20-byte id
 * @param value the value to check
 * @param name the key's name, when it travels with the record
 * @throws {RangeError} naming the largest value of the same type that would fit
 */
export function checkValueFits(
  codec: Codec,
  maxDatagramSize: number,
  id: Uint8Array,
  target: Uint8Array,
  value: TypedValue,
  name?: string,
): void {
  if (carriedSize(codec, id, target, value, name) <= maxDatagramSize) return;
  // The largest value of this type (bytes, or ASCII text) that fits: a binary search.
  const sample = (n: number): TypedValue =>
    typeof value === "string" ? "x".repeat(n) : new Uint8Array(n);
  let lo = 0;
  let hi = maxDatagramSize;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (carriedSize(codec, id, target, sample(mid), name) <= maxDatagramSize) lo = mid;
    else hi = mid - 1;
  }
  const kind = typeof value === "string" ? "characters of ASCII text" : "bytes";
  throw new RangeError(
    `Invalid value: it does not fit in one ${codec.name} datagram of ${maxDatagramSize} bytes ` +
      `(maxDatagramSize); at most ${lo} ${kind} fit with this key`,
  );
}
