/**
 * The storing node's decisions for a BEP 44 `put`, as pure functions, so the `put` method is
 * parse → {@linkcode checkPut} → token → `verifyMutableItem` (bep44.ts) → storage lookup →
 * {@linkcode checkMutablePut} → store or error.
 *
 * The order follows libtorrent's `node.cpp`: the cheap checks (sizes, which fields are present)
 * first, then the write token for the target they imply, then the signature (the expensive part,
 * never spent on a put without a valid token), then the comparison with what is stored.
 *
 * Where peers disagree, this follows BEP 44's text: an equal `seq` with the same value refreshes
 * the item (libtorrent does too; bittorrent-dht answers 302 to it; pubky/mainline replaces the
 * value), an equal `seq` with another value is refused with 302 (libtorrent answers success but
 * keeps the old value); a lower `seq` is refused with 302; a `cas` that is not the stored `seq`
 * is refused with 301 before `seq` is looked at, as in libtorrent.
 *
 * @module
 */
import { ErrorCode } from "../wire/envelope.ts";
import {
  BEP44_MAX_SALT_LENGTH,
  BEP44_MAX_SEQ,
  BEP44_MAX_VALUE_LENGTH,
  BEP44_PUBLIC_KEY_LENGTH,
  BEP44_SIGNATURE_LENGTH,
  Bep44ErrorCode,
  isValidSeq,
  type MutableItem,
  mutableItemTarget,
} from "./bep44.ts";
import { sha1 } from "../id/sha1.ts";

/** The `put` arguments this module judges, as the method parsed them from `a`. */
export interface PutFields {
  /** `v`, bencoded (`encodeBencode(a.v)`). */
  readonly encodedValue: Uint8Array;
  /** `k`, present for a mutable put. */
  readonly publicKey?: Uint8Array | undefined;
  /** `sig`, present for a mutable put. */
  readonly signature?: Uint8Array | undefined;
  /** `seq`, present for a mutable put. */
  readonly seq?: number | undefined;
  /** `salt`, optional for a mutable put. */
  readonly salt?: Uint8Array | undefined;
  /** `cas`, optional for a mutable put. */
  readonly cas?: number | undefined;
}

/** A refusal: the KRPC error to answer with. */
export interface PutRejection {
  /** Discriminant. */
  readonly ok: false;
  /** The KRPC error code: 203 (BEP 5 protocol error) or one of {@linkcode Bep44ErrorCode}. */
  readonly code: number;
  /** The error string for the reply, saying what was wrong. */
  readonly message: string;
}

/** What {@linkcode checkPut} found a well-formed put to be. */
export type CheckedPut =
  | {
    /** Discriminant. */
    readonly ok: true;
    /** An immutable item: stored under the SHA-1 of its value, no signature. */
    readonly kind: "immutable";
    /** SHA-1 of the bencoded value. */
    readonly target: Uint8Array;
  }
  | {
    /** Discriminant. */
    readonly ok: true;
    /** A mutable item: `k`, `sig` and `seq` were all present. */
    readonly kind: "mutable";
    /** SHA-1 of `k` and `salt`. */
    readonly target: Uint8Array;
    /** The item, to verify and store; an empty salt is dropped. */
    readonly item: MutableItem;
    /** `cas`, when the put carried one. */
    readonly cas?: number;
  }
  | PutRejection;

function reject(code: number, message: string): PutRejection {
  return { ok: false, code, message };
}

/**
 * Checks a `put`'s fields against BEP 44's limits and tells which kind of item it is, without
 * verifying the signature (do that with `verifyMutableItem` from bep44.ts once the token is
 * known to be good). A put is mutable only if `k`, `sig` and `seq` are all present; a put with
 * only some of them, or with `salt` or `cas` but no `k`, is refused with 203 rather than stored
 * as an immutable item (reliability.md B24).
 *
 * @example
 * ```ts
 * import { checkPut } from "./bep44_put.ts";
 * const checked = checkPut({ encodedValue: new TextEncoder().encode("12:Hello World!") });
 * console.log(checked.ok && checked.kind); // "immutable"
 * ```
 *
 * @param fields the parsed arguments
 * @returns the kind and target, or the error to answer with: 205 for a value that is empty or
 * over 1000 bytes, 207 for a salt over 64 bytes, 203 for a wrong-sized `k` or `sig`, a `seq` or
 * `cas` that is not an integer in 0–2^53 − 1, or a partial set of mutable fields
 */
export function checkPut(fields: PutFields): CheckedPut {
  const { encodedValue, publicKey, signature, seq, salt, cas } = fields;
  if (!(encodedValue instanceof Uint8Array) || encodedValue.length === 0) {
    return reject(Bep44ErrorCode.ValueTooBig, "put needs a value 'v'");
  }
  if (encodedValue.length > BEP44_MAX_VALUE_LENGTH) {
    return reject(
      Bep44ErrorCode.ValueTooBig,
      `value too big: ${encodedValue.length} bytes bencoded, at most ${BEP44_MAX_VALUE_LENGTH}`,
    );
  }
  if (salt !== undefined && salt.length > BEP44_MAX_SALT_LENGTH) {
    return reject(
      Bep44ErrorCode.SaltTooBig,
      `salt too big: ${salt.length} bytes, at most ${BEP44_MAX_SALT_LENGTH}`,
    );
  }
  const mutableFields = [publicKey, signature, seq, salt, cas].filter((f) => f !== undefined);
  if (mutableFields.length === 0) {
    return { ok: true, kind: "immutable", target: sha1(encodedValue) };
  }
  if (publicKey === undefined || signature === undefined || seq === undefined) {
    return reject(ErrorCode.Protocol, "a mutable put needs all of 'k', 'sig' and 'seq'");
  }
  if (publicKey.length !== BEP44_PUBLIC_KEY_LENGTH) {
    return reject(
      ErrorCode.Protocol,
      `'k' must be ${BEP44_PUBLIC_KEY_LENGTH} bytes, got ${publicKey.length}`,
    );
  }
  if (signature.length !== BEP44_SIGNATURE_LENGTH) {
    return reject(
      ErrorCode.Protocol,
      `'sig' must be ${BEP44_SIGNATURE_LENGTH} bytes, got ${signature.length}`,
    );
  }
  if (!isValidSeq(seq)) {
    return reject(ErrorCode.Protocol, `'seq' must be an integer in 0-${BEP44_MAX_SEQ}, got ${seq}`);
  }
  if (cas !== undefined && !isValidSeq(cas)) {
    return reject(ErrorCode.Protocol, `'cas' must be an integer in 0-${BEP44_MAX_SEQ}, got ${cas}`);
  }
  const hasSalt = salt !== undefined && salt.length > 0;
  const item: MutableItem = hasSalt
    ? { publicKey, signature, seq, encodedValue, salt }
    : { publicKey, signature, seq, encodedValue };
  const target = mutableItemTarget(publicKey, hasSalt ? salt : undefined);
  return cas === undefined
    ? { ok: true, kind: "mutable", target, item }
    : { ok: true, kind: "mutable", target, item, cas };
}

/** What a storing node holds under a mutable item's target, as far as a put is concerned. */
export interface StoredMutableItem {
  /** The stored `seq`. */
  readonly seq: number;
  /** The stored value, bencoded. */
  readonly encodedValue: Uint8Array;
}

/** The parts of an incoming, signature-checked mutable put that decide its fate. */
export interface IncomingMutablePut {
  /** The put's `seq`. */
  readonly seq: number;
  /** The put's value, bencoded. */
  readonly encodedValue: Uint8Array;
  /** The put's `cas`, if it carried one. */
  readonly cas?: number | undefined;
}

/** What to do with a mutable put, given what is stored. */
export type MutablePutDecision =
  | {
    /** Store the item (nothing was stored, or its `seq` is newer) and answer success. */
    readonly action: "store";
  }
  | {
    /** Same `seq`, same value: keep the item, reset its expiry, answer success. */
    readonly action: "refresh";
  }
  | {
    /** Refuse: answer with the error. */
    readonly action: "reject";
    /** 301 (cas mismatch) or 302 (seq not newer). */
    readonly code: typeof Bep44ErrorCode.CasMismatch | typeof Bep44ErrorCode.SeqTooOld;
    /** The error string for the reply. */
    readonly message: string;
  };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Decides a mutable put against the item stored under its target (BEP 44 §Mutable Items, CAS).
 * Call it only for a put whose signature verified: the decision says nothing about signatures.
 *
 * - nothing stored: store (a `cas` is ignored, as BEP 44 says it SHOULD be);
 * - `cas` present and not the stored `seq`: reject with 301 (MUST);
 * - `seq` lower than stored: reject with 302;
 * - `seq` equal and the same value: refresh (SHOULD reset the timeout);
 * - `seq` equal and another value: reject with 302 (the stored `seq` never repeats with a
 *   second value);
 * - `seq` higher: store.
 *
 * @example
 * ```ts
 * import { checkMutablePut } from "./bep44_put.ts";
 * const v = new TextEncoder().encode("1:a");
 * console.log(checkMutablePut({ seq: 4, encodedValue: v }, { seq: 3, encodedValue: v }));
 * // { action: "reject", code: 302, message: "sequence number 3 is less than current 4" }
 * ```
 *
 * @param stored the item held under the target, or `undefined` if none
 * @param incoming the put's `seq`, value and `cas`
 * @returns store, refresh, or reject with the error code and message to answer with
 */
export function checkMutablePut(
  stored: StoredMutableItem | undefined,
  incoming: IncomingMutablePut,
): MutablePutDecision {
  if (stored === undefined) return { action: "store" };
  const { seq, encodedValue, cas } = incoming;
  if (cas !== undefined && cas !== stored.seq) {
    return {
      action: "reject",
      code: Bep44ErrorCode.CasMismatch,
      message: `CAS mismatch: expected seq ${cas}, stored seq is ${stored.seq}; re-read and retry`,
    };
  }
  if (seq < stored.seq) {
    return {
      action: "reject",
      code: Bep44ErrorCode.SeqTooOld,
      message: `sequence number ${seq} is less than current ${stored.seq}`,
    };
  }
  if (seq === stored.seq) {
    if (sameBytes(encodedValue, stored.encodedValue)) return { action: "refresh" };
    return {
      action: "reject",
      code: Bep44ErrorCode.SeqTooOld,
      message: `sequence number ${seq} is already stored with another value`,
    };
  }
  return { action: "store" };
}
