/**
 * Argument checks for the BEP 44 operations of {@linkcode KademliaNode} (`putImmutable`,
 * `getImmutable`, `putMutable`, `getMutable`), so the facade stays one line per operation.
 * Each throws TypeError or RangeError saying what is wrong and why.
 *
 * @module
 */
import { idFromHex } from "../id/node_id.ts";
import {
  BEP44_MAX_SALT_LENGTH,
  BEP44_MAX_SEQ,
  BEP44_PUBLIC_KEY_LENGTH,
  isValidSeq,
} from "../records/bep44.ts";
import {
  type Ed25519,
  ED25519_SECRET_KEY_LENGTH,
  type Ed25519KeyPair,
} from "../records/ed25519.ts";

const utf8 = new TextEncoder();

/**
 * Reads a 20-byte target given as 40 hex characters or bytes.
 *
 * @throws {TypeError} if it is neither
 */
export function itemTarget(target: string | Uint8Array, what: string): Uint8Array {
  if (typeof target === "string") return idFromHex(target);
  if (target instanceof Uint8Array && target.length === 20) return new Uint8Array(target);
  throw new TypeError(
    `${what}: 'target' must be 40 hex characters or 20 bytes, got ${String(target)}`,
  );
}

/**
 * Reads a salt given as text (UTF-8) or bytes; undefined or empty means none.
 *
 * @throws {TypeError} if it is neither
 * @throws {RangeError} if it is longer than 64 bytes (BEP 44)
 */
export function itemSalt(
  salt: string | Uint8Array | undefined,
  what: string,
): Uint8Array | undefined {
  if (salt === undefined) return undefined;
  const bytes = typeof salt === "string"
    ? utf8.encode(salt)
    : salt instanceof Uint8Array
    ? new Uint8Array(salt)
    : undefined;
  if (bytes === undefined) {
    throw new TypeError(`${what}: 'salt' must be a string or a Uint8Array, got ${typeof salt}`);
  }
  if (bytes.length > BEP44_MAX_SALT_LENGTH) {
    throw new RangeError(
      `${what}: 'salt' is ${bytes.length} bytes, more than BEP 44's ${BEP44_MAX_SALT_LENGTH}`,
    );
  }
  return bytes.length > 0 ? bytes : undefined;
}

/**
 * Reads an ed25519 public key given as 64 hex characters or 32 bytes.
 *
 * @throws {TypeError} if it is neither
 */
export function itemPublicKey(key: string | Uint8Array, what: string): Uint8Array {
  if (key instanceof Uint8Array && key.length === BEP44_PUBLIC_KEY_LENGTH) {
    return new Uint8Array(key);
  }
  if (typeof key === "string" && /^[0-9a-fA-F]{64}$/.test(key)) {
    return Uint8Array.from(key.match(/../g)!, (h) => parseInt(h, 16));
  }
  const got = key instanceof Uint8Array ? `${key.length} bytes` : String(key);
  throw new TypeError(
    `${what}: the public key must be ${BEP44_PUBLIC_KEY_LENGTH} bytes or 64 hex characters, got ${got}`,
  );
}

/**
 * Checks a key pair: two byte arrays of the right sizes, the public key the secret key's.
 *
 * @throws {TypeError} if it is malformed or the keys do not belong together
 */
export function itemKeyPair(
  keyPair: Ed25519KeyPair,
  ed25519: Ed25519,
  what: string,
): Ed25519KeyPair {
  const { publicKey, secretKey } = keyPair ?? {};
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== ED25519_SECRET_KEY_LENGTH) {
    throw new TypeError(
      `${what}: 'keyPair.secretKey' must be a ${ED25519_SECRET_KEY_LENGTH}-byte seed (use generateKeyPair())`,
    );
  }
  const derived = ed25519.publicKeyOf(secretKey);
  if (!(publicKey instanceof Uint8Array) || hex(publicKey) !== hex(derived)) {
    throw new TypeError(`${what}: 'keyPair.publicKey' is not the public key of its secret key`);
  }
  return { publicKey: derived, secretKey: new Uint8Array(secretKey) };
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/**
 * Checks an optional sequence number (`seq` or `cas`).
 *
 * @throws {RangeError} if it is not an integer from 0 to 2^53 − 1
 */
export function itemSeq(seq: number | undefined, name: string, what: string): number | undefined {
  if (seq === undefined || isValidSeq(seq)) return seq;
  throw new RangeError(
    `${what}: '${name}' must be an integer from 0 to ${BEP44_MAX_SEQ}, got ${String(seq)}`,
  );
}
