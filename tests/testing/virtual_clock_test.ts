import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import { SeededRandom } from "../../src/random.ts";

const HOUR = 3_600_000;

async function awaitChain(depth: number): Promise<void> {
  for (let i = 0; i < depth; i++) await Promise.resolve(i);
}

async function nestedChain(depth: number): Promise<number> {
  return depth === 0 ? 0 : (await nestedChain(depth - 1)) + 1;
}

describe("VirtualClock timers", () => {
  it("fires timers in order of due time, ties in the order they were set", async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimer(() => fired.push("c30"), 30);
    clock.setTimer(() => fired.push("a10"), 10);
    clock.setTimer(() => fired.push("b20-first"), 20);
    clock.setTimer(() => fired.push("b20-second"), 20);
    clock.setTimer(() => fired.push("zero"), 0);
    clock.setTimer(() => fired.push("b20-third"), 20);
    await clock.advance(100);
    assert.deepEqual(fired, ["zero", "a10", "b20-first", "b20-second", "b20-third", "c30"]);
    assert.equal(clock.firedTimers, 6);
    assert.equal(clock.pendingTimers, 0);
  });

  it("fires in (due, creation) order for any mix of delays and cancellations", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ delay: fc.integer({ min: -5, max: 50 }), cancel: fc.boolean() }), {
          maxLength: 60,
        }),
        async (specs) => {
          const clock = new VirtualClock();
          const fired: number[] = [];
          specs.forEach((spec, i) => {
            const timer = clock.setTimer(() => fired.push(i), spec.delay);
            if (spec.cancel) timer.cancel();
          });
          await clock.advance(50);
          const expected = specs
            .map((spec, i) => ({ ...spec, i, due: Math.max(0, spec.delay) }))
            .filter((spec) => !spec.cancel)
            .sort((x, y) => x.due - y.due || x.i - y.i)
            .map((spec) => spec.i);
          assert.deepEqual(fired, expected);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("cancel stops a pending timer and is a no-op after firing", async () => {
    const clock = new VirtualClock();
    let count = 0;
    const cancelled = clock.setTimer(() => count += 100, 10);
    const kept = clock.setTimer(() => count++, 10);
    assert.equal(clock.pendingTimers, 2);
    cancelled.cancel();
    cancelled.cancel();
    assert.equal(clock.pendingTimers, 1);
    await clock.advance(10);
    kept.cancel();
    assert.equal(count, 1);
    assert.equal(clock.pendingTimers, 0);
  });

  it("advance sets now to each timer's due time while firing, then to start + ms", async () => {
    const clock = new VirtualClock({ startMs: 1000 });
    const seen: number[] = [];
    clock.setTimer(() => seen.push(clock.now()), 5);
    clock.setTimer(() => seen.push(clock.now()), 7.5);
    clock.setTimer(() => seen.push(clock.now()), 21);
    await clock.advance(20);
    assert.deepEqual(seen, [1005, 1007.5]);
    assert.equal(clock.now(), 1020);
    assert.equal(clock.pendingTimers, 1);
    await clock.advance(1);
    assert.deepEqual(seen, [1005, 1007.5, 1021]);
  });

  it("fires timers that callbacks set within the advanced window, at the right instants", async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    const tick = (): void => {
      seen.push(clock.now());
      clock.setTimer(tick, 10);
    };
    clock.setTimer(tick, 10);
    await clock.advance(45);
    assert.deepEqual(seen, [10, 20, 30, 40]);
    assert.equal(clock.pendingTimers, 1);
  });

  it("lets promise chains started by a timer finish before the next timer fires", async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    for (let i = 0; i < 3; i++) {
      // Two timers per instant: the chain of the first must finish before the second fires.
      for (const name of ["x", "y"]) {
        clock.setTimer(() => {
          log.push(`${name}${i} fired`);
          awaitChain(20).then(() => log.push(`${name}${i} chain20 done`));
          nestedChain(100).then(() => log.push(`${name}${i} nested100 done`));
        }, i * 10);
      }
    }
    await clock.advance(30);
    const expected = [];
    for (let i = 0; i < 3; i++) {
      for (const name of ["x", "y"]) {
        expected.push(
          `${name}${i} fired`,
          `${name}${i} chain20 done`,
          `${name}${i} nested100 done`,
        );
      }
    }
    assert.deepEqual(log, expected);
  });

  it("sees timers set by promise reactions pending when advance starts", async () => {
    const clock = new VirtualClock();
    let fired = false;
    awaitChain(10).then(() => clock.setTimer(() => fired = true, 5));
    await clock.advance(5);
    assert.equal(fired, true);
  });

  it("rejects advance with the error a callback throws and keeps later timers", async () => {
    const clock = new VirtualClock();
    let later = false;
    clock.setTimer(() => {
      throw new Error("boom");
    }, 5);
    clock.setTimer(() => later = true, 6);
    await assert.rejects(clock.advance(10), /boom/);
    assert.equal(clock.now(), 5);
    assert.equal(later, false);
    await clock.advance(10);
    assert.equal(later, true);
  });

  it("validates arguments and refuses overlapping runs", async () => {
    assert.throws(() => new VirtualClock({ startMs: Number.NaN }), RangeError);
    assert.throws(() => new VirtualClock({ maxFiringsPerInstant: 0 }), RangeError);
    const clock = new VirtualClock();
    await assert.rejects(clock.advance(-1), RangeError);
    await assert.rejects(clock.advance(Infinity), RangeError);
    assert.throws(() => clock.setTimer(42 as unknown as () => void, 1), TypeError);
    clock.setTimer(() => {}, 1);
    const first = clock.advance(5);
    await assert.rejects(clock.advance(5), /advance\(\) is still running/);
    await first;
    assert.equal(clock.now(), 5);
  });

  it("throws instead of spinning when a callback re-arms itself with no delay", async () => {
    const clock = new VirtualClock({ maxFiringsPerInstant: 1000 });
    const spin = (): void => void clock.setTimer(spin, 0);
    clock.setTimer(spin, 1);
    await assert.rejects(clock.advance(10), /more than 1000 timers fired at 1 ms/);
  });
});

describe("VirtualClock.runUntilSettled", () => {
  it("returns the value once timers have resolved the promise", async () => {
    const clock = new VirtualClock();
    const value = new Promise<string>((resolve) => {
      clock.setTimer(() => clock.setTimer(() => resolve("done"), 2 * HOUR), HOUR);
    });
    assert.equal(await clock.runUntilSettled(value), "done");
    assert.equal(clock.now(), 3 * HOUR);
  });

  it("rethrows the rejection", async () => {
    const clock = new VirtualClock();
    const failing = new Promise((_resolve, reject) => {
      clock.setTimer(() => reject(new RangeError("nope")), 50);
    });
    await assert.rejects(clock.runUntilSettled(failing), RangeError);
    assert.equal(clock.now(), 50);
  });

  it("reports a deadlock when no timer can settle the promise", async () => {
    const clock = new VirtualClock();
    clock.setTimer(() => {}, 10);
    await assert.rejects(
      clock.runUntilSettled(new Promise(() => {})),
      /deadlock: no timers pending/,
    );
    assert.equal(clock.now(), 10);
  });

  it("gives up after maxMs of virtual time", async () => {
    const clock = new VirtualClock();
    const tick = (): void => void clock.setTimer(tick, 1000);
    tick();
    await assert.rejects(
      clock.runUntilSettled(new Promise(() => {}), { maxMs: 60_000 }),
      /still pending after 60000 ms/,
    );
    assert.equal(clock.now(), 60_000);
  });

  it("settles an already-resolved promise without firing timers", async () => {
    const clock = new VirtualClock();
    clock.setTimer(() => {}, 10);
    assert.equal(await clock.runUntilSettled(Promise.resolve(7)), 7);
    assert.equal(clock.firedTimers, 0);
  });
});

describe("VirtualClock.runAll", () => {
  it("fires every timer, including ones set on the way, and returns the count", async () => {
    const clock = new VirtualClock();
    clock.setTimer(() => clock.setTimer(() => {}, 500), 100);
    clock.setTimer(() => {}, 50);
    assert.equal(await clock.runAll(), 3);
    assert.equal(clock.now(), 600);
    assert.equal(clock.pendingTimers, 0);
  });

  it("throws when a periodic timer keeps it from draining", async () => {
    const clock = new VirtualClock();
    const tick = (): void => void clock.setTimer(tick, 10);
    tick();
    await assert.rejects(clock.runAll({ maxTimers: 100 }), /still pending after 100 firings/);
    await assert.rejects(clock.runAll({ maxMs: 50 }), /still pending/);
  });
});

describe("VirtualClock determinism and speed", () => {
  async function tracedWorkload(seed: number): Promise<string[]> {
    const clock = new VirtualClock();
    const random = new SeededRandom(seed);
    const trace: string[] = [];
    let created = 0;
    const spawn = (depth: number): void => {
      const id = created++;
      const timer = clock.setTimer(async () => {
        trace.push(`${id}@${clock.now()}`);
        await awaitChain(Math.floor(random.float() * 5));
        if (depth < 4) { for (let i = 0; i < 2; i++) spawn(depth + 1); }
      }, Math.floor(random.float() * 100));
      if (random.float() < 0.1) timer.cancel();
    };
    for (let i = 0; i < 20; i++) spawn(0);
    await clock.runAll();
    return trace;
  }

  it("replays a seeded random-timer workload identically", async () => {
    const first = await tracedWorkload(42);
    const second = await tracedWorkload(42);
    assert.ok(first.length > 100, `workload too small: ${first.length}`);
    assert.deepEqual(second, first);
    assert.notDeepEqual(await tracedWorkload(43), first);
  });

  it("runs 48 hours of hourly timers for 1,000 nodes in well under a second", async () => {
    const clock = new VirtualClock();
    let fired = 0;
    for (let node = 0; node < 1000; node++) {
      const hourly = (): void => {
        fired++;
        clock.setTimer(hourly, HOUR);
      };
      clock.setTimer(hourly, HOUR + node);
    }
    const started = performance.now();
    await clock.advance(48 * HOUR + 1000);
    const elapsed = performance.now() - started;
    assert.equal(fired, 48_000);
    assert.equal(clock.now(), 48 * HOUR + 1000);
    assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
  });
});
