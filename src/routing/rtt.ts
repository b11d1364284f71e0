/**
 * Round-trip time estimation and the timeouts derived from it, in the spirit of RFC 6298:
 * a smoothed RTT and its mean deviation, updated with gains 1/8 and 1/4, and a timeout of the
 * smoothed RTT plus four deviations. A dead node then costs about one RTT-scaled wait: a few
 * milliseconds on loopback, a few hundred on a 100 ms WAN path.
 *
 * @module
 */

/** A smoothed RTT and its deviation, in milliseconds; `srtt` is NaN before the first sample. */
export interface RttState {
  /** Smoothed round-trip time, or NaN when nothing was measured yet. */
  srtt: number;
  /** Mean deviation of the round-trip time. */
  rttvar: number;
}

/** The lowest "slow" threshold: below it, timer jitter alone would make live nodes look slow. */
export const MIN_SLOW_MS = 5;
/**
 * The lowest query timeout. A live node's reply is rarely later than this on any path, but a
 * busy process (a garbage collection, a burst of work on a loaded machine) can stall tens of
 * milliseconds: a lower floor would count live nodes as failed. Lookups do not wait this long
 * for anyone (they move on after the slow threshold), so a dead node costs it only where
 * something must be known to have failed.
 */
export const MIN_TIMEOUT_MS = 250;

/**
 * Folds one RTT sample into `state` (RFC 6298 §2).
 *
 * @param state the estimate to update in place
 * @param sampleMs the measured round trip, in milliseconds
 */
export function addRttSample(state: RttState, sampleMs: number): void {
  const sample = sampleMs > 0 ? sampleMs : 0;
  if (Number.isNaN(state.srtt)) {
    state.srtt = sample;
    state.rttvar = sample / 2;
    return;
  }
  state.rttvar = 0.75 * state.rttvar + 0.25 * Math.abs(state.srtt - sample);
  state.srtt = 0.875 * state.srtt + 0.125 * sample;
}

/** The timeouts a query to one destination gets. */
export interface Timeouts {
  /** After this long a lookup stops waiting and asks another node in its place. */
  readonly slowMs: number;
  /** After this long the query fails with a TimeoutError and counts against the node. */
  readonly timeoutMs: number;
}

/**
 * The timeouts for a destination with this estimate: "slow" at SRTT + 4·RTTVAR, failure at
 * twice that, each clamped between a floor and the configured ceiling. With no estimate the
 * ceilings apply.
 *
 * @param state the destination's estimate (or a node-wide one)
 * @param slowCeilingMs the `slowQueryMs` option
 * @param timeoutCeilingMs the `queryTimeoutMs` option
 */
export function timeoutsFor(
  state: RttState,
  slowCeilingMs: number,
  timeoutCeilingMs: number,
): Timeouts {
  if (Number.isNaN(state.srtt)) {
    return { slowMs: Math.min(slowCeilingMs, timeoutCeilingMs), timeoutMs: timeoutCeilingMs };
  }
  const rto = state.srtt + 4 * state.rttvar;
  const timeoutMs = clamp(2 * rto, MIN_TIMEOUT_MS, timeoutCeilingMs);
  return { slowMs: clamp(rto, MIN_SLOW_MS, Math.min(slowCeilingMs, timeoutMs)), timeoutMs };
}

function clamp(value: number, low: number, high: number): number {
  return value < low ? Math.min(low, high) : value > high ? high : value;
}
