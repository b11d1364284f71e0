/**
 * Storage throughput: puts and gets per second of `SqliteStorage` (a WAL file, and
 * `":memory:"`) against `MemoryStorage`, measured in the same run; every ratio is to
 * MemoryStorage's figure for the same work.
 *
 * - putBurst: 20,000 puts into an empty store, 100 per event-loop turn (one transaction each
 *   burst), commits included.
 * - putPerTurn: 2,000 puts, each followed by an `await` (one transaction each), the way
 *   store queries arrive from the network.
 * - putFull: 20,000 puts into a store full at 10,000, so about half evict.
 * - get: 20,000 gets of held keys.
 *
 * Run: `deno run -A bench/storage.ts`, `bun bench/storage.ts`, or on Node ≥ 22.13 the built
 * `npm/esm/bench/storage.js`. Prints one JSON object; bounded (5 rounds of each figure, fewer
 * if a subject passes 30 s).
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SeededRandom } from "../src/random.ts";
import { MemoryStorage } from "../src/records/memory_storage.ts";
import type { StorageCapacityOptions } from "../src/records/capacity.ts";
import type { StoredRecord } from "../src/records/record.ts";
import type { Storage } from "../src/records/storage.ts";
import { SqliteStorage } from "../adapters/sqlite.ts";
import { runtimeLabel } from "./_runtime.ts";

const RECORDS = 20_000;
const PER_TURN = 2_000;
const BURST = 100;
const ROUNDS = 5;
const SUBJECT_BUDGET_MS = 30_000;

interface Subject {
  name: string;
  create(options: StorageCapacityOptions): Storage;
}

const dir = mkdtempSync(join(tmpdir(), "kdht-bench-storage-"));
let files = 0;
const subjects: Subject[] = [
  { name: "MemoryStorage", create: (o) => new MemoryStorage(o) },
  {
    name: "SqliteStorage (WAL file)",
    create: (o) => new SqliteStorage(join(dir, `bench-${files++}.db`), o),
  },
  { name: "SqliteStorage (:memory:)", create: (o) => new SqliteStorage(":memory:", o) },
];

const random = new SeededRandom(20260901);
const localId = random.fill(new Uint8Array(20));
const now = 1_780_000_000_000;
const records: StoredRecord[] = Array.from({ length: RECORDS }, (_, i) => ({
  key: random.fill(new Uint8Array(20)),
  // A typical small DHT value: 48 bytes, text and bytes alternating.
  value: i % 2 === 0 ? `value ${i} `.padEnd(48, "x") : random.fill(new Uint8Array(48)),
  publishedAt: now,
  expiresAt: now + 86_410_000,
  receivedAt: now,
  local: false,
}));

const tick = (): Promise<void> => Promise.resolve();

/** Runs `body` `ROUNDS` times on fresh stores; returns the median of ops per second. */
async function rate(
  subject: Subject,
  started: number,
  ops: number,
  options: StorageCapacityOptions,
  prepare: (s: Storage) => void,
  body: (s: Storage) => Promise<void>,
): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round > 0 && performance.now() - started > SUBJECT_BUDGET_MS) break;
    const storage = subject.create(options);
    storage.open(localId);
    prepare(storage);
    await tick();
    const start = performance.now();
    await body(storage);
    const ms = performance.now() - start;
    storage.close();
    rates.push(ops / (ms / 1000));
  }
  rates.sort((a, b) => a - b);
  return Math.round(rates[rates.length >> 1]!);
}

async function measure(subject: Subject): Promise<Record<string, number>> {
  const started = performance.now();
  const none = (): void => {};
  const fill = (s: Storage): void => {
    for (const r of records) s.put(r);
  };
  const putBurst = await rate(subject, started, RECORDS, {}, none, async (s) => {
    for (let i = 0; i < RECORDS; i++) {
      s.put(records[i]!);
      if (i % BURST === BURST - 1) await tick();
    }
    await tick();
  });
  const putPerTurn = await rate(subject, started, PER_TURN, {}, none, async (s) => {
    for (let i = 0; i < PER_TURN; i++) {
      s.put(records[i]!);
      await tick();
    }
  });
  const putFull = await rate(
    subject,
    started,
    RECORDS,
    { maxRecords: RECORDS / 2 },
    none,
    async (s) => {
      for (let i = 0; i < RECORDS; i++) {
        s.put(records[i]!);
        if (i % BURST === BURST - 1) await tick();
      }
      await tick();
    },
  );
  let found = 0;
  const get = await rate(subject, started, RECORDS, {}, fill, (s) => {
    for (let i = 0; i < RECORDS; i++) if (s.get(records[(i * 7919) % RECORDS]!.key)) found++;
    return tick();
  });
  // Every get must hit: a store that lost records would look fast.
  if (found === 0 || found % RECORDS !== 0) throw new Error(`${subject.name} missed a record`);
  return { putBurst, putPerTurn, putFull, get };
}

const runtime = runtimeLabel();
try {
  let sqliteMissing: string | undefined;
  try {
    new SqliteStorage(":memory:").close();
  } catch (error) {
    sqliteMissing = (error as Error).message;
  }
  if (sqliteMissing) {
    console.log(JSON.stringify({ runtime, skipped: sqliteMissing }, null, 2));
  } else {
    const results: Record<string, unknown>[] = [];
    let baseline: Record<string, number> | undefined;
    for (const subject of subjects) {
      const perSec = await measure(subject);
      baseline ??= perSec;
      const ratio: Record<string, number> = {};
      for (const [k, v] of Object.entries(perSec)) {
        ratio[k] = Math.round((v / baseline[k]!) * 1000) / 1000;
      }
      results.push({ storage: subject.name, opsPerSec: perSec, ratioVsMemory: ratio });
    }
    console.log(JSON.stringify(
      { runtime, records: RECORDS, valueBytes: 48, burst: BURST, results },
      null,
      2,
    ));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
