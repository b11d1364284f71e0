/**
 * Taking a BEP 42 id once the external IP is known. Mainline nodes that enforce BEP 42 do not
 * store at, or end lookups on, a node whose id is not bound to its IP; so when replies agree on
 * our external IP (src/id/external_ip.ts), the node moves to an id with the BEP 42 prefix for
 * it, keeping the other 139 bits of its old id.
 *
 * Our position in the id space moves, and every bucket is relative to it, so the routing table
 * is rebuilt around the new id with the contacts it had (ContactKeeper.rebuild) rather than
 * thrown away as libtorrent does: the node stays connected. A lookup for the new id then tells
 * the nodes nearest it that we are there (paper §2.3, as at a join). Nodes that knew the old
 * id drop it the first time another id answers at our address (ContactKeeper.answered).
 *
 * @module
 */
import { isBep42Exempt, isSecureNodeId, withBep42Prefix } from "../id/bep42.ts";
import { findNodes } from "./find_nodes.ts";
import type { Services } from "./services.ts";

/**
 * The id to move to for an external IP.
 *
 * @param id the current id
 * @param ip the external IP the responders agree on
 * @returns the BEP 42 id for `ip` with the other bits of `id`, or undefined if `id` is already
 *   secure for it or `ip` is exempt (a local address)
 */
export function secureIdFor(id: Uint8Array, ip: string): Uint8Array | undefined {
  if (isBep42Exempt(ip) || isSecureNodeId(id, ip)) return undefined;
  return withBep42Prefix(id, ip);
}

/**
 * Announces a new id: a lookup for it, so that the nodes nearest it learn of us. Call after the
 * context's id changed and the table was rebuilt around it.
 *
 * @param services the running node
 * @param signal aborts the lookup (the node's shutdown)
 * @returns the lookup, which never rejects
 */
export function announceId(services: Services, signal: AbortSignal): Promise<void> {
  return findNodes(services, services.context.id, { signal, askAll: true }).then(
    () => {},
    () => {},
  );
}
