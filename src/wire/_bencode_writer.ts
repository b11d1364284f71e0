/**
 * The bencode encoder behind `encodeBencode`. Two passes over the tree: the first validates it,
 * sorts each dictionary's keys and adds up the exact output size; the second writes into one
 * buffer of that size. No per-leaf arrays and no final concatenation, unlike node-bencode.
 *
 * @module
 */

import type { WireDict, WireValue } from "./codec.ts";
import { describe, isDict, MAX_ENCODE_DEPTH, utf8Length } from "./_wire_value.ts";

// Strings up to this many UTF-16 units are written by a JS loop; longer ones by encodeInto,
// whose per-call overhead only pays off on long strings.
const SHORT_STRING = 48;

const CH_D = 0x64;
const CH_L = 0x6c;
const CH_I = 0x69;
const CH_E = 0x65;
const CH_COLON = 0x3a;
const CH_MINUS = 0x2d;
const CH_0 = 0x30;

const utf8 = new TextEncoder();
// Shared placeholder until the real buffer is sized: a typed array costs ~0.3 µs on Deno.
const EMPTY = new Uint8Array(0);

/**
 * An encoder's work lists. `encode` starts them over, so one writer serves call after call; a
 * call made while another runs (from a getter in the tree) needs a writer of its own.
 */
export class BencodeWriter {
  /** Sorted keys of each dictionary, in the order both passes visit them. */
  #keyLists: string[][] = [];
  #keyIndex = 0;
  /** UTF-8 byte length of each string leaf, in visiting order. */
  #stringLengths: number[] = [];
  #stringIndex = 0;
  #out: Uint8Array = EMPTY;
  #pos = 0;

  /**
   * Encodes a tree.
   * @param value the tree
   * @returns its canonical bencoding
   * @throws {TypeError} if the tree holds something bencode cannot write
   */
  encode(value: WireValue): Uint8Array {
    this.#keyLists.length = 0;
    this.#keyIndex = 0;
    this.#stringLengths.length = 0;
    this.#stringIndex = 0;
    this.#pos = 0;
    const size = this.#measure(value, 0);
    const out = this.#out = new Uint8Array(size);
    this.#write(value);
    this.#out = EMPTY;
    this.#keyLists.length = 0;
    // Only a tree whose getters answer differently on the second pass gets here unequal.
    if (this.#pos !== size) {
      throw new TypeError("Cannot encode bencode: the tree changed while encoding");
    }
    return out;
  }

  #measure(value: WireValue, depth: number): number {
    if (typeof value === "string") {
      const len = utf8Length(value);
      this.#stringLengths.push(len);
      return decimalLength(len) + 1 + len;
    }
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) {
        throw new TypeError(
          `Cannot encode bencode: integers must be safe integers, got ${value}`,
        );
      }
      return value < 0 ? 3 + decimalLength(-value) : 2 + decimalLength(value);
    }
    if (value instanceof Uint8Array) return decimalLength(value.length) + 1 + value.length;
    if (depth >= MAX_ENCODE_DEPTH) {
      throw new TypeError(
        `Cannot encode bencode: nested deeper than ${MAX_ENCODE_DEPTH} levels (is there a cycle?)`,
      );
    }
    if (Array.isArray(value)) {
      let size = 2;
      for (let i = 0; i < value.length; i++) size += this.#measure(value[i]!, depth + 1);
      return size;
    }
    if (!isDict(value)) throw new TypeError(`Cannot encode bencode: ${describe(value)}`);
    // BEP 3: keys sorted as raw strings. Keys are one char per byte, so UTF-16 code-unit
    // order is byte order.
    const keys = sortedKeys(value);
    this.#keyLists.push(keys);
    let size = 2;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      checkKey(key);
      size += decimalLength(key.length) + 1 + key.length;
      size += this.#measure(value[key]!, depth + 1);
    }
    return size;
  }

  #write(value: WireValue): void {
    const out = this.#out;
    if (typeof value === "string") {
      const len = this.#stringLengths[this.#stringIndex++]!;
      this.#writeDecimal(len);
      out[this.#pos++] = CH_COLON;
      this.#writeUtf8(value, len);
    } else if (typeof value === "number") {
      out[this.#pos++] = CH_I;
      if (value < 0) {
        out[this.#pos++] = CH_MINUS;
        this.#writeDecimal(-value);
      } else {
        this.#writeDecimal(value);
      }
      out[this.#pos++] = CH_E;
    } else if (value instanceof Uint8Array) {
      this.#writeDecimal(value.length);
      out[this.#pos++] = CH_COLON;
      out.set(value, this.#pos);
      this.#pos += value.length;
    } else if (Array.isArray(value)) {
      out[this.#pos++] = CH_L;
      for (let i = 0; i < value.length; i++) this.#write(value[i]!);
      out[this.#pos++] = CH_E;
    } else {
      const keys = this.#keyLists[this.#keyIndex++]!;
      out[this.#pos++] = CH_D;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        this.#writeDecimal(key.length);
        out[this.#pos++] = CH_COLON;
        let p = this.#pos;
        for (let j = 0; j < key.length; j++) out[p++] = key.charCodeAt(j);
        this.#pos = p;
        this.#write((value as WireDict)[key]!);
      }
      out[this.#pos++] = CH_E;
    }
  }

  /** Writes a non-negative safe integer in decimal, most significant digit first. */
  #writeDecimal(n: number): void {
    const out = this.#out;
    const len = decimalLength(n);
    let p = this.#pos + len;
    this.#pos = p;
    do {
      const q = Math.floor(n / 10);
      out[--p] = CH_0 + (n - q * 10);
      n = q;
    } while (n > 0);
  }

  #writeUtf8(s: string, byteLength: number): void {
    const out = this.#out;
    let p = this.#pos;
    if (s.length > SHORT_STRING) {
      utf8.encodeInto(s, out.subarray(p, p + byteLength));
      this.#pos = p + byteLength;
      return;
    }
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        out[p++] = c;
      } else if (c < 0x800) {
        out[p++] = 0xc0 | (c >> 6);
        out[p++] = 0x80 | (c & 63);
      } else if (c >= 0xd800 && c <= 0xdbff) {
        // A pair: utf8Length already rejected unpaired surrogates.
        c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        out[p++] = 0xf0 | (c >> 18);
        out[p++] = 0x80 | ((c >> 12) & 63);
        out[p++] = 0x80 | ((c >> 6) & 63);
        out[p++] = 0x80 | (c & 63);
      } else {
        out[p++] = 0xe0 | (c >> 12);
        out[p++] = 0x80 | ((c >> 6) & 63);
        out[p++] = 0x80 | (c & 63);
      }
    }
    this.#pos = p;
  }
}

function checkKey(key: string): void {
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) > 0xff) {
      throw new TypeError(
        `Cannot encode bencode: dictionary key "${key}" has a character above U+00FF; ` +
          "keys are byte strings written one character per byte",
      );
    }
  }
}

function decimalLength(n: number): number {
  let len = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    len++;
  }
  return len;
}

/**
 * The keys of a dictionary in byte order. A message's dictionaries have a handful of keys
 * (`t`, `y`, `q`, `a`, `v`), for which an insertion sort is a few comparisons and, when they
 * come in order, one scan: `Array.prototype.sort` per dictionary was 3 % of Bun's time in the
 * churn run. Long key lists go to the built-in sort.
 */
function sortedKeys(dict: WireDict): string[] {
  const keys = Object.keys(dict);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    if (keys[j]! <= key) continue;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}
