/**
 * Session lengths for churn: how long a simulated node stays up before it leaves (and a
 * newcomer takes its place). Every draw comes from the random given, so a seeded run replays.
 *
 * @module
 */
import type { Random } from "../../random.ts";

/**
 * Draws one session length, in milliseconds.
 *
 * @example
 * ```ts
 * import { exponentialSessions, type SessionModel } from "@kdht/core/testing";
 *
 * const hourly: SessionModel = exponentialSessions({ medianMs: 3_600_000 });
 * ```
 */
export type SessionModel = (random: Random) => number;

/**
 * Options of {@linkcode exponentialSessions}: give either the median session length or the
 * fraction of nodes replaced per hour.
 *
 * @example
 * ```ts
 * import { exponentialSessions, type ExponentialSessionOptions } from "@kdht/core/testing";
 *
 * const options: ExponentialSessionOptions = { replacedPerHour: 0.1 }; // 10 %/h churn
 * const sessions = exponentialSessions(options);
 * ```
 */
export interface ExponentialSessionOptions {
  /** The median session, in ms (the mean is median / ln 2). */
  readonly medianMs?: number;
  /**
   * The expected fraction of the nodes that leave per hour (and are replaced), e.g. 0.1 for
   * 10 %/h: the sessions' rate, so the mean session is 1 / rate hours.
   */
  readonly replacedPerHour?: number;
}

const HOUR_MS = 3_600_000;

/**
 * Exponentially distributed sessions (memoryless: a node that has been up an hour is as likely
 * to leave in the next minute as a newcomer), the usual model of DHT churn
 * (reference/reliability.md C2, C3).
 *
 * @param options the median session or the hourly replacement rate
 * @returns the model
 * @throws {RangeError} unless exactly one of the options is given, positive and finite
 */
export function exponentialSessions(options: ExponentialSessionOptions): SessionModel {
  const { medianMs, replacedPerHour } = options;
  if ((medianMs === undefined) === (replacedPerHour === undefined)) {
    throw new RangeError(
      "Cannot create exponentialSessions: give exactly one of 'medianMs' and 'replacedPerHour'",
    );
  }
  const value = medianMs ?? replacedPerHour!;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(
      `Cannot create exponentialSessions: '${
        medianMs === undefined ? "replacedPerHour" : "medianMs"
      }' must be a positive finite number, got ${value}`,
    );
  }
  const meanMs = medianMs !== undefined ? medianMs / Math.LN2 : HOUR_MS / replacedPerHour!;
  return (random) => -Math.log(1 - random.float()) * meanMs;
}

/**
 * Every session lasts exactly `ms`.
 *
 * @param ms the session length
 * @returns the model
 * @throws {RangeError} if `ms` is not positive and finite
 */
export function fixedSessions(ms: number): SessionModel {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms <= 0) {
    throw new RangeError(
      `Cannot create fixedSessions: 'ms' must be positive and finite, got ${ms}`,
    );
  }
  return () => ms;
}
