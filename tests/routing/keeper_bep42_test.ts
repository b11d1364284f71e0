// The contact keeper: its BEP 42 policy (secureContacts), its table rebuild for a new id, and
// its timeouts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isBep42Compliant, withBep42Prefix } from "../../src/id/bep42.ts";
import { randomId } from "../../src/id/node_id.ts";
import { SeededRandom } from "../../src/random.ts";
import { ContactKeeper, type SecureContacts } from "../../src/routing/keeper.ts";
import { RoutingTable } from "../../src/routing/routing_table.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";

const random = new SeededRandom(42);
const LOCAL = new Uint8Array(20);

function keeper(secureContacts: SecureContacts, k = 20): ContactKeeper {
  return new ContactKeeper({
    table: new RoutingTable(LOCAL, { k }),
    clock: new VirtualClock(),
    slowQueryMs: 1000,
    queryTimeoutMs: 2000,
    secureContacts,
  });
}

/** An id in the far half (first bit set, so bucket 0 of LOCAL), secure for `ip` or not. */
function farId(ip: string, secure: boolean): Uint8Array {
  for (;;) {
    const raw = randomId(random);
    const id = secure ? withBep42Prefix(raw, ip) : raw;
    if ((id[0]! & 0x80) === 0) continue;
    if (isBep42Compliant(id, ip) === secure) return id;
  }
}

const ip = (i: number) => `198.51.100.${i}`;

describe("ContactKeeper secureContacts (BEP 42)", () => {
  it('"require" keeps out nodes whose id is not bound to their IP, but not local ones', () => {
    const k = keeper("require");
    k.heardFrom(farId(ip(1), false), { host: ip(1), port: 1 });
    assert.equal(k.table.size, 0, "unverified public node refused");
    const secure = farId(ip(2), true);
    k.heardFrom(secure, { host: ip(2), port: 1 });
    assert.equal(k.table.size, 1, "verified node taken");
    k.heardFrom(randomId(random), { host: "127.0.0.1", port: 9 });
    k.heardFrom(randomId(random), { host: "10.0.0.7", port: 9 });
    assert.equal(k.table.size, 3, "loopback and private addresses are exempt");
    assert.equal(k.storeEligible({ id: farId(ip(3), false), host: ip(3), port: 1 }), false);
    assert.equal(k.storeEligible({ id: secure, host: ip(2), port: 1 }), true);
    assert.equal(
      keeper("prefer").storeEligible({ id: farId(ip(3), false), host: ip(3), port: 1 }),
      true,
    );
  });

  it('"prefer" lets a verified newcomer take an unverified contact\'s place in a full bucket', async () => {
    const k = keeper("prefer", 2);
    // Split once so bucket 0 is a far bucket that cannot split again.
    k.heardFrom(farId(ip(1), false), { host: ip(1), port: 1 });
    k.heardFrom(farId(ip(2), false), { host: ip(2), port: 1 });
    const near = LOCAL.slice();
    near[19] = 1;
    k.heardFrom(near, { host: ip(9), port: 1 });
    assert.equal(k.table.bucketCount, 2);
    assert.equal(k.table.size, 3);
    const secure = farId(ip(3), true);
    k.heardFrom(secure, { host: ip(3), port: 1 });
    const far = k.table.bucketContacts(secure);
    assert.equal(far.length, 2);
    assert.ok(far.some((c) => c.host === ip(3)), "the verified newcomer is in");
    assert.equal(
      far.filter((c) => !isBep42Compliant(c.id, c.host)).length,
      1,
      "one unverified left",
    );
    // An unverified newcomer does not push out a verified contact that still answers.
    k.setPing((contact) => Promise.resolve({ id: contact.id, rttMs: 1 }));
    k.heardFrom(farId(ip(4), true), { host: ip(4), port: 1 });
    k.heardFrom(farId(ip(5), false), { host: ip(5), port: 1 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.ok(k.table.bucketContacts(secure).every((c) => isBep42Compliant(c.id, c.host)));
  });

  it('"any" takes every node, as before BEP 42', () => {
    const k = keeper("any");
    for (let i = 1; i <= 5; i++) k.heardFrom(farId(ip(i), false), { host: ip(i), port: 1 });
    assert.equal(k.table.size, 5);
  });
});

describe("ContactKeeper.rebuild", () => {
  it("moves every contact, with what is known of it, into a table around a new id", () => {
    const k = keeper("any");
    const contacts = Array.from({ length: 30 }, (_, i) => ({
      id: randomId(random),
      host: ip(i + 1),
      port: 6881,
    }));
    for (const c of contacts) {
      k.heardFrom(c.id, c);
      k.answered(c, c.id, 40 + contacts.indexOf(c));
    }
    k.failed(contacts[3]!);
    const before = new Map(k.table.contacts().map((c) => [c.host, { ...c }]));
    const newId = randomId(random);
    k.rebuild(new RoutingTable(newId, { k: 20 }));
    assert.deepEqual(k.table.localId, newId);
    const after = k.table.contacts();
    assert.equal(after.length, before.size, "nothing lost at this size");
    for (const c of after) {
      const old = before.get(c.host)!;
      assert.deepEqual(
        [c.lastSeen, c.lastReplied, c.failures, c.srttUs, c.rttvarUs],
        [old.lastSeen, old.lastReplied, old.failures, old.srttUs, old.rttvarUs],
      );
    }
  });
});

describe("ContactKeeper timeouts", () => {
  it("a retry's timeout doubles per earlier timed-out try, up to the ceiling; the slow threshold stays", () => {
    const k = keeper("any");
    const id = farId(ip(9), false);
    k.heardFrom(id, { host: ip(9), port: 9 });
    const node = { id, host: ip(9), port: 9 };
    assert.ok(k.answered(node, id, 40), "an RTT sample of 40 ms");
    const first = k.timeouts(node);
    const second = k.timeouts(node, 1);
    assert.ok(first.timeoutMs < 1000, `first try ${first.timeoutMs} ms`);
    assert.equal(second.timeoutMs, 2 * first.timeoutMs);
    assert.equal(second.slowMs, first.slowMs);
    assert.equal(k.timeouts(node, 10).timeoutMs, 2000, "never past queryTimeoutMs");
    assert.equal(k.timeouts(node, Infinity).timeoutMs, 2000, "Infinity: queryTimeoutMs at once");
  });
});
