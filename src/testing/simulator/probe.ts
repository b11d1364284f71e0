/**
 * One measured lookup: a `findNode` from a live honest node, its cost as the node reports it
 * (the `lookup-finished` event: rounds, queries, failures, virtual duration), and its answer
 * scored against the ground truth of the live honest nodes when it ends.
 *
 * @module
 */
import { idFromHex, idsEqual, idToHex } from "../../id/node_id.ts";
import type { LookupFinishedEvent } from "../../events/node_events.ts";
import type { FindNodeOptions } from "../../node_results.ts";
import type { Peer } from "../../peer.ts";
import type { Simulation } from "./simulation.ts";
import type { SimulatedNode } from "./simulation_options.ts";

/** What one lookup did, and how right it was. */
export interface LookupSample {
  /**
   * The true closest honest live node (other than the asker) is in the answer: a value stored
   * at the k closest would be found.
   */
  readonly success: boolean;
  /** Fraction of the true k closest honest live nodes among the answer's first k. */
  readonly recall: number;
  /** The answer is exactly the true k closest (as a set). */
  readonly exact: boolean;
  /** Sequential request waves. */
  readonly rounds: number;
  /** Queries the lookup sent (each one request datagram). */
  readonly queries: number;
  /** Queries that failed or timed out. */
  readonly failures: number;
  /** Virtual time from the call to the answer, ms. */
  readonly durationMs: number;
  /** How many peers the answer had. */
  readonly answered: number;
  /** Of those, how many were adversaries. */
  readonly adversaries: number;
}

/**
 * Runs one `findNode` and scores it. Call it inside a promise the simulation's clock drives
 * (see {@linkcode Simulation.run}).
 *
 * @param sim the simulation
 * @param asker the node that looks up
 * @param target the id sought
 * @param options the `findNode` options
 * @returns the sample, or undefined if the asker left while the lookup ran
 */
export async function probeLookup(
  sim: Simulation,
  asker: SimulatedNode,
  target: Uint8Array,
  options?: FindNodeOptions,
): Promise<LookupSample | undefined> {
  const targetId = idToHex(target);
  let report: LookupFinishedEvent | undefined;
  const listener = (event: LookupFinishedEvent): void => {
    if (event.targetId === targetId && event.method === "find_node") report = event;
  };
  const node = asker.node;
  node.addEventListener("lookup-finished", listener);
  const started = sim.clock.now();
  let peers: Peer[];
  try {
    peers = await node.findNode(target, options);
  } catch {
    if (!sim.isLive(asker)) return undefined;
    // A live node whose lookup failed (no contact answered): a failed lookup, scored as one.
    peers = [];
  } finally {
    node.removeEventListener("lookup-finished", listener);
  }
  const durationMs = sim.clock.now() - started;
  const k = sim.k;
  const truth = sim.truth(target, k, asker.id);
  const answer = peers.slice(0, k).map((peer) => idFromHex(peer.id));
  let hits = 0;
  for (const id of truth) if (answer.some((got) => idsEqual(got, id))) hits++;
  let adversaries = 0;
  for (const id of answer) if (sim.isColluder(id)) adversaries++;
  const first = truth[0];
  return {
    success: first !== undefined && answer.some((got) => idsEqual(got, first)),
    recall: truth.length === 0 ? 1 : hits / truth.length,
    exact: hits === truth.length && answer.length === truth.length,
    rounds: report?.rounds ?? 0,
    queries: report?.queries ?? 0,
    failures: report?.failures ?? 0,
    durationMs,
    answered: peers.length,
    adversaries,
  };
}
