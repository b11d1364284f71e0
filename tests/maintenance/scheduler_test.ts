// The maintenance scheduler: each job at its own times, on one clock timer for all of them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MIN_JOB_DELAY_MS, Scheduler } from "../../src/maintenance/scheduler.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";

describe("Scheduler", () => {
  it("runs each job at its own times on one timer, re-armed after each run", async () => {
    const clock = new VirtualClock();
    const scheduler = new Scheduler(clock);
    const runs: string[] = [];
    scheduler.every("a", 1000, () => {
      runs.push(`a@${clock.now()}`);
      return 3000;
    }, 1000);
    scheduler.every("b", 2500, async () => {
      runs.push(`b@${clock.now()}`);
      await new Promise<void>((resolve) => clock.setTimer(resolve, 700)); // a run that takes time
      return 1000; // due 1 s after it finished
    }, 1000);
    scheduler.every("c", 1200, () => {
      runs.push(`c@${clock.now()}`);
      throw new Error("down"); // retried after retryMs
    }, 5000);
    assert.equal(clock.pendingTimers, 1, "one timer for three jobs");
    await clock.advance(8000);
    assert.deepEqual(runs, [
      "a@1000",
      "c@1200",
      "b@2500",
      "a@4000",
      "b@4200", // 1 s after its run of 700 ms ended
      "b@5900",
      "c@6200", // retried 5 s after it threw
      "a@7000",
      "b@7600",
    ]);
    assert.deepEqual(scheduler.scheduled.sort(), ["a", "c"], "b is running, not scheduled");
    // stop() waits for the run in progress (b's, which ignores the signal) to end.
    const stopped = scheduler.stop();
    await clock.advance(1000);
    await stopped;
    assert.equal(clock.pendingTimers, 0, "stop leaves no timer");
    await clock.advance(10_000);
    assert.equal(runs.length, 9, "nothing runs after stop");
    assert.ok(MIN_JOB_DELAY_MS >= 1000);
  });

  it("never runs a job sooner than MIN_JOB_DELAY_MS after its last run", async () => {
    const clock = new VirtualClock();
    const scheduler = new Scheduler(clock);
    const at: number[] = [];
    scheduler.every("spin", 0, () => {
      at.push(clock.now());
      return 0;
    }, 0);
    await clock.advance(3500);
    assert.deepEqual(at, [0, 1000, 2000, 3000]);
    await scheduler.stop();
  });
});
