/**
 * The default UDP transport for whichever runtime is running: Deno's, Bun's or Node's adapter,
 * loaded with a dynamic `import()` so no runtime evaluates another's adapter.
 *
 * @module
 */
import type { BindOptions, DatagramTransport } from "../src/transport/datagram_transport.ts";

/**
 * Binds a UDP socket with the current runtime's adapter (Deno → `Deno.listenDatagram`,
 * Bun → `Bun.udpSocket`, anything else → `node:dgram`).
 *
 * @param options port (default 0), hostname (default `"127.0.0.1"`), maxDatagramSize
 * @returns the bound transport
 * @throws {TransportError} as the adapter does: `address_in_use`, `bad_address`, `bind_failed`
 * @throws {RangeError} if `maxDatagramSize` is out of range
 *
 * @example
 * ```ts
 * import { createUdpTransport } from "@kdht/core";
 *
 * const transport = await createUdpTransport({ port: 0, hostname: "127.0.0.1" });
 * console.log(transport.localAddress.port > 0); // true
 * await transport.close();
 * ```
 */
export async function createUdpTransport(options?: BindOptions): Promise<DatagramTransport> {
  const runtime = globalThis as { Deno?: unknown; Bun?: unknown };
  if (runtime.Deno !== undefined) {
    return await (await import("./deno.ts")).createDenoTransport(options);
  }
  if (runtime.Bun !== undefined) {
    return await (await import("./bun.ts")).createBunTransport(options);
  }
  return await (await import("./node.ts")).createNodeTransport(options);
}
