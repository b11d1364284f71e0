/**
 * ed25519 for BEP 44 mutable items, on `@noble/curves` (audited, pure JavaScript, the same code
 * in Deno, Bun and Node). It lives outside `src/`, which imports no packages; the core takes
 * it as an {@linkcode Ed25519}.
 *
 * Verification is RFC 8032 strict (`zip215: false`): non-canonical encodings of the key or of
 * `R`, `S ≥ L` and small-order keys are refused. Signatures made by any RFC 8032 signer
 * (libtorrent, libsodium, ed25519-dalek, noble) pass; a malleated copy of one does not, so a
 * storing node never keeps a second valid signature for the same item.
 *
 * @example
 * ```ts
 * import { ed25519, generateKeyPair } from "./ed25519.ts";
 * const { publicKey, secretKey } = generateKeyPair();
 * const message = new TextEncoder().encode("3:seqi1e1:v12:Hello World!");
 * const signature = ed25519.sign(message, secretKey);
 * console.log(ed25519.verify(signature, message, publicKey)); // true
 * ```
 *
 * @module
 */
import { ed25519 as noble } from "@noble/curves/ed25519.js";
import {
  type Ed25519,
  ED25519_SECRET_KEY_LENGTH,
  type Ed25519KeyPair,
} from "../src/records/ed25519.ts";

function assertSecretKey(secretKey: unknown, what: string): asserts secretKey is Uint8Array {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== ED25519_SECRET_KEY_LENGTH) {
    const got = secretKey instanceof Uint8Array ? `${secretKey.length} bytes` : typeof secretKey;
    throw new TypeError(
      `${what}: 'secretKey' must be a ${ED25519_SECRET_KEY_LENGTH}-byte Uint8Array seed, got ${got}`,
    );
  }
}

/** ed25519 on `@noble/curves`: deterministic RFC 8032 signatures, strict verification. */
export const ed25519: Ed25519 = {
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
    assertSecretKey(secretKey, "Cannot sign");
    if (!(message instanceof Uint8Array)) {
      throw new TypeError(`Cannot sign: 'message' must be a Uint8Array, got ${typeof message}`);
    }
    return noble.sign(message, secretKey);
  },
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
    if (
      !(signature instanceof Uint8Array) || signature.length !== noble.lengths.signature ||
      !(publicKey instanceof Uint8Array) || publicKey.length !== noble.lengths.publicKey ||
      !(message instanceof Uint8Array)
    ) return false;
    try {
      return noble.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
  publicKeyOf(secretKey: Uint8Array): Uint8Array {
    assertSecretKey(secretKey, "Cannot derive public key");
    return noble.getPublicKey(secretKey);
  },
};

/**
 * Generates an ed25519 key pair from `crypto.getRandomValues`, for publishing mutable items.
 *
 * @returns a fresh 32-byte public key and its 32-byte secret seed
 */
export function generateKeyPair(): Ed25519KeyPair {
  const secretKey = crypto.getRandomValues(new Uint8Array(ED25519_SECRET_KEY_LENGTH));
  return { publicKey: noble.getPublicKey(secretKey), secretKey };
}
