import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Clock, Timer } from "../../src/clock.ts";
import { DeadlineSweep } from "../../src/rpc/deadlines.ts";

// A clock whose timers fire only when the test says, at whatever time it says: a busy process.
function handClock() {
  let time = 0;
  let pending: (() => void) | undefined;
  let delay = 0;
  const clock: Clock = {
    now: () => time,
    wallTime: () => time,
    setTimer(callback: () => void, delayMs: number): Timer {
      pending = callback;
      delay = delayMs;
      return { cancel: () => (pending = undefined) };
    },
  };
  const fireAt = (at: number) => {
    time = at;
    const callback = pending;
    pending = undefined;
    callback?.();
  };
  return { clock, fireAt, armed: () => pending !== undefined, delay: () => delay };
}

describe("DeadlineSweep", () => {
  it("expires a deadline when its timer fires on time", () => {
    const { clock, fireAt } = handClock();
    const sweep = new DeadlineSweep(clock);
    const expired: number[] = [];
    sweep.add({ at: 100, settled: false, expire: () => expired.push(100) });
    fireAt(105);
    assert.deepEqual(expired, [100]);
  });

  it("fired late (a busy process), lets the stall pass first: expires only on the next sweep", () => {
    const { clock, fireAt, armed, delay } = handClock();
    const sweep = new DeadlineSweep(clock);
    const answered = { at: 100, settled: false, expire: () => assert.fail("was answered") };
    const silent: number[] = [];
    sweep.add(answered);
    sweep.add({ at: 120, settled: false, expire: () => silent.push(120) });
    fireAt(400); // 300 ms late: nothing expires yet; the sweep runs again 300 ms later
    assert.deepEqual(silent, []);
    assert.ok(armed());
    assert.equal(delay(), 300, "as late as it fired");
    sweep.settle(answered); // the reply that sat in the socket is read in between
    fireAt(700);
    assert.deepEqual(silent, [120]);
  });

  it("stops its timer once every deadline is settled, and starts it again for a new one", () => {
    const { clock, fireAt, armed } = handClock();
    const sweep = new DeadlineSweep(clock);
    const never = () => assert.fail("was settled");
    const a = { at: 100, settled: false, expire: never };
    const b = { at: 50, settled: false, expire: never };
    sweep.add(a);
    sweep.add(b);
    sweep.settle(b);
    assert.ok(armed(), "a is still waiting");
    sweep.settle(a);
    sweep.settle(a); // twice is harmless
    assert.ok(!armed(), "nothing left to expire: no timer");
    assert.equal(sweep.size, 0);
    const expired: number[] = [];
    sweep.add({ at: 300, settled: false, expire: () => expired.push(300) });
    assert.ok(armed());
    fireAt(300);
    assert.deepEqual(expired, [300]);
    assert.ok(!armed());
  });
});
