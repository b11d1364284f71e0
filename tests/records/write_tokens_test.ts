import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SeededRandom } from "../../src/random.ts";
import { TOKEN_LENGTH, TOKEN_ROTATION_MS, WriteTokens } from "../../src/records/write_tokens.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";

const target = (fill: number) => new Uint8Array(20).fill(fill);

describe("WriteTokens", () => {
  it("accepts a token only from the IP it was issued to, for the target it was issued for", () => {
    const tokens = new WriteTokens(new VirtualClock(), new SeededRandom(1));
    const token = tokens.issue("10.0.0.1", target(1));
    assert.equal(token.length, TOKEN_LENGTH);
    assert.equal(tokens.verify(token, "10.0.0.1", target(1)), true);
    assert.equal(tokens.verify(token, "10.0.0.2", target(1)), false, "another IP (S1)");
    assert.equal(tokens.verify(token, "10.0.0.1", target(2)), false, "another target (S3)");
    assert.equal(tokens.verify(token.subarray(0, 4), "10.0.0.1", target(1)), false);
    const v6 = tokens.issue("2001:db8::1", target(1));
    assert.equal(tokens.verify(v6, "2001:DB8:0::1", target(1)), true, "any spelling of the IP");
  });

  it("keeps a token valid for 5 to 10 minutes across secret rotations (S2)", async () => {
    const clock = new VirtualClock();
    const tokens = new WriteTokens(clock, new SeededRandom(2));
    await clock.advance(TOKEN_ROTATION_MS - 1); // issued at the very end of a period
    const late = tokens.issue("10.0.0.1", target(1));
    await clock.advance(TOKEN_ROTATION_MS);
    assert.equal(tokens.verify(late, "10.0.0.1", target(1)), true, "previous secret accepted");
    await clock.advance(1);
    assert.equal(tokens.verify(late, "10.0.0.1", target(1)), false, "two rotations later");
    const early = tokens.issue("10.0.0.1", target(1)); // issued at the start of a period
    await clock.advance(2 * TOKEN_ROTATION_MS - 1);
    assert.equal(tokens.verify(early, "10.0.0.1", target(1)), true, "just under 10 minutes");
    await clock.advance(1);
    assert.equal(tokens.verify(early, "10.0.0.1", target(1)), false, "10 minutes");
  });

  it("issues different tokens on different nodes", () => {
    const clock = new VirtualClock();
    const a = new WriteTokens(clock, new SeededRandom(3));
    const b = new WriteTokens(clock, new SeededRandom(4));
    assert.notDeepEqual(a.issue("10.0.0.1", target(1)), b.issue("10.0.0.1", target(1)));
  });
});
