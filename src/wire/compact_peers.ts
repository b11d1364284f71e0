/**
 * Compact peer info (BEP 5): a peer's address as one byte string, 4-byte IPv4 address and
 * 2-byte port (6 bytes), or with a 16-byte IPv6 address (18 bytes, BEP 32). `get_peers` replies
 * carry a list of them in `values`.
 *
 * @module
 */
import { bytesToIPv4, bytesToIPv6, ipv6ToBytes, writeIPv4 } from "./ip.ts";

/** A peer's address. */
export interface PeerAddress {
  /** IP literal. */
  readonly host: string;
  /** Port, 1–65535. */
  readonly port: number;
}

/** Bytes of an IPv4 compact peer. */
export const COMPACT_PEER_IPV4_LENGTH = 6;
/** Bytes of an IPv6 compact peer. */
export const COMPACT_PEER_IPV6_LENGTH = 18;

/**
 * Packs one address.
 *
 * @param peer the address
 * @returns 6 or 18 bytes, or `undefined` if the host is not an IP literal
 */
export function encodeCompactPeer(peer: PeerAddress): Uint8Array | undefined {
  let out: Uint8Array;
  if (peer.host.includes(":")) {
    const ip = ipv6ToBytes(peer.host);
    if (!ip) return undefined;
    out = new Uint8Array(COMPACT_PEER_IPV6_LENGTH);
    out.set(ip);
  } else {
    out = new Uint8Array(COMPACT_PEER_IPV4_LENGTH);
    if (!writeIPv4(peer.host, out, 0)) return undefined;
  }
  out[out.length - 2] = peer.port >> 8;
  out[out.length - 1] = peer.port & 0xff;
  return out;
}

/**
 * Unpacks one address.
 *
 * @param data 6 or 18 bytes
 * @returns the address, or `undefined` for another length or port 0
 */
export function decodeCompactPeer(data: Uint8Array): PeerAddress | undefined {
  if (data.length !== COMPACT_PEER_IPV4_LENGTH && data.length !== COMPACT_PEER_IPV6_LENGTH) {
    return undefined;
  }
  const port = (data[data.length - 2]! << 8) | data[data.length - 1]!;
  if (port === 0) return undefined;
  const host = data.length === COMPACT_PEER_IPV4_LENGTH ? bytesToIPv4(data) : bytesToIPv6(data);
  return { host, port };
}
