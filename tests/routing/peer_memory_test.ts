// The failure and RTT memory for nodes outside the routing table is bounded in entries and in
// time: entries past their time are forgotten as new ones come, not kept up to the limit.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PEER_MEMORY_MS, PeerMemory } from "../../src/routing/peer_memory.ts";

function id(n: number): Uint8Array {
  const bytes = new Uint8Array(20);
  bytes[18] = n >> 8;
  bytes[19] = n & 0xff;
  return bytes;
}

describe("PeerMemory", () => {
  it("forgets entries past their time as new nodes are met", () => {
    const memory = new PeerMemory();
    for (let n = 0; n < 100; n++) memory.recordReply(id(n), 0, 20);
    assert.equal(memory.size, 100);
    // Ten minutes on, sixty new nodes: each drops up to two stale entries.
    for (let n = 100; n < 160; n++) memory.recordFailure(id(n), PEER_MEMORY_MS);
    assert.equal(memory.size, 60, "only the nodes of the last ten minutes remain");
    assert.equal(memory.failures(id(150), PEER_MEMORY_MS), 1);
    assert.equal(memory.estimate(id(5), PEER_MEMORY_MS), undefined);
  });

  it("keeps entries within their time, and at most its limit", () => {
    const memory = new PeerMemory(50);
    for (let n = 0; n < 80; n++) memory.recordReply(id(n), n * 1000, 20);
    assert.equal(memory.size, 50, "the least recently updated beyond the limit are dropped");
    assert.ok(memory.estimate(id(79), 80_000) !== undefined);
    assert.equal(memory.estimate(id(10), 80_000), undefined, "dropped for the limit");
    assert.ok(memory.estimate(id(30), 80_000) !== undefined, "recent, so kept");
  });
});
