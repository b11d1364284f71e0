/**
 * `kdht demo`: the embedded default. A network of real UDP nodes on 127.0.0.1 in this process,
 * a progress bar while it joins, stores and reads, then a summary table. No argument needed.
 *
 * @module
 */
import { integerOption, serializationOption } from "../args.ts";
import type { Command } from "../command.ts";
import { type DemoReport, runDemo, type Spread } from "../demo_network.ts";
import { createProgress } from "../progress.ts";
import { renderTable } from "../table.ts";

const ms = (value: number) => `${value.toFixed(1)} ms`;
const spreadMs = (s: Spread) => `${ms(s.p50)} / ${ms(s.p99)}`;
const spreadCount = (s: Spread) => `${s.mean.toFixed(1)} (p50 ${s.p50}, p99 ${s.p99})`;
const percent = (part: number, whole: number) =>
  whole === 0 ? "n/a" : `${((100 * part) / whole).toFixed(1)}%`;

/** The summary table of a demo run. */
export function demoTable(report: DemoReport): string[] {
  return renderTable([
    "demo",
    `${report.nodes} node${report.nodes === 1 ? "" : "s"}, ${report.serialization} on 127.0.0.1`,
  ], [
    ["values stored", `${report.stored}/${report.values}`],
    ["peers per value", report.replicas.toFixed(1)],
    [
      "read success",
      `${percent(report.readsOk, report.values)} (${report.readsOk}/${report.values})`,
    ],
    undefined,
    ["lookup rounds per read", spreadCount(report.rounds)],
    ["lookup messages per read", spreadCount(report.messages)],
    ["set latency p50 / p99", spreadMs(report.setMs)],
    ["get latency p50 / p99", spreadMs(report.getMs)],
    undefined,
    ["datagrams sent / received", `${report.datagramsSent} / ${report.datagramsReceived}`],
    ["query timeouts", String(report.timeouts)],
    ["routing table (mean)", `${report.peers.toFixed(1)} peers`],
    ["join / store / read", `${ms(report.joinMs)} / ${ms(report.storeMs)} / ${ms(report.readMs)}`],
  ]);
}

/** The `demo` command. */
export const demo: Command = {
  name: "demo",
  summary: "run a demo network on 127.0.0.1 in this process and print a summary",
  synopsis: "[--nodes 50] [--values 100] [--serialization bencode|json] [--json]",
  options: {
    nodes: { type: "string", short: "n", value: "count", help: "nodes, 1 to 1000", default: "50" },
    values: { type: "string", value: "count", help: "values stored and read back", default: "100" },
    serialization: {
      type: "string",
      value: "json|bencode",
      help: "wire codec",
      default: "bencode",
    },
    concurrency: {
      type: "string",
      value: "count",
      help: "operations in flight at once",
      default: "8",
    },
    json: { type: "boolean", help: "print the summary as one JSON object" },
  },
  positionals: { min: 0, max: 0 },
  async run(args, output) {
    const v = args.values;
    const options = {
      nodes: integerOption(v.nodes, "nodes", 50, 1, 1000),
      values: integerOption(v.values, "values", 100, 0, 100_000),
      serialization: serializationOption(v.serialization, "bencode"),
      concurrency: integerOption(v.concurrency, "concurrency", 8, 1, 64),
    };
    output.err(
      `kdht demo: ${options.nodes} nodes on 127.0.0.1 (${options.serialization}), ` +
        `${options.values} values`,
    );
    const report = await runDemo(options, createProgress(output));
    if (v.json === true) output.out(JSON.stringify(report));
    else for (const line of demoTable(report)) output.out(line);
    return report.readsOk === report.values ? 0 : 1;
  },
};
