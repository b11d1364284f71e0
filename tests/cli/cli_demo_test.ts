// `kdht demo` (and `kdht` with no argument): a real network on 127.0.0.1 in one process, from
// one node up; the progress display on a terminal and off it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { kdht, RUNTIME } from "../_helpers/spawn.ts";
import { createProgress } from "../../cli/progress.ts";
import type { Output } from "../../cli/output.ts";

describe(`kdht demo (${RUNTIME})`, () => {
  it("with no argument runs 50 nodes and 100 values, progress on stderr, the table on stdout", async () => {
    const result = await kdht([], 120_000);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^kdht demo: 50 nodes on 127\.0\.0\.1 \(bencode\), 100 values$/m);
    for (const phase of ["start +50/50", "join +49/49", "store +100/100", "read +100/100"]) {
      assert.match(result.stderr, new RegExp(`^${phase} in [\\d.]+ s$`, "m"));
    }
    assert.match(result.stdout, /│ read success +│ 100\.0% \(100\/100\) +│/);
    assert.match(result.stdout, /│ values stored +│ 100\/100 +│/);
    assert.match(result.stdout, /│ get latency p50 \/ p99 +│ [\d.]+ ms \/ [\d.]+ ms +│/);
    assert.match(result.stdout, /│ datagrams sent \/ received +│ \d+ \/ \d+ +│/);
  });

  it("works for 1, 2 and 7 nodes, in both codecs", async () => {
    const runs = await Promise.all([
      kdht(["demo", "--nodes", "1", "--values", "3", "--json"]),
      kdht(["demo", "--nodes", "2", "--values", "4", "--serialization", "json", "--json"]),
      kdht(["demo", "-n", "7", "--values", "10", "--json"]),
    ]);
    for (const [i, nodes] of [1, 2, 7].entries()) {
      const { code, stdout, stderr } = runs[i]!;
      assert.equal(code, 0, stderr);
      const report = JSON.parse(stdout);
      assert.equal(report.nodes, nodes);
      assert.equal(report.readsOk, report.values);
      assert.equal(report.stored, report.values);
      assert.equal(report.timeouts, 0);
      if (nodes > 1) {
        assert.equal(report.peers, nodes - 1, "every node knows every other");
        assert.ok(report.messages.mean >= 1 && report.rounds.p50 >= 1);
      } else {
        assert.equal(report.datagramsSent, 0);
      }
    }
  });

  it("draws a bar in place on a terminal, one line per phase elsewhere", () => {
    const written: string[] = [];
    const output = (tty: boolean): Output => ({
      out: () => {},
      err: (line) => written.push(line + "\n"),
      errRaw: (text) => written.push(text),
      errIsTty: tty,
      columns: 80,
    });
    const bar = createProgress(output(true));
    bar.start("join", 4);
    for (let i = 0; i < 4; i++) bar.tick();
    bar.end();
    // Each redraw returns to the line start and clears it (ESC [2K) before drawing.
    const drawn = written.join("").replaceAll("\x1b[2K", "<clear>");
    assert.match(drawn, /^\r<clear>join +░+ 0\/4/);
    assert.match(drawn, /\r<clear>join +█+ 4\/4 [\d.]+ s\n$/);
    written.length = 0;
    const plain = createProgress(output(false));
    plain.start("read", 2);
    plain.tick();
    plain.tick();
    plain.end();
    assert.equal(written.length, 1);
    assert.match(written[0]!, /^read +2\/2 in [\d.]+ s\n$/);
  });
});
