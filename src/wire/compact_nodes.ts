/**
 * Compact node info: how KRPC packs contacts into one byte string. BEP 5: 20-byte id, 4-byte
 * IPv4 address, 2-byte port (26 bytes each) in `nodes`; BEP 32: the same with a 16-byte IPv6
 * address (38 bytes each) in `nodes6`.
 *
 * @module
 */
import { bytesToIPv4, bytesToIPv6, ipv6ToBytes, writeIPv4 } from "./ip.ts";

/** A contact as it travels on the wire: id and UDP address. */
export interface NodeInfo {
  /** The 20-byte node id. */
  readonly id: Uint8Array;
  /** IP literal. */
  readonly host: string;
  /** UDP port, 1–65535. */
  readonly port: number;
}

const ID = 20;
/** Bytes per IPv4 entry in `nodes` (BEP 5). */
export const COMPACT_IPV4_LENGTH = 26;
/** Bytes per IPv6 entry in `nodes6` (BEP 32). */
export const COMPACT_IPV6_LENGTH = 38;

/**
 * Packs the contacts of one address family; contacts of the other family are skipped.
 *
 * @param nodes contacts to pack
 * @param family 4 for `nodes`, 6 for `nodes6`
 * @returns the concatenated entries
 */
export function encodeCompactNodes(nodes: readonly NodeInfo[], family: 4 | 6): Uint8Array {
  const size = family === 4 ? COMPACT_IPV4_LENGTH : COMPACT_IPV6_LENGTH;
  const out = new Uint8Array(nodes.length * size);
  let offset = 0;
  for (const node of nodes) {
    if (node.id.length !== ID) continue;
    if (family === 4) {
      if (!writeIPv4(node.host, out, offset + ID)) continue;
    } else {
      const ip = node.host.includes(":") ? ipv6ToBytes(node.host) : undefined;
      if (!ip) continue;
      out.set(ip, offset + ID);
    }
    out.set(node.id, offset);
    out[offset + size - 2] = node.port >> 8;
    out[offset + size - 1] = node.port & 0xff;
    offset += size;
  }
  return offset === out.length ? out : out.slice(0, offset);
}

/**
 * The most entries read from one `nodes` or `nodes6` field: the largest k a node may ask for.
 * Entries past it are ignored, which also bounds the work a hostile reply can cause.
 */
export const MAX_COMPACT_NODES = 256;

/**
 * Unpacks `nodes` or `nodes6`. A length that is not a multiple of the entry size makes the
 * whole field invalid (`undefined`); single entries that cannot be contacted (port 0, an
 * unspecified, multicast or broadcast address) are skipped, as are duplicate ids and entries
 * past {@linkcode MAX_COMPACT_NODES}.
 *
 * @param data the field's bytes
 * @param family 4 for `nodes`, 6 for `nodes6`
 */
export function decodeCompactNodes(data: Uint8Array, family: 4 | 6): NodeInfo[] | undefined {
  const size = family === 4 ? COMPACT_IPV4_LENGTH : COMPACT_IPV6_LENGTH;
  if (data.length % size !== 0) return undefined;
  const end = Math.min(data.length, MAX_COMPACT_NODES * size);
  const nodes: NodeInfo[] = [];
  for (let offset = 0; offset < end; offset += size) {
    const port = (data[offset + size - 2]! << 8) | data[offset + size - 1]!;
    if (port === 0 || !isContactable(data, offset + ID, family)) continue;
    if (hasId(nodes, data, offset)) continue;
    const host = family === 4 ? bytesToIPv4(data, offset + ID) : bytesToIPv6(data, offset + ID);
    // A view, not a copy (an allocation per node): `data` is the decoded field, the reply's
    // own, and the routing table copies the ids it keeps.
    nodes.push({ id: data.subarray(offset, offset + ID), host, port });
  }
  return nodes;
}

function hasId(nodes: readonly NodeInfo[], data: Uint8Array, offset: number): boolean {
  for (let n = 0; n < nodes.length; n++) if (sameId(nodes[n]!.id, data, offset)) return true;
  return false;
}

function sameId(id: Uint8Array, data: Uint8Array, offset: number): boolean {
  for (let i = 0; i < ID; i++) if (id[i] !== data[offset + i]) return false;
  return true;
}

function isContactable(data: Uint8Array, at: number, family: 4 | 6): boolean {
  const first = data[at]!;
  if (family === 4) {
    // 0.0.0.0/8 is "this network", 224/4 multicast, 240/4 reserved and broadcast.
    return first !== 0 && first < 224;
  }
  if (first === 0xff) return false; // multicast
  for (let i = 0; i < 16; i++) if (data[at + i] !== 0) return true;
  return false; // ::
}
