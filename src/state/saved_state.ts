/**
 * The saved-state file: a node's id, its routing contacts with their health, and the records
 * it publishes with their schedule, as one JSON document. Reading is all or nothing: every
 * field is checked before anything is used, and any problem — not JSON, truncated, another
 * format, another version, another codec — is reported as one message, never half-applied.
 *
 * Times are wall-clock ms (they must mean something after a restart); the monotonic times the
 * routing table keeps are converted on the way out.
 *
 * @module
 */
import { idFromHex, idToHex } from "../id/node_id.ts";
import type { ContactHealth } from "../routing/contact.ts";
import { isIPv4, isIPv6, isPort } from "../transport/address.ts";
import { decodeBase64, encodeBase64 } from "../wire/base64.ts";
import type { Serialization } from "../wire/codec.ts";
import type { TypedValue } from "../wire/value.ts";

/** The `format` field every state file carries. */
export const STATE_FORMAT = "@kdht/core node state";
/** The version this code writes and reads. */
export const STATE_VERSION = 1;

/** A routing contact as saved. */
export interface SavedContact {
  /** The node's 20-byte id. */
  readonly id: Uint8Array;
  /** Its IP literal. */
  readonly host: string;
  /** Its UDP port. */
  readonly port: number;
  /** Its health when saved (BEP 5 states). */
  readonly health: ContactHealth;
  /** Consecutive failed queries when saved. */
  readonly failures: number;
  /** Smoothed RTT in ms, if measured. */
  readonly srtt: number | undefined;
  /** RTT deviation in ms. */
  readonly rttvar: number;
}

/** A record this node publishes, as saved: enough to republish it after a restart. */
export interface SavedPublication {
  /** The 20-byte key. */
  readonly key: Uint8Array;
  /** The value, with its type. */
  readonly value: TypedValue;
  /** Its last publication (wall-clock ms): its republish falls due an interval later. */
  readonly publishedAt: number;
  /** When it expires (wall-clock ms). */
  readonly expiresAt: number;
  /** The key as written, for namespaced keys. */
  readonly name?: string | undefined;
}

/** Everything a node saves. */
export interface NodeState {
  /** The node's 20-byte id. */
  readonly id: Uint8Array;
  /** The codec its network speaks: contacts saved under one codec are useless under another. */
  readonly serialization: Serialization;
  /** When it was saved (wall-clock ms). */
  readonly savedAt: number;
  /** The routing contacts, most trusted first. */
  readonly contacts: readonly SavedContact[];
  /** The records it publishes. */
  readonly published: readonly SavedPublication[];
}

const HEALTHS: readonly ContactHealth[] = ["good", "questionable", "bad"];

/**
 * Writes a state as JSON bytes.
 *
 * @param state the state
 * @returns UTF-8 JSON
 */
export function encodeState(state: NodeState): Uint8Array {
  const json = {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    serialization: state.serialization,
    id: idToHex(state.id),
    savedAt: state.savedAt,
    contacts: state.contacts.map((c) => ({
      id: idToHex(c.id),
      host: c.host,
      port: c.port,
      health: c.health,
      failures: c.failures,
      srtt: c.srtt ?? null,
      rttvar: c.rttvar,
    })),
    published: state.published.map((p) => ({
      key: idToHex(p.key),
      ...(typeof p.value === "string" ? { text: p.value } : { bytes: encodeBase64(p.value) }),
      publishedAt: p.publishedAt,
      expiresAt: p.expiresAt,
      ...(p.name !== undefined ? { name: p.name } : {}),
    })),
  };
  return new TextEncoder().encode(JSON.stringify(json, null, 1) + "\n");
}

/** Thrown inside {@linkcode decodeState} to abandon the whole file with one message. */
class StateProblem extends Error {}

type Json = Record<string, unknown>;

function object(value: unknown, where: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new StateProblem(`${where} is not an object`);
  }
  return value as Json;
}

function field<T>(
  from: Json,
  name: string,
  where: string,
  check: (value: unknown) => value is T,
  what: string,
): T {
  const value = from[name];
  if (!check(value)) throw new StateProblem(`${where}.${name} is not ${what}`);
  return value;
}

const isString = (v: unknown): v is string => typeof v === "string";
const isTime = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isCount = isTime;
const isMs = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;
const isHexId = (v: unknown): v is string => typeof v === "string" && /^[0-9a-f]{40}$/i.test(v);

function readContact(value: unknown, where: string): SavedContact {
  const c = object(value, where);
  const host = field(c, "host", where, isString, "an IP literal");
  if (!isIPv4(host) && !isIPv6(host)) throw new StateProblem(`${where}.host is not an IP literal`);
  const port = field(c, "port", where, (v): v is number => isPort(v) && v !== 0, "a port");
  const health = field(
    c,
    "health",
    where,
    (v): v is ContactHealth => HEALTHS.includes(v as ContactHealth),
    "good, questionable or bad",
  );
  const srtt = c.srtt === null ? undefined : field(c, "srtt", where, isMs, "a duration or null");
  return {
    id: idFromHex(field(c, "id", where, isHexId, "a 40-hex id")),
    host,
    port,
    health,
    failures: field(c, "failures", where, isCount, "a count"),
    srtt,
    rttvar: field(c, "rttvar", where, isMs, "a duration"),
  };
}

function readPublication(value: unknown, where: string): SavedPublication {
  const p = object(value, where);
  let typed: TypedValue;
  if (typeof p.text === "string") typed = p.text;
  else {
    const bytes = typeof p.bytes === "string" ? decodeBase64(p.bytes) : undefined;
    if (bytes === undefined) throw new StateProblem(`${where} has neither text nor base64 bytes`);
    typed = bytes;
  }
  const name = p.name === undefined ? undefined : field(p, "name", where, isString, "text");
  const publishedAt = field(p, "publishedAt", where, isTime, "a time");
  const expiresAt = field(p, "expiresAt", where, isTime, "a time");
  if (expiresAt <= publishedAt) throw new StateProblem(`${where} expires before it is published`);
  return {
    key: idFromHex(field(p, "key", where, isHexId, "a 40-hex key")),
    value: typed,
    publishedAt,
    expiresAt,
    ...(name !== undefined ? { name } : {}),
  };
}

/**
 * Reads a state file, all or nothing.
 *
 * @param bytes the file's contents
 * @param serialization the codec this node speaks
 * @returns the state, or a message saying why the file cannot be used
 */
export function decodeState(
  bytes: Uint8Array,
  serialization: Serialization,
): { readonly state: NodeState } | { readonly problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    const truncated = bytes.length === 0 ? "empty" : "not JSON (corrupt or truncated)";
    return { problem: `the file is ${truncated}: ${(error as Error).message}` };
  }
  try {
    const root = object(json, "the file");
    if (root.format !== STATE_FORMAT) {
      return {
        problem: `it is not a @kdht/core state file (format ${JSON.stringify(root.format)})`,
      };
    }
    if (root.version !== STATE_VERSION) {
      return {
        problem: `it has format version ${
          JSON.stringify(root.version)
        }; this version of @kdht/core reads version ${STATE_VERSION}`,
      };
    }
    if (root.serialization !== serialization) {
      return {
        problem: `it was saved by a node speaking ${
          JSON.stringify(root.serialization)
        }; this node speaks "${serialization}", so its contacts cannot be reached`,
      };
    }
    const id = idFromHex(field(root, "id", "the file", isHexId, "a 40-hex id"));
    const savedAt = field(root, "savedAt", "the file", isTime, "a time");
    const contacts = field(root, "contacts", "the file", Array.isArray, "a list")
      .map((c, i) => readContact(c, `contacts[${i}]`));
    const published = field(root, "published", "the file", Array.isArray, "a list")
      .map((p, i) => readPublication(p, `published[${i}]`));
    return { state: { id, serialization, savedAt, contacts, published } };
  } catch (error) {
    if (error instanceof StateProblem) return { problem: `it is corrupt: ${error.message}` };
    throw error;
  }
}
