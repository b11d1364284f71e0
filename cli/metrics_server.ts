/**
 * `kdht node --metrics host:port`: serves the node's counters for Prometheus at `/metrics` over
 * HTTP, with `node:http` (the same server in Deno, Bun and Node).
 *
 * @module
 */
import { createServer } from "node:http";
import { formatPrometheus, type KademliaNode, PROMETHEUS_CONTENT_TYPE } from "../mod.ts";
import type { Address } from "../src/transport/datagram_transport.ts";

/** A running metrics server. */
export interface MetricsServer {
  /** Where it listens. */
  readonly address: Address;
  /** Stops it. */
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` for `node` on `address`.
 *
 * @param node the node whose stats to serve
 * @param address where to listen: loopback unless the operator chose otherwise
 * @returns the server, once it listens
 * @throws {Error} if the address cannot be bound (in use, not local)
 */
export function serveMetrics(node: KademliaNode, address: Address): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
    } else if (path === "/metrics") {
      const body = formatPrometheus(node.stats());
      response.writeHead(200, { "content-type": PROMETHEUS_CONTENT_TYPE });
      response.end(request.method === "HEAD" ? undefined : body);
    } else {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found: try /metrics\n");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.host, () => {
      server.off("error", reject);
      const bound = server.address();
      const port = typeof bound === "object" && bound !== null ? bound.port : address.port;
      resolve({
        address: { host: address.host, port },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections?.();
          }),
      });
    });
  });
}
