// The saved-state format: a round trip, and every way a file can be unusable — empty,
// truncated, not JSON, not UTF-8, another format, another version, another codec, a bad field
// — each reported in words, never thrown, never half-read.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { idFromHex } from "../../src/id/node_id.ts";
import {
  decodeState,
  encodeState,
  type NodeState,
  STATE_FORMAT,
  STATE_VERSION,
} from "../../src/state/saved_state.ts";

const state: NodeState = {
  id: idFromHex("ab".repeat(20)),
  serialization: "bencode",
  savedAt: 1_767_225_600_000,
  contacts: [
    {
      id: idFromHex("01".repeat(20)),
      host: "10.0.0.1",
      port: 6881,
      health: "good",
      failures: 0,
      srtt: 12.5,
      rttvar: 3.25,
    },
    {
      id: idFromHex("02".repeat(20)),
      host: "::1",
      port: 6882,
      health: "questionable",
      failures: 1,
      srtt: undefined,
      rttvar: 0,
    },
  ],
  published: [
    {
      key: idFromHex("cd".repeat(20)),
      value: "text ✓",
      publishedAt: 1_767_225_000_000,
      expiresAt: 1_767_311_410_000,
    },
    {
      key: idFromHex("ef".repeat(20)),
      value: Uint8Array.of(0, 255, 7),
      publishedAt: 1_767_225_000_001,
      expiresAt: 1_767_228_600_001,
      name: "/ns/key",
    },
  ],
};

const encoded = encodeState(state);
const json = () => JSON.parse(new TextDecoder().decode(encoded));
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

function problem(file: Uint8Array, serialization: "json" | "bencode" = "bencode"): string {
  const decoded = decodeState(file, serialization);
  assert.ok("problem" in decoded, "the file was accepted");
  return decoded.problem;
}

describe("saved state", () => {
  it("reads back what it wrote: id, contacts with their health, published records", () => {
    const decoded = decodeState(encoded, "bencode");
    assert.ok("state" in decoded);
    assert.deepEqual(decoded.state, state);
    assert.equal(json().format, STATE_FORMAT);
    assert.equal(json().version, STATE_VERSION);
  });

  it("calls an empty file empty, and a truncated or garbled one corrupt", () => {
    assert.match(problem(new Uint8Array()), /^the file is empty/);
    for (const cut of [1, 10, encoded.length / 2, encoded.length - 3]) {
      assert.match(problem(encoded.slice(0, Math.floor(cut))), /not JSON \(corrupt or truncated\)/);
    }
    assert.match(problem(Uint8Array.of(0xff, 0xfe, 0x7b)), /not JSON/);
    assert.match(problem(new TextEncoder().encode("d1:ad2:id20:")), /not JSON/);
    assert.match(problem(bytes([1, 2, 3])), /corrupt: the file is not an object/);
    assert.match(problem(bytes(null)), /corrupt: the file is not an object/);
  });

  it("refuses another format, another version and another codec, saying which", () => {
    assert.match(
      problem(bytes({ ...json(), format: "kademlia-dynamic" })),
      /not a @kdht\/core state file \(format "kademlia-dynamic"\)/,
    );
    assert.match(problem(bytes({ ...json(), format: undefined })), /not a @kdht\/core state file/);
    assert.match(
      problem(bytes({ ...json(), version: 2 })),
      /format version 2; this version of @kdht\/core reads version 1/,
    );
    assert.match(
      problem(encoded, "json"),
      /saved by a node speaking "bencode"; this node speaks "json"/,
    );
  });

  it("refuses the whole file for one bad field, naming it", () => {
    const cases: [(file: Record<string, unknown>) => void, RegExp][] = [
      [(f) => (f.id = "xyz"), /the file\.id is not a 40-hex id/],
      [(f) => (f.savedAt = -1), /the file\.savedAt is not a time/],
      [(f) => (f.contacts = {}), /the file\.contacts is not a list/],
      [(f) => ((f.contacts as Json[])[1]!.port = 0), /contacts\[1\]\.port is not a port/],
      [(f) => ((f.contacts as Json[])[0]!.host = "example.com"), /contacts\[0\]\.host/],
      [(f) => ((f.contacts as Json[])[0]!.health = "great"), /contacts\[0\]\.health/],
      [(f) => ((f.contacts as Json[])[0]!.srtt = "fast"), /contacts\[0\]\.srtt/],
      [(f) => ((f.published as Json[])[1]!.bytes = "!!"), /published\[1\] has neither text/],
      [(f) => ((f.published as Json[])[0]!.expiresAt = 5), /published\[0\] expires before/],
      [(f) => ((f.published as Json[])[0]!.key = 1), /published\[0\]\.key/],
      [(f) => ((f.published as Json[])[1]!.name = 3), /published\[1\]\.name is not text/],
    ];
    for (const [spoil, message] of cases) {
      const file = json();
      spoil(file);
      assert.match(problem(bytes(file)), /^it is corrupt: /);
      assert.match(problem(bytes(file)), message);
    }
  });
});

type Json = Record<string, unknown>;
