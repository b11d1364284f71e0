// Every example in examples/ runs to the end in this runtime, as a user would run it, so the
// examples cannot rot. Node runs the .ts file itself where it strips types (22.18+), else the
// compiled copy from the npm build.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { CLI, ROOT, run, RUNTIME, start, treeFile } from "./_helpers/spawn.ts";

function example(name: string): string {
  const strips = (process as { features?: { typescript?: unknown } }).features?.typescript;
  const source = join(ROOT, "examples", name);
  return RUNTIME === "node" && strips && existsSync(source) ? source : treeFile(`examples/${name}`);
}

describe(`examples (${RUNTIME})`, () => {
  it("join_and_store.ts joins its own seed, stores, and reads back through another node", async () => {
    const { code, stdout, stderr } = await run(example("join_and_store.ts"), [], 60_000);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^seed node listening on 127\.0\.0\.1:\d+$/m);
    assert.match(stdout, /^stored "greeting" on 1 peer\(s\)$/m);
    assert.match(stdout, /^another node read "greeting": "hello from join_and_store"$/m);
  });

  it("join_and_store.ts joins a kdht node running in another process", async () => {
    const node = start(CLI, ["node", "--port", "0"]);
    try {
      const [, address] = await node.waitFor(/listening at=(127\.0\.0\.1:\d+)/);
      const { code, stdout, stderr } = await run(example("join_and_store.ts"), [address!], 60_000);
      assert.equal(code, 0, stderr);
      assert.match(stdout, new RegExp(`^joined through ${address}: \\d+ peer\\(s\\)`, "m"));
      assert.match(stdout, /^another node read "greeting": "hello from join_and_store"$/m);
      node.signal("SIGTERM");
      assert.equal(await node.exited, 0);
    } finally {
      node.stop();
    }
  });

  it("two_processes.ts: two processes find each other by id and exchange a value", async () => {
    const { code, stdout, stderr } = await run(example("two_processes.ts"), [], 60_000);
    assert.equal(code, 0, stderr);
    for (
      const line of [
        /^second: found the first process by id: [0-9a-f]{40}@127\.0\.0\.1:\d+$/m,
        /^first: get\("from-second"\) → "hello from process \d+"$/m,
        /^first: found the second process by id: [0-9a-f]{40}@127\.0\.0\.1:\d+$/m,
        /^second: pinged by the first process; exiting$/m,
      ]
    ) assert.match(stdout, line);
  });

  it("simulate_1000.ts: 1,000 simulated nodes join and every value is read back", async () => {
    const { code, stdout, stderr } = await run(example("simulate_1000.ts"), [], 180_000);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^1000 nodes joined in \d+ s of simulated time$/m);
    assert.match(stdout, /^read back 100\/100 values; [\d.]+ rounds per read$/m);
  });
});
