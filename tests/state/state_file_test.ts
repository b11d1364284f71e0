// The state-file adapters on the real file system of each runtime: Deno's API on Deno,
// node:fs on Node and Bun (and on Deno too, which has node:fs), and the runtime default the
// entry registers. A write replaces the file whole, through a temporary file in the same
// directory that does not outlive it.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KademliaNode } from "../../mod.ts";
import { fileStateStore } from "../../adapters/state_file.ts";
import { denoStateStore } from "../../adapters/state_file_deno.ts";
import { nodeStateStore } from "../../adapters/state_file_node.ts";
import { runtimeDefaults } from "../../src/runtime_defaults.ts";
import { decodeState } from "../../src/state/saved_state.ts";
import type { StateStore } from "../../src/state/state_store.ts";
import { MemoryNetwork } from "../../src/testing/memory_network.ts";

const dir = mkdtempSync(join(tmpdir(), "kdht-state-"));
let files = 0;
const fresh = (): string => join(dir, `state-${files++}.json`);
const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

const stores: [string, StateStore, boolean][] = [
  ["node:fs", nodeStateStore, true],
  ["Deno", denoStateStore, isDeno],
  ["the runtime default", fileStateStore, true],
];

describe("state files", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, store, runs] of stores) {
    describe(`on ${name}`, { skip: runs ? false : "Deno's file API needs Deno" }, () => {
      it("reads undefined for a missing file", async () => {
        assert.equal(await store.read(fresh()), undefined);
      });

      it("writes whole files, replacing the old one, and leaves no temporary file", async () => {
        const path = fresh();
        await store.write(path, new TextEncoder().encode("first"));
        assert.equal(readFileSync(path, "utf8"), "first");
        const big = new Uint8Array(300_000).fill(0x61);
        await store.write(path, big);
        assert.deepEqual(await store.read(path), big);
        await store.write(path, new TextEncoder().encode("third"));
        assert.equal(new TextDecoder().decode(await store.read(path)), "third");
        const left = readdirSync(dir).filter((f) => f.endsWith(".tmp"));
        assert.deepEqual(left, []);
      });

      it("never shows a reader a mix of two writes", async () => {
        const path = fresh();
        const a = new Uint8Array(200_000).fill(0x61);
        const b = new Uint8Array(100_000).fill(0x62);
        await Promise.all([store.write(path, a), store.write(path, b), store.write(path, a)]);
        const got = readFileSync(path);
        assert.ok(
          (got.length === a.length && got.every((x) => x === 0x61)) ||
            (got.length === b.length && got.every((x) => x === 0x62)),
          `a file of ${got.length} bytes`,
        );
      });

      it("rejects a write it cannot make, leaving nothing behind", async () => {
        const path = join(dir, "no such dir", "state.json");
        await assert.rejects(store.write(path, new Uint8Array(3)));
        assert.equal(await store.read(path), undefined);
      });

      it("rejects reading a directory (the node warns and starts fresh)", async () => {
        await assert.rejects(store.read(dir));
      });
    });
  }

  it("the @kdht/core entry registers the runtime's file system for nodes", async () => {
    assert.equal(runtimeDefaults().stateStore, fileStateStore);
    const path = fresh();
    const network = new MemoryNetwork();
    const node = new KademliaNode({ transport: network.bind, stateFile: path });
    await node.listen(0);
    await node.set("a key", "a value");
    await node.close();
    const decoded = decodeState(readFileSync(path), "json");
    assert.ok("state" in decoded, JSON.stringify(decoded));
    assert.equal(decoded.state.published.length, 1);
    const again = new KademliaNode({ transport: network.bind, stateFile: path });
    await again.listen(0);
    try {
      assert.equal(again.id, node.id);
      assert.equal(await again.get("a key"), "a value");
    } finally {
      await again.close();
    }
    // A corrupt file on disk: a warning and a fresh start.
    writeFileSync(path, '{"format": "@kdht/core node st');
    const warnings: string[] = [];
    const third = new KademliaNode({
      transport: network.bind,
      stateFile: path,
      onStateWarning: (m) => warnings.push(m),
    });
    await third.listen(0);
    await third.close();
    assert.notEqual(third.id, node.id);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /corrupt or truncated/);
    // close() saved the fresh node's state over the corrupt file.
    const rewritten = decodeState(readFileSync(path), "json");
    assert.ok("state" in rewritten);
  });
});
