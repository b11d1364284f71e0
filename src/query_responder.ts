/**
 * How a node answers other nodes' queries: `ping`, `find_node`, `find_value`, `store`, and
 * unknown methods. Pure request → response over the routing table and the store; the node
 * wires it to the RPC layer and does the routing-table bookkeeping for the sender.
 *
 * @module
 */
import type { Clock } from "./clock.ts";
import { RpcError } from "./errors.ts";
import { idsEqual } from "./id/node_id.ts";
import { valueByteLength } from "./records/record.ts";
import type { Storage } from "./records/storage.ts";
import { RECORD_TTL_MS } from "./constants.ts";
import type { RoutingTable } from "./routing/routing_table.ts";
import type { NodeInfo } from "./wire/compact_nodes.ts";
import { ErrorCode, type QueryMessage, type ResponseBody } from "./wire/krpc.ts";

/** What answering needs from the node. */
export interface Responder {
  /** This node's id. */
  readonly id: Uint8Array;
  /** How many contacts a find_node reply carries. */
  readonly k: number;
  /** The largest value a store may carry, in bytes. */
  readonly maxValueSize: number;
  /** Where contacts come from. */
  readonly table: RoutingTable;
  /** Where values are kept. */
  readonly storage: Storage;
  /** Stamps stored records. */
  readonly clock: Clock;
}

/**
 * Answers one query.
 *
 * @param responder the node's table, store and limits
 * @param query the validated query
 * @returns the response body
 * @throws {RpcError} 203 for missing or invalid arguments, 202 if storage refuses a value,
 * 204 for an unknown method without a target
 */
export function answerQuery(responder: Responder, query: QueryMessage): ResponseBody {
  const { args } = query;
  const id = responder.id;
  switch (query.method) {
    case "ping":
      return { id };
    case "find_node":
      return { id, nodes: closestFor(responder, requireTarget(query), args.id) };
    case "find_value": {
      const target = requireTarget(query);
      const record = responder.storage.get(target);
      if (record) return { id, value: record.value };
      return { id, nodes: closestFor(responder, target, args.id) };
    }
    case "store": {
      const target = requireTarget(query);
      const value = args.value;
      if (value === undefined) throw new RpcError(ErrorCode.Protocol, "store needs 'v'");
      const size = valueByteLength(value);
      if (size > responder.maxValueSize) {
        throw new RpcError(ErrorCode.Protocol, `value too large: ${size} bytes`);
      }
      // A copy must not overwrite a value this node published itself.
      if (responder.storage.get(target)?.local) return { id };
      const now = responder.clock.wallTime();
      const record = {
        key: target,
        value,
        publishedAt: now,
        expiresAt: now + RECORD_TTL_MS,
        receivedAt: now,
        local: false,
      };
      if (!responder.storage.put(record).stored) {
        throw new RpcError(ErrorCode.Server, "storage full");
      }
      return { id };
    }
    default: {
      // Forward compatibility (libtorrent dht_extensions, BEP 5 get_peers until provider
      // records exist): unknown queries with a target or info hash are answered like
      // find_node.
      const target = args.target ?? args.infoHash;
      if (target) return { id, nodes: closestFor(responder, target, args.id) };
      throw new RpcError(ErrorCode.MethodUnknown, `method unknown: ${query.method}`);
    }
  }
}

function requireTarget(query: QueryMessage): Uint8Array {
  if (!query.args.target) {
    throw new RpcError(ErrorCode.Protocol, `${query.method} needs 'target'`);
  }
  return query.args.target;
}

/** The k closest contacts to the target, never the requester itself. */
function closestFor(responder: Responder, target: Uint8Array, requester: Uint8Array): NodeInfo[] {
  return responder.table.closest(target, responder.k, (contact) => idsEqual(contact.id, requester));
}
