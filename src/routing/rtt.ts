/**
 * Round-trip time estimation and the timeouts derived from it, in the spirit of RFC 6298:
 * a smoothed RTT and its mean deviation, updated with gains 1/8 and 1/4, and a timeout of the
 * smoothed RTT plus four deviations. A dead node then costs about one RTT-scaled wait: a few
 * milliseconds on loopback, a few hundred on a 100 ms WAN path.
 *
 * @module
 */

/**
 * A smoothed RTT and its deviation, in whole microseconds. Every contact keeps one, and V8
 * keeps a field that only ever holds small integers in the object itself but a fractional one
 * as a heap number of its own: fractional milliseconds cost two heap numbers per contact (16
 * bytes each on Node, 2.3 KB per node in a heap snapshot of 1,000 simulated nodes).
 */
export interface RttState {
  /** Smoothed round-trip time, or {@linkcode NO_RTT} when nothing was measured yet. */
  srttUs: number;
  /** Mean deviation of the round-trip time. */
  rttvarUs: number;
}

/** `srttUs` before the first sample. */
export const NO_RTT = -1;

/** The longest round trip an estimate holds, in µs (the largest small integer on every V8). */
const MAX_RTT_US = 2 ** 30 - 1;

/** A fresh estimate: no sample yet. */
export function noRtt(): RttState {
  return { srttUs: NO_RTT, rttvarUs: 0 };
}

/** True once the estimate has a sample. */
export function hasRtt(state: RttState): boolean {
  return state.srttUs >= 0;
}

/**
 * An estimate from milliseconds (the saved state's unit).
 *
 * @param srttMs the smoothed RTT, or undefined for none
 * @param rttvarMs its deviation
 */
export function rttFromMs(srttMs: number | undefined, rttvarMs: number): RttState {
  return srttMs === undefined
    ? noRtt()
    : { srttUs: toMicroseconds(srttMs), rttvarUs: toMicroseconds(rttvarMs) };
}

function toMicroseconds(ms: number): number {
  return ms > 0 ? Math.min(Math.round(ms * 1000), MAX_RTT_US) : 0;
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
  const sample = toMicroseconds(sampleMs);
  if (!hasRtt(state)) {
    state.srttUs = sample;
    state.rttvarUs = sample >> 1;
    return;
  }
  state.rttvarUs = Math.round(0.75 * state.rttvarUs + 0.25 * Math.abs(state.srttUs - sample));
  state.srttUs = Math.round(0.875 * state.srttUs + 0.125 * sample);
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
  if (!hasRtt(state)) {
    return { slowMs: Math.min(slowCeilingMs, timeoutCeilingMs), timeoutMs: timeoutCeilingMs };
  }
  const rto = (state.srttUs + 4 * state.rttvarUs) / 1000;
  const timeoutMs = clamp(2 * rto, MIN_TIMEOUT_MS, timeoutCeilingMs);
  return { slowMs: clamp(rto, MIN_SLOW_MS, Math.min(slowCeilingMs, timeoutMs)), timeoutMs };
}

function clamp(value: number, low: number, high: number): number {
  return value < low ? Math.min(low, high) : value > high ? high : value;
}
