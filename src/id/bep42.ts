/**
 * BEP 42 secure node ids: a node id whose first 21 bits are bound to the node's external IP,
 * so that placing 8 nodes next to a chosen key takes 8 addresses in 8 different subnets
 * instead of 8 random draws.
 *
 * The prefix is `crc32c((ip & 0x030f3fff) | (r << 29))` for IPv4 and
 * `crc32c((ip & 0x0103070f1f3f7fff) | (r << 61))` over the high 64 bits of an IPv6 address,
 * both hashed as big-endian bytes, where `r` (0–7) is kept in the low 3 bits of the id's last
 * byte. The other 5 bits of the last byte and bytes 3–18 are free, so one IP still has
 * 2^136 ids to choose from, 8 prefixes of which are valid.
 *
 * Like libtorrent (`verify_id`), only the low 3 bits of the last byte count as `r`; the BEP's
 * reference code writes a random byte there (its second test vector ends in 0x56, r = 6).
 *
 * An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, what a dual-stack socket reports for an IPv4
 * peer) is treated as the IPv4 address it maps: the peer computed its id from that address.
 *
 * @module
 */
import type { Random } from "../random.ts";
import { ipv6ToBytes, writeIPv4 } from "../wire/ip.ts";
import { crc32c } from "./crc32c.ts";
import { ID_LENGTH, isNodeId, randomId } from "./node_id.ts";

/** Leading bits of a node id that BEP 42 binds to the node's IP. */
export const BEP42_PREFIX_BITS = 21;

const V4_MASK = [0x03, 0x0f, 0x3f, 0xff];
const V6_MASK = [0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff];

/** Scratch buffers: the masked address is hashed right away, never kept. */
const V4_INPUT = new Uint8Array(4);
const V6_INPUT = new Uint8Array(8);
/** The parsed IPv4 address, read at once by every caller (this runs for every contact seen). */
const V4_ADDRESS = new Uint8Array(4);

/**
 * The address bytes of an IP literal: 4 for IPv4 (and IPv4-mapped IPv6), 16 for IPv6.
 * A zone suffix (`fe80::1%eth0`) is ignored. An IPv4 result is a shared scratch buffer: read
 * it before the next call.
 */
function addressBytes(ip: string, what: string): Uint8Array {
  if (typeof ip === "string") {
    if (writeIPv4(ip, V4_ADDRESS, 0)) return V4_ADDRESS;
    const zone = ip.indexOf("%");
    const v6 = ipv6ToBytes(zone >= 0 ? ip.slice(0, zone) : ip);
    if (v6) return isV4Mapped(v6) ? v6.slice(12) : v6;
  }
  const got = typeof ip === "string" ? `"${ip}"` : String(ip);
  throw new TypeError(`${what}: 'ip' must be an IPv4 or IPv6 literal, got ${got}`);
}

/** True for `::ffff:0:0/96`. */
function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/** The CRC-32C of the masked address with `r` in its top 3 bits (BEP 42 §Node ID restriction). */
function prefixCrc(address: Uint8Array, r: number): number {
  const v4 = address.length === 4;
  const input = v4 ? V4_INPUT : V6_INPUT;
  const mask = v4 ? V4_MASK : V6_MASK;
  for (let i = 0; i < input.length; i++) input[i] = address[i]! & mask[i]!;
  input[0] = input[0]! | ((r & 7) << 5);
  return crc32c(input);
}

function assertId(id: unknown, what: string): asserts id is Uint8Array {
  if (!isNodeId(id)) {
    const got = id instanceof Uint8Array ? `${id.length} bytes` : String(id);
    throw new TypeError(`${what}: 'id' must be a ${ID_LENGTH}-byte Uint8Array, got ${got}`);
  }
}

/**
 * Copies `id` with its first 21 bits replaced by the BEP 42 prefix for `ip`, taking `r` from
 * the low 3 bits of the id's last byte. Every other bit is kept, so `withBep42Prefix(id, ip)`
 * of an id that is already secure for `ip` returns an equal id.
 *
 * @example
 * ```ts
 * import { withBep42Prefix } from "./bep42.ts";
 * import { idToHex } from "./node_id.ts";
 * const id = new Uint8Array(20);
 * id[19] = 1; // r = 1
 * const secure = withBep42Prefix(id, "124.31.75.21"); // BEP 42's first test vector
 * console.log(idToHex(secure).slice(0, 6)); // "5fbfb8": 21 bits from the IP, 3 kept from id
 * ```
 *
 * @param id a 20-byte id supplying the free bits and `r`
 * @param ip the node's external IPv4 or IPv6 address, as a literal
 * @returns a new 20-byte id that {@linkcode isSecureNodeId} accepts for `ip`
 * @throws {TypeError} if `id` is not a 20-byte Uint8Array or `ip` is not an IP literal
 */
export function withBep42Prefix(id: Uint8Array, ip: string): Uint8Array {
  const what = "Cannot derive BEP 42 node id";
  assertId(id, what);
  const crc = prefixCrc(addressBytes(ip, what), id[ID_LENGTH - 1]!);
  const out = id.slice();
  out[0] = crc >>> 24;
  out[1] = (crc >>> 16) & 0xff;
  out[2] = ((crc >>> 8) & 0xf8) | (id[2]! & 0x07);
  return out;
}

/**
 * Draws a random node id that is secure for `ip` (BEP 42): 21 bits from the IP, the rest
 * (including `r`) from `random`.
 *
 * @example
 * ```ts
 * import { isSecureNodeId, secureNodeId } from "./bep42.ts";
 * import { cryptoRandom } from "../random.ts";
 * const id = secureNodeId("203.0.113.7", cryptoRandom);
 * console.log(isSecureNodeId(id, "203.0.113.7")); // true
 * ```
 *
 * @param ip the node's external IPv4 or IPv6 address, as a literal
 * @param random where the free bits come from
 * @returns a new 20-byte id
 * @throws {TypeError} if `ip` is not an IP literal
 */
export function secureNodeId(ip: string, random: Random): Uint8Array {
  addressBytes(ip, "Cannot derive BEP 42 node id"); // fail before drawing
  return withBep42Prefix(randomId(random), ip);
}

/**
 * Tells whether `id` carries the BEP 42 prefix for `ip`. This is the bare check: an id seen
 * from a local address fails it like any other; use {@linkcode isBep42Compliant} to apply
 * BEP 42's exemption of local networks.
 *
 * @param id a 20-byte node id
 * @param ip the address the id was seen from, as a literal
 * @returns true if the first 21 bits of `id` match the prefix for `ip` and `id[19] & 7`
 * @throws {TypeError} if `id` is not a 20-byte Uint8Array or `ip` is not an IP literal
 */
export function isSecureNodeId(id: Uint8Array, ip: string): boolean {
  const what = "Cannot check BEP 42 node id";
  assertId(id, what);
  const crc = prefixCrc(addressBytes(ip, what), id[ID_LENGTH - 1]!);
  return id[0] === crc >>> 24 && id[1] === ((crc >>> 16) & 0xff) &&
    (id[2]! & 0xf8) === ((crc >>> 8) & 0xf8);
}

/**
 * Tells whether BEP 42 exempts `ip` from id verification because it is a local address, whose
 * owner cannot know the external IP its id should be bound to.
 *
 * Exempt: BEP 42's list (10/8, 172.16/12, 192.168/16, 169.254/16, 127/8); 100.64/10 (RFC 6598
 * carrier-grade NAT, exempt in libtorrent's `is_local` too); IPv6 loopback `::1`, unique local
 * fc00::/7, link-local fe80::/10 and the deprecated site-local fec0::/10 (libtorrent's list);
 * and IPv4-mapped forms of the IPv4 ranges. The unspecified addresses are not exempt.
 *
 * @param ip an IP literal
 * @returns true if nodes at `ip` are not held to BEP 42
 * @throws {TypeError} if `ip` is not an IP literal
 */
export function isBep42Exempt(ip: string): boolean {
  const b = addressBytes(ip, "Cannot check BEP 42 exemption");
  if (b.length === 4) {
    const a = b[0]!;
    const c = b[1]!;
    return a === 10 || a === 127 || (a === 172 && (c & 0xf0) === 16) ||
      (a === 192 && c === 168) || (a === 169 && c === 254) || (a === 100 && (c & 0xc0) === 64);
  }
  if ((b[0]! & 0xfe) === 0xfc) return true; // fc00::/7
  if (b[0] === 0xfe && (b[1]! & 0x80) === 0x80) return true; // fe80::/10 and fec0::/10
  for (let i = 0; i < 15; i++) if (b[i] !== 0) return false;
  return b[15] === 1; // ::1
}

/**
 * Tells whether a node at `ip` may use `id` under BEP 42: either the id is secure for the IP
 * or the IP is exempt ({@linkcode isBep42Exempt}). This is libtorrent's `verify_id`. BEP 42
 * §Enforcement: a node that fails it still gets answers to its queries, but is not a storage
 * target and does not count towards a lookup's termination.
 *
 * @example
 * ```ts
 * import { isBep42Compliant } from "./bep42.ts";
 * console.log(isBep42Compliant(new Uint8Array(20), "127.0.0.1")); // true: loopback is exempt
 * console.log(isBep42Compliant(new Uint8Array(20), "203.0.113.7")); // false
 * ```
 *
 * @param id a 20-byte node id
 * @param ip the address the id was seen from, as a literal
 * @returns true if BEP 42 accepts `id` from `ip`
 * @throws {TypeError} if `id` is not a 20-byte Uint8Array or `ip` is not an IP literal
 */
export function isBep42Compliant(id: Uint8Array, ip: string): boolean {
  return isBep42Exempt(ip) || isSecureNodeId(id, ip);
}
