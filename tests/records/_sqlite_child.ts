/**
 * The process the SQLite kill test kills: it writes records through SqliteStorage in bursts
 * of `BURST` synchronous puts and, once a burst's puts have returned and an `await` has
 * resumed (as it would after the node's `set()` resolves), prints the burst's number. The
 * parent SIGKILLs it mid-stream and checks that every printed burst is in the file.
 *
 * Usage: `<runtime> _sqlite_child.ts <db path>`. Bounded: it stops by itself after
 * `MAX_BURSTS` bursts or 20 s.
 */
import process from "node:process";
import { SqliteStorage } from "../../adapters/sqlite.ts";
import { BURST, childKey, childValue } from "./_sqlite_kill.ts";

const MAX_BURSTS = 50_000;
const DEADLINE = Date.now() + 20_000;

const path = process.argv.at(-1)!;
const storage = new SqliteStorage(path);
storage.open(new Uint8Array(20));
for (let burst = 0; burst < MAX_BURSTS && Date.now() < DEADLINE; burst++) {
  for (let i = burst * BURST; i < (burst + 1) * BURST; i++) {
    const result = storage.put({
      key: childKey(i),
      value: childValue(i),
      publishedAt: i,
      expiresAt: Number.MAX_SAFE_INTEGER,
      receivedAt: i,
      local: i % 2 === 0,
    });
    if (!result.stored) throw new Error(`put ${i} refused: ${JSON.stringify(result)}`);
  }
  await null;
  process.stdout.write(`${burst}\n`);
}
storage.close();
