/**
 * `kdht node`: runs a long-lived node until Ctrl-C or SIGTERM, then shuts down cleanly. It logs
 * one line when it listens, when it joins (or fails to), on errors, and a periodic summary;
 * `--metrics` serves its counters for Prometheus.
 *
 * @module
 */
import process from "node:process";
import { BootstrapError, KademliaNode, type Logger } from "../../mod.ts";
import type { Address } from "../../src/transport/datagram_transport.ts";
import {
  bootstrapOption,
  formatAddress,
  hostOption,
  integerOption,
  portOption,
  serializationOption,
  UsageError,
} from "../args.ts";
import type { Command } from "../command.ts";
import { cliLogger, logLevelOption } from "../log.ts";
import { type MetricsServer, serveMetrics } from "../metrics_server.ts";

function isLoopback(host: string): boolean {
  return host.startsWith("127.") || host === "::1";
}

/** `--metrics 9464` or `--metrics host:port` (port 0 picks one); the host defaults to loopback. */
function metricsOption(text: unknown): Address | undefined {
  if (text === undefined) return undefined;
  const value = String(text);
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value);
  if (!/^\d+$/.test(value) && !match) {
    throw new UsageError(`--metrics must be host:port or a port, got '${value}'`);
  }
  const host = match ? hostOption(match[1] ?? match[2], "metrics", "127.0.0.1") : "127.0.0.1";
  return { host, port: portOption(match ? match[3] : value, "metrics", 0) };
}

/** Waits for the first of SIGINT and SIGTERM; a second one exits at once. */
function watchSignals(logger: Logger): { received: Promise<string>; dispose(): void } {
  let resolve: (signal: string) => void = () => {};
  const received = new Promise<string>((done) => resolve = done);
  let count = 0;
  const onSignal = (signal: string) => {
    if (count++ > 0) {
      logger.error("second signal: exiting without a clean shutdown", { signal });
      process.exit(130);
    }
    resolve(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    received,
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

function summaryFields(node: KademliaNode): Record<string, number> {
  const s = node.stats();
  return {
    peers: s.routingTableSize,
    good: s.contacts.good,
    questionable: s.contacts.questionable,
    bad: s.contacts.bad,
    records: s.storage.records,
    queries_in: s.queriesReceived,
    queries_out: s.queriesSent,
    timeouts: s.timedOut,
    dropped: s.dropped,
    malformed: s.malformed,
    lookups: s.lookups,
  };
}

/** The `node` command. */
export const nodeCommand: Command = {
  name: "node",
  summary: "run a DHT node until Ctrl-C or SIGTERM",
  synopsis: "[--port 6881] [--host 127.0.0.1] [--bootstrap host:port]... [--metrics host:port]",
  options: {
    port: {
      type: "string",
      short: "p",
      value: "port",
      help: "UDP port; 0 picks one",
      default: "6881",
    },
    host: {
      type: "string",
      value: "address",
      help: "address to bind; anything but loopback exposes the node",
      default: "127.0.0.1",
    },
    bootstrap: {
      type: "string",
      value: "host:port",
      multiple: true,
      help: "a node to join through",
    },
    serialization: {
      type: "string",
      value: "json|bencode",
      help: "wire codec; bencode is BEP 5",
      default: "json",
    },
    // Issue 7 adds --state-file and --storage here, and their options in run() below.
    metrics: {
      type: "string",
      value: "host:port",
      help: "serve Prometheus metrics at http://host:port/metrics",
    },
    "log-level": {
      type: "string",
      value: "level",
      help: "debug, info, warn, error or silent",
      default: "info",
    },
    "summary-interval": {
      type: "string",
      value: "seconds",
      help: "seconds between summary lines; 0 for none",
      default: "60",
    },
  },
  positionals: { min: 0, max: 0 },
  details: [
    "Logs go to stderr. Ctrl-C or SIGTERM closes the node and the metrics server; a second one",
    "exits at once (code 130).",
  ],
  async run(args, output) {
    const v = args.values;
    const port = portOption(v.port, "port", 6881);
    const host = hostOption(v.host, "host", "127.0.0.1");
    const bootstrap = bootstrapOption(v.bootstrap, false);
    const serialization = serializationOption(v.serialization, "json");
    const metrics = metricsOption(v.metrics);
    const level = logLevelOption(v["log-level"], "info");
    const interval = integerOption(v["summary-interval"], "summary-interval", 60, 0, 86_400);
    if (bootstrap.some((a) => a.host.includes(":") !== host.includes(":"))) {
      throw new UsageError("--bootstrap addresses must be of the same family as --host");
    }
    const logger = cliLogger(level, output);
    const node = new KademliaNode({ serialization, logger });
    const signals = watchSignals(logger);
    let server: MetricsServer | undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    try {
      const address = await node.listen(port, host);
      logger.info("listening", { at: formatAddress(address), id: node.id, serialization });
      if (!isLoopback(host)) logger.warn("bound beyond loopback: reachable from the network");
      if (metrics) {
        server = await serveMetrics(node, metrics);
        logger.info("metrics", { url: `http://${formatAddress(server.address)}/metrics` });
        if (!isLoopback(metrics.host)) logger.warn("metrics served beyond loopback");
      }
      let joined = bootstrap.length === 0;
      const join = async () => {
        try {
          const result = await node.bootstrap(bootstrap);
          joined = true;
          logger.info("joined", {
            reached: result.reached,
            of: bootstrap.length,
            peers: result.peers,
          });
        } catch (error) {
          if (!(error instanceof BootstrapError)) throw error;
          const why = error.failures.map((f) => `${formatAddress(f.address)} ${f.reason}`);
          logger.error("join failed; retrying at the next summary", { why: why.join(", ") });
        }
      };
      if (!joined) await join();
      if (interval > 0) {
        timer = setInterval(() => {
          logger.info("summary", summaryFields(node));
          if (!joined) {
            join().catch((error) => logger.error("join failed", { error: String(error) }));
          }
        }, interval * 1000);
      }
      const signal = await signals.received;
      logger.info("shutting down", { signal });
      return 0;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error("failed", { error: message });
      if (level === "silent") output.err(`kdht node: ${message}`);
      return 1;
    } finally {
      if (timer !== undefined) clearInterval(timer);
      await server?.close();
      // Issue 7: save the state file here, before the node closes.
      await node.close();
      logger.info("stopped", summaryFields(node));
      signals.dispose();
    }
  },
};
