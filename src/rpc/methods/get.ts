/**
 * `get` (BEP 44): the item stored under a target, with a write token for a later `put` and the
 * contacts nearest the target (BEP 44: replies "should always include nodes"). For a mutable
 * item the reply carries `k`, `sig` and `seq` beside `v`; when the request names a `seq` and
 * the item held is not newer, only `seq` is sent.
 *
 * The asking side reads what it can: a `v` it cannot use (an unsorted dictionary, fields of
 * the wrong size) is dropped with a reason and the reply's nodes are kept, so a lookup goes on
 * (reliability.md B25). Whether an item really belongs to the target is checked by the
 * operation that asked (src/operations/get_item.ts), which knows the key and salt.
 *
 * @module
 */
import type { NodeContext } from "../../node_context.ts";
import {
  BEP44_PUBLIC_KEY_LENGTH,
  BEP44_SIGNATURE_LENGTH,
  isValidSeq,
} from "../../records/bep44.ts";
import type { StoredItem } from "../../records/item_store.ts";
import type { ItemValue } from "../../records/item_value.ts";
import type { Codec, WireDict } from "../../wire/codec.ts";
import type { NodeInfo } from "../../wire/compact_nodes.ts";
import type { KrpcMethod, MethodArgs, MethodReply } from "../method.ts";
import { MalformedFieldError } from "../method.ts";
import { readId, readNodes, readWant, replyFamilies, writeNodes } from "./_fields.ts";
import { readItemValue, readOptionalBytes, readOptionalInteger } from "./_item_fields.ts";

/**
 * Contacts per family in a reply that carries an item: with a 1000-byte value, 8 of them (what
 * a mainline reply holds) keep the datagram near the 1,500-byte MTU.
 */
const NODES_WITH_ITEM = 8;

/** Arguments of `get`. */
export interface GetArgs extends MethodArgs {
  /** The 20-byte target. */
  readonly target: Uint8Array;
  /** Send the item only if its `seq` is greater than this. */
  readonly seq?: number | undefined;
  /** BEP 32 address families wanted ("n4", "n6"). */
  readonly want?: readonly string[] | undefined;
}

/** An item as a `get` reply carries it. */
export interface GotItem {
  /** `v`, byte strings as Uint8Array. */
  readonly value: ItemValue;
  /** `v` bencoded. */
  readonly encodedValue: Uint8Array;
  /** `k`, for a mutable item. */
  readonly publicKey?: Uint8Array | undefined;
  /** `sig`, for a mutable item. */
  readonly signature?: Uint8Array | undefined;
  /** `seq`, for a mutable item. */
  readonly seq?: number | undefined;
}

/** Reply of `get`. */
export interface GetReply extends MethodReply {
  /** The write token for a `put` under this target; absent when the node would not store it. */
  readonly token?: Uint8Array | undefined;
  /** Contacts nearest the target. */
  readonly nodes: readonly NodeInfo[];
  /** The item, when the node holds one (and it is newer than the `seq` asked for). */
  readonly item?: GotItem | undefined;
  /** The `seq` of the mutable item held, sent even when the item itself is left out. */
  readonly seq?: number | undefined;
  /** Asking side: why a `v` that came was not usable. */
  readonly dropped?: string | undefined;
}

function served(held: StoredItem | undefined, seq: number | undefined): GotItem | undefined {
  if (held === undefined) return undefined;
  const mutable = held.mutable;
  if (mutable === undefined) return { value: held.value, encodedValue: held.encodedValue };
  if (seq !== undefined && mutable.seq <= seq) return undefined;
  return {
    value: held.value,
    encodedValue: held.encodedValue,
    publicKey: mutable.publicKey,
    signature: mutable.signature,
    seq: mutable.seq,
  };
}

/** Reads `v`, `k`, `sig` and `seq` of a reply, or says why they are unusable. */
function readItem(
  codec: Codec,
  r: WireDict,
): { item?: GotItem; seq?: number; dropped?: string } {
  let seq: number | undefined;
  try {
    seq = readOptionalInteger(r, "seq", "r");
    if (seq !== undefined && !isValidSeq(seq)) return { dropped: `'r.seq' ${seq} is out of range` };
    if (!("v" in r)) return seq === undefined ? {} : { seq };
    const { value, encoded } = readItemValue(codec, r.v!, "r.v");
    const publicKey = readOptionalBytes(codec, r, "k", "r");
    const signature = readOptionalBytes(codec, r, "sig", "r");
    if (publicKey === undefined && signature === undefined && seq === undefined) {
      return { item: { value, encodedValue: encoded } };
    }
    if (
      publicKey?.length !== BEP44_PUBLIC_KEY_LENGTH ||
      signature?.length !== BEP44_SIGNATURE_LENGTH || seq === undefined
    ) {
      return { dropped: "a mutable item needs a 32-byte 'k', a 64-byte 'sig' and 'seq'" };
    }
    return { item: { value, encodedValue: encoded, publicKey, signature, seq }, seq };
  } catch (error) {
    if (error instanceof MalformedFieldError) return { dropped: error.message };
    throw error;
  }
}

/** The `get` method. */
export const get: KrpcMethod<GetArgs, GetReply, NodeContext> = {
  name: "get",
  encodeArgs: (args) => {
    const a: WireDict = { id: args.id, target: args.target };
    if (args.seq !== undefined) a.seq = args.seq;
    if (args.want) a.want = [...args.want];
    return a;
  },
  decodeArgs: (codec, a) => {
    const seq = readOptionalInteger(a, "seq", "a");
    if (seq !== undefined && seq < 0) throw new MalformedFieldError("'a.seq' must not be negative");
    return {
      id: readId(codec, a, "id", "a"),
      target: readId(codec, a, "target", "a"),
      seq,
      want: readWant(codec, a),
    };
  },
  handle: (context, args, query) => {
    const held = context.items.get(args.target);
    const item = served(held, args.seq);
    return {
      id: context.id,
      token: context.items.accepts(args.target)
        ? context.tokens.issue(query.from.host, args.target)
        : undefined,
      nodes: context.keeper.closest(args.target, item ? NODES_WITH_ITEM : context.k, args.id),
      item,
      seq: held?.mutable?.seq,
    };
  },
  encodeReply: (reply, args, query) => {
    const r: WireDict = { id: reply.id };
    if (reply.token) r.token = reply.token;
    writeNodes(r, reply.nodes, replyFamilies(args.want, query.from.host));
    const item = reply.item;
    if (item) {
      r.v = item.value;
      if (item.publicKey) r.k = item.publicKey;
      if (item.signature) r.sig = item.signature;
    }
    if (reply.seq !== undefined) r.seq = reply.seq;
    return r;
  },
  decodeReply: (codec, r) => {
    const token = readOptionalBytes(codec, r, "token", "r");
    return {
      id: readId(codec, r, "id", "r"),
      token: token && token.length > 0 ? token : undefined,
      nodes: readNodes(codec, r),
      ...readItem(codec, r),
    };
  },
};
