/**
 * Provider records: who announced (BEP 5 `announce_peer`) that it has the content under a key.
 * A node holds them for the keys it is near, answers `get_peers` from them, and forgets each
 * one {@linkcode PROVIDER_TTL_MS} after its last announcement. Memory is bounded: so many keys,
 * so many providers a key; a full key forgets the provider announced longest ago, and a new key
 * is refused while every slot is taken by live ones.
 *
 * Expiry times are wall-clock milliseconds, like records' (they would survive a restart in a
 * persistent store); reads never return an expired provider, and `removeExpired` frees them.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import { MAX_PROVIDER_KEYS, MAX_PROVIDERS_PER_KEY, PROVIDER_TTL_MS } from "../constants.ts";
import { idToHex } from "../id/node_id.ts";
import { emptyMap, ownMap } from "../empty_map.ts";

/** One provider of a key, as a node holds it. */
export interface ProviderRecord {
  /** The announcer's 20-byte node id (`a.id` of its announce). */
  readonly id: Uint8Array;
  /** Its IP: the announce's source address, never a field of the message. */
  readonly host: string;
  /** The port it announced (or, with `implied_port`, the announce's source port). */
  readonly port: number;
  /** When it last announced (wall-clock ms). */
  readonly announcedAt: number;
  /** When it is forgotten unless it announces again (wall-clock ms). */
  readonly expiresAt: number;
}

/** What {@linkcode ProviderStore} needs. */
export interface ProviderStoreOptions {
  /** Wall-clock time for announcements and expiry. */
  readonly clock: Clock;
  /** How long a provider lives after its last announcement. @default {PROVIDER_TTL_MS} */
  readonly ttlMs?: number;
  /** Keys held at most. @default {MAX_PROVIDER_KEYS} */
  readonly maxKeys?: number;
  /** Providers held per key at most. @default {MAX_PROVIDERS_PER_KEY} */
  readonly maxPerKey?: number;
  /** Told when a provider is added, with its expiry, so an expiry job can be scheduled. */
  readonly onAdd?: (expiresAt: number) => void;
}

/** The provider records a node holds. */
export class ProviderStore {
  // Key hex → (host|port → record), in announcement order (oldest first).
  #byKey = emptyMap<string, Map<string, ProviderRecord>>();
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #maxKeys: number;
  readonly #maxPerKey: number;
  readonly #onAdd: ((expiresAt: number) => void) | undefined;
  #size = 0;

  /** @param options clock, lifetime and bounds */
  constructor(options: ProviderStoreOptions) {
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs ?? PROVIDER_TTL_MS;
    this.#maxKeys = options.maxKeys ?? MAX_PROVIDER_KEYS;
    this.#maxPerKey = options.maxPerKey ?? MAX_PROVIDERS_PER_KEY;
    this.#onAdd = options.onAdd;
  }

  /** How long a provider lives after its last announcement. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Provider records held, over all keys (expired ones until they are removed). */
  get size(): number {
    return this.#size;
  }

  /** Keys with at least one provider record. */
  get keyCount(): number {
    return this.#byKey.size;
  }

  /**
   * Records an announcement: a new provider, or a fresh lifetime for a known one (same address).
   *
   * @param key the 20-byte key
   * @param provider the announcer's id and address
   * @returns false if refused: a new key while every key slot holds live providers
   */
  add(
    key: Uint8Array,
    provider: { readonly id: Uint8Array; readonly host: string; readonly port: number },
  ): boolean {
    const hex = idToHex(key);
    let providers = this.#byKey.get(hex);
    if (providers === undefined) {
      if (this.#byKey.size >= this.#maxKeys) this.removeExpired();
      if (this.#byKey.size >= this.#maxKeys) return false;
      providers = new Map();
      (this.#byKey = ownMap(this.#byKey)).set(hex, providers);
    }
    const now = this.#clock.wallTime();
    const address = `${provider.host}|${provider.port}`;
    if (providers.delete(address)) this.#size--;
    if (providers.size >= this.#maxPerKey) {
      const oldest = providers.keys().next().value!;
      providers.delete(oldest);
      this.#size--;
    }
    const expiresAt = now + this.#ttlMs;
    providers.set(address, {
      id: provider.id.slice(),
      host: provider.host,
      port: provider.port,
      announcedAt: now,
      expiresAt,
    });
    this.#size++;
    this.#onAdd?.(expiresAt);
    return true;
  }

  /**
   * The live providers of a key, latest announcement first.
   *
   * @param key the 20-byte key
   * @param max how many at most
   * @param family only addresses of this IP family, when given
   */
  get(key: Uint8Array, max = Infinity, family?: 4 | 6): ProviderRecord[] {
    const providers = this.#byKey.get(idToHex(key));
    if (providers === undefined) return [];
    const now = this.#clock.wallTime();
    const out: ProviderRecord[] = [];
    for (const record of [...providers.values()].reverse()) {
      if (out.length >= max) break;
      if (record.expiresAt <= now) continue;
      if (family !== undefined && record.host.includes(":") !== (family === 6)) continue;
      out.push(record);
    }
    return out;
  }

  /**
   * Forgets one provider of a key.
   *
   * @param key the 20-byte key
   * @param host its IP
   * @param port its port
   * @returns true if it was held
   */
  remove(key: Uint8Array, host: string, port: number): boolean {
    const hex = idToHex(key);
    const providers = this.#byKey.get(hex);
    if (!providers?.delete(`${host}|${port}`)) return false;
    this.#size--;
    if (providers.size === 0) this.#byKey.delete(hex);
    return true;
  }

  /**
   * Deletes every provider whose lifetime has ended.
   *
   * @param now the wall-clock time in ms
   * @returns how many were removed
   */
  removeExpired(now: number = this.#clock.wallTime()): number {
    let removed = 0;
    for (const [hex, providers] of this.#byKey) {
      for (const [address, record] of providers) {
        if (record.expiresAt > now) continue;
        providers.delete(address);
        removed++;
      }
      if (providers.size === 0) this.#byKey.delete(hex);
    }
    this.#size -= removed;
    return removed;
  }

  /** The earliest expiry among the records held (wall-clock ms), if any. */
  nextExpiry(): number | undefined {
    let earliest: number | undefined;
    for (const providers of this.#byKey.values()) {
      // Each key's map is in announcement order, so its first record expires first.
      const first = providers.values().next().value;
      if (first && (earliest === undefined || first.expiresAt < earliest)) {
        earliest = first.expiresAt;
      }
    }
    return earliest;
  }
}
