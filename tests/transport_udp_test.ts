/**
 * Runs the transport conformance suite on real loopback UDP: the current runtime's own adapter
 * (Deno → adapters/deno.ts, Bun → adapters/bun.ts, Node → adapters/node.ts) and the
 * runtime-detecting `createUdpTransport`. Each adapter is imported only on its own runtime.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { TransportFactory } from "../src/transport/datagram_transport.ts";
import { MAX_UDP_PAYLOAD } from "../src/transport/datagram_transport.ts";
import { createUdpTransport } from "../adapters/runtime.ts";
import { probeIPv6, transportSuite } from "./_suites/transport_suite.ts";

const host = globalThis as { Deno?: unknown; Bun?: unknown };
const runtime = host.Deno !== undefined ? "Deno" : host.Bun !== undefined ? "Bun" : "Node";

/**
 * The Deno adapter is not part of the npm build, which compiles this file too; a specifier in
 * a variable keeps the compiler from following it there. Only Deno ever takes this branch.
 */
const DENO_ADAPTER = "../adapters/deno.ts";

async function loadAdapter(): Promise<TransportFactory> {
  if (runtime === "Deno") {
    const module: { createDenoTransport: TransportFactory } = await import(DENO_ADAPTER);
    return module.createDenoTransport;
  }
  if (runtime === "Bun") return (await import("../adapters/bun.ts")).createBunTransport;
  return (await import("../adapters/node.ts")).createNodeTransport;
}

const adapter = await loadAdapter();
const ipv6 = await probeIPv6(adapter);

transportSuite(`${runtime} UDP adapter`, adapter, { ipv6 });
transportSuite("createUdpTransport (runtime detection)", createUdpTransport, { ipv6 });

describe(`${runtime} UDP adapter: limits`, () => {
  it("accepts maxDatagramSize up to the UDP limit and binds 'localhost' as 127.0.0.1", async () => {
    const transport = await adapter({ hostname: "localhost", maxDatagramSize: MAX_UDP_PAYLOAD });
    try {
      assert.equal(transport.maxDatagramSize, MAX_UDP_PAYLOAD);
      assert.equal(transport.localAddress.host, "127.0.0.1");
    } finally {
      await transport.close();
    }
  });

  it("delivers a datagram of the UDP limit, 65,507 bytes, whole", async () => {
    const a = await adapter({ maxDatagramSize: MAX_UDP_PAYLOAD });
    const b = await adapter({ maxDatagramSize: MAX_UDP_PAYLOAD }).catch(async (err) => {
      await a.close();
      throw err;
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const payload = new Uint8Array(MAX_UDP_PAYLOAD).map((_, i) => i % 251);
      const arrived = new Promise<Uint8Array>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error("no datagram within 2000 ms")), 2000);
        b.onDatagram((data) => resolve(data.slice()));
      });
      await a.send(payload, b.localAddress);
      assert.deepEqual(await arrived, payload);
    } finally {
      clearTimeout(timer);
      await Promise.all([a.close(), b.close()]);
    }
  });
});
