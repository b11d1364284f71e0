/**
 * The ed25519 signature scheme (RFC 8032) as the core sees it: an injected collaborator, like the
 * clock and the random source. BEP 44 mutable items are signed with it.
 *
 * The core carries no implementation: signatures need a vetted library, and `src/` imports
 * nothing outside `src/`. `adapters/ed25519.ts` implements this interface with `@noble/curves`;
 * any other implementation (libsodium, Web Crypto behind a synchronous cache) can be passed in
 * its place.
 *
 * Secret keys are RFC 8032 32-byte seeds, not the 64-byte expanded form (SHA-512 of the seed,
 * clamped) that some libraries and the BEP 44 test vectors print.
 *
 * @module
 */

/** Bytes in an ed25519 public key (BEP 44 `k`). */
export const ED25519_PUBLIC_KEY_LENGTH = 32;
/** Bytes in an ed25519 secret key seed. */
export const ED25519_SECRET_KEY_LENGTH = 32;
/** Bytes in an ed25519 signature (BEP 44 `sig`). */
export const ED25519_SIGNATURE_LENGTH = 64;

/** An ed25519 key pair. */
export interface Ed25519KeyPair {
  /** The 32-byte public key, as BEP 44 puts it in `k`. */
  readonly publicKey: Uint8Array;
  /** The 32-byte secret seed. Keep it secret: whoever holds it can update the items. */
  readonly secretKey: Uint8Array;
}

/** Signs and verifies ed25519 signatures (RFC 8032, pure Ed25519: no context, no prehash). */
export interface Ed25519 {
  /**
   * Signs `message`. Signatures are deterministic: the same key and message give the same bytes.
   *
   * @param message the bytes to sign (for BEP 44, the signing buffer)
   * @param secretKey a 32-byte seed
   * @returns the 64-byte signature
   * @throws {TypeError} if `secretKey` is not a 32-byte Uint8Array
   */
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /**
   * Verifies a signature. Never throws on malformed input: a signature or key of the wrong
   * length, or a key that is not a valid curve point, verifies as false.
   *
   * @param signature the 64-byte signature
   * @param message the signed bytes
   * @param publicKey the 32-byte public key
   * @returns true only if `signature` is valid for `message` under `publicKey`
   */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /**
   * Derives the public key of a secret seed.
   *
   * @param secretKey a 32-byte seed
   * @returns the 32-byte public key
   * @throws {TypeError} if `secretKey` is not a 32-byte Uint8Array
   */
  publicKeyOf(secretKey: Uint8Array): Uint8Array;
}
