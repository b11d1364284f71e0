/**
 * Parsing and checking of UDP addresses given by users ("host:port", tuples, objects).
 *
 * @module
 */
import type { Address } from "./datagram_transport.ts";

/**
 * An address in any form the public API accepts.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * const { host, port } = await seed.listen(0);
 * // The same address three ways:
 * await node.bootstrap([[host, port], { host, port }, `${host}:${port}`]);
 * ```
 */
export type AddressLike = Address | readonly [string, number] | string;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True if `host` is a dotted-quad IPv4 literal. */
export function isIPv4(host: string): boolean {
  return IPV4.test(host);
}

/** True if `host` looks like an IPv6 literal (colon-separated hex, optional embedded IPv4). */
export function isIPv6(host: string): boolean {
  if (!host.includes(":") || host.length > 45) return false;
  return /^[0-9a-fA-F:.]+$/.test(host) && host.split("::").length <= 2;
}

/** True if `port` is an integer in 0–65535. */
export function isPort(port: unknown): port is number {
  return Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535;
}

/**
 * Turns `{ host, port }`, `[host, port]` or `"host:port"` (`"[::1]:port"` for IPv6) into an
 * {@linkcode Address}. `"localhost"` becomes `127.0.0.1`; other names are not resolved.
 *
 * @param value the address to parse
 * @param what a word for the error message, e.g. `"bootstrap address"`
 * @returns the parsed address
 * @throws {TypeError} if the value is not an IP literal with a port in 1–65535
 */
export function parseAddress(value: AddressLike, what = "address"): Address {
  let host: unknown;
  let port: unknown;
  if (typeof value === "string") {
    const match = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:]+):(\d+)$/.exec(value);
    if (!match) {
      throw new TypeError(`Invalid ${what}: expected "host:port" or "[ipv6]:port", got "${value}"`);
    }
    host = match[1];
    port = Number(match[2]);
  } else if (Array.isArray(value)) {
    [host, port] = value;
  } else if (value !== null && typeof value === "object") {
    ({ host, port } = value as Address);
  } else {
    throw new TypeError(`Invalid ${what}: expected an address, got ${String(value)}`);
  }
  if (host === "localhost") host = "127.0.0.1";
  if (typeof host !== "string" || !(isIPv4(host) || isIPv6(host))) {
    throw new TypeError(
      `Invalid ${what}: host must be an IPv4 or IPv6 literal, got ${String(host)}`,
    );
  }
  if (!isPort(port) || port === 0) {
    throw new TypeError(`Invalid ${what}: port must be an integer in 1-65535, got ${String(port)}`);
  }
  return { host, port };
}

/** `"host:port"`, with brackets around IPv6 hosts. Used as a map key and in messages. */
export function formatAddress(address: Address): string {
  return address.host.includes(":")
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}
