/**
 * Randomness as the core sees it: node ids, transaction ids and lookup targets all come from
 * an injected {@linkcode Random}, so a simulation seeded the same way runs the same way.
 *
 * @module
 */

/**
 * A source of random bytes and numbers.
 *
 * @example
 * ```ts
 * import { KademliaNode, type Random, SeededRandom } from "@kdht/core";
 *
 * const random: Random = new SeededRandom(42);
 * console.log(random.fill(new Uint8Array(4))); // the same four bytes on every run
 * await using node = new KademliaNode({ random });
 * ```
 */
export interface Random {
  /** Fills `target` with random bytes and returns it. */
  fill(target: Uint8Array): Uint8Array;
  /** A float in [0, 1). */
  float(): number;
}

/**
 * Cryptographically strong randomness from `crypto.getRandomValues`. The default.
 *
 * @example
 * ```ts
 * import { cryptoRandom } from "@kdht/core";
 *
 * const bytes = cryptoRandom.fill(new Uint8Array(20));
 * console.log(bytes.length, cryptoRandom.float() < 1); // 20 true
 * ```
 */
export const cryptoRandom: Random = {
  fill(target: Uint8Array): Uint8Array {
    // getRandomValues accepts at most 65,536 bytes per call.
    for (let offset = 0; offset < target.length; offset += 65536) {
      crypto.getRandomValues(target.subarray(offset, offset + 65536));
    }
    return target;
  },
  float(): number {
    const word = new Uint32Array(2);
    crypto.getRandomValues(word);
    // 53 random bits, as Math.random would give.
    return ((word[0]! >>> 5) * 67108864 + (word[1]! >>> 6)) / 9007199254740992;
  },
};

/**
 * A fast deterministic generator (sfc32, a small chaotic counter PRNG), seeded from a 32-bit
 * integer. Not for secrets: use it only where reproducibility matters more than unpredictability,
 * as in simulations and tests.
 *
 * @example
 * ```ts
 * import { SeededRandom } from "@kdht/core";
 *
 * const a = new SeededRandom(7);
 * const b = new SeededRandom(7);
 * console.log(a.float() === b.float()); // true: one seed, one sequence
 * ```
 */
export class SeededRandom implements Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /**
   * Creates a generator whose sequence depends only on `seed`.
   *
   * @param seed any integer; the same seed yields the same sequence in every runtime
   */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) {
      throw new TypeError(`Cannot create SeededRandom: 'seed' must be an integer, got ${seed}`);
    }
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    // Warm up so that nearby seeds diverge.
    for (let i = 0; i < 15; i++) this.#next();
  }

  #next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Fills `target` with random bytes and returns it. */
  fill(target: Uint8Array): Uint8Array {
    let i = 0;
    for (; i + 4 <= target.length; i += 4) {
      const word = this.#next();
      target[i] = word & 0xff;
      target[i + 1] = (word >>> 8) & 0xff;
      target[i + 2] = (word >>> 16) & 0xff;
      target[i + 3] = word >>> 24;
    }
    if (i < target.length) {
      let word = this.#next();
      for (; i < target.length; i++, word >>>= 8) target[i] = word & 0xff;
    }
    return target;
  }

  /** A float in [0, 1). */
  float(): number {
    return ((this.#next() >>> 5) * 67108864 + (this.#next() >>> 6)) / 9007199254740992;
  }
}
