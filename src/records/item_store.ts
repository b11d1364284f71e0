/**
 * The BEP 44 items a node holds for others: bounded, nearest first, and short-lived.
 *
 * - Bounded: at most `maxItems` (libtorrent's 700). When full, an item nearer our id than the
 *   farthest held takes that one's place; a farther one is refused, and `get` replies withhold
 *   the write token for it, as libtorrent does, so nobody spends a put on it.
 * - Short-lived: an item expires `ttlMs` (BEP 44's 2 hours) after its last put; a put of the
 *   same item (same immutable value, or same mutable `seq` and value) resets that.
 * - Mutable items follow {@linkcode checkMutablePut}: `cas` (301), then `seq` (302).
 *
 * Expiry is lazy, on read and when room is needed, so the store needs no timer; expiry times
 * are monotonic-clock times, as the store lives in memory.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import { ITEM_TTL_MS, MAX_ITEMS } from "../constants.ts";
import { compareDistance, idToHex } from "../id/node_id.ts";
import type { MutableItem } from "./bep44.ts";
import { checkMutablePut } from "./bep44_put.ts";
import type { ItemValue } from "./item_value.ts";
import { emptyMap, ownMap } from "../empty_map.ts";

/** An item held. */
export interface StoredItem {
  /** The 20-byte target it is stored under. */
  readonly target: Uint8Array;
  /** The value. */
  readonly value: ItemValue;
  /** The value's bencoding. */
  readonly encodedValue: Uint8Array;
  /** For a mutable item: its key, signature, `seq` and salt. */
  readonly mutable?: MutableItem | undefined;
  /** When it expires (the Clock's monotonic ms). */
  readonly expiresAt: number;
}

/** What a put did. */
export type ItemPutOutcome =
  | {
    /** Stored or refreshed. */
    readonly ok: true;
    /** `stored` for a new item or a newer `seq`; `refreshed` for the same item again. */
    readonly action: "stored" | "refreshed";
  }
  | {
    /** Refused. */
    readonly ok: false;
    /** 202 (full), 301 (cas mismatch) or 302 (seq not newer). */
    readonly code: number;
    /** Why, for the error reply. */
    readonly message: string;
  };

/** Options of {@linkcode ItemStore}. */
export interface ItemStoreOptions {
  /** Time for expiry. */
  readonly clock: Clock;
  /** The node's id now (it may change under BEP 42): distance decides what is kept. */
  readonly localId: () => Uint8Array;
  /** @default {700} ({@linkcode MAX_ITEMS}) */
  readonly maxItems?: number | undefined;
  /** @default {7_200_000} ({@linkcode ITEM_TTL_MS}) */
  readonly ttlMs?: number | undefined;
}

const FULL = 202;

/** The BEP 44 items held for the network. */
export class ItemStore {
  readonly #clock: Clock;
  readonly #localId: () => Uint8Array;
  readonly #maxItems: number;
  readonly #ttlMs: number;
  #items = emptyMap<string, StoredItem>();

  /** @param options clock, local id, capacity and lifetime */
  constructor(options: ItemStoreOptions) {
    this.#clock = options.clock;
    this.#localId = options.localId;
    this.#maxItems = options.maxItems ?? MAX_ITEMS;
    this.#ttlMs = options.ttlMs ?? ITEM_TTL_MS;
  }

  /** Items held, expired ones not yet swept included. */
  get size(): number {
    return this.#items.size;
  }

  /** Items held that have not expired (drops the expired ones). */
  count(): number {
    this.#sweep();
    return this.#items.size;
  }

  /**
   * The item stored under `target`, unless it expired.
   *
   * @param target the 20-byte target
   */
  get(target: Uint8Array): StoredItem | undefined {
    const key = idToHex(target);
    const item = this.#items.get(key);
    if (item === undefined) return undefined;
    if (item.expiresAt <= this.#clock.now()) {
      this.#items.delete(key);
      return undefined;
    }
    return item;
  }

  /**
   * Tells whether a put under `target` would find room: it is held already, the store is not
   * full, or it is nearer our id than the farthest item held.
   *
   * @param target the 20-byte target
   */
  accepts(target: Uint8Array): boolean {
    if (this.get(target) !== undefined || this.#items.size < this.#maxItems) return true;
    this.#sweep();
    if (this.#items.size < this.#maxItems) return true;
    const farthest = this.#farthest();
    return farthest !== undefined &&
      compareDistance(this.#localId(), target, farthest.target) < 0;
  }

  /**
   * Stores an immutable item (its target is the SHA-1 of `encodedValue`; the caller checked).
   *
   * @param target the 20-byte target
   * @param value the value
   * @param encodedValue its bencoding
   */
  putImmutable(target: Uint8Array, value: ItemValue, encodedValue: Uint8Array): ItemPutOutcome {
    const held = this.get(target);
    if (held !== undefined) {
      this.#set({ ...held, expiresAt: this.#clock.now() + this.#ttlMs });
      return { ok: true, action: "refreshed" };
    }
    if (!this.#makeRoom(target)) return full();
    this.#set({ target, value, encodedValue, expiresAt: this.#clock.now() + this.#ttlMs });
    return { ok: true, action: "stored" };
  }

  /**
   * Stores a mutable item whose signature verified, by BEP 44's rules against what is held.
   *
   * @param target the 20-byte target (SHA-1 of key and salt)
   * @param value the value
   * @param item the signed item
   * @param cas the put's `cas`, if any
   */
  putMutable(
    target: Uint8Array,
    value: ItemValue,
    item: MutableItem,
    cas?: number,
  ): ItemPutOutcome {
    const held = this.get(target);
    const decision = checkMutablePut(
      held?.mutable,
      { seq: item.seq, encodedValue: item.encodedValue, cas },
    );
    if (decision.action === "reject") {
      return { ok: false, code: decision.code, message: decision.message };
    }
    const expiresAt = this.#clock.now() + this.#ttlMs;
    if (decision.action === "refresh" && held !== undefined) {
      this.#set({ ...held, expiresAt });
      return { ok: true, action: "refreshed" };
    }
    if (held === undefined && !this.#makeRoom(target)) return full();
    this.#set({ target, value, encodedValue: item.encodedValue, mutable: item, expiresAt });
    return { ok: true, action: "stored" };
  }

  #set(item: StoredItem): void {
    (this.#items = ownMap(this.#items)).set(idToHex(item.target), item);
  }

  /** Frees a slot for a new target if it is nearer than the farthest item held. */
  #makeRoom(target: Uint8Array): boolean {
    if (this.#items.size < this.#maxItems) return true;
    this.#sweep();
    if (this.#items.size < this.#maxItems) return true;
    const farthest = this.#farthest();
    if (farthest === undefined) return false;
    if (compareDistance(this.#localId(), target, farthest.target) >= 0) return false;
    this.#items.delete(idToHex(farthest.target));
    return true;
  }

  #sweep(): void {
    const now = this.#clock.now();
    for (const [key, item] of this.#items) if (item.expiresAt <= now) this.#items.delete(key);
  }

  #farthest(): StoredItem | undefined {
    const local = this.#localId();
    let farthest: StoredItem | undefined;
    for (const item of this.#items.values()) {
      if (farthest === undefined || compareDistance(local, item.target, farthest.target) > 0) {
        farthest = item;
      }
    }
    return farthest;
  }
}

function full(): ItemPutOutcome {
  return { ok: false, code: FULL, message: "item storage full of items nearer this node" };
}
