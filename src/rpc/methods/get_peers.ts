/**
 * `get_peers` (BEP 5): who provides the content under an info hash. The reply always carries a
 * write `token` (bound to the requester's IP and the info hash, for a later `announce_peer`) and
 * the contacts nearest the info hash in `nodes`/`nodes6` (as libtorrent does, even beside
 * values, so a walk can go on); when the responder holds providers, `values` lists them as
 * compact peer info (6-byte IPv4 or 18-byte IPv6 strings, of the requester's family).
 *
 * Our extension: `ids`, a list as long as `values` holding each provider's 20-byte node id in
 * the same order, so `findProviders` can say which node provides. BEP 5 clients ignore it; a
 * reply without it (a mainline node's) gives providers whose id is unknown.
 *
 * @module
 */
import { MAX_PROVIDERS_PER_REPLY } from "../../constants.ts";
import type { NodeContext } from "../../node_context.ts";
import type { Codec, WireDict, WireValue } from "../../wire/codec.ts";
import type { NodeInfo } from "../../wire/compact_nodes.ts";
import { decodeCompactPeer, encodeCompactPeer } from "../../wire/compact_peers.ts";
import type { KrpcMethod, MethodReply } from "../method.ts";
import { MalformedFieldError } from "../method.ts";
import { readId, readNodes, replyFamilies, writeNodes } from "./_fields.ts";
import { decodeTargetArgs, encodeTargetArgs, type FindNodeArgs } from "./find_node.ts";

/** A provider as a `get_peers` reply lists it. */
export interface PeerEntry {
  /** The provider's node id, when the responder said (our `ids` extension). */
  readonly id: Uint8Array | undefined;
  /** Its IP. */
  readonly host: string;
  /** Its port. */
  readonly port: number;
}

/** Reply of `get_peers`. */
export interface GetPeersReply extends MethodReply {
  /** Contacts nearest the info hash. */
  readonly nodes: readonly NodeInfo[];
  /** The write token for `announce_peer`, if the responder gave one. */
  readonly token?: Uint8Array | undefined;
  /** The providers the responder holds. */
  readonly peers: readonly PeerEntry[];
}

/** The `get_peers` method; `target` holds the info hash. */
export const getPeers: KrpcMethod<FindNodeArgs, GetPeersReply, NodeContext> = {
  name: "get_peers",
  encodeArgs: (args) => encodeTargetArgs(args, "info_hash"),
  decodeArgs: (codec, a) => decodeTargetArgs(codec, a, "info_hash"),
  handle: (context, args, query) => ({
    id: context.id,
    nodes: context.keeper.closest(args.target, context.k, args.id),
    token: context.tokens.issue(query.from.host, args.target),
    // BEP 32: values of the requester's own family.
    peers: context.providers.get(
      args.target,
      context.providersPerReply,
      query.from.host.includes(":") ? 6 : 4,
    ),
  }),
  encodeReply: (reply, args, query) => {
    const r: WireDict = { id: reply.id };
    if (reply.token) r.token = reply.token;
    writeNodes(r, reply.nodes, replyFamilies(args.want, query.from.host));
    const values: WireValue[] = [];
    const ids: WireValue[] = [];
    for (const peer of reply.peers) {
      const packed = encodeCompactPeer(peer);
      if (!packed || !peer.id) continue;
      values.push(packed);
      ids.push(peer.id);
    }
    if (values.length > 0) {
      r.values = values;
      r.ids = ids;
    }
    return r;
  },
  decodeReply: (codec, r) => {
    const id = readId(codec, r, "id", "r");
    let token: Uint8Array | undefined;
    if ("token" in r) {
      token = codec.bytes(r.token);
      if (!token) throw new MalformedFieldError("'r.token' must be a byte string");
    }
    return { id, token, nodes: readNodes(codec, r), peers: readPeers(codec, r) };
  },
};

/**
 * Reads `values` and, when it lines up with them, `ids`. Entries that are not compact peer
 * info (wrong length, port 0) are skipped, as bittorrent-dht and libtorrent do.
 */
function readPeers(codec: Codec, r: WireDict): PeerEntry[] {
  if (!("values" in r)) return [];
  const values = r.values;
  if (!Array.isArray(values)) throw new MalformedFieldError("'r.values' must be a list");
  const ids = Array.isArray(r.ids) && r.ids.length === values.length ? r.ids : undefined;
  const peers: PeerEntry[] = [];
  values.forEach((value, index) => {
    const packed = codec.bytes(value);
    const address = packed && decodeCompactPeer(packed);
    if (!address) return;
    const peerId = ids ? codec.bytes(ids[index]) : undefined;
    peers.push({ id: peerId?.length === 20 ? peerId : undefined, ...address });
  });
  return peers;
}

/** The most a provider adds to a reply: an 18-byte IPv6 peer and a 20-byte id, as JSON base64. */
const BYTES_PER_PROVIDER = 58;

/**
 * How many providers a `get_peers` reply may carry and still fit in one datagram, in either
 * codec, with `k` contacts of both families beside them.
 *
 * @param maxDatagramSize the node's datagram limit
 * @param k contacts per node list
 * @returns at least 1, at most {@linkcode MAX_PROVIDERS_PER_REPLY}
 */
export function providersPerReply(maxDatagramSize: number, k: number): number {
  // Envelope, ids, token and `ip`, then `nodes` and `nodes6` as base64.
  const rest = 300 + Math.ceil((k * (26 + 38) * 4) / 3);
  const fit = Math.floor((maxDatagramSize - rest) / BYTES_PER_PROVIDER);
  return Math.max(1, Math.min(MAX_PROVIDERS_PER_REPLY, fit));
}
