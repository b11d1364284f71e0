/**
 * The BEP 44 write: a `get` lookup for the target collects the write tokens of the k closest
 * nodes (and what each already holds), then each of them gets a `put` with its own token. The
 * outcome says which nodes hold the item afterwards and why each other one does not.
 *
 * A node that already held exactly this mutable item and answers 302 to the put counts as
 * holding it: BEP 44 and our nodes refresh an equal `seq` with the same value, but
 * bittorrent-dht answers 302 to it, and either way the item is there. `cas` goes only to nodes
 * whose `get` returned an item (BEP 44: "SHOULD NOT be included" otherwise).
 *
 * @module
 */
import { RpcError } from "../errors.ts";
import { idToHex } from "../id/node_id.ts";
import { sha1 } from "../id/sha1.ts";
import { Peer } from "../peer.ts";
import { type MutableItem, mutableItemTarget, signMutableItem } from "../records/bep44.ts";
import type { Ed25519, Ed25519KeyPair } from "../records/ed25519.ts";
import type { ItemPutOutcome } from "../records/item_store.ts";
import type { EncodedItemValue } from "../records/item_value.ts";
import { put, type PutArgs } from "../rpc/methods/put.ts";
import { ErrorCode } from "../wire/envelope.ts";
import { ask } from "./ask.ts";
import { queryFailure, type QueryFailureReason } from "./failure_reason.ts";
import { type FoundItem, type ItemLookup, lookupItem } from "./get_item.ts";
import type { Services } from "./services.ts";

/** A peer that does not hold the item after a put, and why. */
export interface ItemPutFailure {
  /** The peer. */
  readonly peer: Peer;
  /**
   * Why: a query failure (`refused` with the KRPC `code`, `timeout`, ...), or `no_token` when
   * its `get` reply held no write token (BEP 5, BEP 44), so it was not asked.
   */
  readonly reason: QueryFailureReason | "no_token";
  /** The KRPC error code, when the peer refused. */
  readonly code?: number;
  /** What happened, for people. */
  readonly message: string;
}

/** What a put did. */
export interface ItemPutReport {
  /** The 20-byte target. */
  readonly target: Uint8Array;
  /** The peers that hold the item afterwards (they accepted it, or held it already). */
  readonly storedOn: Peer[];
  /** The peers that do not, each with the cause (refusals carry the KRPC code). */
  readonly failed: ItemPutFailure[];
  /** Whether this node keeps it too. */
  readonly storedLocally: boolean;
  /** Why this node does not, when it does not. */
  readonly localRefusal?: string | undefined;
}

/** What a mutable put did: the report and the `seq` that was signed. */
export interface MutablePutReport extends ItemPutReport {
  /** The sequence number put. */
  readonly seq: number;
}

/** A mutable put, checked by the caller. */
export interface MutablePutRequest {
  /** The publisher's key pair (the public key is the secret key's). */
  readonly keyPair: Ed25519KeyPair;
  /** The value and its bencoding. */
  readonly value: EncodedItemValue;
  /** Salt, at most 64 bytes; empty for none. */
  readonly salt?: Uint8Array | undefined;
  /** The `seq` to put; by default one more than the highest found (1 if none). */
  readonly seq?: number | undefined;
  /** Put only where the stored `seq` is this (BEP 44 compare-and-swap). */
  readonly cas?: number | undefined;
  /** Signs the item. */
  readonly ed25519: Ed25519;
}

/**
 * Puts an immutable item.
 *
 * @param services the running node
 * @param value the value and its bencoding
 * @param signal aborts the put
 */
export async function putImmutableItem(
  services: Services,
  value: EncodedItemValue,
  signal: AbortSignal,
): Promise<ItemPutReport> {
  const target = sha1(value.encoded);
  const local = services.context.items.putImmutable(target, value.value, value.encoded);
  const lookup = await lookupItem(services, { target }, { read: false, signal });
  const sent = await sendPuts(services, lookup, undefined, signal, (token) => ({
    id: services.context.id,
    token,
    value: value.value,
    encodedValue: value.encoded,
  }));
  return { target, ...sent, ...localOutcome(local) };
}

/**
 * Signs and puts a mutable item.
 *
 * @param services the running node
 * @param request the key pair, value, salt, seq and cas
 * @param signal aborts the put
 * @throws {RangeError} if no `seq` was given and the highest found is already the largest
 */
export async function putMutableItem(
  services: Services,
  request: MutablePutRequest,
  signal: AbortSignal,
): Promise<MutablePutReport> {
  const { keyPair, value, salt, cas, ed25519 } = request;
  const { context } = services;
  const target = mutableItemTarget(keyPair.publicKey, salt);
  const lookup = await lookupItem(services, {
    target,
    mutable: { publicKey: keyPair.publicKey, salt, ed25519 },
  }, { read: false, signal });
  const found = lookup.item;
  // The newest copy found is held here first (BEP 44 lets anyone re-put a signed item), so
  // this node judges the put as every holder will: an older seq is refused here too.
  if (found?.mutable) context.items.putMutable(target, found.value, found.mutable);
  const seq = request.seq ?? nextSeq(context.items.get(target)?.mutable);
  const item = signMutableItem({ seq, encodedValue: value.encoded, salt }, {
    ed25519,
    secretKey: keyPair.secretKey,
  });
  const local = context.items.putMutable(target, value.value, item, cas);
  const sent = await sendPuts(services, lookup, item, signal, (token, heldThere) => ({
    id: context.id,
    token,
    value: value.value,
    encodedValue: item.encodedValue,
    publicKey: item.publicKey,
    signature: item.signature,
    seq: item.seq,
    salt: item.salt,
    cas: heldThere ? cas : undefined,
  }));
  return { target, seq, ...sent, ...localOutcome(local) };
}

function nextSeq(held: MutableItem | undefined): number {
  const highest = held?.seq ?? -1;
  if (highest < 0) return 1;
  if (!Number.isSafeInteger(highest + 1)) {
    throw new RangeError(`Cannot put item: its seq ${highest} is already the largest allowed`);
  }
  return highest + 1;
}

function localOutcome(outcome: ItemPutOutcome): { storedLocally: boolean; localRefusal?: string } {
  return outcome.ok ? { storedLocally: true } : {
    storedLocally: false,
    localRefusal: `${outcome.code}: ${outcome.message}`,
  };
}

/** True if a node's `get` showed exactly this mutable item (same seq, same value). */
function holdsSame(held: FoundItem | undefined, item: MutableItem | undefined): boolean {
  const had = held?.mutable;
  if (had === undefined || item === undefined || had.seq !== item.seq) return false;
  const a = had.encodedValue;
  const b = item.encodedValue;
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

async function sendPuts(
  services: Services,
  lookup: ItemLookup,
  item: MutableItem | undefined,
  signal: AbortSignal,
  args: (token: Uint8Array, heldThere: boolean) => PutArgs,
): Promise<{ storedOn: Peer[]; failed: ItemPutFailure[] }> {
  const keeper = services.context.keeper;
  const storedOn: Peer[] = [];
  const failed: ItemPutFailure[] = [];
  await Promise.all(lookup.closest.map(async (node) => {
    const peer = Peer.fromNodeInfo(node);
    // BEP 42 §Enforcement: under secureContacts "require", only verified nodes store.
    if (!keeper.storeEligible(node)) return;
    const key = idToHex(node.id);
    const token = lookup.tokens.get(key);
    if (token === undefined) {
      failed.push({
        peer,
        reason: "no_token",
        message: `${peer} gave no write token for the target, so it was not asked to store`,
      });
      return;
    }
    const held = lookup.held.get(key);
    try {
      await ask(services, node, put, args(token, held !== undefined), signal);
      storedOn.push(peer);
    } catch (error) {
      signal.throwIfAborted();
      if (
        error instanceof RpcError && error.code === ErrorCode.SequenceTooOld &&
        holdsSame(held, item)
      ) {
        storedOn.push(peer); // it answered 302 because it already holds this very item
        return;
      }
      failed.push({ peer, ...queryFailure(error) });
    }
  }));
  return { storedOn, failed };
}
