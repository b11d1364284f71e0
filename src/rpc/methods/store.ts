/**
 * `store` (our extension, the paper's STORE): asks the responder to hold a record. The reply
 * is a success only if the record was stored; a refusal is a KRPC error naming the cause (205
 * too big, 302 older than the record held, 202 storage full, 201 already expired, 203 stamped
 * in the future).
 *
 * Arguments: `target`, the value as `v` with its type in `vt`, `ts` the publication time
 * (wall-clock ms), `ttl` its lifetime in ms, optionally `pub` the original publisher's id, `c: 1`
 * for a cached copy, and `key` the key as written when it names a namespace: the responder then
 * checks that it hashes to `target` and, if it has a validator for the namespace, validates the
 * value and ranks it against the held one with the namespace's `select` (203 when refused).
 *
 * @module
 */
import { RpcError } from "../../errors.ts";
import type { NodeContext } from "../../node_context.ts";
import { acceptValidated } from "../../records/validated_accept.ts";
import type { WireDict } from "../../wire/codec.ts";
import type { TypedValue } from "../../wire/value.ts";
import type { KrpcMethod, MethodArgs, MethodReply } from "../method.ts";
import { MalformedFieldError } from "../method.ts";
import { readCount, readId, readTypedValue, writeTypedValue } from "./_fields.ts";

/** Arguments of `store`. */
export interface StoreArgs extends MethodArgs {
  /** The 20-byte key. */
  readonly target: Uint8Array;
  /** The value, with its type. */
  readonly value: TypedValue;
  /** When the original publisher published it (wall-clock ms). */
  readonly publishedAt: number;
  /** Its lifetime from `publishedAt`, in ms. */
  readonly ttlMs: number;
  /** The original publisher, when the sender is another holder re-storing it. */
  readonly publisher?: Uint8Array | undefined;
  /** A cached copy, not a replica. */
  readonly cached?: boolean | undefined;
  /** The key as written, for namespaced keys. */
  readonly name?: string | undefined;
}

/** The `store` method. */
export const store: KrpcMethod<StoreArgs, MethodReply, NodeContext> = {
  name: "store",
  encodeArgs: (args) => {
    const a: WireDict = { id: args.id, target: args.target, ts: args.publishedAt, ttl: args.ttlMs };
    writeTypedValue(a, args.value);
    if (args.publisher) a.pub = args.publisher;
    if (args.cached) a.c = 1;
    if (args.name !== undefined) a.key = args.name;
    return a;
  },
  decodeArgs: (codec, a) => {
    const value = readTypedValue(codec, a, "a");
    if (value === undefined) throw new MalformedFieldError("'a.v' missing");
    const publishedAt = readCount(a, "ts", "a");
    const ttlMs = readCount(a, "ttl", "a");
    if (publishedAt === undefined || ttlMs === undefined) {
      throw new MalformedFieldError("'a.ts' and 'a.ttl' must be non-negative integers");
    }
    if ("c" in a && a.c !== 1 && a.c !== 0) throw new MalformedFieldError("'a.c' must be 0 or 1");
    let name: string | undefined;
    if ("key" in a) {
      name = codec.text(a.key);
      if (name === undefined) throw new MalformedFieldError("'a.key' must be text");
    }
    return {
      id: readId(codec, a, "id", "a"),
      target: readId(codec, a, "target", "a"),
      value,
      publishedAt,
      ttlMs,
      publisher: "pub" in a ? readId(codec, a, "pub", "a") : undefined,
      cached: a.c === 1,
      name,
    };
  },
  handle: (context, args, query) => {
    const outcome = acceptValidated(context.records, context.validators, {
      key: args.target,
      value: args.value,
      publishedAt: args.publishedAt,
      ttlMs: args.ttlMs,
      // The sender of a replica is its publisher unless it names another; a cache copy's
      // publisher is unknown.
      publisher: args.publisher ?? (args.cached ? undefined : args.id),
      cached: args.cached,
      name: args.name,
    }, query.from);
    const reply = (decided: Awaited<typeof outcome>): MethodReply => {
      if (!decided.stored) throw new RpcError(decided.code, decided.message);
      return { id: context.id };
    };
    return outcome instanceof Promise ? outcome.then(reply) : reply(outcome);
  },
  encodeReply: (reply) => ({ id: reply.id }),
  decodeReply: (codec, r) => ({ id: readId(codec, r, "id", "r") }),
};
