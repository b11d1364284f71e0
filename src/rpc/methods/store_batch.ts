/**
 * `store_batch` (our extension): `store` for several records in one datagram, for the
 * holders' hourly re-store (paper §2.5). A holder re-stores every record it holds to the k
 * closest nodes of each, and the records a node holds all lie near its own id, so their k
 * closest overlap: one datagram per target instead of one per record and target.
 *
 * Arguments: `id`, and `r`, a list of records, each a dictionary with the fields of `store`
 * (`target`, `v`, `vt`, `ts`, `ttl`, and optionally `pub`, `c`, `key`). The reply is a
 * success whatever became of each record: `s` lists, in order, 0 for each record stored and
 * the KRPC error code a `store` of it would have got otherwise (205, 302, 202, 201, 203). A
 * malformed record makes the whole query malformed (203), as a malformed field does anywhere.
 *
 * @module
 */
import type { NodeContext } from "../../node_context.ts";
import type { WireDict, WireValue } from "../../wire/codec.ts";
import type { KrpcMethod, MethodArgs, MethodReply } from "../method.ts";
import { MalformedFieldError } from "../method.ts";
import { readId } from "./_fields.ts";
import { store, type StoreArgs } from "./store.ts";

/** The most records one query may carry; a datagram holds fewer anyway. */
export const MAX_BATCH_RECORDS = 256;

/** One record of a batch: `store`'s arguments without the sender's id. */
export type BatchRecord = Omit<StoreArgs, "id">;

/** Arguments of `store_batch`. */
export interface StoreBatchArgs extends MethodArgs {
  /** The records, at most {@linkcode MAX_BATCH_RECORDS}. */
  readonly records: readonly BatchRecord[];
}

/** Reply of `store_batch`. */
export interface StoreBatchReply extends MethodReply {
  /** Per record, in order: 0 if stored, else the KRPC error code of its refusal. */
  readonly outcomes: readonly number[];
}

function isDict(value: WireValue | undefined): value is WireDict {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Uint8Array);
}

/** The `store_batch` method. */
export const storeBatch: KrpcMethod<StoreBatchArgs, StoreBatchReply, NodeContext> = {
  name: "store_batch",
  encodeArgs: (args) => ({
    id: args.id,
    r: args.records.map((record) => {
      const a = store.encodeArgs({ ...record, id: args.id });
      delete a.id;
      return a;
    }),
  }),
  decodeArgs: (codec, a) => {
    const id = readId(codec, a, "id", "a");
    const list = a.r;
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_BATCH_RECORDS) {
      throw new MalformedFieldError(`'a.r' must be a list of 1 to ${MAX_BATCH_RECORDS} records`);
    }
    const records = list.map((item, i) => {
      if (!isDict(item)) throw new MalformedFieldError(`'a.r[${i}]' must be a dictionary`);
      const { id: _id, ...record } = store.decodeArgs(codec, { ...item, id: a.id! });
      return record;
    });
    return { id, records };
  },
  handle: (context, args, query) => {
    const outcomes = args.records.map((record) => {
      const outcome = context.records.accept({
        key: record.target,
        value: record.value,
        publishedAt: record.publishedAt,
        ttlMs: record.ttlMs,
        // As for `store`: the sender is the publisher of a replica unless it names another.
        publisher: record.publisher ?? (record.cached ? undefined : args.id),
        cached: record.cached,
        name: record.name,
      }, query.from);
      return outcome.stored ? 0 : outcome.code;
    });
    return { id: context.id, outcomes };
  },
  encodeReply: (reply) => ({ id: reply.id, s: [...reply.outcomes] }),
  decodeReply: (codec, r) => {
    const s = r.s;
    if (!Array.isArray(s) || s.some((code) => !Number.isSafeInteger(code))) {
      throw new MalformedFieldError("'r.s' must be a list of integers");
    }
    return { id: readId(codec, r, "id", "r"), outcomes: s as number[] };
  },
};
