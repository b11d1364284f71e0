/**
 * Renders a node's {@linkcode NodeStats} in the Prometheus text exposition format (version
 * 0.0.4): one `# HELP` and `# TYPE` line per family, then its samples, counters ending in
 * `_total`, histograms as cumulative `_bucket{le}` lines with `_sum` and `_count`.
 *
 * @module
 */
import type { NodeStats } from "../node_results.ts";
import type { HistogramSnapshot } from "./histogram.ts";

/**
 * The `Content-Type` of a scrape answer in this format.
 *
 * @example
 * ```ts
 * import { formatPrometheus, KademliaNode, PROMETHEUS_CONTENT_TYPE } from "@kdht/core";
 *
 * await using node = new KademliaNode();
 * const scrape = () =>
 *   new Response(formatPrometheus(node.stats()), { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } });
 * console.log(scrape().headers.get("content-type")); // "text/plain; version=0.0.4; charset=utf-8"
 * ```
 */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * Options of {@linkcode formatPrometheus}.
 *
 * @example
 * ```ts
 * import { formatPrometheus, KademliaNode, type PrometheusOptions } from "@kdht/core";
 *
 * await using node = new KademliaNode();
 * const options: PrometheusOptions = { prefix: "dht", labels: { node: "a" } };
 * console.log(formatPrometheus(node.stats(), options).includes('dht_datagrams_sent_total{node="a"} 0')); // true
 * ```
 */
export interface PrometheusOptions {
  /**
   * The start of every metric name.
   * @default {"kdht"}
   */
  prefix?: string;
  /** Labels added to every sample, e.g. `{ node: "a" }` when one process runs several nodes. */
  labels?: Readonly<Record<string, string>>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

type Labels = Readonly<Record<string, string>>;
type Sample = readonly [labels: Labels, value: number];

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function number(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return Number.isNaN(value) ? "NaN" : String(value);
}

/** Builds the text family by family. */
class Exposition {
  readonly #prefix: string;
  readonly #constant: string;
  #text = "";

  constructor(prefix: string, labels: Labels) {
    this.#prefix = prefix;
    this.#constant = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
  }

  #head(name: string, type: string, help: string): string {
    const full = `${this.#prefix}_${name}`;
    this.#text += `# HELP ${full} ${escapeHelp(help)}\n# TYPE ${full} ${type}\n`;
    return full;
  }

  #sample(name: string, labels: Labels, value: number): void {
    const own = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
    const all = this.#constant && own ? `${this.#constant},${own}` : this.#constant || own;
    this.#text += `${name}${all ? `{${all}}` : ""} ${number(value)}\n`;
  }

  family(type: "counter" | "gauge", name: string, help: string, samples: Sample[]): void {
    const full = this.#head(name, type, help);
    for (const [labels, value] of samples) this.#sample(full, labels, value);
  }

  histogram(name: string, help: string, snapshot: HistogramSnapshot, divisor = 1): void {
    const full = this.#head(name, "histogram", help);
    for (const { le, count } of snapshot.buckets) {
      this.#sample(`${full}_bucket`, { le: number(le / divisor) }, count);
    }
    this.#sample(`${full}_sum`, {}, snapshot.sum / divisor);
    this.#sample(`${full}_count`, {}, snapshot.count);
  }

  get text(): string {
    return this.#text;
  }
}

function byLabel(label: string, counts: Readonly<Record<string, number>>): Sample[] {
  return Object.keys(counts).sort().map((key) => [{ [label]: key }, counts[key]!] as const);
}

const NONE: Labels = {};

/**
 * Renders a node's counters for a Prometheus scrape.
 *
 * @param stats what `node.stats()` returned
 * @param options the metric name prefix and labels for every sample
 * @returns the exposition text, each line ending in `\n`
 * @throws {TypeError} if the prefix or a label name is not a valid Prometheus name
 *
 * @example
 * ```ts
 * import { formatPrometheus, KademliaNode } from "@kdht/core";
 *
 * await using node = new KademliaNode();
 * await node.listen(0);
 * const text = formatPrometheus(node.stats());
 * console.log(text.includes("kdht_datagrams_sent_total 0")); // true
 * ```
 */
export function formatPrometheus(stats: NodeStats, options?: PrometheusOptions): string {
  const prefix = options?.prefix ?? "kdht";
  const labels = options?.labels ?? {};
  if (!METRIC_NAME.test(prefix)) {
    throw new TypeError(
      `Invalid prefix: ${JSON.stringify(prefix)} is not a Prometheus metric name`,
    );
  }
  for (const name of Object.keys(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith("__") || name === "le") {
      throw new TypeError(`Invalid label name: ${JSON.stringify(name)}`);
    }
  }
  const out = new Exposition(prefix, labels);
  const counter = (name: string, help: string, samples: Sample[]) =>
    out.family("counter", name, help, samples);
  const gauge = (name: string, help: string, samples: Sample[]) =>
    out.family("gauge", name, help, samples);

  counter("datagrams_sent_total", "Datagrams sent: queries, responses and errors.", [
    [NONE, stats.sent],
  ]);
  counter("datagrams_received_total", "Datagrams received.", [[NONE, stats.received]]);
  counter(
    "queries_sent_total",
    "Queries this node sent, by method.",
    byLabel("method", stats.queriesByMethod),
  );
  counter(
    "queries_received_total",
    "Queries this node received and answered, by the answering method.",
    byLabel("method", stats.queriesReceivedByMethod),
  );
  counter("responses_received_total", "Replies matched to our queries.", [
    [NONE, stats.responsesReceived],
  ]);
  counter("errors_received_total", "KRPC error replies received.", [
    [NONE, stats.errorsReceived],
  ]);
  counter("errors_sent_total", "KRPC error replies sent.", [[NONE, stats.errorsSent]]);
  counter(
    "query_timeouts_total",
    "Our queries that got no reply in time, by method.",
    byLabel("method", stats.timedOutByMethod),
  );
  gauge("queries_pending", "Our queries waiting for a reply.", [[NONE, stats.pendingQueries]]);
  counter("queries_resent_total", "Queries sent once more after silence half-way to timeout.", [
    [NONE, stats.resent],
  ]);
  counter(
    "datagrams_dropped_total",
    "Datagrams dropped without an answer, by reason.",
    byLabel("reason", stats.droppedByReason),
  );
  counter("datagrams_malformed_total", "Datagrams that were not valid KRPC.", [
    [NONE, stats.malformed],
  ]);
  counter("datagrams_other_codec_total", "Datagrams in the other codec (JSON vs bencode).", [
    [NONE, stats.otherCodec],
  ]);
  counter("send_failures_total", "Sends the transport refused or failed.", [
    [NONE, stats.sendFailures],
  ]);
  gauge(
    "routing_table_contacts",
    "Contacts in the routing table, by health (BEP 5).",
    byLabel("health", stats.contacts),
  );
  gauge("routing_table_buckets", "Buckets in the routing table.", [[NONE, stats.buckets]]);
  counter("eviction_pings_total", "Pings sent to a full bucket's head before evicting it.", [
    [NONE, stats.evictionPings],
  ]);
  gauge("stored_records", "Records held.", [[NONE, stats.storage.records]]);
  gauge("stored_bytes", "Value bytes held.", [[NONE, stats.storage.bytes]]);
  gauge("stored_items", "BEP 44 items held for the network.", [[NONE, stats.itemsHeld]]);
  counter("storage_evictions_total", "Records evicted to make room for nearer ones.", [
    [NONE, stats.storage.evictions],
  ]);
  counter(
    "storage_refusals_total",
    "Records the storage refused, by reason.",
    byLabel("reason", stats.storage.refusals),
  );
  counter("storage_expired_total", "Records removed because they expired.", [
    [NONE, stats.storage.expired],
  ]);
  counter("lookups_total", "Iterative lookups started.", [[NONE, stats.lookups]]);
  const histograms = stats.lookupHistograms;
  out.histogram("lookup_rounds", "Sequential request waves per lookup.", histograms.rounds);
  out.histogram("lookup_queries", "Queries (messages) sent per lookup.", histograms.queries);
  out.histogram(
    "lookup_duration_seconds",
    "How long lookups took.",
    histograms.durationMs,
    1000,
  );
  return out.text;
}
