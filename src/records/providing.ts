/**
 * The keys this node provides: what `provide()` announced, when, to how many, and when the
 * re-announce job must announce it again (before the providers' records on other nodes expire).
 *
 * @module
 */
import { idToHex } from "../id/node_id.ts";
import { emptyMap, ownMap } from "../empty_map.ts";

/** One key this node provides. */
export interface ProvidedEntry {
  /** The key as the caller gave it. */
  readonly key: string | Uint8Array;
  /** Its 20-byte id (SHA-1 of the key). */
  readonly target: Uint8Array;
  /** The port announced, or `undefined` for this node's own UDP port (`implied_port`). */
  readonly port: number | undefined;
  /** When it was last announced (wall-clock ms). */
  announcedAt: number;
  /** How many peers acknowledged the last announcement. */
  announcedTo: number;
  /** When the re-announce job announces it again (the clock's monotonic ms). */
  dueAt: number;
}

/** The set of keys this node provides. */
export class Providing {
  #entries = emptyMap<string, ProvidedEntry>();

  /** How many keys are provided. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Adds or replaces the entry of a key.
   *
   * @param entry the key and its schedule
   */
  set(entry: ProvidedEntry): void {
    (this.#entries = ownMap(this.#entries)).set(idToHex(entry.target), entry);
  }

  /**
   * The entry of a key, if provided.
   *
   * @param target the key's 20-byte id
   */
  get(target: Uint8Array): ProvidedEntry | undefined {
    return this.#entries.get(idToHex(target));
  }

  /**
   * Stops providing a key.
   *
   * @param target the key's 20-byte id
   * @returns true if it was provided
   */
  delete(target: Uint8Array): boolean {
    return this.#entries.delete(idToHex(target));
  }

  /** Every entry, in the order the keys were first provided. */
  entries(): ProvidedEntry[] {
    return [...this.#entries.values()];
  }

  /**
   * The entries due for a re-announce.
   *
   * @param now the clock's monotonic ms
   */
  due(now: number): ProvidedEntry[] {
    return this.entries().filter((entry) => entry.dueAt <= now);
  }

  /** The earliest due time (monotonic ms), if any key is provided. */
  nextDue(): number | undefined {
    let earliest: number | undefined;
    for (const entry of this.#entries.values()) {
      if (earliest === undefined || entry.dueAt < earliest) earliest = entry.dueAt;
    }
    return earliest;
  }
}
