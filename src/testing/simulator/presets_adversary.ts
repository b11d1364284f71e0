/**
 * Presets with adversaries (reference/reliability.md § c.5): C7 colluders that answer lookups
 * only with each other and drop stores, C8 a Sybil cluster next to a key.
 *
 * @module
 */
import { secureNodeId } from "../../id/bep42.ts";
import { hashKey, idFromHex, idsEqual } from "../../id/node_id.ts";
import type { KademliaNode } from "../../node.ts";
import { type LookupFigures, measureLookups } from "./measure.ts";
import {
  bar,
  buildNetwork,
  type Criterion,
  definePreset,
  PLAN_ALPHA,
  type Preset,
  type PresetContext,
} from "./preset_kit.ts";

/**
 * The plan's independent-path model: P(success) = 1 − (1 − (1 − f)^h)^d.
 *
 * @param f the adversaries' fraction
 * @param h hops per path
 * @param d disjoint paths
 * @returns the probability, 0–1
 */
export function disjointPathModel(f: number, h: number, d: number): number {
  return 1 - (1 - (1 - f) ** h) ** d;
}

/** C7: colluding adversaries, 10 / 20 / 30 %. */
export const c7: Preset = definePreset(
  "C7",
  "colluding adversaries f = 10/20/30 %",
  1000,
  async (ctx) => {
    const criteria: Criterion[] = [];
    const batches: { name: string; lookups: LookupFigures }[] = [];
    const figures: Record<string, unknown> = {};
    for (const f of [0.1, 0.2, 0.3]) {
      const adversaries = Math.round(ctx.nodes * f);
      const { sim, growth } = await buildNetwork(ctx, {}, ctx.nodes, { adversaries });
      try {
        const lookups = await measureLookups(sim, {
          count: ctx.lookups,
          concurrency: 8,
          onProgress: (done) => ctx.progress(`lookups, f = ${f}`, done, ctx.lookups),
        });
        const disjoint = await measureLookups(sim, {
          count: ctx.lookups,
          concurrency: 8,
          findNode: { disjointPaths: PLAN_ALPHA },
          onProgress: (done) => ctx.progress(`lookups, f = ${f}, d = α`, done, ctx.lookups),
        });
        const h = lookups.rounds.p50;
        const one = Math.round(disjointPathModel(f, h, 1) * 1000) / 10;
        const many = Math.round(disjointPathModel(f, h, PLAN_ALPHA) * 1000) / 10;
        const name = `f = ${f * 100} %`;
        batches.push({ name, lookups });
        batches.push({ name: `${name}, d = ${PLAN_ALPHA}`, lookups: disjoint });
        figures[name] = { growth, h, modelD1: one, modelDAlpha: many };
        criteria.push(
          bar(
            `success at ${name}, d = 1 (model ${one} %, h = ${h})`,
            lookups.successPercent,
            Math.round((one - 2) * 10) / 10,
          ),
        );
        criteria.push(
          bar(
            `success at ${name}, d = α = ${PLAN_ALPHA} (model ${many} %; ` +
              `${Math.round(disjoint.messages.mean * 10) / 10} queries per lookup against ` +
              `${Math.round(lookups.messages.mean * 10) / 10})`,
            disjoint.successPercent,
            Math.round((many - 2) * 10) / 10,
          ),
        );
      } finally {
        await sim.close();
      }
    }
    return {
      scenario: `${ctx.nodes} nodes of which f are colluders (real KRPC sockets; to find_node, ` +
        `get_peers, get and find_value they name only the colluders nearest the target; stores ` +
        `are acknowledged and dropped); ${ctx.lookups} lookups from honest nodes with one path and ` +
        `${ctx.lookups} with ${PLAN_ALPHA} disjoint paths (findNode's disjointPaths); success = the ` +
        `true closest honest node is in the answer; h = the run's median rounds`,
      criteria,
      batches,
      figures,
    };
  },
);

/** How many of a set's acknowledged store targets are attackers. */
async function sybilStoreTargets(
  ctx: PresetContext,
  secureContacts: "require" | "any",
): Promise<{ attackers: number; storedOn: number; sybilsInTables: number }> {
  const publicHost = (i: number) => `1.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const { sim } = await buildNetwork(ctx, {
    host: publicHost,
    nodeId: (host, random) => secureNodeId(host, random),
    node: { secureContacts },
  }, ctx.nodes);
  try {
    const key = `c8-${secureContacts}`;
    const target = hashKey(key);
    const sybils: KademliaNode[] = [];
    for (let i = 0; i < 16; i++) {
      const id = target.slice();
      id[18] = Math.floor(sim.workload.float() * 256);
      id[19] = i;
      const node = await sim.createNode({ host: "5.6.7.8", nodeId: id });
      await sim.run(node.bootstrap([sim.pickHonest()!.address]));
      sim.admit(node, false);
      sybils.push(node);
    }
    await sim.advance(60_000);
    const sybilIds = sybils.map((node) => idFromHex(node.id));
    const writer = sim.pickHonest()!;
    const result = await sim.run(writer.node.set(key, "value"));
    const attackers = result.storedOn.filter((peer) =>
      sybilIds.some((id) => idsEqual(id, idFromHex(peer.id)))
    ).length;
    let sybilsInTables = 0;
    for (const member of sim.honest()) {
      for (const peer of member.node.peers()) {
        if (sybilIds.some((id) => idsEqual(id, idFromHex(peer.id)))) sybilsInTables++;
      }
    }
    return { attackers, storedOn: result.storedOn.length, sybilsInTables };
  } finally {
    await sim.close();
  }
}

/** C8: 16 Sybils on one IP, ids next to a key. */
export const c8: Preset = definePreset(
  "C8",
  "Sybil cluster of 16 ids on 1 IP next to a key",
  300,
  async (ctx) => {
    const enforced = await sybilStoreTargets(ctx, "require");
    ctx.progress("without BEP 42", 0, 1);
    const open = await sybilStoreTargets(ctx, "any");
    return {
      scenario:
        `${ctx.nodes} honest nodes on public IPs (simulated) with BEP 42 ids; 16 nodes on ` +
        `one IP whose ids share 144 bits with a key's, not BEP 42-valid; an honest node sets ` +
        `the key with secureContacts "require", then (a new network) "any"`,
      criteria: [
        bar("attackers among store targets, BEP 42 enforced", enforced.attackers, 0, {
          atMost: true,
          unit: "",
        }),
        bar("attackers among store targets, BEP 42 off (IP rule)", open.attackers, 1, {
          atMost: true,
          unit: "",
        }),
      ],
      batches: [],
      figures: { enforced, open },
    };
  },
);
