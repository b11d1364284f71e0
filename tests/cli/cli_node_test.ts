// `kdht node` in one process and the one-shot commands in others, on 127.0.0.1: put, get,
// find-node, ping, a Prometheus scrape over HTTP, and a clean shutdown on SIGTERM and SIGINT.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { CLI, kdht, RUNTIME, start } from "../_helpers/spawn.ts";
import { parseExposition } from "../_helpers/prometheus_grammar.ts";

async function startNode(extra: string[] = []) {
  const node = start(CLI, [
    "node",
    "--port",
    "0",
    "--metrics",
    "127.0.0.1:0",
    "--summary-interval",
    "1",
    ...extra,
  ]);
  const [, port, id] = await node.waitFor(/listening at=127\.0\.0\.1:(\d+) id=([0-9a-f]{40})/);
  const [, metrics] = await node.waitFor(/metrics url=(http:\/\/127\.0\.0\.1:\d+\/metrics)/);
  return { node, address: `127.0.0.1:${port}`, port: Number(port), id: id!, metrics: metrics! };
}

/** True if a UDP socket can bind the port again (the node released it). */
function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => resolve(false));
    socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
  });
}

describe(`kdht node and the one-shot commands, in separate processes (${RUNTIME})`, () => {
  it("put, get, find-node, ping and a metrics scrape against a running node; SIGTERM stops it", async () => {
    const { node, address, port, id, metrics } = await startNode();
    try {
      const ping = await kdht(["ping", address]);
      assert.equal(ping.code, 0, ping.stderr);
      assert.match(ping.stdout, new RegExp(`^pong from ${id} at ${address} in [\\d.]+ ms\\n$`));

      const put = await kdht(["put", "greeting", "hello, DHT ✓", "--bootstrap", address]);
      assert.equal(put.code, 0, put.stderr);
      assert.match(put.stdout, /^stored "greeting" \(id [0-9a-f]{40}\) on 1 peer\n$/);

      const get = await kdht(["get", "greeting", "--bootstrap", address]);
      assert.equal(get.code, 0, get.stderr);
      assert.equal(get.stdout, "hello, DHT ✓\n");
      const json = await kdht(["get", "greeting", "--bootstrap", address, "--json"]);
      assert.deepEqual(JSON.parse(json.stdout), {
        key: "greeting",
        found: true,
        type: "string",
        value: "hello, DHT ✓",
      });

      const missing = await kdht(["get", "no-such-key", "--bootstrap", address]);
      assert.equal(missing.code, 1);
      assert.equal(missing.stdout, "");
      assert.equal(missing.stderr, 'kdht get: not found: no node holds "no-such-key"\n');

      const found = await kdht(["find-node", id, "--bootstrap", address, "--json"]);
      assert.equal(found.code, 0, found.stderr);
      assert.equal(JSON.parse(found.stdout).peers[0].id, id);

      const response = await fetch(metrics);
      assert.equal(response.status, 200);
      assert.equal(
        response.headers.get("content-type"),
        "text/plain; version=0.0.4; charset=utf-8",
      );
      const families = parseExposition(await response.text());
      const sample = (name: string, labels: Record<string, string> = {}) =>
        [...families.values()].flatMap((f) => f.samples).find((s) =>
          s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
        )?.value;
      assert.equal(sample("kdht_stored_records"), 1);
      assert.ok(sample("kdht_queries_received_total", { method: "ping" })! >= 1);
      assert.ok(sample("kdht_queries_received_total", { method: "find_value" })! >= 2);
      assert.ok(sample("kdht_queries_received_total", { method: "store" })! >= 1);
      assert.ok(sample("kdht_datagrams_received_total")! >= 10);
      assert.equal((await fetch(metrics.replace("/metrics", "/other"))).status, 404);

      await node.waitFor(/info summary peers=\d+ .*records=1/, 10_000);
      node.signal("SIGTERM");
      assert.equal(await node.exited, 0, node.stderr());
      assert.match(node.stderr(), /info shutting down signal=SIGTERM/);
      assert.match(node.stderr(), /info stopped peers=/);
      assert.ok(await udpPortFree(port), "the UDP port is released");
      await assert.rejects(fetch(metrics), "the metrics server is closed");
    } finally {
      node.stop();
    }
  });

  it("Ctrl-C (SIGINT) shuts a node down cleanly too", async () => {
    const { node, port } = await startNode();
    try {
      node.signal("SIGINT");
      assert.equal(await node.exited, 0, node.stderr());
      assert.match(node.stderr(), /info shutting down signal=SIGINT/);
      assert.ok(await udpPortFree(port));
      // --log-level warn: no info lines at all, not even the listening one.
      const quiet = start(CLI, ["node", "--port", "0", "--log-level", "warn"]);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      quiet.signal("SIGTERM");
      assert.equal(await quiet.exited, 0, quiet.stderr());
      assert.equal(quiet.stderr(), "");
    } finally {
      node.stop();
    }
  });

  it("a second node joins the first and logs it; one-shots fail with a reason when nobody answers", async () => {
    const first = await startNode();
    const second = start(CLI, ["node", "--port", "0", "--bootstrap", first.address]);
    try {
      await second.waitFor(/info joined reached=1 of=1 peers=1/);
      const silent = await udpFreePort();
      const put = await kdht([
        "put",
        "k",
        "v",
        "--bootstrap",
        `127.0.0.1:${silent}`,
        "--timeout",
        "300",
      ]);
      assert.equal(put.code, 1);
      assert.equal(put.stderr, `kdht put: no node answered (127.0.0.1:${silent} timeout)\n`);
      const ping = await kdht(["ping", `127.0.0.1:${silent}`, "--timeout", "300"]);
      assert.equal(ping.code, 1);
      assert.match(
        ping.stderr,
        /^kdht ping: Query 'ping' to 127\.0\.0\.1:\d+ timed out after 300 ms\n$/,
      );
      second.signal("SIGTERM");
      first.node.signal("SIGTERM");
      assert.equal(await second.exited, 0);
      assert.equal(await first.node.exited, 0);
    } finally {
      second.stop();
      first.node.stop();
    }
  });
});

/** A UDP port with nothing listening on it (bound, then released). */
function udpFreePort(): Promise<number> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
