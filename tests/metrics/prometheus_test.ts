// formatPrometheus against the text exposition format's grammar (tests/_helpers/
// prometheus_grammar.ts), and against the stats it renders.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatPrometheus } from "../../mod.ts";
import { Histogram } from "../../src/metrics/histogram.ts";
import { constantLatency } from "../../src/testing/latency.ts";
import { type Family, parseExposition } from "../_helpers/prometheus_grammar.ts";
import { createSim } from "../_helpers/sim.ts";

function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}) {
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name !== name) continue;
      const wanted = Object.entries(labels);
      if (wanted.every(([k, v]) => sample.labels[k] === v)) return sample.value;
    }
  }
  return undefined;
}

describe("the exposition grammar checker", () => {
  it("accepts the format's own example", () => {
    const example = [
      "# HELP http_requests_total The total number of HTTP requests.",
      "# TYPE http_requests_total counter",
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      "",
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      "metric_without_timestamp_and_labels 12.47",
      "# A normal comment.",
      "# HELP http_request_duration_seconds A histogram of the request duration.",
      "# TYPE http_request_duration_seconds histogram",
      'http_request_duration_seconds_bucket{le="0.05"} 24054',
      'http_request_duration_seconds_bucket{le="0.1"} 33444',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      "http_request_duration_seconds_sum 53423",
      "http_request_duration_seconds_count 144320",
      'something_weird{problem="division by zero"} +Inf -3982045',
      "",
    ].join("\n");
    const families = parseExposition(example);
    assert.equal(families.get("http_requests_total")!.samples.length, 2);
    assert.equal(
      value(families, "msdos_file_access_time_seconds"),
      1.458255915e9,
    );
    assert.equal(
      families.get("msdos_file_access_time_seconds")!.samples[0]!.labels.error,
      'Cannot find file:\n"FILE.TXT"',
    );
  });

  it("rejects what the format forbids", () => {
    const bad = {
      "no final newline": "a 1",
      "bad name": "1a 1\n",
      "bad value": "a one\n",
      "bad escape": 'a{x="\\t"} 1\n',
      "unterminated label": 'a{x="1} 1\n',
      "repeated label": 'a{x="1",x="2"} 1\n',
      "second TYPE": "# TYPE a counter\n# TYPE a gauge\na 1\n",
      "TYPE after samples": "a 1\n# TYPE a counter\n",
      "ungrouped": 'a 1\nb 1\na{x="1"} 2\n',
      "duplicate series": "a 1\na 2\n",
      "histogram without +Inf": '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n',
      "histogram not cumulative":
        '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
      "histogram count mismatch": '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n',
      "unknown type": "# TYPE a thing\na 1\n",
    };
    for (const [why, text] of Object.entries(bad)) {
      assert.throws(() => parseExposition(text), Error, why);
    }
  });
});

describe("formatPrometheus", () => {
  it("renders a working node's stats in valid exposition text, with the same numbers", async () => {
    const sim = await createSim({ size: 30, seed: 4, latency: constantLatency(3) });
    try {
      const node = sim.nodes[7]!;
      await sim.run(node.set("a", "b"));
      await sim.run(node.get("a"));
      await sim.run(node.findNode(sim.nodes[2]!.id));
      const stats = node.stats();
      const text = formatPrometheus(stats);
      const families = parseExposition(text);
      for (const family of families.values()) {
        assert.ok(family.help, `${family.name} has HELP`);
        assert.notEqual(family.type, "untyped", `${family.name} has a TYPE`);
        if (family.type === "counter") assert.match(family.name, /_total$/);
      }
      assert.equal(value(families, "kdht_datagrams_sent_total"), stats.sent);
      assert.equal(value(families, "kdht_datagrams_received_total"), stats.received);
      assert.equal(value(families, "kdht_queries_resent_total"), stats.resent);
      assert.equal(value(families, "kdht_stored_items"), stats.itemsHeld);
      assert.equal(
        value(families, "kdht_queries_sent_total", { method: "find_node" }),
        stats.queriesByMethod.find_node,
      );
      assert.equal(
        value(families, "kdht_queries_received_total", { method: "find_node" }),
        stats.queriesReceivedByMethod.find_node,
      );
      assert.equal(
        value(families, "kdht_datagrams_dropped_total", { reason: "overloaded" }),
        0,
      );
      assert.equal(
        value(families, "kdht_routing_table_contacts", { health: "good" }),
        stats.contacts.good,
      );
      assert.equal(value(families, "kdht_stored_records"), stats.storage.records);
      assert.equal(value(families, "kdht_lookups_total"), stats.lookups);
      assert.equal(
        value(families, "kdht_lookup_rounds_count"),
        stats.lookupHistograms.rounds.count,
      );
      assert.equal(value(families, "kdht_lookup_queries_sum"), stats.lookupQueries);
      assert.equal(
        value(families, "kdht_lookup_duration_seconds_sum"),
        stats.lookupHistograms.durationMs.sum / 1000,
      );
      assert.equal(
        value(families, "kdht_lookup_duration_seconds_bucket", { le: "0.25" }),
        stats.lookupHistograms.durationMs.buckets.find((b) => b.le === 250)!.count,
      );
    } finally {
      await sim.close();
    }
  });

  it("escapes label values, takes a prefix, and refuses invalid names", async () => {
    const sim = await createSim({ size: 1 });
    try {
      const stats = sim.nodes[0]!.stats();
      const labels = { node: 'a "quoted"\\ name\nwith a newline' };
      const families = parseExposition(formatPrometheus(stats, { prefix: "dht", labels }));
      const sample = families.get("dht_datagrams_sent_total")!.samples[0]!;
      assert.deepEqual(sample.labels, labels);
      const bucket = families.get("dht_lookup_rounds")!.samples[0]!;
      assert.equal(bucket.labels.node, labels.node);
      assert.equal(bucket.labels.le, "1");
      assert.throws(() => formatPrometheus(stats, { prefix: "9bad" }), TypeError);
      assert.throws(() => formatPrometheus(stats, { labels: { "bad-name": "x" } }), TypeError);
      assert.throws(() => formatPrometheus(stats, { labels: { le: "x" } }), TypeError);
    } finally {
      await sim.close();
    }
  });

  it("Histogram keeps cumulative buckets, and refuses unordered bounds", () => {
    const histogram = new Histogram([1, 5, 10]);
    for (const v of [0, 1, 2, 5, 6, 100]) histogram.observe(v);
    assert.deepEqual(histogram.snapshot(), {
      buckets: [{ le: 1, count: 2 }, { le: 5, count: 4 }, { le: 10, count: 5 }, {
        le: Infinity,
        count: 6,
      }],
      sum: 114,
      count: 6,
    });
    assert.throws(() => new Histogram([5, 1]), RangeError);
  });

  it("Histograms on one bounds array count apart, and follow the array if it changes", () => {
    const bounds = [1, 5];
    const a = new Histogram(bounds);
    const b = new Histogram(bounds);
    a.observe(3);
    assert.deepEqual(b.snapshot().buckets.map((bucket) => bucket.count), [0, 0, 0]);
    assert.deepEqual(a.snapshot().buckets.map((bucket) => bucket.count), [0, 1, 1]);
    bounds[1] = 2;
    const c = new Histogram(bounds);
    c.observe(3);
    assert.deepEqual(c.snapshot().buckets, [{ le: 1, count: 0 }, { le: 2, count: 0 }, {
      le: Infinity,
      count: 1,
    }]);
    assert.deepEqual(a.snapshot().buckets.map((bucket) => bucket.le), [1, 5, Infinity]);
  });
});
