import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ExternalIpVoter } from "../../src/id/external_ip.ts";

describe("ExternalIpVoter (BEP 42 bootstrapping, reliability.md S8)", () => {
  it("believes an IP only once 3 distinct responders report it", () => {
    const voter = new ExternalIpVoter();
    assert.equal(voter.vote("203.0.113.7", "198.51.100.1"), undefined);
    assert.equal(voter.vote("203.0.113.7", "198.51.100.1"), undefined, "the same responder again");
    assert.equal(voter.vote("203.0.113.7", "198.51.100.2"), undefined);
    assert.equal(voter.ip, undefined);
    assert.equal(voter.vote("203.0.113.7", "198.51.100.3"), "203.0.113.7");
    assert.equal(voter.ip, "203.0.113.7");
    assert.equal(voter.vote("203.0.113.7", "198.51.100.4"), undefined, "no change, no news");
  });

  it("is not moved by N-1 liars, nor by a minority however loud", () => {
    const voter = new ExternalIpVoter({ minVotes: 3 });
    voter.vote("192.0.2.66", "198.51.100.1");
    voter.vote("192.0.2.66", "198.51.100.2");
    assert.equal(voter.ip, undefined, "two liars are not enough");
    for (let i = 10; i < 14; i++) voter.vote("203.0.113.7", `198.51.100.${i}`);
    assert.equal(voter.ip, "203.0.113.7");
    // A liar repeating itself from one address keeps one vote.
    for (let i = 0; i < 50; i++) voter.vote("192.0.2.66", "198.51.100.1");
    assert.equal(voter.ip, "203.0.113.7");
  });

  it("follows a changed address once most responders report it", () => {
    const voter = new ExternalIpVoter({ minVotes: 3, maxVoters: 6 });
    for (let i = 0; i < 6; i++) voter.vote("203.0.113.7", `198.51.100.${i}`);
    assert.equal(voter.ip, "203.0.113.7");
    const seen: (string | undefined)[] = [];
    for (let i = 0; i < 6; i++) seen.push(voter.vote("203.0.113.99", `198.51.100.${i}`));
    assert.equal(voter.ip, "203.0.113.99");
    assert.equal(seen.filter((s) => s !== undefined).length, 1, "one change, when it won");
    assert.deepEqual(seen.slice(0, 3), [undefined, undefined, undefined], "not before a majority");
  });

  it("ignores reports of local addresses and of things that are not IPs", () => {
    const voter = new ExternalIpVoter({ minVotes: 1 });
    for (const local of ["127.0.0.1", "10.1.2.3", "192.168.0.9", "::1", "fe80::1", "junk"]) {
      assert.equal(voter.vote(local, "198.51.100.1"), undefined, local);
    }
    assert.equal(voter.ip, undefined);
    assert.equal(voter.vote("2001:db8::7", "2001:db8::1"), "2001:db8::7");
  });

  it("remembers a bounded number of responders", () => {
    const voter = new ExternalIpVoter({ minVotes: 2, maxVoters: 4 });
    for (let i = 0; i < 10_000; i++) {
      voter.vote(`203.0.113.${i % 200}`, `198.51.${i >> 8}.${i & 255}`);
    }
    // Only the last 4 responders count; they reported 4 different IPs: no majority.
    assert.equal(voter.ip, undefined);
  });
});
