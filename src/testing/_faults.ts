/**
 * The fault state of a {@linkcode MemoryNetwork}: which links are cut and which endpoints
 * are down. Private to `src/testing/`; the network's public methods document the behaviour.
 *
 * @module
 */
import { formatAddress, isIPv4, isIPv6, parseAddress } from "../transport/address.ts";
import type { Address } from "../transport/datagram_transport.ts";

/**
 * A partition member: a host (every port on it), a `"host:port"` string, or an Address.
 *
 * @example
 * ```ts
 * import { MemoryNetwork, type PartitionMember } from "@kdht/core/testing";
 *
 * const network = new MemoryNetwork();
 * const sideA: PartitionMember[] = ["10.0.0.1", { host: "10.0.0.2", port: 6881 }];
 * console.log(sideA.length); // a host alone, or one endpoint
 * ```
 */
export type PartitionMember = string | Address;

/**
 * A member or address as a set key: `"host:port"` (brackets around IPv6) for addresses, the
 * bare host for hosts. IPv6 hosts are lower-cased, as the network stores bound addresses.
 *
 * @param member what the caller passed
 * @returns the key
 * @throws {TypeError} if it is not an IP literal, with or without a valid port
 */
export function memberKey(member: PartitionMember): string {
  if (typeof member === "string" && (isIPv4(member) || isIPv6(member))) {
    return member.toLowerCase();
  }
  const address = parseAddress(member, "partition member or address");
  return formatAddress({ host: address.host.toLowerCase(), port: address.port });
}

function inGroup(group: ReadonlySet<string>, host: string, key: string): boolean {
  return group.has(key) || group.has(host);
}

function hostOf(key: string): string {
  const end = key.lastIndexOf(":");
  return key.startsWith("[") ? key.slice(1, end - 1) : key.slice(0, end);
}

/** Cut links and down endpoints; both checks cost one comparison when there are none. */
export class Faults {
  readonly #down = new Set<string>();
  #cuts: Array<readonly [ReadonlySet<string>, ReadonlySet<string>]> = [];

  /**
   * Adds a cut between every member of `groupA` and every member of `groupB`, both ways.
   *
   * @param groupA one side
   * @param groupB the other side
   * @throws {TypeError} if a member is not an IP literal, with or without a port
   */
  partition(groupA: readonly PartitionMember[], groupB: readonly PartitionMember[]): void {
    this.#cuts.push([
      new Set(Array.from(groupA, memberKey)),
      new Set(Array.from(groupB, memberKey)),
    ]);
  }

  /** Removes every cut. */
  heal(): void {
    this.#cuts = [];
  }

  /**
   * Marks an address down or up.
   *
   * @param address the endpoint, in any form `parseAddress` accepts
   * @param down the new state
   * @throws {TypeError} if the address is not an IP literal with a port in 1–65535
   */
  setDown(address: Address | string, down: boolean): void {
    const key = memberKey(parseAddress(address, "address"));
    if (down) this.#down.add(key);
    else this.#down.delete(key);
  }

  /**
   * @param key an address key as `formatAddress` writes it
   * @returns whether that endpoint is down
   */
  isDown(key: string): boolean {
    return this.#down.size > 0 && this.#down.has(key);
  }

  /**
   * @param fromHost the sender's host
   * @param fromKey the sender's address key
   * @param toKey the receiver's address key
   * @returns whether some partition separates sender and receiver
   */
  separates(fromHost: string, fromKey: string, toKey: string): boolean {
    if (this.#cuts.length === 0) return false;
    const toHost = hostOf(toKey);
    for (const [a, b] of this.#cuts) {
      if (
        (inGroup(a, fromHost, fromKey) && inGroup(b, toHost, toKey)) ||
        (inGroup(b, fromHost, fromKey) && inGroup(a, toHost, toKey))
      ) {
        return true;
      }
    }
    return false;
  }
}
