/**
 * Presets of a network whose members stay (reference/reliability.md § c.5): C0 static, C1
 * i.i.d. loss, C6 bootstrap from one seed, C9 duplicated, reordered and one-way lost datagrams.
 *
 * @module
 */
import { summarize } from "./figures.ts";
import { type LookupFigures, measureLookups } from "./measure.ts";
import { bar, buildNetwork, definePreset, type Preset, type PresetContext } from "./preset_kit.ts";

/** Lookups at once in a measured batch: enough to keep the engine busy, few enough to not load. */
const CONCURRENCY = 8;

function lookups(ctx: PresetContext, phase: string, sim: Parameters<typeof measureLookups>[0]) {
  return measureLookups(sim, {
    count: ctx.lookups,
    concurrency: CONCURRENCY,
    onProgress: (done) => ctx.progress(phase, done, ctx.lookups),
  });
}

/** C0: static network, no loss. */
export const c0: Preset = definePreset("C0", "static network, no loss", 1000, async (ctx) => {
  const { sim, growth } = await buildNetwork(ctx, {}, ctx.nodes);
  try {
    const figures = await lookups(ctx, "lookups", sim);
    const hops = Math.ceil(Math.log2(ctx.nodes / sim.k)) + 1;
    return {
      scenario: `${ctx.nodes} nodes, k = ${sim.k}, α = ${sim.alpha}, link RTT 10–310 ms, ` +
        `${ctx.lookups} lookups of random ids from random nodes`,
      criteria: [
        bar("lookup success (true closest found)", figures.successPercent, 100),
        bar(`recall of the true ${sim.k} closest`, figures.recallPercent, 99),
        bar("median rounds (hops)", figures.rounds.p50, hops, { atMost: true, unit: "" }),
      ],
      batches: [{ name: "static", lookups: figures }],
      figures: { growth },
    };
  } finally {
    await sim.close();
  }
});

const C1_LEVELS: readonly [loss: number, success: number][] = [
  [0.01, 99.9],
  [0.05, 99.9],
  [0.1, 99.5],
  [0.2, 98],
  [0.3, 90],
];

/** C1: i.i.d. loss 1–30 %, short timeout. */
export const c1: Preset = definePreset(
  "C1",
  "i.i.d. loss 1 / 5 / 10 / 20 / 30 %",
  1000,
  async (ctx) => {
    const { sim, growth } = await buildNetwork(ctx, { node: { queryTimeoutMs: 1000 } }, ctx.nodes);
    try {
      const criteria = [];
      const batches: { name: string; lookups: LookupFigures }[] = [];
      for (const [loss, target] of C1_LEVELS) {
        sim.network.setLoss(loss);
        const name = `${loss * 100} % loss`;
        const figures = await lookups(ctx, `lookups at ${name}`, sim);
        batches.push({ name, lookups: figures });
        criteria.push(bar(`lookup success at ${name}`, figures.successPercent, target));
        if (loss === 0.1) {
          criteria.push(
            bar("p95 lookup time at 10 % loss", figures.latencyMs.p95, 3000, {
              atMost: true,
              unit: " ms",
            }),
          );
        }
      }
      return {
        scenario: `${ctx.nodes} nodes built without loss, then each loss rate in turn on every ` +
          `datagram; queryTimeoutMs 1000; ${ctx.lookups} lookups per rate. A query silent ` +
          `half-way to its timeout is re-sent once (the plan's one retry)`,
        criteria,
        batches,
        figures: { growth },
      };
    } finally {
      await sim.close();
    }
  },
);

/** C6: a network bootstrapped through one seed; newcomers' tables after 60 s. */
export const c6: Preset = definePreset(
  "C6",
  "bootstrap 3,000 nodes from one seed",
  3000,
  async (ctx) => {
    const { sim, growth } = await buildNetwork(ctx, {}, ctx.nodes, { fromFirst: true });
    try {
      // Newcomers through the same single seed; their tables 60 s (virtual) after they start.
      const probes = 5;
      const nodes = [];
      for (let i = 0; i < probes; i++) nodes.push(await sim.createNode());
      const seed = sim.live()[0]!.address;
      const start = sim.clock.now();
      await sim.run(Promise.all(nodes.map((node) => node.bootstrap([seed]))));
      const joinMs = sim.clock.now() - start;
      await sim.advance(Math.max(0, 60_000 - joinMs));
      const buckets = nodes.map((node) => node.stats().buckets);
      const contacts = nodes.map((node) => node.stats().routingTableSize);
      for (const node of nodes) sim.admit(node);
      const all = sim.live().map((m) => m.node.stats());
      return {
        scenario: `${ctx.nodes} nodes, each joining through the first node only; then ${probes} ` +
          `newcomers bootstrap through it and their tables are read 60 s (virtual) later`,
        criteria: [
          bar("newcomers' routing depth (buckets), min", Math.min(...buckets), 8, { unit: "" }),
          bar("newcomers' contacts, min", Math.min(...contacts), 50, { unit: "" }),
        ],
        batches: [],
        figures: {
          growth,
          newcomerJoinMs: Math.round(joinMs),
          newcomerBuckets: buckets,
          newcomerContacts: contacts,
          allBuckets: summarize(all.map((s) => s.buckets)),
          allContacts: summarize(all.map((s) => s.routingTableSize)),
        },
      };
    } finally {
      await sim.close();
    }
  },
);

/** C9: duplicated and reordered datagrams, one-way loss. */
export const c9: Preset = definePreset(
  "C9",
  "duplicate/reordered packets 5 %, one-way loss 20 %",
  1000,
  async (ctx) => {
    const { sim, growth } = await buildNetwork(ctx, {
      linkFaults: { duplicate: 0.05, reorder: 0.05, oneWayLoss: 0.2 },
      node: { queryTimeoutMs: 1000 },
    }, ctx.nodes);
    try {
      const figures = await lookups(ctx, "lookups", sim);
      // Puts under duplication: a store acknowledged twice by one peer would be double-counted.
      const puts = Math.min(100, ctx.lookups);
      let doubled = 0;
      let found = 0;
      let stored = 0;
      for (let i = 0; i < puts; i++) {
        ctx.progress("puts", i, puts);
        const writer = sim.pickHonest()!;
        const result = await sim.run(writer.node.set(`c9-${i}`, `value ${i}`));
        const ids = result.storedOn.map((peer) => peer.id);
        if (new Set(ids).size !== ids.length) doubled++;
        if (ids.length > 0) stored++;
        const reader = sim.pickHonest()!;
        const value = await sim.run(reader.node.get(`c9-${i}`));
        if (value === `value ${i}`) found++;
      }
      const success = sim.honest().length > 0 ? figures.successPercent : Number.NaN;
      return {
        scenario: `${ctx.nodes} nodes; every datagram duplicated with p 0.05 and held back ` +
          `0–100 ms with p 0.05 (reordering); each link loses 20 % one way; queryTimeoutMs ` +
          `1000; ${ctx.lookups} lookups, ${puts} set + get pairs`,
        criteria: [
          bar("sets with a peer acknowledged twice", doubled, 0, { atMost: true, unit: "" }),
          bar("lookup success (C1 row for 20 % loss)", success, 98),
        ],
        batches: [{ name: "dup+reorder+one-way loss", lookups: figures }],
        figures: { growth, puts, storedSomewhere: stored, getsReturningTheValue: found },
      };
    } finally {
      await sim.close();
    }
  },
);
