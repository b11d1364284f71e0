import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Clock, Timer } from "../../src/clock.ts";
import { DeadlineSweep } from "../../src/rpc/deadlines.ts";

// A clock whose timers fire only when the test says, at whatever time it says: a busy process.
function handClock() {
  let time = 0;
  let pending: (() => void) | undefined;
  const clock: Clock = {
    now: () => time,
    wallTime: () => time,
    setTimer(callback: () => void): Timer {
      pending = callback;
      return { cancel: () => (pending = undefined) };
    },
  };
  const fireAt = (at: number) => {
    time = at;
    const callback = pending;
    pending = undefined;
    callback?.();
  };
  return { clock, fireAt, armed: () => pending !== undefined };
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

  it("fired late (a busy process), reads the I/O that waited first: expires on the next turn", () => {
    const { clock, fireAt, armed } = handClock();
    const sweep = new DeadlineSweep(clock);
    const answered = { at: 100, settled: false, expire: () => assert.fail("was answered") };
    const silent: number[] = [];
    sweep.add(answered);
    sweep.add({ at: 120, settled: false, expire: () => silent.push(120) });
    fireAt(400); // 300 ms late: nothing expires yet, the sweep runs again at once
    assert.deepEqual(silent, []);
    assert.ok(armed());
    answered.settled = true; // the reply that sat in the socket is read in between
    fireAt(401);
    assert.deepEqual(silent, [120]);
  });
});
