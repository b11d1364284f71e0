/**
 * Presets of a network whose members come and go (reference/reliability.md § c.5): C2 churn,
 * C3 heavy churn with loss, C4 half the nodes killed, C5 a partition healed.
 *
 * @module
 */
import { percent } from "./figures.ts";
import { type LookupFigures, measureLookups, measureLookupsDuring } from "./measure.ts";
import {
  bar,
  buildNetwork,
  definePreset,
  notApplicable,
  type Preset,
  type PresetContext,
} from "./preset_kit.ts";
import { exponentialSessions } from "./sessions.ts";
import type { Simulation } from "./simulation.ts";
import type { SimulatedNode } from "./simulation_options.ts";

const MINUTE = 60_000;
/** The plan's workload: one lookup per node per 10 minutes. */
const WORKLOAD_PER_NODE_MS = 10 * MINUTE;
/** BEP 5's bucket refresh period, which C4 and C5 name. */
const REFRESH_MS = 15 * MINUTE;

function workload(sim: Simulation, durationMs: number): Promise<LookupFigures> {
  return measureLookupsDuring(sim, {
    durationMs,
    intervalMs: WORKLOAD_PER_NODE_MS / Math.max(1, sim.size),
  });
}

function batch(ctx: PresetContext, sim: Simulation, phase: string): Promise<LookupFigures> {
  return measureLookups(sim, {
    count: ctx.lookups,
    concurrency: 8,
    onProgress: (done) => ctx.progress(phase, done, ctx.lookups),
  });
}

/** C2: exponential sessions, median 60 min; put → get after 1 h. */
export const c2: Preset = definePreset("C2", "churn, median session 60 min", 1000, async (ctx) => {
  const minutes = ctx.options.minutes ?? 120;
  const { sim, growth } = await buildNetwork(ctx, {}, ctx.nodes);
  try {
    const puts = Math.min(200, ctx.lookups);
    const keys: string[] = [];
    for (let i = 0; i < puts; i++) {
      ctx.progress("puts", i, puts);
      const key = `c2-${i}`;
      await sim.run(sim.pickHonest()!.node.set(key, `value ${i}`));
      keys.push(key);
    }
    sim.startChurn(exponentialSessions({ medianMs: 60 * MINUTE }));
    const lookups: LookupFigures[] = [];
    let found = 0;
    let elapsed = 0;
    while (elapsed < minutes) {
      const step = Math.min(60, minutes - elapsed);
      ctx.progress("churn (virtual minutes)", elapsed, minutes);
      lookups.push(await workload(sim, step * MINUTE));
      elapsed += step;
      if (elapsed === 60) {
        for (const key of keys) {
          const value = await sim.run(sim.pickHonest()!.node.get(key));
          if (value === `value ${key.slice(3)}`) found++;
        }
      }
    }
    const all = mergeSuccess(lookups);
    return {
      scenario: `${ctx.nodes} nodes; exponential sessions, median 60 min, each leaver replaced ` +
        `by a newcomer; ${minutes} virtual minutes (the plan says 24 h: --minutes 1440); ` +
        `1 lookup per node per 10 min; ${puts} sets before churn, read back after 1 h`,
      criteria: [
        bar("lookup success under churn", all.successPercent, 99),
        minutes >= 60
          ? bar("put → get after 1 h", percent(found, puts), 99.9)
          : notApplicable("put → get after 1 h", "≥ 99.9 %", "run shorter than 1 h"),
      ],
      batches: lookups.map((l, i) => ({ name: `hour ${i + 1}`, lookups: l })),
      figures: { growth, lookups: all, puts, foundAfterOneHour: found },
    };
  } finally {
    await sim.close();
  }
});

/** Success over several batches: how many lookups, and the % that succeeded. */
function mergeSuccess(
  batches: readonly LookupFigures[],
): { count: number; successPercent: number } {
  let count = 0;
  let success = 0;
  for (const b of batches) {
    count += b.count;
    success += Number.isNaN(b.successPercent) ? 0 : (b.successPercent / 100) * b.count;
  }
  return { count, successPercent: percent(Math.round(success), count) };
}

/** C3: heavy churn, median 5 min, and 5 % loss. */
export const c3: Preset = definePreset("C3", "heavy churn 5 min + 5 % loss", 1000, async (ctx) => {
  const minutes = ctx.options.minutes ?? 20;
  const { sim, growth } = await buildNetwork(ctx, {}, ctx.nodes);
  try {
    sim.network.setLoss(0.05);
    sim.startChurn(exponentialSessions({ medianMs: 5 * MINUTE }));
    const before = sim.network.stats();
    const figures = await workload(sim, minutes * MINUTE);
    const after = sim.network.stats();
    const bytesPerNodeSecond = Math.round(
      (after.bytes - before.bytes) / sim.size / (minutes * 60),
    );
    return {
      scenario: `${ctx.nodes} nodes; exponential sessions, median 5 min, leavers replaced; 5 % ` +
        `loss; ${minutes} virtual minutes; 1 lookup per node per 10 min. Traffic counts every ` +
        `byte sent (newcomers' joins and the lookups included), an upper bound on maintenance`,
      criteria: [
        bar("lookup success", figures.successPercent, 95),
        bar("traffic per node", bytesPerNodeSecond, 1024, { atMost: true, unit: " B/s" }),
      ],
      batches: [{ name: "heavy churn", lookups: figures }],
      figures: {
        growth,
        bytesPerNodeSecond,
        datagramsPerNodeSecond: Math.round((after.sent - before.sent) / sim.size / (minutes * 60)),
      },
    };
  } finally {
    await sim.close();
  }
});

/** C4: half the nodes crash at once. */
export const c4: Preset = definePreset("C4", "kill 50 % of nodes at once", 1000, async (ctx) => {
  const { sim, growth } = await buildNetwork(ctx, {
    node: { refreshIntervalMs: REFRESH_MS },
  }, ctx.nodes);
  try {
    const killed = sim.killFraction(0.5);
    const now = await batch(ctx, sim, "lookups right after");
    await sim.advance(REFRESH_MS);
    const later = await batch(ctx, sim, "lookups after 15 min");
    return {
      scenario: `${ctx.nodes} nodes, refreshIntervalMs 15 min; ${killed} crash at once (no ` +
        `goodbye); ${ctx.lookups} lookups at once, then again after 15 virtual minutes`,
      criteria: [
        bar("lookup success right after", now.successPercent, 90),
        bar("lookup success after one 15-min refresh", later.successPercent, 99),
      ],
      batches: [{ name: "right after", lookups: now }, { name: "after 15 min", lookups: later }],
      figures: { growth, killed },
    };
  } finally {
    await sim.close();
  }
});

/** C5: two halves cut apart for 10 min, then healed. */
export const c5: Preset = definePreset(
  "C5",
  "partition into halves 10 min, heal",
  1000,
  async (ctx) => {
    const { sim, growth } = await buildNetwork(ctx, {
      node: { refreshIntervalMs: REFRESH_MS },
    }, ctx.nodes);
    try {
      const members = [...sim.live()];
      const sideOf = new Map<SimulatedNode, 0 | 1>();
      for (const member of members) sideOf.set(member, sim.workload.float() < 0.5 ? 0 : 1);
      const hosts = (side: 0 | 1) =>
        members.filter((m) => sideOf.get(m) === side).map((m) => m.address.host);
      sim.network.partition(hosts(0), hosts(1));
      const during = await workload(sim, 10 * MINUTE);
      sim.network.heal();
      // Lookups from side 0 for ids next to side 1's nodes: the answer lies across the cut.
      const across = () => {
        const side0 = members.filter((m) => sideOf.get(m) === 0 && sim.isLive(m));
        const side1 = members.filter((m) => sideOf.get(m) === 1 && sim.isLive(m));
        const asker = side0[Math.floor(sim.workload.float() * side0.length)];
        const near = side1[Math.floor(sim.workload.float() * side1.length)];
        if (asker === undefined || near === undefined) return undefined;
        const target = near.id.slice();
        target[19]! ^= 1 + Math.floor(sim.workload.float() * 255);
        return { asker, target };
      };
      const measure = (phase: string) =>
        measureLookups(sim, {
          count: ctx.lookups,
          concurrency: 8,
          pick: across,
          onProgress: (done) => ctx.progress(phase, done, ctx.lookups),
        });
      const atHeal = await measure("cross-half lookups at heal");
      const recovery = await workload(sim, REFRESH_MS);
      const after = await measure("cross-half lookups 15 min after heal");
      return {
        scenario: `${ctx.nodes} nodes, refreshIntervalMs 15 min, split at random into halves ` +
          `cut apart for 10 min with the usual workload (1 lookup per node per 10 min); then ` +
          `healed; ${ctx.lookups} lookups from one half for ids next to nodes of the other, at ` +
          `the heal and 15 min later`,
        criteria: [
          bar("cross-half lookup success 15 min after heal", after.successPercent, 99),
        ],
        batches: [
          { name: "during partition", lookups: during },
          { name: "cross-half at heal", lookups: atHeal },
          { name: "recovery workload", lookups: recovery },
          { name: "cross-half +15 min", lookups: after },
        ],
        figures: { growth },
      };
    } finally {
      await sim.close();
    }
  },
);
