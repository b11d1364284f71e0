import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { idToHex, randomId } from "../../src/id/node_id.ts";
import { SeededRandom } from "../../src/random.ts";
import { RoutingTable } from "../../src/routing/routing_table.ts";
import { NO_RTT } from "../../src/routing/rtt.ts";
import { idAtDepth } from "./_ids.ts";

const LOCAL = new Uint8Array(20);
const HOST = "127.0.0.1";

function hexes(table: RoutingTable): string[] {
  return table.contacts().map((c) => idToHex(c.id));
}

/**
 * k = 2 with a split already done: bucket 0 (far) holds a1 (seen at 4) and a2 (seen at 2),
 * so a2 is its least recently seen; bucket 1 (the local one) holds b.
 */
function fullFarBucket(
  options: {
    replacementCacheSize?: number;
    badAfterFailures?: number;
    dropAfterFailures?: number;
  } = {},
) {
  const table = new RoutingTable(LOCAL, { k: 2, ...options });
  const a1 = idAtDepth(0, 1), a2 = idAtDepth(0, 2), b = idAtDepth(1, 1);
  table.observe(a1, HOST, 1001, 1);
  table.observe(a2, HOST, 1002, 2);
  table.observe(b, HOST, 2001, 3);
  table.observe(a1, HOST, 1001, 4);
  assert.equal(table.bucketCount, 2);
  return { table, a1, a2, b };
}

describe("RoutingTable construction", () => {
  it("rejects out-of-range options with a RangeError naming the option and value", () => {
    const cases: [object, RegExp][] = [
      [{ k: 0 }, /'k' must be an integer in 1-256, got 0/],
      [{ k: 257 }, /'k'.*got 257/],
      [{ k: 1.5 }, /'k'.*got 1.5/],
      [{ k: "20" }, /'k'.*got 20/],
      [{ replacementCacheSize: -1 }, /'replacementCacheSize'.*got -1/],
      [{ replacementCacheSize: 1025 }, /'replacementCacheSize'/],
      [{ badAfterFailures: 0 }, /'badAfterFailures'.*got 0/],
      [{ badAfterFailures: NaN }, /'badAfterFailures'.*got NaN/],
      [{ badAfterFailures: 3, dropAfterFailures: 2 }, /'dropAfterFailures' must be .* in 3-/],
    ];
    for (const [options, message] of cases) {
      assert.throws(() => new RoutingTable(LOCAL, options), (error: unknown) => {
        assert.ok(error instanceof RangeError);
        assert.match(error.message, message);
        return true;
      });
    }
  });

  it("rejects a local id that is not 20 bytes with a TypeError", () => {
    assert.throws(() => new RoutingTable(new Uint8Array(19)), /local id.*19 bytes/);
    assert.throws(() => new RoutingTable("00".repeat(20) as unknown as Uint8Array), TypeError);
  });

  it("defaults to k = 20 and starts with one empty bucket", () => {
    const table = new RoutingTable(LOCAL);
    assert.equal(table.k, 20);
    assert.equal(table.size, 0);
    assert.equal(table.bucketCount, 1);
    assert.deepEqual(table.localId, LOCAL);
  });

  it("throws a TypeError from every method given a malformed id", () => {
    const table = new RoutingTable(LOCAL);
    const bad = new Uint8Array(19);
    assert.throws(() => table.observe(bad, HOST, 1, 0), TypeError);
    assert.throws(() => table.get(bad), TypeError);
    assert.throws(() => table.has(bad), TypeError);
    assert.throws(() => table.remove(bad), TypeError);
    assert.throws(() => table.recordFailure(bad), TypeError);
    assert.throws(() => table.touchBucket(bad, 0), TypeError);
    assert.throws(() => table.bucketIndexOf(bad), TypeError);
    assert.throws(() => table.closest(bad, 1), TypeError);
  });
});

describe("RoutingTable.observe", () => {
  it("ignores the local id", () => {
    const table = new RoutingTable(LOCAL);
    assert.deepEqual(table.observe(LOCAL.slice(), HOST, 1, 0), { kind: "self" });
    assert.equal(table.size, 0);
  });

  it("inserts a new node into a bucket with room", () => {
    const table = new RoutingTable(LOCAL);
    const id = idAtDepth(3);
    const result = table.observe(id, HOST, 4000, 7);
    assert.equal(result.kind, "inserted");
    assert.equal(table.size, 1);
    assert.equal(table.has(id), true);
    const contact = table.get(id)!;
    assert.deepEqual(
      { host: contact.host, port: contact.port, lastSeen: contact.lastSeen, failures: 0 },
      { host: HOST, port: 4000, lastSeen: 7, failures: 0 },
    );
    assert.equal(result.kind === "inserted" && result.contact, contact);
  });

  it("keeps its own copy of the id, so the caller may reuse its buffer", () => {
    const table = new RoutingTable(LOCAL);
    const buffer = idAtDepth(0, 5);
    table.observe(buffer, HOST, 1, 0);
    buffer[19] = 6;
    assert.equal(table.has(idAtDepth(0, 5)), true);
    assert.equal(table.has(buffer), false);
  });

  it("refreshes a known node: most-recently-seen end, new lastSeen, failures reset", () => {
    const table = new RoutingTable(LOCAL, { k: 3 });
    const [a, b, c] = [idAtDepth(0, 1), idAtDepth(0, 2), idAtDepth(0, 3)];
    table.observe(a, HOST, 1, 1);
    table.observe(b, HOST, 2, 2);
    table.observe(c, HOST, 3, 3);
    table.recordFailure(a);
    assert.equal(table.get(a)!.failures, 1);
    const result = table.observe(a, HOST, 1, 10);
    assert.deepEqual(result, { kind: "refreshed", contact: table.get(a), addressMismatch: false });
    assert.equal(table.get(a)!.lastSeen, 10);
    assert.equal(table.get(a)!.failures, 0);
    assert.deepEqual(hexes(table), [b, c, a].map(idToHex));
  });

  it("address change does not hijack an entry: the old address stays and liveness is untouched", () => {
    const table = new RoutingTable(LOCAL, { k: 3 });
    const [a, b] = [idAtDepth(0, 1), idAtDepth(0, 2)];
    table.observe(a, HOST, 1000, 1);
    table.observe(b, HOST, 1001, 2);
    table.recordFailure(a);
    const result = table.observe(a, "127.0.0.9", 2000, 5);
    assert.equal(result.kind, "refreshed");
    assert.equal(result.kind === "refreshed" && result.addressMismatch, true);
    const contact = table.get(a)!;
    assert.deepEqual(
      [contact.host, contact.port, contact.lastSeen, contact.failures],
      [HOST, 1000, 1, 1],
    );
    assert.deepEqual(hexes(table), [a, b].map(idToHex));
    // A different port on the same host is a different address too.
    const samePortChange = table.observe(a, HOST, 1002, 6);
    assert.equal(samePortChange.kind === "refreshed" && samePortChange.addressMismatch, true);
  });

  it("splits the bucket holding the local id", () => {
    const table = new RoutingTable(LOCAL, { k: 2 });
    const a = idAtDepth(0), b = idAtDepth(1), c = idAtDepth(2), e = idAtDepth(3);
    assert.equal(table.observe(a, HOST, 1, 1).kind, "inserted");
    assert.equal(table.observe(b, HOST, 2, 2).kind, "inserted");
    assert.equal(table.bucketCount, 1);
    assert.equal(table.observe(c, HOST, 3, 3).kind, "inserted");
    assert.equal(table.bucketCount, 2);
    assert.deepEqual([a, b, c].map((id) => table.bucketIndexOf(id)), [0, 1, 1]);
    assert.equal(table.observe(e, HOST, 4, 4).kind, "inserted");
    assert.equal(table.bucketCount, 3);
    assert.deepEqual([a, b, c, e].map((id) => table.bucketIndexOf(id)), [0, 1, 2, 2]);
    assert.equal(table.size, 4);
  });

  it("splits in cascade until the newcomer's bucket has room", () => {
    const table = new RoutingTable(LOCAL, { k: 2 });
    const x = idAtDepth(10), y = idAtDepth(12), z = idAtDepth(11);
    table.observe(x, HOST, 1, 1);
    table.observe(y, HOST, 2, 2);
    assert.equal(table.observe(z, HOST, 3, 3).kind, "inserted");
    assert.equal(table.bucketCount, 12);
    assert.deepEqual([x, z, y].map((id) => table.bucketIndexOf(id)), [10, 11, 11]);
    assert.equal(table.size, 3);
  });

  it("a full far bucket returns its least-recently-seen contact to ping and caches the newcomer", () => {
    const { table, a2 } = fullFarBucket();
    const a3 = idAtDepth(0, 3);
    const result = table.observe(a3, HOST, 1003, 5);
    assert.deepEqual(result, { kind: "full", pingFirst: table.get(a2) });
    assert.equal(table.bucketCount, 2, "a far bucket never splits");
    assert.equal(table.has(a3), false);
    assert.equal(table.size, 3);
  });

  it("does not return the same contact to ping while its ping is pending", () => {
    const { table } = fullFarBucket();
    assert.equal(table.observe(idAtDepth(0, 3), HOST, 1003, 5).kind, "full");
    assert.deepEqual(table.observe(idAtDepth(0, 4), HOST, 1004, 6), { kind: "cached" });
    assert.deepEqual(table.observe(idAtDepth(0, 3), HOST, 1003, 7), { kind: "cached" });
  });

  it("a contact answering its ping stays, and the next newcomer gets a different one to ping", () => {
    const { table, a1, a2 } = fullFarBucket();
    table.observe(idAtDepth(0, 3), HOST, 1003, 5);
    assert.equal(table.observe(a2, HOST, 1002, 6).kind, "refreshed");
    const result = table.observe(idAtDepth(0, 4), HOST, 1004, 7);
    assert.deepEqual(result, { kind: "full", pingFirst: table.get(a1) });
    assert.equal(table.has(a2), true);
    assert.equal(table.has(idAtDepth(0, 3)), false);
  });

  it("a reply from another address does not settle a pending ping", () => {
    const { table, a2 } = fullFarBucket();
    table.observe(idAtDepth(0, 3), HOST, 1003, 5);
    table.observe(a2, "127.0.0.66", 1002, 6);
    assert.deepEqual(table.observe(idAtDepth(0, 4), HOST, 1004, 7), { kind: "cached" });
  });
});

describe("RoutingTable failures and replacements", () => {
  it("a contact failing its ping is replaced by the newest replacement", () => {
    const { table, a1, a2 } = fullFarBucket();
    const [a3, a4, a5] = [idAtDepth(0, 3), idAtDepth(0, 4), idAtDepth(0, 5)];
    table.observe(a3, HOST, 1003, 5);
    table.observe(a4, HOST, 1004, 6);
    table.observe(a5, HOST, 1005, 7);
    const removed = table.recordFailure(a2);
    assert.equal(removed && idToHex(removed.id), idToHex(a2));
    assert.equal(table.has(a2), false);
    assert.equal(table.has(a5), true);
    assert.equal(table.has(a3) || table.has(a4), false);
    assert.equal(table.size, 3);
    // The ping is settled: the next newcomer asks for a ping of the new least recently seen.
    assert.deepEqual(table.observe(idAtDepth(0, 6), HOST, 1006, 8), {
      kind: "full",
      pingFirst: table.get(a1),
    });
  });

  it("re-observing a cached newcomer moves it to the front of the replacement cache", () => {
    const { table, a2 } = fullFarBucket();
    const [a3, a4] = [idAtDepth(0, 3), idAtDepth(0, 4)];
    table.observe(a3, HOST, 1003, 5);
    table.observe(a4, HOST, 1004, 6);
    table.observe(a3, "127.0.0.3", 1103, 7);
    table.recordFailure(a2);
    assert.equal(table.has(a3), true);
    assert.equal(table.has(a4), false);
    assert.equal(table.get(a3)!.host, "127.0.0.3", "a cache entry takes the latest address");
  });

  it("bounds the replacement cache, dropping the oldest newcomer", () => {
    const { table, a1, a2 } = fullFarBucket({
      replacementCacheSize: 2,
      badAfterFailures: 1,
      dropAfterFailures: 1,
    });
    const [a3, a4, a5] = [idAtDepth(0, 3), idAtDepth(0, 4), idAtDepth(0, 5)];
    for (const id of [a3, a4, a5]) table.observe(id, HOST, 1000 + id[19]!, 5 + id[19]!);
    table.recordFailure(a2);
    table.recordFailure(a1);
    assert.deepEqual(new Set(hexes(table)), new Set([a5, a4, idAtDepth(1, 1)].map(idToHex)));
    table.recordFailure(a5);
    assert.equal(table.size, 2, "a3 fell off the cache, nothing is left to promote");
    assert.equal(table.has(a3), false);
  });

  it("keeps one replacement-cache entry per id", () => {
    const { table, a1, a2 } = fullFarBucket({
      replacementCacheSize: 3,
      badAfterFailures: 1,
      dropAfterFailures: 1,
    });
    const [a3, a4] = [idAtDepth(0, 3), idAtDepth(0, 4)];
    table.observe(a3, HOST, 1003, 5);
    table.observe(a4, HOST, 1004, 6);
    table.observe(a3, HOST, 1003, 7);
    table.recordFailure(a2); // a3 promoted
    table.recordFailure(a1); // a4 promoted
    table.recordFailure(a3); // the cache is empty: a3 is not promoted a second time
    assert.deepEqual(new Set(hexes(table)), new Set([a4, idAtDepth(1, 1)].map(idToHex)));
  });

  it("a contact is questionable after one failure and bad after two (BEP 5)", () => {
    const table = new RoutingTable(LOCAL, { k: 4 });
    const a = idAtDepth(0, 1);
    table.observe(a, HOST, 1, 1);
    table.recordReply(a, 2, 0.5);
    assert.equal(table.health(table.get(a)!, 3), "good");
    assert.equal(table.health(table.get(a)!, 2 + 15 * 60_000), "questionable", "15 min silent");
    table.observe(a, HOST, 1, 2 + 15 * 60_000 - 1);
    assert.equal(
      table.health(table.get(a)!, 2 + 15 * 60_000),
      "good",
      "answered once and heard from since",
    );
    table.recordFailure(a);
    assert.equal(table.health(table.get(a)!, 10), "good", "one failure: still good by time");
    assert.equal(table.isBad(table.get(a)!), false);
    table.recordFailure(a);
    assert.equal(table.health(table.get(a)!, 10), "bad");
    assert.deepEqual(table.healthCounts(10), { good: 0, questionable: 0, bad: 1 });
    table.observe(a, HOST, 1, 11);
    assert.equal(table.get(a)!.failures, 0, "any message resets the failures");
  });

  it("a bad contact is kept while no replacement waits, and dropped after dropAfterFailures", () => {
    const table = new RoutingTable(LOCAL, { k: 4 });
    const a = idAtDepth(0, 1);
    table.observe(a, HOST, 1, 1);
    for (let i = 1; i < 5; i++) assert.equal(table.recordFailure(a), undefined, `failure ${i}`);
    assert.equal(table.has(a), true, "bad, but the bucket has nothing better");
    assert.equal(table.recordFailure(a)?.port, 1, "the fifth failure drops it");
    assert.equal(table.size, 0);
    const strict = new RoutingTable(LOCAL, { badAfterFailures: 1, dropAfterFailures: 1 });
    strict.observe(a, HOST, 1, 1);
    assert.ok(strict.recordFailure(a));
  });

  it("a bad contact is replaced at once when a replacement waits", () => {
    const { table, a1 } = fullFarBucket();
    const a3 = idAtDepth(0, 3);
    table.observe(a3, HOST, 1003, 5); // full: a3 waits in the cache, a2 is to be pinged
    assert.equal(table.recordFailure(a1), undefined);
    assert.equal(table.recordFailure(a1)?.port, 1001, "bad with a replacement waiting: replaced");
    assert.equal(table.has(a3), true);
  });

  it("a newcomer takes the place of a bad contact of its full bucket without a ping", () => {
    const { table, a1, a2 } = fullFarBucket({ replacementCacheSize: 0 });
    table.recordFailure(a1);
    table.recordFailure(a1); // bad, kept: no replacement
    const a3 = idAtDepth(0, 3);
    const result = table.observe(a3, HOST, 1003, 9);
    assert.equal(result.kind, "replaced");
    assert.ok(result.kind === "replaced" && idToHex(result.evicted.id) === idToHex(a1));
    assert.equal(table.has(a3) && table.has(a2) && !table.has(a1), true);
  });

  it("a full bucket whose least recently seen contact is good takes no newcomer and pings no one", () => {
    const { table, a2 } = fullFarBucket();
    table.recordReply(a2, 4, 1);
    const a3 = idAtDepth(0, 3);
    assert.deepEqual(table.observe(a3, HOST, 1003, 5), { kind: "cached" });
    assert.equal(table.has(a3), false);
    // Fifteen minutes later it is questionable again and gets pinged.
    assert.equal(table.observe(idAtDepth(0, 4), HOST, 1004, 4 + 15 * 60_000).kind, "full");
  });

  it("recordReply keeps an RTT estimate per contact", () => {
    const table = new RoutingTable(LOCAL, { k: 4 });
    const a = idAtDepth(0, 1);
    table.observe(a, HOST, 1, 1);
    assert.equal(table.get(a)!.srttUs, NO_RTT);
    table.recordReply(a, 2, 8);
    assert.deepEqual([table.get(a)!.srttUs, table.get(a)!.rttvarUs], [8000, 4000]);
    table.recordReply(a, 3, 16);
    assert.deepEqual([table.get(a)!.srttUs, table.get(a)!.rttvarUs], [9000, 5000]);
    assert.equal(table.recordReply(idAtDepth(0, 2), 4, 1), undefined, "unknown ids are ignored");
  });

  it("keeps RTT estimates in whole microseconds, whatever the samples", () => {
    const table = new RoutingTable(LOCAL, { k: 4 });
    const a = idAtDepth(0, 1);
    table.observe(a, HOST, 1, 1);
    table.recordReply(a, 2, 0.3337);
    assert.deepEqual([table.get(a)!.srttUs, table.get(a)!.rttvarUs], [334, 167]);
    for (const sample of [0.1, 12.345678, 1e-9, 7.77, Number.NaN, 1e12]) {
      table.recordReply(a, 3, sample);
      const { srttUs, rttvarUs } = table.get(a)!;
      assert.ok(Number.isSafeInteger(srttUs) && srttUs >= 0 && srttUs < 2 ** 30, `${srttUs}`);
      assert.ok(Number.isSafeInteger(rttvarUs) && rttvarUs >= 0 && rttvarUs < 2 ** 30);
      assert.ok(!Object.is(srttUs, -0) && !Object.is(rttvarUs, -0));
    }
  });

  it("a failing replacement-cache entry is dropped from the cache", () => {
    const { table, a2 } = fullFarBucket();
    const a3 = idAtDepth(0, 3);
    table.observe(a3, HOST, 1003, 5);
    assert.equal(table.recordFailure(a3), undefined);
    table.recordFailure(a2);
    assert.equal(table.has(a3), false);
    assert.equal(table.size, 2);
  });

  it("recordFailure of an unknown id changes nothing", () => {
    const { table } = fullFarBucket();
    assert.equal(table.recordFailure(idAtDepth(0, 9)), undefined);
    assert.equal(table.size, 3);
  });

  it("remove takes a contact out and promotes the newest replacement", () => {
    const { table, a1 } = fullFarBucket();
    const a3 = idAtDepth(0, 3);
    table.observe(a3, HOST, 1003, 5);
    assert.equal(table.remove(a1)?.port, 1001);
    assert.equal(table.has(a1), false);
    assert.equal(table.has(a3), true);
    assert.equal(table.remove(a1), undefined);
    assert.equal(table.size, 3);
  });

  it("replacement entries of a far bucket survive later splits of the local bucket", () => {
    const { table, a2 } = fullFarBucket();
    const a3 = idAtDepth(0, 3);
    table.observe(a3, HOST, 1003, 5);
    for (let depth = 2; depth < 40; depth++) table.observe(idAtDepth(depth), HOST, 3000, 6);
    assert.ok(table.bucketCount > 30);
    table.recordFailure(a2);
    assert.equal(table.has(a3), true);
  });

  it("table size stays within 160 buckets × k after 200k random observes", () => {
    const random = new SeededRandom(42);
    const k = 20;
    const table = new RoutingTable(randomId(random), { k });
    let full = 0;
    for (let i = 0; i < 200_000; i++) {
      const result = table.observe(randomId(random), HOST, 1 + (i % 60000), i);
      if (result.kind === "full") {
        full++;
        // Act like a node: half the pinged contacts answer, half time out.
        if (random.float() < 0.5) {
          table.observe(result.pingFirst.id, HOST, result.pingFirst.port, i);
        } else table.recordFailure(result.pingFirst.id);
      }
    }
    assert.ok(full > 1000, `full buckets were exercised (${full})`);
    const perBucket = new Map<number, number>();
    for (const contact of table.contacts()) {
      const index = table.bucketIndexOf(contact.id);
      perBucket.set(index, (perBucket.get(index) ?? 0) + 1);
    }
    for (const [index, count] of perBucket) {
      assert.ok(count <= k, `bucket ${index} holds ${count} > k contacts`);
    }
    // Bucket i sees about 200k / 2^(i+1) ids: far more than k for i < 10, so those must be
    // full however many of their pinged heads failed (a replacement is always waiting).
    assert.ok(table.bucketCount > 10);
    for (let index = 0; index < 10; index++) {
      assert.equal(perBucket.get(index), k, `far bucket ${index} is full`);
    }
    const all = hexes(table);
    assert.equal(all.length, table.size);
    assert.equal(new Set(all).size, all.length, "no id twice");
    for (const contact of table.contacts()) {
      assert.equal(
        table.get(contact.id),
        contact,
        "every contact sits in the bucket that covers it",
      );
    }
  });
});

describe("RoutingTable maintenance", () => {
  it("staleBuckets lists buckets idle for maxIdleMs; observe and touchBucket count as activity", () => {
    const table = new RoutingTable(LOCAL, { k: 2 });
    assert.deepEqual(table.staleBuckets(0, 1000), [0], "a new table is due for refresh");
    table.observe(idAtDepth(0), HOST, 1, 100);
    assert.deepEqual(table.staleBuckets(1099, 1000), []);
    assert.deepEqual(table.staleBuckets(1100, 1000), [0]);
    table.touchBucket(idAtDepth(0, 7), 1100);
    assert.deepEqual(table.staleBuckets(2099, 1000), []);
    table.observe(idAtDepth(0), HOST, 1, 1400); // a refresh is activity too
    assert.deepEqual(table.staleBuckets(2399, 1000), []);
    table.observe(idAtDepth(1), HOST, 2, 1500);
    table.observe(idAtDepth(2), HOST, 3, 2000); // splits: both halves active at 2000
    assert.deepEqual(table.staleBuckets(2999, 1000), []);
    assert.deepEqual(table.staleBuckets(3000, 1000), [0, 1]);
    table.touchBucket(idAtDepth(0), 2500);
    assert.deepEqual(table.staleBuckets(3000, 1000), [1]);
  });

  it("randomIdInBucket draws ids that fall in the requested bucket", () => {
    const random = new SeededRandom(11);
    const table = new RoutingTable(randomId(random), { k: 2 });
    for (let i = 0; i < 2000; i++) table.observe(randomId(random), HOST, 1, i);
    assert.ok(table.bucketCount >= 8);
    for (let index = 0; index < table.bucketCount; index++) {
      for (let draw = 0; draw < 20; draw++) {
        assert.equal(table.bucketIndexOf(table.randomIdInBucket(index, random)), index);
      }
    }
    assert.throws(() => table.randomIdInBucket(table.bucketCount, random), RangeError);
    assert.throws(() => table.randomIdInBucket(-1, random), RangeError);
  });
});
