/**
 * The methods a node answers, by name. Adding a method is a new file in this folder and one
 * entry below; the RPC layer, the envelope and the node stay as they are.
 *
 * @module
 */
import type { NodeContext } from "../../node_context.ts";
import type { WireDict } from "../../wire/codec.ts";
import type { KrpcMethod } from "../method.ts";
import { announcePeer } from "./announce_peer.ts";
import { findNode } from "./find_node.ts";
import { findValue } from "./find_value.ts";
import { get } from "./get.ts";
import { getPeers } from "./get_peers.ts";
import { ping } from "./ping.ts";
import { put } from "./put.ts";
import { store } from "./store.ts";
import { storeBatch } from "./store_batch.ts";

// deno-lint-ignore no-explicit-any
type AnyMethod = KrpcMethod<any, any, NodeContext>;

const METHODS: ReadonlyMap<string, AnyMethod> = new Map<string, AnyMethod>(
  [ping, findNode, findValue, store, storeBatch, getPeers, announcePeer, get, put].map((method) => [
    method.name,
    method,
  ]),
);

/**
 * The method that answers a query named `name`. An unknown method whose arguments carry a
 * 20-byte `target` is answered like `find_node` (BEP 5 forward compatibility, libtorrent's
 * dht_extensions); any other unknown method gets error 204.
 *
 * @param name the query's `q`
 * @param args its `a`, to look for a `target`
 * @returns the method, or undefined for "method unknown"
 */
export function resolveMethod(name: string, args: WireDict): KrpcMethod | undefined {
  const method = METHODS.get(name);
  if (method) return method as KrpcMethod;
  const target = args.target;
  return target !== undefined && hasTwentyBytes(target) ? findNode as KrpcMethod : undefined;
}

function hasTwentyBytes(value: unknown): boolean {
  // Bencode decodes byte strings to Uint8Array; JSON to base64 text (28 characters for 20 bytes).
  return value instanceof Uint8Array ? value.length === 20 : typeof value === "string";
}
