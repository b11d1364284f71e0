// The simulator's charts are standalone SVG a browser shows: one root, every tag closed, the
// expected series named, coordinates inside the canvas.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { costChartSvg, latencyCdfSvg, lineChartSvg, summarizeLookups } from "../../testing.ts";
import type { LookupSample } from "../../testing.ts";

/** Checks tags nest and close; returns the names of the elements, in order. */
function elements(svg: string): string[] {
  const names: string[] = [];
  const open: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z]+)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = match;
    if (closing === "/") assert.equal(open.pop(), name, `</${name}> closes the wrong element`);
    else {
      names.push(name!);
      if (selfClosing !== "/") open.push(name!);
    }
  }
  assert.deepEqual(open, [], "unclosed elements");
  return names;
}

function sample(durationMs: number, rounds: number, queries: number): LookupSample {
  return {
    success: true,
    recall: 1,
    exact: true,
    rounds,
    queries,
    failures: 0,
    durationMs,
    answered: 8,
    adversaries: 0,
  };
}

describe("Simulator SVG charts", () => {
  const small = summarizeLookups([sample(120, 2, 9), sample(300, 3, 14), sample(450, 3, 17)]);
  const large = summarizeLookups([sample(200, 3, 12), sample(520, 4, 21)]);

  it("costChartSvg draws rounds and messages against size", () => {
    const svg = costChartSvg([{ size: 1000, lookups: small }, { size: 3000, lookups: large }]);
    assert.ok(svg.startsWith("<svg "), svg.slice(0, 40));
    assert.ok(svg.trimEnd().endsWith("</svg>"));
    const names = elements(svg);
    assert.equal(names[0], "svg");
    assert.equal(names.filter((n) => n === "svg").length, 1);
    const series = [...svg.matchAll(/data-series="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(series, [
      "messages (mean)",
      "messages (p95)",
      "rounds (mean)",
      "rounds (p95)",
    ]);
    // Each polyline has one point per size, inside the 640 × 400 canvas.
    for (const m of svg.matchAll(/points="([^"]*)"/g)) {
      const points = m[1]!.split(" ").map((p) => p.split(",").map(Number));
      assert.equal(points.length, 2);
      for (const [x, y] of points) assert.ok(x! >= 0 && x! <= 640 && y! >= 0 && y! <= 400);
    }
  });

  it("latencyCdfSvg draws one rising line per batch", () => {
    const svg = latencyCdfSvg([{ name: "1000 nodes", lookups: small }, {
      name: "3000 nodes",
      lookups: large,
    }]);
    elements(svg);
    const lines = [...svg.matchAll(/<polyline data-series="([^"]+)"[^>]*points="([^"]*)"/g)];
    assert.deepEqual(lines.map((m) => m[1]), ["1000 nodes", "3000 nodes"]);
    const ys = lines[0]![2]!.split(" ").map((p) => Number(p.split(",")[1]));
    assert.equal(ys.length, 3);
    for (let i = 1; i < ys.length; i++) assert.ok(ys[i]! < ys[i - 1]!, "a CDF rises (SVG y falls)");
  });

  it("escapes text and rejects points it cannot place", () => {
    const svg = lineChartSvg({
      title: "a < b & c",
      xLabel: "x",
      yLabel: "y",
      series: [{ name: '"q"', points: [[1, 1]] }],
    });
    assert.ok(!svg.includes("a < b"));
    elements(svg);
    assert.throws(
      () =>
        lineChartSvg({
          title: "t",
          xLabel: "",
          yLabel: "",
          logX: true,
          series: [{ name: "s", points: [[0, 1]] }],
        }),
      RangeError,
    );
  });
});
