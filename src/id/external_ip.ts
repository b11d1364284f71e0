/**
 * Learning our external IP from the network (BEP 42 §Bootstrapping): every reply may carry, in
 * its top-level `ip`, the address the responder saw our query come from. One responder can
 * lie, so the node believes an IP only once enough distinct responders agree (reliability.md
 * S8): each responder IP has one vote, its latest report; an IP wins when at least `minVotes`
 * responders report it and they are a strict majority of the responders remembered. The
 * memory is bounded: past `maxVoters` responders the one heard from longest ago is forgotten,
 * so a changed address (a new NAT mapping) wins over time.
 *
 * Reports of a local address (loopback, private, link-local: BEP 42's exempt ranges) are not
 * votes: they say nothing about the IP others see, and BEP 42 binds no id to them.
 *
 * @module
 */
import { EXTERNAL_IP_VOTERS, EXTERNAL_IP_VOTES } from "../constants.ts";
import { isBep42Exempt } from "./bep42.ts";
import { emptyMap, ownMap } from "../empty_map.ts";

/** Options of {@linkcode ExternalIpVoter}. */
export interface ExternalIpVoterOptions {
  /** Distinct responders that must agree. @default {3} */
  readonly minVotes?: number | undefined;
  /** Responders remembered. @default {64} */
  readonly maxVoters?: number | undefined;
}

/**
 * Tallies the external IP that responders report.
 *
 * @example
 * ```ts
 * import { ExternalIpVoter } from "./external_ip.ts";
 * const voter = new ExternalIpVoter({ minVotes: 2 });
 * voter.vote("203.0.113.9", "198.51.100.1"); // undefined: one voice
 * console.log(voter.vote("203.0.113.9", "198.51.100.2")); // "203.0.113.9"
 * ```
 */
export class ExternalIpVoter {
  readonly #minVotes: number;
  readonly #maxVoters: number;
  // Responder IP → the IP it reported last. Map order is the order of last reports.
  #votes = emptyMap<string, string>();
  #tally = emptyMap<string, number>();
  #ip: string | undefined;

  /** @param options how many must agree, and how many responders are remembered */
  constructor(options: ExternalIpVoterOptions = {}) {
    this.#minVotes = options.minVotes ?? EXTERNAL_IP_VOTES;
    this.#maxVoters = Math.max(options.maxVoters ?? EXTERNAL_IP_VOTERS, this.#minVotes);
  }

  /** The external IP the responders agree on, or undefined while they do not. */
  get ip(): string | undefined {
    return this.#ip;
  }

  /**
   * Counts one report.
   *
   * @param reported the IP the responder says it saw us at
   * @param voter the responder's IP
   * @returns the new external IP when this report changed the outcome, else undefined
   */
  vote(reported: string, voter: string): string | undefined {
    if (isExempt(reported)) return undefined;
    const previous = this.#votes.get(voter);
    if (previous !== undefined) {
      this.#votes.delete(voter);
      this.#count(previous, -1);
    } else if (this.#votes.size >= this.#maxVoters) {
      const [oldest, report] = this.#votes.entries().next().value!;
      this.#votes.delete(oldest);
      this.#count(report, -1);
    }
    (this.#votes = ownMap(this.#votes)).set(voter, reported);
    this.#count(reported, 1);
    const votes = this.#tally.get(reported)!;
    if (reported === this.#ip || votes < this.#minVotes || 2 * votes <= this.#votes.size) {
      return undefined;
    }
    this.#ip = reported;
    return reported;
  }

  #count(ip: string, delta: number): void {
    const next = (this.#tally.get(ip) ?? 0) + delta;
    if (next === 0) this.#tally.delete(ip);
    else (this.#tally = ownMap(this.#tally)).set(ip, next);
  }
}

function isExempt(ip: string): boolean {
  try {
    return isBep42Exempt(ip);
  } catch {
    return true; // not an IP literal: not a vote
  }
}
