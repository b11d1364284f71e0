/**
 * Write tokens (BEP 5): a node hands a token with its `get_peers` (and BEP 44 `get`) replies,
 * and accepts an `announce_peer` or `put` only with a token it issued to the same IP for the
 * same target. The token is the first 8 bytes of SHA-1(secret ‖ IP ‖ target), so it proves the
 * writer can receive at that IP (no signing up other hosts) and binds the write to one key
 * (reliability.md S1, S3).
 *
 * The secret changes every {@linkcode TOKEN_ROTATION_MS}, and the previous one is still
 * accepted, so a token is valid for 5 to 10 minutes (BEP 5). Secrets are derived from one
 * random master secret and the rotation period's number, so rotation needs no timer and
 * survives idle stretches exactly.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import { sha1 } from "../id/sha1.ts";
import type { Random } from "../random.ts";
import { ipv4ToBytes, ipv6ToBytes } from "../wire/ip.ts";
import { emptyMap, ownMap } from "../empty_map.ts";

/** How often the token secret changes (BEP 5 suggests 5 minutes). */
export const TOKEN_ROTATION_MS = 5 * 60_000;
/** Bytes of a token: enough that guessing one is hopeless, short on the wire. */
export const TOKEN_LENGTH = 8;

const MASTER_LENGTH = 32;

/** Issues and checks write tokens bound to a requester's IP and a target. */
export class WriteTokens {
  readonly #clock: Clock;
  readonly #master: Uint8Array;
  // One derived secret per period, kept for the current and the previous period only.
  #secrets = emptyMap<number, Uint8Array>();

  /**
   * @param clock monotonic time decides the rotation period
   * @param random the master secret's source
   */
  constructor(clock: Clock, random: Random) {
    this.#clock = clock;
    this.#master = random.fill(new Uint8Array(MASTER_LENGTH));
  }

  /**
   * The token for `ip` to write under `target`, with the current secret.
   *
   * @param ip the requester's IP literal
   * @param target the 20-byte target
   */
  issue(ip: string, target: Uint8Array): Uint8Array {
    return this.#token(this.#period(), ip, target);
  }

  /**
   * True if `token` was issued to `ip` for `target` with the current or the previous secret.
   *
   * @param token the token presented
   * @param ip the IP the write comes from (its datagram's source, never a field of the message)
   * @param target the target written
   */
  verify(token: Uint8Array, ip: string, target: Uint8Array): boolean {
    if (token.length !== TOKEN_LENGTH) return false;
    const period = this.#period();
    return equal(token, this.#token(period, ip, target)) ||
      equal(token, this.#token(period - 1, ip, target));
  }

  #period(): number {
    return Math.floor(this.#clock.now() / TOKEN_ROTATION_MS);
  }

  #token(period: number, ip: string, target: Uint8Array): Uint8Array {
    const secret = this.#secret(period);
    const address = (ip.includes(":") ? ipv6ToBytes(ip) : ipv4ToBytes(ip)) ?? new Uint8Array(0);
    const input = new Uint8Array(secret.length + address.length + target.length);
    input.set(secret);
    input.set(address, secret.length);
    input.set(target, secret.length + address.length);
    return sha1(input).subarray(0, TOKEN_LENGTH);
  }

  #secret(period: number): Uint8Array {
    let secret = this.#secrets.get(period);
    if (secret === undefined) {
      const input = new Uint8Array(MASTER_LENGTH + 8);
      input.set(this.#master);
      new DataView(input.buffer).setFloat64(MASTER_LENGTH, period);
      secret = sha1(input);
      for (const old of this.#secrets.keys()) if (old < period - 1) this.#secrets.delete(old);
      (this.#secrets = ownMap(this.#secrets)).set(period, secret);
    }
    return secret;
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
