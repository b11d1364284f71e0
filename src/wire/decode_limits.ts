/**
 * Limits every decoder enforces before it trusts a datagram. The defaults are libtorrent's DHT
 * limits (depth 10, 500 tokens; reference/reliability.md rows 3–4), so a hostile datagram costs
 * bounded time, memory and stack whichever codec reads it.
 *
 * @module
 */

/** Bounds on one decoded message. Every field is optional; omitted fields take the default. */
export interface DecodeLimits {
  /**
   * Deepest container nesting accepted, counting the top-level dictionary as 1. Datagrams
   * nested deeper are rejected (libtorrent's DHT limit is 10; row 3).
   * @default 10
   */
  maxDepth?: number;
  /**
   * Most tokens accepted: every value (string, integer, list, dictionary) and every dictionary
   * key counts as one; closing `e`/`]`/`}` do not (libtorrent's DHT limit is 500; row 4).
   * @default 500
   */
  maxTokens?: number;
  /**
   * Longest input accepted, in bytes, checked before any parsing. 65,536 covers the largest
   * UDP payload.
   * @default 65536
   */
  maxLength?: number;
}

/** {@link DecodeLimits} with every field filled in. */
export interface ResolvedDecodeLimits {
  /** See {@link DecodeLimits.maxDepth}. */
  readonly maxDepth: number;
  /** See {@link DecodeLimits.maxTokens}. */
  readonly maxTokens: number;
  /** See {@link DecodeLimits.maxLength}. */
  readonly maxLength: number;
}

/** The limits used when none are given: depth 10, 500 tokens, 65,536 bytes. */
export const DEFAULT_DECODE_LIMITS: ResolvedDecodeLimits = Object.freeze({
  maxDepth: 10,
  maxTokens: 500,
  maxLength: 65_536,
});

/**
 * Fills in defaults and validates each limit.
 *
 * @param limits the caller's limits, possibly partial or absent
 * @param what the operation, for error messages, e.g. `"Cannot create BencodeCodec"`
 * @returns the complete limits
 * @throws {TypeError} if a limit is not a number
 * @throws {RangeError} if a limit is not a positive safe integer
 */
export function resolveDecodeLimits(
  limits: DecodeLimits | undefined,
  what: string,
): ResolvedDecodeLimits {
  if (limits === undefined) return DEFAULT_DECODE_LIMITS;
  if (typeof limits !== "object" || limits === null) {
    throw new TypeError(`${what}: limits must be an object, got ${describe(limits)}`);
  }
  if (
    limits.maxDepth === undefined && limits.maxTokens === undefined &&
    limits.maxLength === undefined
  ) {
    return DEFAULT_DECODE_LIMITS;
  }
  return {
    maxDepth: check(limits.maxDepth, "maxDepth", DEFAULT_DECODE_LIMITS.maxDepth, what),
    maxTokens: check(limits.maxTokens, "maxTokens", DEFAULT_DECODE_LIMITS.maxTokens, what),
    maxLength: check(limits.maxLength, "maxLength", DEFAULT_DECODE_LIMITS.maxLength, what),
  };
}

function check(value: unknown, name: string, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(`${what}: '${name}' must be a number, got ${describe(value)}`);
  }
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${what}: '${name}' must be a positive integer, got ${value}`);
  }
  return value;
}

function describe(value: unknown): string {
  return value === null ? "null" : typeof value;
}
