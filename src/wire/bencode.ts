/**
 * Bencode (BEP 3 §bencoding) as KRPC uses it (BEP 5): a strict, bounded decoder for untrusted
 * datagrams and a canonical encoder that writes BEP 5's example packets byte for byte.
 *
 * Representation:
 * - Byte strings decode to `Uint8Array` copies (not views: a view would keep the whole datagram
 *   alive as long as any leaf, bittorrent-dht's memory problem). On encode a `string` leaf is
 *   written as its UTF-8 bytes and a `Uint8Array` as is.
 * - Dictionary keys are byte strings on the wire and "binary strings" in JavaScript: one
 *   character per byte (latin1, U+0000–U+00FF). Decoding maps each byte to one character and
 *   encoding maps each character back to one byte, so every key round-trips exactly (a BEP 44
 *   signature over a re-encoded `v` stays valid). All KRPC keys are ASCII, where this is the
 *   same as UTF-8; a key with a character above U+00FF is a TypeError on encode.
 * - Dictionaries decode to objects that inherit nothing (their prototype is an empty object with
 *   a null prototype), so `__proto__` or `constructor` are plain keys (reliability.md row 8).
 *
 * Decoding policy (reliability.md rows 3–7, B1–B9): the top level must be one dictionary and
 * nothing may follow it; integers are `i0e` or `i-?[1-9][0-9]*e` within ±(2^53 − 1) (never
 * rounded); string lengths are digits without leading zeros and are checked against the bytes
 * left before anything is allocated; dictionary keys must be byte strings and unique.
 *
 * Keys out of order are read, as libtorrent and Transmission read them: deployed clients send
 * such dictionaries, and refusing them would cut us off from those nodes. Our own output is
 * always canonical (sorted keys). A dictionary read out of order is remembered (a WeakSet, so
 * nothing is kept alive), and {@link isCanonicalTree} tells whether a decoded tree re-encodes to
 * the bytes it was read from: the one place where that matters is a BEP 44 `v`, whose hash and
 * signature cover its bytes as sent, so `put` refuses a `v` that is not canonical with 203
 * (reliability.md B22). Duplicate keys are still rejected, the whole datagram dropped: which of
 * two values a reader keeps differs between decoders, and a message that two readers read
 * differently is a smuggling vector, not a compatibility need. The decoder is iterative, so
 * nesting costs heap proportional to `maxDepth`, never stack. Every failure is a
 * {@link DecodeError}.
 *
 * @module
 */

import { DecodeError } from "../errors.ts";
import type { Codec, WireDict, WireValue } from "./codec.ts";
import {
  type DecodeLimits,
  type ResolvedDecodeLimits,
  resolveDecodeLimits,
} from "./decode_limits.ts";
import { BencodeWriter } from "./_bencode_writer.ts";
import { DecodedDict, isDict } from "./_wire_value.ts";

const CH_D = 0x64; // "d"
const CH_L = 0x6c; // "l"
const CH_I = 0x69; // "i"
const CH_E = 0x65; // "e"
const CH_COLON = 0x3a;
const CH_MINUS = 0x2d;
const CH_0 = 0x30;
const CH_9 = 0x39;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Dictionaries the decoder read with keys out of order (see the module doc). */
const UNSORTED = new WeakSet<WireDict>();
const utf8Encoder = new TextEncoder();

/**
 * Encodes a message tree as canonical bencode: dictionary keys sorted by their bytes, integers
 * in shortest form.
 *
 * @example
 * ```ts
 * import { encodeBencode } from "./bencode.ts";
 * const ping = { t: "aa", y: "q", q: "ping", a: { id: "abcdefghij0123456789" } };
 * new TextDecoder().decode(encodeBencode(ping));
 * // "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"
 * ```
 * @param value the tree to encode (any {@link WireValue}; KRPC messages are dictionaries)
 * @returns the encoding, in a buffer of exactly its length
 * @throws {TypeError} on a float, a non-safe integer, `undefined`, `null`, a boolean, a string
 * with an unpaired surrogate, a key with a character above U+00FF, an object that is neither a
 * plain object, an array nor a Uint8Array, or nesting deeper than 1,000 (which includes cycles)
 */
export function encodeBencode(value: WireValue): Uint8Array {
  // One writer for every message (its two work lists are reused), and a fresh one for a call
  // made while it works: only a getter in the tree being encoded could make one.
  if (writerBusy) return new BencodeWriter().encode(value);
  writerBusy = true;
  try {
    return writer.encode(value);
  } finally {
    writerBusy = false;
  }
}

const writer = new BencodeWriter();
let writerBusy = false;

/**
 * Decodes one bencoded message under the given limits.
 *
 * @example
 * ```ts
 * import { decodeBencode } from "./bencode.ts";
 * const data = new TextEncoder().encode("d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re");
 * const msg = decodeBencode(data); // { r: { id: Uint8Array(20) }, t: Uint8Array(2), y: Uint8Array(1) }
 * ```
 * @param data the datagram
 * @param limits depth, token and length bounds; see {@link DecodeLimits} for the defaults
 * @returns the top-level dictionary, inheriting nothing, byte strings as views of one copy of
 *   `data`
 * @throws {DecodeError} if `data` is not exactly one well-formed dictionary within the limits
 * @throws {TypeError} if `data` is not a Uint8Array
 * @throws {RangeError} if a limit is not a positive integer
 */
export function decodeBencode(data: Uint8Array, limits?: DecodeLimits): WireDict {
  return decode(data, resolveDecodeLimits(limits, "Cannot decode bencode"));
}

/**
 * Tells whether a tree decoded by this module re-encodes to exactly the bytes it was read from:
 * false if any dictionary in it was read with its keys out of order. Integers and string
 * lengths are always canonical (the decoder refuses other forms), so sorting is the only
 * difference {@link encodeBencode} can make. A tree built in code is always canonical.
 *
 * @example
 * ```ts
 * import { decodeBencode, isCanonicalTree } from "./bencode.ts";
 * const bytes = (s: string) => new TextEncoder().encode(s);
 * console.log(isCanonicalTree(decodeBencode(bytes("d1:ai1e1:bi2ee")))); // true
 * console.log(isCanonicalTree(decodeBencode(bytes("d1:bi2e1:ai1ee")))); // false
 * ```
 *
 * @param value a decoded tree or any part of one
 * @returns true if `encodeBencode(value)` reproduces the bytes it was decoded from
 */
export function isCanonicalTree(value: WireValue): boolean {
  // Iterative: a tree may be as deep as the decoder allowed.
  const stack: WireValue[] = [value];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (typeof node !== "object" || node instanceof Uint8Array) continue;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) stack.push(node[i]!);
      continue;
    }
    if (UNSORTED.has(node)) return false;
    for (const key in node) stack.push(node[key]!);
  }
  return true;
}

const openContainers: (WireValue[] | WireDict)[] = [];
const openLastKeys: (string | null)[] = [];

function decode(data: Uint8Array, limits: ResolvedDecodeLimits): WireDict {
  const { maxDepth, maxTokens, maxLength } = limits;
  if (!(data instanceof Uint8Array)) {
    throw new TypeError(`Cannot decode bencode: expected a Uint8Array, got ${typeof data}`);
  }
  const n = data.length;
  if (n > maxLength) throw fail(`input is ${n} bytes, more than the limit of ${maxLength}`);
  if (n === 0) throw fail("input is empty");
  if (data[0] !== CH_D) throw fail("the top level must be a dictionary (first byte must be 'd')");

  // The open containers, innermost last, with the last key read in each (null before the
  // first, and for lists). pendingKey is a key of the innermost dict still waiting for its
  // value; it is always null when a child container opens or closes. Both stacks are shared
  // by every call (decoding never re-enters itself) and emptied at its start.
  const containers = openContainers;
  const lastKeys = openLastKeys;
  containers.length = 0;
  lastKeys.length = 0;
  const root: WireDict = new DecodedDict();
  containers.push(root);
  lastKeys.push(null);
  let pendingKey: string | null = null;
  let top: WireValue[] | WireDict = root;
  let topIsDict = true;
  let tokens = 1;
  let pos = 1;
  // Byte strings are views into one private copy of the input, made on the first: the caller
  // may reuse its buffer, and a typed array of its own per string (ids, tokens, transaction
  // ids) cost an allocation each, the largest self cost of decoding on Deno. Keeping any of
  // them keeps that copy, one datagram (at most `maxLength` bytes), alive.
  let own: Uint8Array | undefined;

  for (;;) {
    if (pos >= n) throw fail(`truncated: input ends inside a ${topIsDict ? "dictionary" : "list"}`);
    const c = data[pos]!;

    if (c === CH_E) {
      if (pendingKey !== null) throw fail(`dictionary key "${printable(pendingKey)}" has no value`);
      pos++;
      containers.pop();
      lastKeys.pop();
      const depth = containers.length;
      if (depth === 0) break;
      top = containers[depth - 1]!;
      topIsDict = !Array.isArray(top);
      continue;
    }

    if (++tokens > maxTokens) throw fail(`more than ${maxTokens} tokens`);

    if (topIsDict && pendingKey === null) {
      if (c < CH_0 || c > CH_9) throw fail(`dictionary key at byte ${pos} is not a byte string`);
      const start = stringStart(data, pos);
      const len = stringLength(data, pos, start);
      const key = latin1(data, start, start + len);
      const depth = containers.length;
      // The greatest key so far. Keys are one char per byte, so string order is byte order
      // (BEP 3: sorted as raw strings); a key above it cannot repeat an earlier one.
      const greatest = lastKeys[depth - 1]!;
      if (greatest === null || key > greatest) {
        lastKeys[depth - 1] = key;
      } else {
        if (key === greatest || Object.hasOwn(top, key)) {
          throw fail(`duplicate dictionary key "${printable(key)}"`);
        }
        UNSORTED.add(top as WireDict);
      }
      pendingKey = key;
      pos = start + len;
      continue;
    }

    let value: WireValue;
    if (c >= CH_0 && c <= CH_9) {
      const start = stringStart(data, pos);
      const end = start + stringLength(data, pos, start);
      value = (own ??= data.slice()).subarray(start, end);
      pos = end;
    } else if (c === CH_I) {
      pos = readInteger(data, pos);
      value = lastInteger;
    } else if (c === CH_L || c === CH_D) {
      if (containers.length >= maxDepth) {
        throw fail(`nested deeper than ${maxDepth} levels at byte ${pos}`);
      }
      value = c === CH_L ? [] : new DecodedDict();
      pos++;
    } else {
      throw fail(`unexpected byte 0x${c.toString(16).padStart(2, "0")} at byte ${pos}`);
    }

    if (topIsDict) {
      (top as WireDict)[pendingKey!] = value;
      pendingKey = null;
    } else {
      (top as WireValue[]).push(value);
    }
    if (c === CH_L || c === CH_D) {
      containers.push(value as WireValue[] | WireDict);
      lastKeys.push(null);
      top = value as WireValue[] | WireDict;
      topIsDict = c === CH_D;
    }
  }

  if (pos !== n) throw fail(`${n - pos} trailing bytes after the top-level dictionary`);
  return root;
}

/** Options of {@link BencodeCodec}: the decoder limits; see {@link DecodeLimits}. */
export type BencodeCodecOptions = DecodeLimits;

/**
 * The bencode codec: BEP 5's wire format, for talking to mainline DHT nodes.
 *
 * @example
 * ```ts
 * import { BencodeCodec } from "./bencode.ts";
 * const codec = new BencodeCodec();
 * const msg = codec.decode(codec.encode({ t: "aa", y: "r", r: { id: "mnopqrstuvwxyz123456" } }));
 * codec.text(msg.y); // "r"
 * ```
 */
export class BencodeCodec implements Codec {
  /** Always `"bencode"`. */
  readonly name = "bencode" as const;
  readonly #limits: ResolvedDecodeLimits;

  /**
   * Creates a bencode codec with the given decoder limits.
   *
   * @param options decoder limits; see {@link DecodeLimits} for the defaults
   * @throws {RangeError} if a limit is not a positive integer
   */
  constructor(options?: BencodeCodecOptions) {
    this.#limits = resolveDecodeLimits(options ?? {}, "Cannot create BencodeCodec");
  }

  /**
   * Encodes a message; see {@link encodeBencode}.
   * @param message the message tree
   * @returns its canonical bencoding
   * @throws {TypeError} if the tree holds something bencode cannot write, or its top level is
   * not a dictionary (the decoder would refuse it)
   */
  encode(message: WireDict): Uint8Array {
    if (!isDict(message)) {
      throw new TypeError("Cannot encode bencode message: the top level must be a dictionary");
    }
    return encodeBencode(message);
  }

  /**
   * Decodes one datagram under this codec's limits; see {@link decodeBencode}.
   * @param data the datagram
   * @returns the top-level dictionary
   * @throws {DecodeError} if the datagram is malformed or exceeds a limit
   */
  decode(data: Uint8Array): WireDict {
    return decode(data, this.#limits);
  }

  /**
   * Reads a leaf as bytes: a Uint8Array as is, a string as its UTF-8 bytes (what the wire
   * would carry).
   * @param value a leaf of a decoded (or locally built) tree
   * @returns the bytes, or `undefined` for integers, lists, dictionaries and `undefined`
   */
  bytes(value: WireValue | undefined): Uint8Array | undefined {
    if (value instanceof Uint8Array) return value;
    if (typeof value === "string") return utf8Encoder.encode(value);
    return undefined;
  }

  /**
   * Reads a leaf as text: a Uint8Array decoded as strict UTF-8, a string as is.
   * @param value a leaf of a decoded (or locally built) tree
   * @returns the text, or `undefined` if the bytes are not valid UTF-8 or the leaf is not a
   * string
   */
  text(value: WireValue | undefined): string | undefined {
    if (typeof value === "string") return value;
    if (!(value instanceof Uint8Array)) return undefined;
    // Short ASCII (message types, method names, value types) is valid UTF-8 as it stands:
    // building it here skips a native call per field, a measurable cost on Deno.
    if (value.length <= 32 && isAscii(value)) return latin1(value, 0, value.length);
    try {
      return utf8.decode(value);
    } catch {
      return undefined;
    }
  }
}

function fail(reason: string): DecodeError {
  return new DecodeError(`Invalid bencode: ${reason}`);
}

/** Index of the first data byte of the string whose length prefix starts at `pos`. */
function stringStart(data: Uint8Array, pos: number): number {
  const n = data.length;
  for (let i = pos; i < n; i++) {
    const c = data[i]!;
    if (c === CH_COLON) return i + 1;
    if (c < CH_0 || c > CH_9) throw fail(`string length at byte ${pos} has a non-digit`);
    // 15 digits already exceed any input length; stopping there keeps the parsed number exact
    // (heapless-bencode#5 wrapped a long prefix around 2^31 to a small length).
    if (i - pos >= 15) throw fail(`string length at byte ${pos} has more than 15 digits`);
  }
  throw fail(`truncated string length at byte ${pos}`);
}

/** Parses the length digits in `[pos, start - 1)` and checks them against the bytes left. */
function stringLength(data: Uint8Array, pos: number, start: number): number {
  const digitsEnd = start - 1;
  if (digitsEnd === pos) throw fail(`string at byte ${pos} has an empty length`);
  if (data[pos] === CH_0 && digitsEnd - pos > 1) {
    throw fail(`string length at byte ${pos} has a leading zero`);
  }
  let len = 0;
  for (let i = pos; i < digitsEnd; i++) len = len * 10 + (data[i]! - CH_0);
  const left = data.length - start;
  if (len > left) throw fail(`string at byte ${pos} claims ${len} bytes but ${left} are left`);
  return len;
}

// readInteger returns the new position; the value travels here to avoid allocating a pair.
let lastInteger = 0;

/** Parses `i…e` at `pos` into `lastInteger`; returns the index after the `e`. */
function readInteger(data: Uint8Array, pos: number): number {
  const n = data.length;
  let i = pos + 1;
  let negative = false;
  if (i < n && data[i] === CH_MINUS) {
    negative = true;
    i++;
  }
  const first = i;
  let value = 0;
  while (i < n) {
    const c = data[i]!;
    if (c === CH_E) break;
    if (c < CH_0 || c > CH_9) throw fail(`integer at byte ${pos} has a non-digit`);
    value = value * 10 + (c - CH_0);
    // Once past 2^53 - 1 the double is inexact; reject rather than round (node-bencode#143).
    if (value > Number.MAX_SAFE_INTEGER) {
      throw fail(`integer at byte ${pos} is outside ±(2^53 - 1)`);
    }
    i++;
  }
  if (i >= n) throw fail(`truncated integer at byte ${pos}`);
  const digits = i - first;
  if (digits === 0) throw fail(`integer at byte ${pos} has no digits`);
  if (data[first] === CH_0 && (digits > 1 || negative)) {
    throw fail(`integer at byte ${pos} is not canonical (leading zero or -0)`);
  }
  lastInteger = negative ? -value : value;
  return i + 1;
}

/** Whether every byte is below 0x80. */
function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

/** The one-character strings, by byte: most KRPC keys (`t`, `y`, `a`, `r`, `q`) are one. */
const ONE_CHAR: readonly string[] = Array.from({ length: 256 }, (_, c) => String.fromCharCode(c));

/** One character per byte. Keys are short; long ones go in chunks below `apply`'s limits. */
function latin1(data: Uint8Array, start: number, end: number): string {
  if (end - start === 1) return ONE_CHAR[data[start]!]!;
  if (end - start <= 32) {
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(data[i]!);
    return s;
  }
  let s = "";
  for (let i = start; i < end; i += 1024) {
    const chunk = data.subarray(i, Math.min(end, i + 1024));
    s += String.fromCharCode.apply(null, chunk as unknown as number[]);
  }
  return s;
}

/** A key for an error message: printable ASCII as is, other bytes as \xNN, at most 40 chars. */
function printable(key: string): string {
  const shown = key.length > 40 ? key.slice(0, 40) : key;
  const escaped = shown.replace(/[^\x20-\x7e]/g, (ch) => {
    return `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
  return key.length > 40 ? `${escaped}…` : escaped;
}
