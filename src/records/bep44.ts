/**
 * BEP 44 items: where they are stored, what their signatures cover, and the limits and error
 * codes of the `get`/`put` methods. Pure functions; signing goes through an injected
 * {@linkcode Ed25519}.
 *
 * An immutable item is stored under the SHA-1 of its bencoded value; a mutable item under the
 * SHA-1 of its public key followed by its salt, and is signed over a buffer built from raw
 * bytes, `[4:salt<len>:<salt>]3:seqi<seq>e1:v<bencoded v>`, so that no bencode parser quirk
 * or dictionary reordering can change what was signed (BEP 44 §Signature Verification).
 *
 * Values are handled in their bencoded form (`encodedValue`) because BEP 44 defines the size
 * limit, the hash and the signature over that form. The bencode codec decodes a `v` to a tree
 * that re-encodes to the same bytes (it rejects unsorted keys and non-canonical integers), so
 * `encodeBencode(args.v)` of a received `put` is the sender's byte string.
 *
 * `seq` is a `number`, limited to `Number.MAX_SAFE_INTEGER` (2^53 − 1) rather than BEP 44's
 * 2^63 − 1, with anything above it rejected (reliability.md row 6: never round silently).
 * A bigint would buy nothing on the wire: both codecs decode integers as safe numbers and drop
 * a datagram holding a larger one, and message trees carry numbers only. 2^53 − 1 outlasts any
 * counter, and timestamps too: pkarr-style publishers that use microseconds since the epoch as
 * `seq` stay below it until the year 2255.
 *
 * @module
 */
import { sha1 } from "../id/sha1.ts";
import { encodeBencode } from "../wire/bencode.ts";
import type { WireValue } from "../wire/codec.ts";
import { type Ed25519, ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH } from "./ed25519.ts";

/** The longest bencoded `v` a `put` may carry (BEP 44: "MAY reject … longer than 1000 bytes"). */
export const BEP44_MAX_VALUE_LENGTH = 1000;
/** The longest `salt` (BEP 44: "MUST NOT be longer than 64 bytes"). */
export const BEP44_MAX_SALT_LENGTH = 64;
/** Bytes in `k`, the ed25519 public key of a mutable item. */
export const BEP44_PUBLIC_KEY_LENGTH: number = ED25519_PUBLIC_KEY_LENGTH;
/** Bytes in `sig`, the ed25519 signature of a mutable item. */
export const BEP44_SIGNATURE_LENGTH: number = ED25519_SIGNATURE_LENGTH;
/**
 * The largest `seq` accepted: `Number.MAX_SAFE_INTEGER`, below BEP 44's MAX_INT64 (see the
 * module doc for why). BEP 44 lets a node reject larger and negative sequence numbers.
 */
export const BEP44_MAX_SEQ: number = Number.MAX_SAFE_INTEGER;

/** KRPC error codes that BEP 44 adds to BEP 5's 201–204. */
export const Bep44ErrorCode = {
  /** The bencoded `v` is longer than {@linkcode BEP44_MAX_VALUE_LENGTH}. */
  ValueTooBig: 205,
  /** The signature does not verify. */
  InvalidSignature: 206,
  /** `salt` is longer than {@linkcode BEP44_MAX_SALT_LENGTH}. */
  SaltTooBig: 207,
  /** `cas` is not the stored item's `seq` (an implementation MUST send it). */
  CasMismatch: 301,
  /** `seq` is not newer than the stored item's. */
  SeqTooOld: 302,
} as const;

/** One of the {@linkcode Bep44ErrorCode} values. */
export type Bep44ErrorCode = typeof Bep44ErrorCode[keyof typeof Bep44ErrorCode];

/** The fields a mutable item's signature covers. */
export interface SignedFields {
  /** The sequence number, an integer in 0–{@linkcode BEP44_MAX_SEQ}. */
  readonly seq: number;
  /** The bencoded `v`. */
  readonly encodedValue: Uint8Array;
  /** The salt, at most 64 bytes; absent and empty mean the same (BEP 44). */
  readonly salt?: Uint8Array | undefined;
}

/** A signed mutable item, as a `put` carries it and a `get` returns it. */
export interface MutableItem extends SignedFields {
  /** `k`: the 32-byte ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** `sig`: the 64-byte ed25519 signature over {@linkcode mutableSigningBuffer}. */
  readonly signature: Uint8Array;
}

/** True if `seq` is a sequence number this implementation accepts: an integer in 0–2^53 − 1. */
export function isValidSeq(seq: unknown): seq is number {
  return Number.isSafeInteger(seq) && (seq as number) >= 0;
}

function assertBytes(value: unknown, what: string, name: string, length?: number): void {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${what}: '${name}' must be a Uint8Array, got ${typeof value}`);
  }
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${what}: '${name}' must be ${length} bytes, got ${value.length}`);
  }
}

function assertSalt(salt: unknown, what: string): void {
  if (salt === undefined) return;
  assertBytes(salt, what, "salt");
  const length = (salt as Uint8Array).length;
  if (length > BEP44_MAX_SALT_LENGTH) {
    throw new RangeError(
      `${what}: 'salt' must be at most ${BEP44_MAX_SALT_LENGTH} bytes, got ${length}`,
    );
  }
}

/**
 * The target an immutable item is stored under: SHA-1 of its bencoded value.
 *
 * @example
 * ```ts
 * import { immutableItemTarget } from "./bep44.ts";
 * import { idToHex } from "../id/node_id.ts";
 * console.log(idToHex(immutableItemTarget("Hello World!"))); // BEP 44 test 3
 * // "e5f96f6f38320f0f33959cb4d3d656452117aadb"
 * ```
 *
 * @param value the item's `v`, any bencodable tree
 * @returns the 20-byte target
 * @throws {TypeError} if `value` cannot be bencoded
 */
export function immutableItemTarget(value: WireValue): Uint8Array {
  return sha1(encodeBencode(value));
}

/**
 * The target a mutable item is stored under: SHA-1 of the public key followed by the salt.
 *
 * @param publicKey the 32-byte ed25519 public key
 * @param salt at most 64 bytes; omitted or empty for none
 * @returns the 20-byte target
 * @throws {TypeError} if `publicKey` or `salt` is not a Uint8Array
 * @throws {RangeError} if `publicKey` is not 32 bytes or `salt` is longer than 64
 */
export function mutableItemTarget(publicKey: Uint8Array, salt?: Uint8Array): Uint8Array {
  const what = "Cannot compute BEP 44 target";
  assertBytes(publicKey, what, "publicKey", BEP44_PUBLIC_KEY_LENGTH);
  assertSalt(salt, what);
  if (!salt || salt.length === 0) return sha1(publicKey);
  const input = new Uint8Array(publicKey.length + salt.length);
  input.set(publicKey);
  input.set(salt, publicKey.length);
  return sha1(input);
}

const ascii = new TextEncoder();

/**
 * The bytes a mutable item's signature covers, concatenated from raw bytes (BEP 44
 * §Signature Verification): `4:salt<len>:<salt>` if the salt is non-empty, then
 * `3:seqi<seq>e1:v` and the bencoded value.
 *
 * @example
 * ```ts
 * import { mutableSigningBuffer } from "./bep44.ts";
 * const encodedValue = new TextEncoder().encode("12:Hello World!");
 * const buffer = mutableSigningBuffer({ seq: 1, encodedValue });
 * console.log(new TextDecoder().decode(buffer)); // "3:seqi1e1:v12:Hello World!"
 * ```
 *
 * @param fields the sequence number, the bencoded value and the optional salt
 * @returns a new buffer
 * @throws {TypeError} if a byte field is not a Uint8Array
 * @throws {RangeError} if `seq` is not an integer in 0–2^53 − 1, the value is empty or over
 * 1000 bytes, or the salt is over 64 bytes
 */
export function mutableSigningBuffer(fields: SignedFields): Uint8Array {
  const what = "Cannot build BEP 44 signing buffer";
  const { seq, encodedValue, salt } = fields;
  if (!isValidSeq(seq)) {
    throw new RangeError(`${what}: 'seq' must be an integer in 0-${BEP44_MAX_SEQ}, got ${seq}`);
  }
  assertBytes(encodedValue, what, "encodedValue");
  if (encodedValue.length === 0 || encodedValue.length > BEP44_MAX_VALUE_LENGTH) {
    throw new RangeError(
      `${what}: 'encodedValue' must be 1-${BEP44_MAX_VALUE_LENGTH} bytes, got ${encodedValue.length}`,
    );
  }
  assertSalt(salt, what);
  const head = salt && salt.length > 0 ? ascii.encode(`4:salt${salt.length}:`) : undefined;
  const middle = ascii.encode(`3:seqi${seq}e1:v`);
  const saltLength = head ? head.length + salt!.length : 0;
  const out = new Uint8Array(saltLength + middle.length + encodedValue.length);
  if (head) {
    out.set(head);
    out.set(salt!, head.length);
  }
  out.set(middle, saltLength);
  out.set(encodedValue, saltLength + middle.length);
  return out;
}

/** How {@linkcode signMutableItem} signs. */
export interface SignOptions {
  /** The signature implementation. */
  readonly ed25519: Ed25519;
  /** The publisher's 32-byte secret seed. */
  readonly secretKey: Uint8Array;
}

/**
 * Signs a mutable item as its publisher: derives `k` from the secret key and signs the
 * {@linkcode mutableSigningBuffer}.
 *
 * @param fields the sequence number, the bencoded value and the optional salt
 * @param options the implementation and the secret key
 * @returns the item with `publicKey` and `signature`; an empty salt is dropped
 * @throws {TypeError} or {RangeError} as {@linkcode mutableSigningBuffer} does, or if the
 * secret key is not a 32-byte Uint8Array
 */
export function signMutableItem(fields: SignedFields, options: SignOptions): MutableItem {
  const buffer = mutableSigningBuffer(fields);
  const { ed25519, secretKey } = options;
  const item = {
    seq: fields.seq,
    encodedValue: fields.encodedValue,
    publicKey: ed25519.publicKeyOf(secretKey),
    signature: ed25519.sign(buffer, secretKey),
  };
  return fields.salt && fields.salt.length > 0 ? { ...item, salt: fields.salt } : item;
}

/**
 * Verifies a mutable item's signature. Fields outside BEP 44's limits (a key that is not
 * 32 bytes, a salt over 64, a seq out of range, …) verify as false rather than throwing, so
 * this can run on anything a peer sent.
 *
 * @param item the item as received
 * @param ed25519 the signature implementation
 * @returns true only if the item is well-formed and `signature` is valid under `publicKey`
 */
export function verifyMutableItem(item: MutableItem, ed25519: Ed25519): boolean {
  const { publicKey, signature } = item;
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== BEP44_PUBLIC_KEY_LENGTH) {
    return false;
  }
  if (!(signature instanceof Uint8Array) || signature.length !== BEP44_SIGNATURE_LENGTH) {
    return false;
  }
  let buffer: Uint8Array;
  try {
    buffer = mutableSigningBuffer(item);
  } catch {
    return false;
  }
  return ed25519.verify(signature, buffer, publicKey);
}
