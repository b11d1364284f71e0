/**
 * The JSON codec: the same KRPC tree as UTF-8 JSON text, for debugging and for networks that
 * prefer it. `string` leaves become JSON strings, `Uint8Array` leaves base64 strings
 * (standard alphabet, padded), integers numbers, lists arrays and dictionaries objects (keys in
 * insertion order). Absent fields are simply absent, never `null`.
 *
 * JSON cannot tell text from bytes, so decoded leaves are all `string`s; {@link JsonCodec.bytes}
 * reads one as base64 when the field is known to hold bytes.
 *
 * Decoding enforces the bencode codec's limits and policy (reliability.md row B28): the length
 * is checked before parsing; a scan of the raw bytes, before `JSON.parse`, rejects nesting
 * deeper than `maxDepth` and numbers written with a fraction or exponent (JSON.parse would
 * round `9007199254740993` or `1.0000000000000001` silently); after parsing, a walk rejects
 * `null`, booleans, non-safe integers, `-0`, unpaired surrogates, duplicate keys and more than
 * `maxTokens` values and keys, and copies every object into a dictionary that inherits nothing. Every
 * failure is a {@link DecodeError}.
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
import { decodeBase64, encodeBase64 } from "./base64.ts";
import { DecodedDict, describe, isDict, MAX_ENCODE_DEPTH, utf8Length } from "./_wire_value.ts";

const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Options of {@link JsonCodec}: the decoder limits; see {@link DecodeLimits}. */
export type JsonCodecOptions = DecodeLimits;

/**
 * The JSON codec.
 *
 * @example
 * ```ts
 * import { JsonCodec } from "./json.ts";
 * const codec = new JsonCodec();
 * const data = codec.encode({ t: "aa", y: "r", r: { id: new Uint8Array(20) } });
 * new TextDecoder().decode(data); // '{"t":"aa","y":"r","r":{"id":"AAAAAAAAAAAAAAAAAAAAAAAAAAA="}}'
 * codec.bytes(codec.decode(data).r); // undefined: r is a dictionary
 * ```
 */
export class JsonCodec implements Codec {
  /** Always `"json"`. */
  readonly name = "json" as const;
  readonly #limits: ResolvedDecodeLimits;

  /**
   * Creates a JSON codec with the given decoder limits.
   *
   * @param options decoder limits; see {@link DecodeLimits} for the defaults
   * @throws {RangeError} if a limit is not a positive integer
   */
  constructor(options?: JsonCodecOptions) {
    this.#limits = resolveDecodeLimits(options ?? {}, "Cannot create JsonCodec");
  }

  /**
   * Encodes a message tree as UTF-8 JSON.
   * @param message the message tree
   * @returns the JSON text as UTF-8 bytes
   * @throws {TypeError} on a float, a non-safe integer, `undefined`, `null`, a boolean, a
   * string with an unpaired surrogate, an object that is neither a plain object, an array nor
   * a Uint8Array, nesting deeper than 1,000 (which includes cycles), or a top level that is
   * not a dictionary (the decoder would refuse it)
   */
  encode(message: WireDict): Uint8Array {
    if (!isDict(message)) {
      throw new TypeError("Cannot encode JSON message: the top level must be a dictionary");
    }
    return utf8Encoder.encode(stringify(message, 0));
  }

  /**
   * Decodes one datagram of UTF-8 JSON under this codec's limits.
   * @param data the datagram
   * @returns the top-level dictionary, inheriting nothing, every leaf a `string` or a number
   * @throws {DecodeError} if the datagram is not one valid JSON object within the limits
   * @throws {TypeError} if `data` is not a Uint8Array
   */
  decode(data: Uint8Array): WireDict {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(`Cannot decode JSON: expected a Uint8Array, got ${typeof data}`);
    }
    const limits = this.#limits;
    if (data.length > limits.maxLength) {
      throw fail(`input is ${data.length} bytes, more than the limit of ${limits.maxLength}`);
    }
    const scan = scanJson(data, limits.maxDepth);
    let text: string;
    try {
      text = utf8Decoder.decode(data);
    } catch (cause) {
      throw new DecodeError("Invalid JSON: input is not valid UTF-8", { cause });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new DecodeError(`Invalid JSON: ${(cause as Error).message}`, { cause });
    }
    if (!isDict(parsed)) throw fail("the top level must be an object");
    const walk = new Walk(limits.maxTokens, scan.escapes);
    const root = walk.dict(parsed);
    // JSON.parse keeps the last of duplicate keys; fewer keys than the text's member count
    // means a key was repeated (bencode rejects duplicates too).
    if (walk.members !== scan.members) throw fail("an object has a duplicate key");
    return root;
  }

  /**
   * Reads a leaf as bytes: a string as strict base64, a Uint8Array (in a locally built tree)
   * as is.
   * @param value a leaf of a decoded tree
   * @returns the bytes, or `undefined` if the string is not valid base64 or the leaf is not a
   * string
   */
  bytes(value: WireValue | undefined): Uint8Array | undefined {
    if (typeof value === "string") return decodeBase64(value);
    if (value instanceof Uint8Array) return value;
    return undefined;
  }

  /**
   * Reads a leaf as text.
   * @param value a leaf of a decoded tree
   * @returns the string, or `undefined` if the leaf is not a string
   */
  text(value: WireValue | undefined): string | undefined {
    return typeof value === "string" ? value : undefined;
  }
}

function fail(reason: string): DecodeError {
  return new DecodeError(`Invalid JSON: ${reason}`);
}

function stringify(value: WireValue, depth: number): string {
  if (typeof value === "string") {
    utf8Length(value); // throws on an unpaired surrogate, as bencode does
    return JSON.stringify(value);
  }
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) {
      throw new TypeError(`Cannot encode JSON: integers must be safe integers, got ${value}`);
    }
    return value === 0 ? "0" : String(value);
  }
  if (value instanceof Uint8Array) return `"${encodeBase64(value)}"`;
  if (depth >= MAX_ENCODE_DEPTH) {
    throw new TypeError(
      `Cannot encode JSON: nested deeper than ${MAX_ENCODE_DEPTH} levels (is there a cycle?)`,
    );
  }
  if (Array.isArray(value)) {
    let s = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) s += ",";
      s += stringify(value[i]!, depth + 1);
    }
    return s + "]";
  }
  if (!isDict(value)) throw new TypeError(`Cannot encode JSON: ${describe(value)}`);
  let s = "{";
  let first = true;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    utf8Length(key);
    s += first ? JSON.stringify(key) : "," + JSON.stringify(key);
    first = false;
    s += ":" + stringify(value[key]!, depth + 1);
  }
  return s + "}";
}

interface Scan {
  /** Object members in the text: one per `:` outside strings. */
  members: number;
  /** Whether a string holds a `\u` escape, the only way JSON text can carry a lone surrogate. */
  escapes: boolean;
}

/**
 * One pass over the raw bytes before JSON.parse: bounds nesting (so no engine recursion or
 * allocation happens for a deep input), rejects fractions and exponents, counts members.
 */
function scanJson(data: Uint8Array, maxDepth: number): Scan {
  let depth = 0;
  let members = 0;
  let escapes = false;
  let inString = false;
  let previous = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (inString) {
      if (c === 0x5c) { // backslash: skip the escaped character
        if (data[i + 1] === 0x75) escapes = true;
        i++;
      } else if (c === 0x22) {
        inString = false;
      }
      continue;
    }
    if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) { // { [
      if (++depth > maxDepth) throw fail(`nested deeper than ${maxDepth} levels at byte ${i}`);
    } else if (c === 0x7d || c === 0x5d) { // } ]
      depth--;
    } else if (c === 0x3a) { // :
      members++;
    } else if ((c === 0x2e || c === 0x65 || c === 0x45) && previous >= 0x30 && previous <= 0x39) {
      // "." or "e"/"E" right after a digit: a fraction or an exponent. In true/false the "e"
      // follows a letter, and those are rejected later with a clearer message.
      throw fail(`number at byte ${i} is not an integer (fraction or exponent)`);
    }
    previous = c;
  }
  return { members, escapes };
}

/** The validating copy of a parsed tree. */
class Walk {
  readonly #maxTokens: number;
  readonly #checkSurrogates: boolean;
  #tokens = 0;
  /** Keys seen, compared with the scan's member count to detect duplicates. */
  members = 0;

  constructor(maxTokens: number, checkSurrogates: boolean) {
    this.#maxTokens = maxTokens;
    this.#checkSurrogates = checkSurrogates;
  }

  dict(source: WireDict): WireDict {
    this.#count();
    const out: WireDict = new DecodedDict();
    // JSON.parse makes "__proto__" an own data property, so keys() sees it like any other key.
    const keys = Object.keys(source);
    this.members += keys.length;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      this.#count();
      this.#string(key);
      out[key] = this.value(source[key]);
    }
    return out;
  }

  value(v: unknown): WireValue {
    if (typeof v === "string") {
      this.#count();
      this.#string(v);
      return v;
    }
    if (typeof v === "number") {
      this.#count();
      if (!Number.isSafeInteger(v)) throw fail("a number is not a safe integer (|n| ≤ 2^53 − 1)");
      if (Object.is(v, -0)) throw fail("-0 is not a canonical integer");
      return v;
    }
    if (Array.isArray(v)) {
      this.#count();
      for (let i = 0; i < v.length; i++) v[i] = this.value(v[i]);
      return v as WireValue[];
    }
    if (isDict(v)) return this.dict(v);
    throw fail(`${v === null ? "null" : typeof v} is not a wire value`);
  }

  #count(): void {
    if (++this.#tokens > this.#maxTokens) throw fail(`more than ${this.#maxTokens} tokens`);
  }

  #string(s: string): void {
    if (!this.#checkSurrogates) return;
    try {
      utf8Length(s);
    } catch {
      throw fail("a string has an unpaired surrogate escape");
    }
  }
}
