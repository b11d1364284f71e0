/**
 * The BEP 44 read: a lookup with `get` queries that keeps only items that prove they belong to
 * the target (BEP 44: an immutable item's value hashes to it; a mutable item's key and salt
 * hash to it and its signature verifies), and collects the write tokens a put needs.
 *
 * An immutable item is the same wherever it is found, so the first valid one ends the lookup.
 * A mutable item is asked for until the lookup ends among the k closest, and the one with the
 * highest `seq` wins: a copy with a lower `seq` that arrives later never replaces it, and a
 * forged or mis-keyed copy is discarded without stopping the lookup (reliability.md B25, S10).
 *
 * @module
 */
import { idsEqual, idToHex } from "../id/node_id.ts";
import { sha1 } from "../id/sha1.ts";
import { type MutableItem, mutableItemTarget, verifyMutableItem } from "../records/bep44.ts";
import type { Ed25519 } from "../records/ed25519.ts";
import type { ItemValue } from "../records/item_value.ts";
import type { LookupReply } from "../lookup/lookup.ts";
import { get, type GotItem } from "../rpc/methods/get.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";
import { ask } from "./ask.ts";
import { runLookup } from "./run_lookup.ts";
import type { Services } from "./services.ts";

/** A verified item. */
export interface FoundItem {
  /** The value. */
  readonly value: ItemValue;
  /** Its bencoding. */
  readonly encodedValue: Uint8Array;
  /** For a mutable item: key, signature, `seq` and salt. */
  readonly mutable?: MutableItem | undefined;
}

/** Which item to look for. */
export interface ItemTarget {
  /** The 20-byte target. */
  readonly target: Uint8Array;
  /** For a mutable item: the key and salt it must be signed under, and a verifier. */
  readonly mutable?: {
    readonly publicKey: Uint8Array;
    readonly salt?: Uint8Array | undefined;
    readonly ed25519: Ed25519;
  } | undefined;
}

/** What a `get` lookup saw. */
export interface ItemLookup {
  /** The item: the first valid immutable one, or the mutable one with the highest `seq`. */
  readonly item: FoundItem | undefined;
  /** The k closest nodes that answered, nearest first. */
  readonly closest: readonly NodeInfo[];
  /** The write token each node gave, by node id (hex). */
  readonly tokens: ReadonlyMap<string, Uint8Array>;
  /** The valid item each node answered with, by node id (hex). */
  readonly held: ReadonlyMap<string, FoundItem>;
  /** Items that came back and failed verification. */
  readonly discarded: number;
}

/**
 * Checks that an item a node sent belongs to the target.
 *
 * @param got what the `get` reply carried
 * @param wanted the target, and for a mutable item its key and salt
 * @returns the item, or undefined if it does not prove it belongs
 */
export function verifyGotItem(got: GotItem, wanted: ItemTarget): FoundItem | undefined {
  const mutable = wanted.mutable;
  if (mutable === undefined) {
    return idsEqual(sha1(got.encodedValue), wanted.target)
      ? { value: got.value, encodedValue: got.encodedValue }
      : undefined;
  }
  const { publicKey, signature, seq } = got;
  if (publicKey === undefined || signature === undefined || seq === undefined) return undefined;
  if (!idsEqual(mutableItemTarget(publicKey, mutable.salt), wanted.target)) return undefined;
  const item: MutableItem = mutable.salt && mutable.salt.length > 0
    ? { publicKey, signature, seq, encodedValue: got.encodedValue, salt: mutable.salt }
    : { publicKey, signature, seq, encodedValue: got.encodedValue };
  if (!verifyMutableItem(item, mutable.ed25519)) return undefined;
  return { value: got.value, encodedValue: got.encodedValue, mutable: item };
}

/**
 * How much farther a read looks when the first pass found nothing: a second pass starts from
 * this many times k of our contacts nearest the target and goes on until as many of the
 * nodes nearest it have answered. An item can sit on nodes that are not among the k closest
 * to its target: put before they were (a network of the other library that ours joined later,
 * an island reached through one link) and not re-put since (BEP 44 expects a re-put every
 * hour). Nodes already asked are not asked again, so a miss costs about 2k more queries,
 * and a hit nothing. Holders that no node we reach keeps in its routing table stay out of
 * reach, as in any Kademlia network, until the item is put again.
 */
export const MISS_WIDENING = 3;

/**
 * Looks an item up.
 *
 * @param services the running node
 * @param wanted the target, and for a mutable item its key and salt
 * @param options `read`: a read, which ends an immutable lookup at the first valid item and
 *   looks {@linkcode MISS_WIDENING} times farther after a miss; a put's lookup instead asks
 *   the k closest for their tokens; abort signal
 * @returns the item found and what the put phase needs
 */
export async function lookupItem(
  services: Services,
  wanted: ItemTarget,
  options: { read: boolean; signal: AbortSignal },
): Promise<ItemLookup> {
  const { context } = services;
  const { signal } = options;
  const tokens = new Map<string, Uint8Array>();
  const held = new Map<string, FoundItem>();
  // Replies already received, so a widened pass does not ask a node twice.
  const replies = new Map<string, Promise<LookupReply<FoundItem>>>();
  let discarded = 0;
  let best: FoundItem | undefined;
  const ask1 = async (node: NodeInfo): Promise<LookupReply<FoundItem>> => {
    const reply = await ask(services, node, get, { id: context.id, target: wanted.target }, signal);
    const key = idToHex(node.id);
    if (reply.token) tokens.set(key, reply.token);
    let found: FoundItem | undefined;
    if (reply.item) {
      found = verifyGotItem(reply.item, wanted);
      if (found) held.set(key, found);
      else discarded++;
    } else if (reply.dropped) {
      discarded++;
    }
    return { nodes: reply.nodes, found };
  };
  const pass = (k: number, extraSeeds?: readonly NodeInfo[]) =>
    runLookup<FoundItem>(services, wanted.target, {
      method: get.name,
      signal,
      k,
      extraSeeds,
      query: (node) => {
        const key = idToHex(node.id);
        let reply = replies.get(key);
        if (reply === undefined) {
          reply = ask1(node);
          replies.set(key, reply);
        }
        return reply;
      },
      onFound: (found) => {
        // Highest seq wins; an equal or lower one arriving later never replaces it.
        const seq = found.mutable?.seq ?? 0;
        if (best === undefined || seq > (best.mutable?.seq ?? 0)) best = found;
        return options.read && wanted.mutable === undefined;
      },
      // Nothing found yet: a slow holder must not pass for an absent item. A mutable item is
      // waited for anyway: a slow node may hold a newer seq than the fast ones.
      awaitSlow: () => wanted.mutable !== undefined || best === undefined,
    });
  let result = await pass(context.k);
  if (options.read && best === undefined && result.answered.length >= context.k) {
    result = await pass(context.k * MISS_WIDENING, result.answered);
  }
  return { item: best, closest: result.closest.slice(0, context.k), tokens, held, discarded };
}

/**
 * `getImmutable`: this node's copy, else the first valid copy in the network.
 *
 * @param services the running node
 * @param target the 20-byte target
 * @param signal aborts the lookup
 */
export async function getImmutableItem(
  services: Services,
  target: Uint8Array,
  signal: AbortSignal,
): Promise<FoundItem | undefined> {
  const local = services.context.items.get(target);
  if (local !== undefined && local.mutable === undefined) return local;
  return (await lookupItem(services, { target }, { read: true, signal })).item;
}

/**
 * `getMutable`: the valid copy with the highest `seq`, in the network or here.
 *
 * @param services the running node
 * @param publicKey the publisher's key
 * @param salt the salt, if any
 * @param ed25519 the verifier
 * @param signal aborts the lookup
 */
export async function getMutableItem(
  services: Services,
  publicKey: Uint8Array,
  salt: Uint8Array | undefined,
  ed25519: Ed25519,
  signal: AbortSignal,
): Promise<(FoundItem & { readonly mutable: MutableItem }) | undefined> {
  const target = mutableItemTarget(publicKey, salt);
  const wanted = { target, mutable: { publicKey, salt, ed25519 } };
  const found = (await lookupItem(services, wanted, { read: true, signal })).item;
  const local = services.context.items.get(target);
  let best = found?.mutable ? found as FoundItem & { mutable: MutableItem } : undefined;
  if (local?.mutable && (best === undefined || local.mutable.seq > best.mutable.seq)) {
    best = { value: local.value, encodedValue: local.encodedValue, mutable: local.mutable };
  }
  return best;
}
