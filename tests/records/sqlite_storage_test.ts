/**
 * SqliteStorage: the storage conformance suite on a real SQLite file, then what only a
 * persistent store promises: records and counters survive a close and reopen, the file is
 * held by one store, every put and due-query is an index search (asked of SQLite itself),
 * and records whose puts returned survive the writing process being SIGKILLed.
 *
 * Everything but the last test is skipped where the runtime has no `node:sqlite` (Node 20);
 * that test checks that there, creating a store fails with an error naming the versions.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { KademliaNode } from "../../mod.ts";
import { idToHex } from "../../src/id/node_id.ts";
import { MemoryNetwork } from "../../src/testing/memory_network.ts";
import type { Storage } from "../../src/records/storage.ts";
import { loadNodeSqlite, SQLITE_RUNTIMES } from "../../adapters/_node_sqlite.ts";
import { SQL } from "../../adapters/_sqlite_schema.ts";
import { SqliteStorage } from "../../adapters/sqlite.ts";
import { keyAt, LOCAL_ID, makeRecord, storageSuite } from "../_suites/storage_suite.ts";
import { BURST, childKey, childValue } from "./_sqlite_kill.ts";

const sqlite = (() => {
  try {
    return loadNodeSqlite();
  } catch {
    return undefined;
  }
})();
const skip = sqlite
  ? false
  : `this runtime has no node:sqlite (SqliteStorage needs ${SQLITE_RUNTIMES})`;

const dir = mkdtempSync(join(tmpdir(), "kdht-sqlite-"));
let files = 0;
const freshPath = (): string => join(dir, `store-${files++}.db`);

function contents(storage: Storage): unknown[] {
  return [...storage.records()]
    .map((r) => ({ ...r, key: idToHex(r.key) }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
}

const host = globalThis as { Deno?: unknown; Bun?: unknown };

/** Runs the child with this runtime, the way this runtime runs a script. */
function spawnChild(dbPath: string): ReturnType<typeof spawn> {
  const ext = import.meta.url.endsWith(".js") ? "js" : "ts";
  const script = fileURLToPath(new URL(`./_sqlite_child.${ext}`, import.meta.url));
  const args = host.Deno !== undefined ? ["run", "-A", script, dbPath] : [script, dbPath];
  return spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
}

// One outer describe so the cleanup runs everywhere: Deno skips a top-level `after` when the
// file's last describe is skipped, as one of these always is.
describe("SqliteStorage", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  storageSuite("file", (options) => new SqliteStorage(freshPath(), options), { skip });

  describe("persistence", { skip }, () => {
    it("reopens with its records, their types and its counters", () => {
      const path = freshPath();
      const first = new SqliteStorage(path, { maxRecords: 4, maxBytes: 64 });
      first.open(LOCAL_ID);
      first.put(makeRecord(keyAt(0x80), "text ✓", { name: "/ns/a", publisher: LOCAL_ID }));
      first.put(makeRecord(keyAt(0x40), Uint8Array.of(1, 2, 3), { local: true }));
      first.put(makeRecord(keyAt(0x20), "", { cached: true, expiresAt: 5 }));
      first.put(makeRecord(keyAt(0x10), new Uint8Array(0)));
      first.put(makeRecord(keyAt(0x08))); // evicts 0x80
      first.put(makeRecord(keyAt(0xf0))); // full
      first.put(makeRecord(keyAt(0x01), new Uint8Array(65))); // too_large
      first.removeExpired(5); // 0x20
      const before = { stats: first.stats(), records: contents(first) };
      assert.deepEqual(before.stats, {
        records: 3,
        bytes: 4,
        evictions: 1,
        refusals: { full: 1, too_large: 1 },
        expired: 1,
      });
      first.close();
      const second = new SqliteStorage(path, { maxRecords: 3, maxBytes: 64 });
      try {
        assert.deepEqual({ stats: second.stats(), records: contents(second) }, before);
        assert.ok(second.get(keyAt(0x10))!.value instanceof Uint8Array, "empty bytes stay bytes");
        // Before open, a reopened store measures from the id it was last opened with: from
        // LOCAL_ID keyAt(0x08) is the farthest replica; from the zero id it would be keyAt(0x04).
        second.delete(keyAt(0x10));
        second.put(makeRecord(keyAt(0x04)));
        assert.deepEqual(second.put(makeRecord(keyAt(0x02))), { stored: true, evicted: 1 });
        assert.equal(second.get(keyAt(0x08)), undefined);
        assert.ok(second.get(keyAt(0x04)));
      } finally {
        second.close();
      }
    });

    it("reopened with another id, evicts by distance from that id", () => {
      const path = freshPath();
      const first = new SqliteStorage(path, { maxRecords: 3 });
      first.open(LOCAL_ID);
      for (const d of [0x80, 0x40, 0x20]) first.put(makeRecord(keyAt(d)));
      first.close();
      const other = keyAt(0xc0); // from here keyAt(0x20) is farthest (0xe0), keyAt(0x80) nearest
      const second = new SqliteStorage(path, { maxRecords: 3 });
      try {
        second.open(other);
        assert.deepEqual(second.put(makeRecord(keyAt(0x01, 0, other))), {
          stored: true,
          evicted: 1,
        });
        assert.equal(second.get(keyAt(0x20)), undefined);
      } finally {
        second.close();
      }
      const third = new SqliteStorage(path, { maxRecords: 3 });
      try {
        // The new id was saved: the farthest from `other` now is keyAt(0x40) (0x80).
        assert.deepEqual(third.put(makeRecord(keyAt(0x02, 0, other))), {
          stored: true,
          evicted: 1,
        });
        assert.equal(third.get(keyAt(0x40)), undefined);
      } finally {
        third.close();
      }
    });

    it("records() reads every record, past one page", () => {
      const storage = new SqliteStorage(freshPath());
      try {
        for (let i = 0; i < 700; i++) storage.put(makeRecord(childKey(i), `v${i}`));
        storage.delete(childKey(300));
        const keys = new Set([...storage.records()].map((r) => idToHex(r.key)));
        assert.equal(keys.size, 699);
        assert.equal(keys.has(idToHex(childKey(300))), false);
      } finally {
        storage.close();
      }
    });

    it("lives in memory with ':memory:'", () => {
      const storage = new SqliteStorage(":memory:");
      try {
        storage.put(makeRecord(keyAt(1), "x"));
        assert.equal(storage.get(keyAt(1))?.value, "x");
      } finally {
        storage.close();
      }
    });

    it("holds its file: a second store on it is refused with the reason", () => {
      const path = freshPath();
      const first = new SqliteStorage(path);
      try {
        assert.throws(() => new SqliteStorage(path), {
          message: new RegExp(`Cannot open SqliteStorage at '.*': .*another SqliteStorage`),
        });
      } finally {
        first.close();
      }
      new SqliteStorage(path).close();
    });

    it("refuses to be used after close; close commits what is pending", () => {
      const path = freshPath();
      const storage = new SqliteStorage(path);
      storage.put(makeRecord(keyAt(1), "pending"));
      storage.close(); // no await: the commit must not wait for the microtask
      assert.throws(() => storage.get(keyAt(1)), { message: "SqliteStorage is closed" });
      assert.throws(() => storage.put(makeRecord(keyAt(2))), {
        message: "SqliteStorage is closed",
      });
      const reopened = new SqliteStorage(path);
      try {
        assert.equal(reopened.get(keyAt(1))?.value, "pending");
      } finally {
        reopened.close();
      }
    });

    it("rejects a bad path or synchronous setting", () => {
      assert.throws(() => new SqliteStorage(42 as unknown as string), TypeError);
      assert.throws(() => new SqliteStorage(":memory:", { synchronous: "off" as "full" }), {
        name: "RangeError",
        message: `Cannot create storage: 'synchronous' must be "normal" or "full", got off`,
      });
      assert.throws(() => new SqliteStorage(join(dir, "missing", "x.db")), {
        message: /Cannot open SqliteStorage at '.*x\.db': /,
      });
    });
  });

  describe("under a node", { skip }, () => {
    it("a restarted KademliaNode on the same file and id still holds what it set", async () => {
      const path = freshPath();
      const network = new MemoryNetwork();
      const nodeId = "ab".repeat(20);
      const first = new KademliaNode({
        nodeId,
        transport: network.bind,
        storage: new SqliteStorage(path),
      });
      await first.listen(0);
      await first.set("text key", "text ✓");
      await first.set("bytes key", Uint8Array.of(0, 1, 2));
      await first.close(); // closes the store
      const storage = new SqliteStorage(path);
      const second = new KademliaNode({ nodeId, transport: network.bind, storage });
      try {
        await second.listen(0);
        assert.equal(await second.get("text key"), "text ✓");
        assert.deepEqual(await second.get("bytes key"), Uint8Array.of(0, 1, 2));
        assert.equal(storage.republishDue(Number.MAX_SAFE_INTEGER).length, 2, "both are its own");
      } finally {
        await second.close();
      }
    });
  });

  describe("the file", { skip }, () => {
    it("is in WAL mode, and every put and due-query is an index search", () => {
      const path = freshPath();
      new SqliteStorage(path).close();
      const db = new sqlite!.DatabaseSync(path);
      try {
        assert.equal(db.prepare("PRAGMA journal_mode").get()?.journal_mode, "wal");
        const key = new Uint8Array(20);
        const plans: Record<string, [unknown[], RegExp]> = {
          get: [[key], /USING (COVERING )?INDEX sqlite_autoindex_kdht_records_1\b/],
          existing: [[key], /USING (COVERING )?INDEX sqlite_autoindex_kdht_records_1\b/],
          nextVictim: [[key, key, key], /USING (COVERING )?INDEX kdht_evictable\b/],
          deleteRow: [[1], /USING INTEGER PRIMARY KEY/],
          deleteKey: [[key], /USING (COVERING )?INDEX sqlite_autoindex_kdht_records_1\b/],
          republishDue: [[0], /USING (COVERING )?INDEX kdht_republish\b/],
          replicateDue: [[0], /USING (COVERING )?INDEX kdht_replicate\b/],
          removeExpired: [[0], /USING (COVERING )?INDEX kdht_expiry\b/],
          page: [[0, 10], /USING INTEGER PRIMARY KEY/],
        };
        for (const [name, [params, index]] of Object.entries(plans)) {
          const sql = SQL[name as keyof typeof SQL];
          const details = db.prepare(`EXPLAIN QUERY PLAN ${sql}`)
            .all(...(params as (Uint8Array | number)[]))
            .map((row) => String(row.detail));
          assert.ok(details.some((d) => index.test(d)), `${name}: ${details.join("; ")}`);
          assert.ok(!details.some((d) => /^SCAN kdht_records\b/.test(d)), `${name} scans`);
          assert.ok(!details.some((d) => /TEMP B-TREE/.test(d)), `${name} sorts`);
        }
      } finally {
        db.close();
      }
    });
  });

  describe("a killed writer", { skip }, () => {
    it("loses no record whose put returned before SIGKILL, and no burst in part", async () => {
      const path = freshPath();
      const child = spawnChild(path);
      let out = "";
      let err = "";
      let acknowledged = -1;
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
        child.on("exit", (code, signal) => resolve({ code, signal }));
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      try {
        child.stderr!.on("data", (chunk) => (err += String(chunk)));
        child.stdout!.on("data", (chunk) => {
          out += String(chunk);
          const lines = out.split("\n");
          out = lines.pop()!;
          for (const line of lines) acknowledged = Number(line);
          // Kill it mid-stream, once it has written a fair amount.
          if (acknowledged >= 200) child.kill("SIGKILL");
        });
        const { code, signal } = await exited;
        assert.equal(signal, "SIGKILL", `the child ended by itself (code ${code}): ${err}`);
      } finally {
        clearTimeout(timer);
      }
      assert.ok(acknowledged >= 200, `the child acknowledged ${acknowledged + 1} bursts: ${err}`);
      const storage = new SqliteStorage(path);
      try {
        for (let i = 0; i < (acknowledged + 1) * BURST; i++) {
          assert.deepEqual(storage.get(childKey(i))?.value, childValue(i), `record ${i}`);
        }
        // Each burst was one transaction: a burst is in the file whole or not at all.
        assert.equal(storage.size % BURST, 0, `${storage.size} records`);
        const bursts = storage.size / BURST;
        for (let i = 0; i < bursts * BURST; i++) {
          assert.deepEqual(storage.get(childKey(i))?.value, childValue(i), `record ${i}`);
        }
      } finally {
        storage.close();
      }
    });
  });

  describe("without node:sqlite", {
    skip: sqlite ? "this runtime has node:sqlite" : false,
  }, () => {
    it("imports, and fails at construction naming the runtimes that have it", () => {
      assert.throws(() => new SqliteStorage(":memory:"), {
        name: "Error",
        message: new RegExp(
          `^Cannot create SqliteStorage: this runtime \\(Node v[\\d.]+\\) has no 'node:sqlite'; ` +
            `it needs Deno ≥ 2\\.2, Bun ≥ 1\\.4 or Node ≥ 22\\.13$`,
        ),
      });
    });
  });
});
