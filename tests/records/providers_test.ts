import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PROVIDER_TTL_MS } from "../../src/constants.ts";
import { ProviderStore } from "../../src/records/providers.ts";
import { Providing } from "../../src/records/providing.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import { decodeCompactPeer, encodeCompactPeer } from "../../src/wire/compact_peers.ts";

const key = (fill: number) => new Uint8Array(20).fill(fill);
const provider = (n: number, host = "10.0.0.1") => ({ id: key(100 + n), host, port: 1000 + n });

describe("ProviderStore", () => {
  it("keeps one record per address, latest announcement first, refreshed on re-announce", async () => {
    const clock = new VirtualClock();
    const store = new ProviderStore({ clock });
    assert.equal(store.add(key(1), provider(1)), true);
    await clock.advance(10);
    store.add(key(1), provider(2));
    await clock.advance(10);
    store.add(key(1), provider(1)); // again: moves to the front, with a new lifetime
    assert.deepEqual(store.get(key(1)).map((p) => p.port), [1001, 1002]);
    assert.equal(store.get(key(1))[0]!.expiresAt, clock.wallTime() + PROVIDER_TTL_MS);
    assert.equal(store.size, 2);
    assert.equal(store.keyCount, 1);
    assert.deepEqual(store.get(key(1), 1).map((p) => p.port), [1001]);
    assert.deepEqual(store.get(key(2)), []);
  });

  it("stores of two nodes share nothing, though both start empty", () => {
    const clock = new VirtualClock();
    const a = new ProviderStore({ clock });
    const b = new ProviderStore({ clock });
    const mine = new Providing();
    const theirs = new Providing();
    assert.equal(a.add(key(1), provider(1)), true);
    mine.set({
      key: "k",
      target: key(1),
      port: undefined,
      announcedAt: 0,
      announcedTo: 1,
      dueAt: 0,
    });
    assert.deepEqual([a.keyCount, b.keyCount, mine.size, theirs.size], [1, 0, 1, 0]);
    assert.deepEqual(b.get(key(1)), []);
    assert.equal(theirs.get(key(1)), undefined);
  });

  it("hides expired providers and removeExpired frees them", async () => {
    const clock = new VirtualClock();
    const store = new ProviderStore({ clock, ttlMs: 1000 });
    store.add(key(1), provider(1));
    await clock.advance(500);
    store.add(key(1), provider(2));
    store.add(key(2), provider(3));
    assert.equal(store.nextExpiry(), clock.wallTime() + 500);
    await clock.advance(500);
    assert.deepEqual(store.get(key(1)).map((p) => p.port), [1002], "the first one expired");
    assert.equal(store.size, 3, "until removed");
    assert.equal(store.removeExpired(), 1);
    assert.equal(store.size, 2);
    await clock.advance(500);
    assert.equal(store.removeExpired(), 2);
    assert.equal(store.keyCount, 0);
    assert.equal(store.nextExpiry(), undefined);
  });

  it("is bounded: a full key forgets its oldest provider, a new key is refused when all are live", () => {
    const clock = new VirtualClock();
    const store = new ProviderStore({ clock, maxKeys: 2, maxPerKey: 3 });
    for (let n = 0; n < 5; n++) store.add(key(1), provider(n));
    assert.deepEqual(store.get(key(1)).map((p) => p.port), [1004, 1003, 1002]);
    assert.equal(store.add(key(2), provider(0)), true);
    assert.equal(store.add(key(3), provider(0)), false, "no key slot left");
    assert.equal(store.keyCount, 2);
    assert.equal(store.size, 4);
  });

  it("filters by address family and forgets one provider on request", () => {
    const store = new ProviderStore({ clock: new VirtualClock() });
    store.add(key(1), provider(1));
    store.add(key(1), provider(2, "2001:db8::1"));
    assert.deepEqual(store.get(key(1), Infinity, 4).map((p) => p.host), ["10.0.0.1"]);
    assert.deepEqual(store.get(key(1), Infinity, 6).map((p) => p.host), ["2001:db8::1"]);
    assert.equal(store.remove(key(1), "10.0.0.1", 1001), true);
    assert.equal(store.remove(key(1), "10.0.0.1", 1001), false);
    assert.equal(store.size, 1);
  });
});

describe("Providing", () => {
  it("lists the keys provided and which are due", () => {
    const providing = new Providing();
    const entry = (fill: number, dueAt: number) => ({
      key: `k${fill}`,
      target: key(fill),
      port: undefined,
      announcedAt: 0,
      announcedTo: 0,
      dueAt,
    });
    providing.set(entry(1, 100));
    providing.set(entry(2, 50));
    assert.equal(providing.nextDue(), 50);
    assert.deepEqual(providing.due(60).map((e) => e.key), ["k2"]);
    assert.equal(providing.delete(key(2)), true);
    assert.equal(providing.size, 1);
    assert.deepEqual(providing.entries().map((e) => e.key), ["k1"]);
  });
});

describe("compact peer info (BEP 5)", () => {
  it("packs IPv4 in 6 bytes and IPv6 in 18, and refuses port 0 and other lengths", () => {
    const v4 = encodeCompactPeer({ host: "127.0.0.1", port: 6881 })!;
    assert.deepEqual([...v4], [127, 0, 0, 1, 0x1a, 0xe1]);
    assert.deepEqual(decodeCompactPeer(v4), { host: "127.0.0.1", port: 6881 });
    const v6 = encodeCompactPeer({ host: "::1", port: 1 })!;
    assert.equal(v6.length, 18);
    assert.deepEqual(decodeCompactPeer(v6), { host: "::1", port: 1 });
    assert.equal(decodeCompactPeer(new Uint8Array(6)), undefined, "port 0");
    assert.equal(decodeCompactPeer(new Uint8Array(7)), undefined);
    assert.equal(encodeCompactPeer({ host: "example.org", port: 1 }), undefined);
  });
});
