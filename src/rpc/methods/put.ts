/**
 * `put` (BEP 44): asks the responder to store an immutable item (`v` alone, under its SHA-1) or
 * a mutable one (`k`, `sig`, `seq`, optional `salt` and `cas`, under SHA-1 of key and salt).
 * The reply is a success only if the item is held afterwards; every refusal is a KRPC error:
 * 205 value too big (or missing), 207 salt too big, 203 malformed fields, a partial set of
 * mutable fields, an unsorted dictionary in `v` or a bad token, 206 bad signature, 301 `cas`
 * mismatch, 302 `seq` not newer, 202 storage full.
 *
 * The checks run cheapest first, as libtorrent's do: sizes and fields
 * ({@linkcode checkPut}), then the write token for the target they imply, then the signature,
 * then the comparison with what is held ({@linkcode ItemStore.putMutable}).
 *
 * @module
 */
import { RpcError } from "../../errors.ts";
import type { NodeContext } from "../../node_context.ts";
import { verifyMutableItem } from "../../records/bep44.ts";
import { checkPut } from "../../records/bep44_put.ts";
import type { ItemValue } from "../../records/item_value.ts";
import type { WireDict } from "../../wire/codec.ts";
import { ErrorCode } from "../../wire/envelope.ts";
import type { KrpcMethod, MethodArgs, MethodReply } from "../method.ts";
import { MalformedFieldError } from "../method.ts";
import { readId } from "./_fields.ts";
import { readItemValue, readOptionalBytes, readOptionalInteger } from "./_item_fields.ts";

/** Arguments of `put`. */
export interface PutArgs extends MethodArgs {
  /** The write token the responder's `get` reply gave. */
  readonly token: Uint8Array;
  /** `v`; absent only in a malformed put, which is answered 205. */
  readonly value?: ItemValue | undefined;
  /** `v` bencoded; empty when `v` is absent. */
  readonly encodedValue: Uint8Array;
  /** `k`: the ed25519 public key of a mutable item. */
  readonly publicKey?: Uint8Array | undefined;
  /** `sig`: its signature. */
  readonly signature?: Uint8Array | undefined;
  /** `seq`: its sequence number. */
  readonly seq?: number | undefined;
  /** `salt`, optional. */
  readonly salt?: Uint8Array | undefined;
  /** `cas`: the `seq` the writer expects the responder to hold. */
  readonly cas?: number | undefined;
}

const EMPTY = new Uint8Array(0);

/** The `put` method. */
export const put: KrpcMethod<PutArgs, MethodReply, NodeContext> = {
  name: "put",
  encodeArgs: (args) => {
    const a: WireDict = { id: args.id, token: args.token };
    if (args.value !== undefined) a.v = args.value;
    if (args.publicKey) a.k = args.publicKey;
    if (args.signature) a.sig = args.signature;
    if (args.seq !== undefined) a.seq = args.seq;
    if (args.salt && args.salt.length > 0) a.salt = args.salt;
    if (args.cas !== undefined) a.cas = args.cas;
    return a;
  },
  decodeArgs: (codec, a) => {
    const token = readOptionalBytes(codec, a, "token", "a");
    if (token === undefined) throw new MalformedFieldError("'a.token' missing");
    const read = "v" in a ? readItemValue(codec, a.v!, "a.v") : undefined;
    return {
      id: readId(codec, a, "id", "a"),
      token,
      value: read?.value,
      encodedValue: read?.encoded ?? EMPTY,
      publicKey: readOptionalBytes(codec, a, "k", "a"),
      signature: readOptionalBytes(codec, a, "sig", "a"),
      seq: readOptionalInteger(a, "seq", "a"),
      salt: readOptionalBytes(codec, a, "salt", "a"),
      cas: readOptionalInteger(a, "cas", "a"),
    };
  },
  handle: (context, args, query) => {
    const checked = checkPut(args);
    if (!checked.ok) throw new RpcError(checked.code, checked.message);
    if (!context.tokens.verify(args.token, query.from.host, checked.target)) {
      throw new RpcError(ErrorCode.Protocol, "bad token: get a fresh one with 'get'");
    }
    // checkPut refused a put without a value.
    const value = args.value!;
    let outcome;
    if (checked.kind === "immutable") {
      outcome = context.items.putImmutable(checked.target, value, args.encodedValue);
    } else {
      if (context.ed25519 === undefined) {
        throw new RpcError(ErrorCode.Server, "this node cannot verify ed25519 signatures");
      }
      if (!verifyMutableItem(checked.item, context.ed25519)) {
        throw new RpcError(ErrorCode.InvalidSignature, "invalid signature");
      }
      outcome = context.items.putMutable(checked.target, value, checked.item, checked.cas);
    }
    if (!outcome.ok) throw new RpcError(outcome.code, outcome.message);
    return { id: context.id };
  },
  encodeReply: (reply) => ({ id: reply.id }),
  decodeReply: (codec, r) => ({ id: readId(codec, r, "id", "r") }),
};
