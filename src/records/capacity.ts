/**
 * The capacity every bounded `Storage` takes, validated one way for all of them.
 *
 * @module
 */
import { MAX_RECORDS, MAX_STORED_BYTES } from "../constants.ts";

/** How much a store holds before it evicts or refuses. */
export interface StorageCapacityOptions {
  /**
   * The most records held.
   * @default {65536} (`MAX_RECORDS`)
   */
  maxRecords?: number;
  /**
   * The most value bytes held: UTF-8 bytes of text values, the length of bytes values. Keys
   * and metadata are not counted.
   * @default {67108864} (`MAX_STORED_BYTES`, 64 MiB)
   */
  maxBytes?: number;
}

/** A validated {@linkcode StorageCapacityOptions}. */
export interface StorageCapacity {
  /** The most records held. */
  readonly maxRecords: number;
  /** The most value bytes held. */
  readonly maxBytes: number;
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot create storage: '${name}' must be a positive integer, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Validates a store's capacity and fills in the defaults.
 *
 * @param options the options given to the store's constructor
 * @returns the capacity the store enforces
 * @throws {RangeError} if `maxRecords` or `maxBytes` is not a positive (safe) integer
 */
export function resolveCapacity(options: StorageCapacityOptions): StorageCapacity {
  return {
    maxRecords: positiveInteger("maxRecords", options.maxRecords ?? MAX_RECORDS),
    maxBytes: positiveInteger("maxBytes", options.maxBytes ?? MAX_STORED_BYTES),
  };
}
