/**
 * One node per IP address (libtorrent's `restrict_routing_ips` and `restrict_search_ips`, both
 * on by default there): a Sybil attacker with one address and many ids gets one place in a
 * routing table and one in a lookup's candidates, so it cannot crowd the k closest of a key
 * with ids it chose next to it and take over the key's stores (reliability.md, C8).
 *
 * Local addresses are exempt, as from BEP 42 ({@linkcode isBep42Exempt}): one machine or LAN
 * runs many nodes on one address by design (every test on 127.0.0.1), and nobody outside can
 * reach them anyway.
 *
 * @module
 */
import { isBep42Exempt } from "../id/bep42.ts";

/**
 * Tells whether nodes at `host` are held to one per IP.
 *
 * @param host an IP literal (anything else is not held to the rule)
 * @returns false for local addresses and for strings that are no IP literal
 */
export function heldToOnePerIp(host: string): boolean {
  try {
    return !isBep42Exempt(host);
  } catch {
    return false;
  }
}
