/**
 * The npm build's stand-in for `runtime.ts`: the Deno adapter is not shipped to npm, so Deno
 * running the npm package falls back to `node:dgram`.
 *
 * @module
 */
import type { BindOptions, DatagramTransport } from "../src/transport/datagram_transport.ts";

/**
 * Binds a UDP socket with the current runtime's adapter (Bun → `Bun.udpSocket`, anything else
 * → `node:dgram`).
 *
 * @param options port (default 0), hostname (default `"127.0.0.1"`), maxDatagramSize
 * @returns the bound transport
 * @throws {TransportError} as the adapter does: `address_in_use`, `bad_address`, `bind_failed`
 * @throws {RangeError} if `maxDatagramSize` is out of range
 */
export async function createUdpTransport(options?: BindOptions): Promise<DatagramTransport> {
  const runtime = globalThis as { Bun?: unknown };
  if (runtime.Bun !== undefined) {
    return await (await import("./bun.ts")).createBunTransport(options);
  }
  return await (await import("./node.ts")).createNodeTransport(options);
}
