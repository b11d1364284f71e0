// One node per IP address in the routing table (the node's `oneNodePerIp`, on by default):
// a second id from a public address is turned away wherever it would go; the same address and
// port with a new id replaces the old contact when it answers, not when it only queries (a
// query's source can be forged); local addresses are exempt.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { idToHex } from "../../src/id/node_id.ts";
import { RoutingTable } from "../../src/routing/routing_table.ts";
import { idAtDepth } from "./_ids.ts";

const LOCAL = new Uint8Array(20);
const PUBLIC = "203.0.113.5";

function hexes(table: RoutingTable): string[] {
  return table.contacts().map((c) => idToHex(c.id)).sort();
}

describe("RoutingTable with oneNodePerIp", () => {
  it("turns a second id from a public address away, with room in its bucket or not", () => {
    const table = new RoutingTable(LOCAL, { k: 4, oneNodePerIp: true });
    const first = idAtDepth(0, 1);
    assert.equal(table.observe(first, PUBLIC, 6881, 1).kind, "inserted");
    for (const [i, id] of [idAtDepth(0, 2), idAtDepth(3, 1), idAtDepth(9, 1)].entries()) {
      const result = table.observe(id, PUBLIC, 7000 + i, 2);
      assert.equal(result.kind, "ipTaken");
      assert.ok(result.kind === "ipTaken" && idToHex(result.holder.id) === idToHex(first));
    }
    assert.deepEqual(hexes(table), [idToHex(first)]);
    assert.equal(table.bucketContacts(first).length, 1, "and not in a replacement cache either");
  });

  it("lets the address in again once its contact is gone", () => {
    const table = new RoutingTable(LOCAL, { k: 4, oneNodePerIp: true });
    const first = idAtDepth(0, 1), second = idAtDepth(2, 1);
    table.observe(first, PUBLIC, 6881, 1);
    table.remove(first);
    assert.equal(table.observe(second, PUBLIC, 6882, 2).kind, "inserted");
  });

  it("replaces the contact when its address and port come back with a new id", () => {
    const table = new RoutingTable(LOCAL, { k: 4, oneNodePerIp: true });
    const removed: string[] = [];
    const old = idAtDepth(0, 1), renewed = idAtDepth(5, 1);
    const watched = new RoutingTable(LOCAL, {
      k: 4,
      oneNodePerIp: true,
      onRemoved: (c) => removed.push(idToHex(c.id)),
    });
    for (const t of [table, watched]) {
      t.observe(old, PUBLIC, 6881, 1);
      assert.equal(t.observe(renewed, PUBLIC, 6881, 2).kind, "inserted");
      assert.deepEqual(hexes(t), [idToHex(renewed)]);
    }
    assert.deepEqual(removed, [idToHex(old)]);
  });

  it("reports a new id in a query from a contact's address and port, and changes nothing", () => {
    const table = new RoutingTable(LOCAL, { k: 4, oneNodePerIp: true, badAfterFailures: 2 });
    const old = idAtDepth(0, 1), claimed = idAtDepth(5, 1);
    table.observe(old, PUBLIC, 6881, 1);
    const result = table.observe(claimed, PUBLIC, 6881, 2, "query");
    assert.equal(result.kind, "idChanged");
    assert.ok(result.kind === "idChanged" && idToHex(result.holder.id) === idToHex(old));
    assert.deepEqual(hexes(table), [idToHex(old)], "the old contact stays until it is asked");
    assert.equal(table.bucketContacts(claimed).length, 1, "nor is the claimed id cached");
    // Once the old contact failed enough to be bad, the query's id takes its place.
    table.recordFailure(old);
    assert.equal(table.observe(claimed, PUBLIC, 6881, 3, "query").kind, "idChanged");
    table.recordFailure(old);
    assert.equal(table.observe(claimed, PUBLIC, 6881, 4, "query").kind, "inserted");
    assert.deepEqual(hexes(table), [idToHex(claimed)]);
  });

  it("exempts loopback, private and link-local addresses, and is off unless asked for", () => {
    for (const host of ["127.0.0.1", "10.0.0.7", "192.168.1.2", "::1", "fe80::1"]) {
      const table = new RoutingTable(LOCAL, { k: 4, oneNodePerIp: true });
      table.observe(idAtDepth(0, 1), host, 1, 1);
      assert.equal(table.observe(idAtDepth(0, 2), host, 2, 1).kind, "inserted", host);
    }
    const off = new RoutingTable(LOCAL, { k: 4 });
    off.observe(idAtDepth(0, 1), PUBLIC, 1, 1);
    assert.equal(off.observe(idAtDepth(0, 2), PUBLIC, 2, 1).kind, "inserted");
    assert.equal(off.oneNodePerIp, false);
  });

  it("drops a cached replacement whose address another contact took meanwhile", () => {
    // k = 1: the far bucket holds a (public A); b (public B) waits in its replacement cache;
    // then c2 takes address B in the local bucket. When a fails, b must not come in: d does.
    const table = new RoutingTable(LOCAL, {
      k: 1,
      replacementCacheSize: 4,
      oneNodePerIp: true,
      badAfterFailures: 1,
    });
    const a = idAtDepth(0, 1), b = idAtDepth(0, 2), c = idAtDepth(4, 1), d = idAtDepth(0, 3);
    table.observe(c, "198.51.100.1", 1, 0); // the local bucket first, so the far one is split off
    table.observe(a, "198.51.100.2", 1, 1);
    assert.equal(table.bucketCount, 2);
    table.observe(d, "198.51.100.4", 1, 2); // a spare on an address nobody else has
    assert.equal(table.observe(b, "198.51.100.3", 1, 3).kind, "cached"); // the newest spare
    table.remove(c);
    const c2 = idAtDepth(5, 1);
    assert.equal(table.observe(c2, "198.51.100.3", 2, 4).kind, "inserted"); // takes b's address
    table.recordFailure(a);
    const far = table.bucketContacts(a).map((x) => idToHex(x.id));
    assert.deepEqual(far, [idToHex(d)], "the spare on a free address took the place");
    assert.equal(table.contacts().filter((x) => x.host === "198.51.100.3").length, 1);
  });
});
