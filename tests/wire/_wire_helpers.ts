/**
 * Shared pieces of the wire tests: BEP 5's example packets, tree normalisers and generators.
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { DecodedDict } from "../../src/wire/_wire_value.ts";
import type { WireDict, WireValue } from "../../src/wire/codec.ts";

const utf8 = new TextEncoder();

/** Bytes of a "binary string": one byte per character (all test inputs are written this way). */
export function bin(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** A binary string of bytes, for comparing and printing encodings. */
export function str(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/**
 * What the bencode decoder should return for a tree: strings as their UTF-8 bytes, dicts as
 * decoded dictionaries (objects that inherit nothing), everything else unchanged.
 */
export function asDecodedBencode(value: WireValue): WireValue {
  if (typeof value === "string") return utf8.encode(value);
  if (typeof value === "number" || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(asDecodedBencode);
  const out: WireDict = new DecodedDict();
  for (const key of Object.keys(value)) out[key] = asDecodedBencode(value[key]!);
  return out;
}

/** A dict with the given entries, as the decoders return it. */
export function dict(entries: Record<string, WireValue>): WireDict {
  const out: WireDict = new DecodedDict();
  for (const key of Object.keys(entries)) out[key] = entries[key]!;
  return out;
}

/** A BEP 5 example: the message as the BEP writes it and its bencoding. */
export interface GoldenVector {
  name: string;
  message: WireDict;
  bencoded: string;
}

/**
 * Every example packet of BEP 5 (bittorrent.org beps/bep_0005.rst). The announce_peer query is
 * given twice: the BEP's bencoded line omits the `implied_port: 1` its dictionary line shows,
 * so the first vector is the bencoded line as printed and the second adds implied_port.
 */
export const BEP5_VECTORS: readonly GoldenVector[] = [
  {
    name: "error 201",
    message: { t: "aa", y: "e", e: [201, "A Generic Error Ocurred"] },
    bencoded: "d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee",
  },
  {
    name: "ping query",
    message: { t: "aa", y: "q", q: "ping", a: { id: "abcdefghij0123456789" } },
    bencoded: "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe",
  },
  {
    name: "ping response",
    message: { t: "aa", y: "r", r: { id: "mnopqrstuvwxyz123456" } },
    bencoded: "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re",
  },
  {
    name: "find_node query",
    message: {
      t: "aa",
      y: "q",
      q: "find_node",
      a: { id: "abcdefghij0123456789", target: "mnopqrstuvwxyz123456" },
    },
    bencoded:
      "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe",
  },
  {
    name: "find_node response",
    message: { t: "aa", y: "r", r: { id: "0123456789abcdefghij", nodes: "def456..." } },
    bencoded: "d1:rd2:id20:0123456789abcdefghij5:nodes9:def456...e1:t2:aa1:y1:re",
  },
  {
    name: "get_peers query",
    message: {
      t: "aa",
      y: "q",
      q: "get_peers",
      a: { id: "abcdefghij0123456789", info_hash: "mnopqrstuvwxyz123456" },
    },
    bencoded:
      "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe",
  },
  {
    name: "get_peers response with peers",
    message: {
      t: "aa",
      y: "r",
      r: { id: "abcdefghij0123456789", token: "aoeusnth", values: ["axje.u", "idhtnm"] },
    },
    bencoded:
      "d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re",
  },
  {
    name: "get_peers response with closest nodes",
    message: {
      t: "aa",
      y: "r",
      r: { id: "abcdefghij0123456789", token: "aoeusnth", nodes: "def456..." },
    },
    bencoded: "d1:rd2:id20:abcdefghij01234567895:nodes9:def456...5:token8:aoeusnthe1:t2:aa1:y1:re",
  },
  {
    name: "announce_peer query (bencoded line as printed)",
    message: {
      t: "aa",
      y: "q",
      q: "announce_peer",
      a: {
        id: "abcdefghij0123456789",
        info_hash: "mnopqrstuvwxyz123456",
        port: 6881,
        token: "aoeusnth",
      },
    },
    bencoded: "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881e" +
      "5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe",
  },
  {
    name: "announce_peer query with implied_port (dictionary line)",
    message: {
      t: "aa",
      y: "q",
      q: "announce_peer",
      a: {
        id: "abcdefghij0123456789",
        implied_port: 1,
        info_hash: "mnopqrstuvwxyz123456",
        port: 6881,
        token: "aoeusnth",
      },
    },
    bencoded: "d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:" +
      "mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe",
  },
  {
    name: "announce_peer response",
    message: { t: "aa", y: "r", r: { id: "mnopqrstuvwxyz123456" } },
    bencoded: "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re",
  },
];

/** Keys as bencode sees them: any bytes, one character per byte. */
export const binaryKey: fc.Arbitrary<string> = fc.string({ unit: "binary-ascii", maxLength: 6 });

/** Options for {@link wireTree}. */
export interface TreeOptions {
  /** Dict keys. */
  key: fc.Arbitrary<string>;
  /** Text leaves; omit to generate only byte leaves. */
  text?: fc.Arbitrary<string>;
  /** Allow negative integers and the full safe range. */
  integers?: fc.Arbitrary<number>;
}

/** A random message tree whose top level is a dict, at most 4 containers deep. */
export function wireTree(options: TreeOptions): fc.Arbitrary<WireDict> {
  const leaves: fc.Arbitrary<WireValue>[] = [
    fc.uint8Array({ maxLength: 40 }),
    options.integers ?? fc.maxSafeInteger(),
  ];
  if (options.text !== undefined) leaves.push(options.text);
  const { tree } = fc.letrec<{ tree: WireDict; value: WireValue }>((tie) => ({
    tree: fc.dictionary(options.key, tie("value"), { maxKeys: 5, depthIdentifier: "wire" }),
    value: fc.oneof(
      { depthSize: "medium", depthIdentifier: "wire" },
      ...leaves,
      fc.array(tie("value"), { maxLength: 5, depthIdentifier: "wire" }),
      tie("tree"),
    ),
  }));
  return tree;
}

/**
 * Asserts that `value` inherits nothing: no prototype on its chain has a property of its own, so
 * a key such as `toString` or `__proto__` means only what the message put there.
 */
export function assertInheritsNothing(value: object): void {
  for (
    let proto = Object.getPrototypeOf(value);
    proto !== null;
    proto = Object.getPrototypeOf(proto)
  ) {
    assert.deepEqual(Reflect.ownKeys(proto), [], "a prototype of a decoded dict has properties");
  }
  for (const name of ["toString", "constructor", "hasOwnProperty", "valueOf", "__proto__"]) {
    if (!Object.hasOwn(value, name)) assert.equal(name in value, false, `'${name}' is inherited`);
  }
}
