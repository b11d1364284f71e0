import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { type Contact, createContact } from "../../src/routing/contact.ts";
import { KBucket } from "../../src/routing/k_bucket.ts";
import { idAtDepth } from "./_ids.ts";

const LOCAL = new Uint8Array(20);

function contact(cpl: number, tag: number, lastSeen = 0): Contact {
  return createContact(idAtDepth(cpl, tag), "127.0.0.1", 1000 + tag, lastSeen);
}

function cache(bucket: KBucket, x: Contact, limit: number): void {
  bucket.addReplacement(x.id, x.host, x.port, x.lastSeen, limit);
}

function tags(list: readonly Contact[]): number[] {
  return list.map((c) => c.id[19]!);
}

describe("KBucket", () => {
  it("refresh moves a contact to the most-recently-seen end and resets its failures", () => {
    const bucket = new KBucket(0);
    const [a, b, c] = [contact(0, 1), contact(0, 2), contact(0, 3)];
    for (const x of [a, b, c]) bucket.append(x);
    a.failures = 1;
    bucket.refresh(0, 50);
    assert.deepEqual(tags(bucket.contacts), [2, 3, 1]);
    assert.equal(a.lastSeen, 50);
    assert.equal(a.failures, 0);
  });

  it("addReplacement keeps the newest first and drops the oldest beyond the limit", () => {
    const bucket = new KBucket(0);
    for (let tag = 1; tag <= 5; tag++) cache(bucket, contact(0, tag), 3);
    assert.deepEqual(tags(bucket.replacements), [5, 4, 3]);
    const newest = bucket.replacements[0]!;
    assert.deepEqual([newest.host, newest.port, newest.lastSeen, newest.failures], [
      "127.0.0.1",
      1005,
      0,
      0,
    ]);
    assert.equal(new Set(bucket.replacements.map((c) => c.id)).size, 3, "ids are not shared");
    cache(bucket, contact(0, 9), 0);
    assert.deepEqual(tags(bucket.replacements), [5, 4, 3]);
  });

  it("updateReplacement moves a re-observed entry to the front with its new address", () => {
    const bucket = new KBucket(0);
    for (let tag = 1; tag <= 3; tag++) cache(bucket, contact(0, tag), 3);
    bucket.updateReplacement(2, "127.0.0.2", 7, 99);
    assert.deepEqual(tags(bucket.replacements), [1, 3, 2]);
    assert.equal(bucket.replacements[0]!.host, "127.0.0.2");
    assert.equal(bucket.replacements[0]!.lastSeen, 99);
  });

  it("promote moves the newest replacement in, placed by lastSeen", () => {
    const bucket = new KBucket(0);
    bucket.append(contact(0, 1, 10));
    bucket.append(contact(0, 2, 30));
    cache(bucket, contact(0, 3, 5), 4);
    cache(bucket, contact(0, 4, 20), 4);
    assert.equal(bucket.promote()!.id[19], 4);
    assert.deepEqual(tags(bucket.contacts), [1, 4, 2]);
    assert.equal(bucket.promote()!.id[19], 3);
    assert.deepEqual(tags(bucket.contacts), [3, 1, 4, 2]);
    assert.equal(bucket.promote(), undefined);
  });

  it("removeAt settles a pending ping for the removed contact", () => {
    const bucket = new KBucket(0);
    const a = contact(0, 1);
    bucket.append(a);
    bucket.pendingPing = a;
    assert.equal(bucket.removeAt(0), a);
    assert.equal(bucket.pendingPing, undefined);
  });

  it("split carries contacts and replacement entries into the right halves, in order", () => {
    const bucket = new KBucket(0);
    // Depth 3: contacts share at least 3 bits with the local id; those sharing exactly 3 stay.
    const stay = [contact(3, 1, 1), contact(3, 2, 2)];
    const move = [contact(4, 3, 3), contact(9, 4, 4)];
    for (const x of [stay[0]!, move[0]!, stay[1]!, move[1]!]) bucket.append(x);
    cache(bucket, contact(3, 5), 8);
    cache(bucket, contact(7, 6), 8);
    cache(bucket, contact(3, 7), 8);
    cache(bucket, contact(150, 8), 8);
    bucket.pendingPing = move[0];
    const deeper = bucket.split(3, LOCAL, 500);
    assert.deepEqual(tags(bucket.contacts), [1, 2]);
    assert.deepEqual(tags(deeper.contacts), [3, 4]);
    assert.deepEqual(tags(bucket.replacements), [7, 5]);
    assert.deepEqual(tags(deeper.replacements), [8, 6]);
    assert.equal(bucket.pendingPing, undefined);
    assert.equal(deeper.pendingPing, move[0]);
    assert.equal(bucket.lastActivity, 500);
    assert.equal(deeper.lastActivity, 500);
  });

  it("finds every entry by id, and no other, after any sequence of changes (property)", () => {
    // Ids from a small pool, several sharing their last four bytes (what a search compares
    // first), so that matches on the tail alone must still be told apart.
    const pool = Array.from({ length: 12 }, (_, i) => {
      const id = idAtDepth(1 + (i % 3), 100 + (i % 4));
      id[10] = i;
      return id;
    });
    const op = fc.oneof(
      fc.record({ kind: fc.constant("append"), id: fc.nat(11) }),
      fc.record({ kind: fc.constant("refresh"), at: fc.nat(30) }),
      fc.record({ kind: fc.constant("remove"), at: fc.nat(30) }),
      fc.record({
        kind: fc.constant("cache"),
        id: fc.nat(11),
        limit: fc.integer({ min: 1, max: 4 }),
      }),
      fc.record({ kind: fc.constant("update"), at: fc.nat(30) }),
      fc.record({ kind: fc.constant("uncache"), at: fc.nat(30) }),
      fc.record({ kind: fc.constant("promote") }),
      fc.record({ kind: fc.constant("split"), depth: fc.integer({ min: 0, max: 2 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        let buckets = [new KBucket(0)];
        let now = 1;
        for (const o of ops) {
          const bucket = buckets[buckets.length - 1]!;
          const held = (id: Uint8Array) =>
            buckets.some((b) => b.indexOf(id) >= 0 || b.replacementIndexOf(id) >= 0);
          now++;
          if (o.kind === "append" && !held(pool[o.id]!)) {
            bucket.append(createContact(pool[o.id]!, "127.0.0.1", 1, now));
          } else if (o.kind === "refresh" && bucket.contacts.length > 0) {
            bucket.refresh(o.at % bucket.contacts.length, now);
          } else if (o.kind === "remove" && bucket.contacts.length > 0) {
            bucket.removeAt(o.at % bucket.contacts.length);
          } else if (o.kind === "cache" && !held(pool[o.id]!)) {
            bucket.addReplacement(pool[o.id]!, "127.0.0.1", 2, now, o.limit);
          } else if (o.kind === "update" && bucket.replacements.length > 0) {
            bucket.updateReplacement(o.at % bucket.replacements.length, "127.0.0.1", 3, now);
          } else if (o.kind === "uncache" && bucket.replacements.length > 0) {
            bucket.removeReplacementAt(o.at % bucket.replacements.length);
          } else if (o.kind === "promote") {
            bucket.promote();
          } else if (o.kind === "split" && buckets.length === 1) {
            buckets = [bucket, bucket.split(o.depth, LOCAL, now)];
          }
          for (const b of buckets) {
            for (const id of pool) {
              const want = b.contacts.findIndex((c) => c.id.every((x, i) => x === id[i]));
              const cached = b.replacements.findIndex((c) => c.id.every((x, i) => x === id[i]));
              assert.equal(b.indexOf(id), want);
              assert.equal(b.replacementIndexOf(id), cached);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
