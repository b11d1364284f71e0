// A node killed (SIGKILL, not closed) and started again from its SQLite file and its state
// file, over real UDP on 127.0.0.1: it keeps its id, finds its neighbours with no bootstrap
// address, and serves the values it held, which no other node holds any more. Skipped where
// the runtime has no node:sqlite (Node 20).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { KademliaNode, MemoryStorage } from "../../mod.ts";
import { loadNodeSqlite, SQLITE_RUNTIMES } from "../../adapters/_node_sqlite.ts";
import { hashKey } from "../../src/id/node_id.ts";

const hasSqlite = (() => {
  try {
    loadNodeSqlite();
    return true;
  } catch {
    return false;
  }
})();
const skip = hasSqlite ? false : `this runtime has no node:sqlite (it needs ${SQLITE_RUNTIMES})`;
const host = globalThis as { Deno?: unknown };
const KEYS = 5;

function spawnChild(args: Record<string, unknown>): ChildProcess {
  const ext = import.meta.url.endsWith(".js") ? "js" : "ts";
  const script = fileURLToPath(new URL(`./_restart_child.${ext}`, import.meta.url));
  const json = JSON.stringify(args);
  const argv = host.Deno !== undefined
    ? ["run", "-A", "--unstable-net", script, json]
    : [script, json];
  return spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] });
}

/** Resolves with the child's `ready` JSON; rejects if it exits or stays silent for 15 s. */
function ready(child: ChildProcess): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`no ready line in 15 s: ${err}`)), 15_000);
    child.stderr!.on("data", (chunk) => (err += String(chunk)));
    child.stdout!.on("data", (chunk) => {
      out += String(chunk);
      const line = out.split("\n").find((l) => l.startsWith("ready "));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice(6)));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the child exited (${code}) before it was ready: ${err}`));
    });
  });
}

function kill(child: ChildProcess): Promise<string | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.signalCode);
    child.on("exit", (_code, signal) => resolve(signal));
    child.kill("SIGKILL");
  });
}

describe("a node killed and restarted on SqliteStorage and a state file", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "kdht-restart-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps its id, rejoins with no bootstrap address and serves its values, over real UDP", async () => {
    const storages = Array.from({ length: 4 }, () => new MemoryStorage());
    const peers = storages.map((storage) => new KademliaNode({ storage, k: 4 }));
    const children: ChildProcess[] = [];
    try {
      const first = await peers[0]!.listen(0);
      for (const peer of peers.slice(1)) {
        await peer.listen(0);
        await peer.bootstrap([first]);
      }
      const db = join(dir, "node.db");
      const state = join(dir, "node-state.json");
      const one = spawnChild({
        phase: "first",
        db,
        state,
        bootstrap: `${first.host}:${first.port}`,
        keys: KEYS,
      });
      children.push(one);
      const before = await ready(one);
      assert.equal(await kill(one), "SIGKILL", "killed, not closed");
      assert.ok((before.peers as number) >= 3);
      // The values now live only in the killed node's database.
      for (let i = 0; i < KEYS; i++) {
        for (const storage of storages) storage.delete(hashKey(`restart key ${i}`));
      }
      const two = spawnChild({
        phase: "second",
        db,
        state,
        port: before.port,
        target: peers[3]!.id,
      });
      children.push(two);
      const after = await ready(two);
      assert.equal(after.id, before.id, "the same id");
      assert.ok(
        (after.peers as number) >= 3,
        `${after.peers} contacts revalidated from the state file`,
      );
      assert.equal((after.found as string[])[0], peers[3]!.id, "finds a peer with no bootstrap");
      assert.equal(after.own, "restart value 0 ✓", "its own values, from its database");
      for (let i = 0; i < KEYS; i++) {
        const found = await peers[i % 4]!.findValue(`restart key ${i}`);
        assert.equal(found.value, `restart value ${i} ✓`, `restart key ${i} served by it`);
      }
    } finally {
      for (const child of children) await kill(child);
      for (const peer of peers) await peer.close();
    }
  });
});
