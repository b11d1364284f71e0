// The lifecycle options: defaults from kademlia-dynamic, 0 = never, range checks with messages
// that name the option, and every background timer cancelled by close().
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { KademliaNode } from "../../mod.ts";
import {
  MIN_CACHE_TTL_MS,
  RECORD_TTL_MS,
  REFRESH_INTERVAL_MS,
  REPLICATE_INTERVAL_MS,
  REPUBLISH_INTERVAL_MS,
  SAVE_STATE_INTERVAL_MS,
} from "../../src/constants.ts";
import { resolveLifecycle } from "../../src/maintenance/lifecycle_options.ts";
import type { StateStore } from "../../src/state/state_store.ts";
import { MemoryNetwork } from "../../src/testing/memory_network.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import { createSim } from "../_helpers/sim.ts";

describe("lifecycle options", () => {
  it("default to kademlia-dynamic's constants", () => {
    const resolved = resolveLifecycle({}, RECORD_TTL_MS);
    assert.equal(RECORD_TTL_MS, 86_410_000);
    assert.equal(resolved.republishIntervalMs, REPUBLISH_INTERVAL_MS);
    assert.equal(REPUBLISH_INTERVAL_MS, 86_400_000);
    assert.equal(resolved.replicateIntervalMs, REPLICATE_INTERVAL_MS);
    assert.equal(REPLICATE_INTERVAL_MS, 3_600_000);
    assert.equal(resolved.refreshIntervalMs, REFRESH_INTERVAL_MS);
    assert.equal(REFRESH_INTERVAL_MS, 3_600_000);
    assert.equal(resolved.minCacheTtlMs, MIN_CACHE_TTL_MS);
    assert.equal(MIN_CACHE_TTL_MS, 600_000);
    assert.equal(resolved.saveStateIntervalMs, SAVE_STATE_INTERVAL_MS);
    assert.equal(resolved.stateFile, undefined);
  });

  it("scale the republish interval with a shorter recordTtlMs, keeping it below the TTL", () => {
    const resolved = resolveLifecycle({}, 3_600_000);
    assert.equal(resolved.republishIntervalMs, Math.floor(3_600_000 * 86_400 / 86_410));
    assert.ok(resolved.republishIntervalMs < 3_600_000);
    assert.equal(resolved.minCacheTtlMs, 600_000);
    assert.equal(resolveLifecycle({}, 60_000).minCacheTtlMs, 60_000);
  });

  it("accept 0 as never", () => {
    const resolved = resolveLifecycle({
      republishIntervalMs: 0,
      replicateIntervalMs: 0,
      refreshIntervalMs: 0,
      saveStateIntervalMs: 0,
      minCacheTtlMs: 0,
    }, RECORD_TTL_MS);
    assert.equal(resolved.republishIntervalMs, 0);
    assert.equal(resolved.replicateIntervalMs, 0);
    assert.equal(resolved.refreshIntervalMs, 0);
  });

  it("refuse values out of range, naming the option", () => {
    const bad: [Record<string, unknown>, RegExp, ErrorConstructor][] = [
      [
        { replicateIntervalMs: 500 },
        /'replicateIntervalMs' must be 0 \(never\) or an integer from 1000/,
        RangeError,
      ],
      [{ refreshIntervalMs: -1 }, /'refreshIntervalMs'/, RangeError],
      [{ refreshIntervalMs: 1.5e3 + 0.5 }, /'refreshIntervalMs'/, RangeError],
      [
        { republishIntervalMs: RECORD_TTL_MS },
        /'republishIntervalMs' \(86410000\) must be shorter than 'recordTtlMs' \(86410000\)/,
        RangeError,
      ],
      [{ saveStateIntervalMs: Number.NaN }, /'saveStateIntervalMs'/, RangeError],
      [
        { minCacheTtlMs: RECORD_TTL_MS + 1 },
        /'minCacheTtlMs' must be an integer from 0 to recordTtlMs/,
        RangeError,
      ],
      [{ stateFile: "" }, /'stateFile' must be a non-empty path/, TypeError],
      [{ stateFile: 7 }, /'stateFile'/, TypeError],
      [{ stateStore: { read() {} } }, /'stateStore' must have read\(\) and write\(\)/, TypeError],
      [{ onStateWarning: "loud" }, /'onStateWarning' must be a function/, TypeError],
    ];
    for (const [options, message, type] of bad) {
      assert.throws(() => new KademliaNode(options), (error: Error) => {
        assert.ok(error instanceof type, `${JSON.stringify(options)}: ${error.name}`);
        assert.match(error.message, /^Cannot create node: /);
        assert.match(error.message, message);
        return true;
      });
    }
  });
});

describe("close()", () => {
  it("cancels every background timer: nothing is left on the clock", async () => {
    const files = new Map<string, Uint8Array>();
    const stateStore: StateStore = {
      read: (path) => Promise.resolve(files.get(path)),
      write: (path, bytes) => Promise.resolve(void files.set(path, bytes)),
    };
    const sim = await createSim({ size: 8, seed: 9, node: { k: 3, stateStore } });
    // Every job is scheduled while the nodes run.
    for (const [i, node] of sim.nodes.entries()) {
      await sim.run(node.set(`key ${i}`, "v"));
    }
    await sim.clock.advance(2 * 3_600_000);
    assert.ok(sim.clock.pendingTimers > 0);
    for (const node of sim.nodes) await sim.run(node.close());
    assert.equal(sim.clock.pendingTimers, 0, "no timer survives close()");
  });

  it("saves the state file, once the jobs in progress have finished", async () => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork({ clock });
    const writes: string[] = [];
    const stateStore: StateStore = {
      read: () => Promise.resolve(undefined),
      write: (path) => Promise.resolve(void writes.push(path)),
    };
    const node = new KademliaNode({
      transport: network.bind,
      clock,
      stateStore,
      stateFile: "a.json",
      saveStateIntervalMs: 600_000,
    });
    await node.listen(0);
    await clock.advance(3 * 600_000 + 1);
    assert.deepEqual(writes, ["a.json", "a.json", "a.json"], "saved every 10 minutes");
    assert.equal(node.stats().maintenance.saves, 3);
    await node.close();
    assert.equal(writes.length, 4, "and on close");
    assert.equal(clock.pendingTimers, 0);
  });
});

describe("a process whose nodes closed", () => {
  it("exits by itself: close() leaves no timer and no socket behind", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kdht-close-"));
    try {
      const ext = import.meta.url.endsWith(".js") ? "js" : "ts";
      const script = fileURLToPath(new URL(`./_close_child.${ext}`, import.meta.url));
      const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;
      const argv = isDeno ? ["run", "-A", "--unstable-net", script, dir] : [script, dir];
      const child = spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout!.on("data", (chunk) => (out += String(chunk)));
      child.stderr!.on("data", (chunk) => (err += String(chunk)));
      let closedAt = 0;
      child.stdout!.on("data", () => {
        if (closedAt === 0 && out.includes("closed")) closedAt = Date.now();
      });
      const exited = await new Promise<{ code: number | null; lingered: number }>((resolve) => {
        const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        child.on("exit", (code) => {
          clearTimeout(killer);
          resolve({ code, lingered: Date.now() - closedAt });
        });
      });
      assert.ok(out.includes("closed"), `the child did not get to close(): ${err}`);
      assert.equal(exited.code, 0, `the child was killed, still alive after close(): ${err}`);
      // The shortest background period is 1 s (the saves); a leaked one would keep it longer.
      assert.ok(exited.lingered < 900, `exited ${exited.lingered} ms after close()`);
      assert.ok(existsSync(join(dir, "a.json")) && existsSync(join(dir, "b.json")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
