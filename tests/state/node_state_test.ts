// A node's saved state on the memory network with virtual time: a restarted node keeps its id,
// pings its saved contacts and trusts only those that answer as saved, rejoins with no
// bootstrap address, and republishes what it published; an unusable file — corrupt,
// truncated, foreign — is a warning and a fresh start, never a crash, never half-loaded.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KademliaNode } from "../../mod.ts";
import { hashKey, idToHex } from "../../src/id/node_id.ts";
import { MemoryStorage } from "../../src/records/memory_storage.ts";
import { encodeState } from "../../src/state/saved_state.ts";
import type { StateStore } from "../../src/state/state_store.ts";
import { createSim, type Sim } from "../_helpers/sim.ts";

const HOUR = 3_600_000;

/** An in-memory file system; `frozen` drops writes, like a process killed before it saves. */
class MemoryFiles implements StateStore {
  readonly files = new Map<string, Uint8Array>();
  frozen = false;
  reads = 0;
  read(path: string): Promise<Uint8Array | undefined> {
    this.reads++;
    return Promise.resolve(this.files.get(path));
  }
  write(path: string, bytes: Uint8Array): Promise<void> {
    if (!this.frozen) this.files.set(path, bytes.slice());
    return Promise.resolve();
  }
}

/** A node on the sim's network and clock, not one of `sim.nodes`. */
function extraNode(
  sim: Sim,
  files: StateStore,
  options: Record<string, unknown> = {},
): KademliaNode {
  return new KademliaNode({
    transport: sim.network.bind,
    clock: sim.clock,
    random: sim.random,
    storage: new MemoryStorage(),
    stateStore: files,
    stateFile: "node.json",
    k: 4,
    ...options,
  });
}

describe("a node restarted from its state file", () => {
  it("keeps its id, trusts only saved contacts that answer, and rejoins with no bootstrap address", async () => {
    const sim = await createSim({ size: 20, seed: 21, bootstrapFrom: 2, node: { k: 4 } });
    const files = new MemoryFiles();
    const first = extraNode(sim, files);
    try {
      await first.listen(0, "10.9.0.1");
      await sim.run(first.bootstrap([sim.nodes[0]!.address!]));
      await sim.run(first.set("mine", "published before the restart"));
      const id = first.id;
      const saved = first.peers().map((peer) => peer.id).sort();
      assert.ok(saved.length >= 8, `${saved.length} contacts`);
      await sim.run(first.saveState());
      files.frozen = true; // killed: the state on disk is the last save
      await sim.run(first.close());

      // Two saved contacts are gone, and a third's address now hosts another node.
      const gone = sim.nodes.filter((node) => saved.includes(node.id)).slice(0, 3);
      for (const node of gone) await sim.run(node.close());
      const impostor = new KademliaNode({
        transport: sim.network.bind,
        clock: sim.clock,
        random: sim.random,
        k: 4,
      });
      await impostor.listen(gone[2]!.address!.port, gone[2]!.address!.host);
      await sim.run(impostor.bootstrap([sim.nodes.find((n) => !gone.includes(n))!.address!]));

      files.frozen = false;
      const second = extraNode(sim, files);
      try {
        await sim.run(second.listen(0, "10.9.0.2"));
        assert.equal(second.id, id, "the id is the saved one");
        const pinged = second.stats().queriesByMethod.ping ?? 0;
        assert.equal(pinged, saved.length, "every saved contact was pinged first");
        const trusted = second.peers().map((peer) => peer.id);
        for (const node of gone) {
          assert.ok(!trusted.includes(node.id), "a saved contact that did not answer as saved");
        }
        assert.ok(trusted.length >= saved.length - 3, `${trusted.length} contacts back`);
        // No bootstrap address: it finds nodes and values through what it restored.
        const far = sim.nodes.find((n) => !gone.includes(n) && !saved.includes(n.id));
        assert.ok(far, "some node it never knew");
        const found = await sim.run(second.findNode(far.id));
        assert.equal(found[0]?.id, far.id);
        const other = sim.nodes.find((n) => !gone.includes(n))!;
        await sim.run(other.set("theirs", "set by another node"));
        assert.equal((await sim.run(second.findValue("theirs"))).value, "set by another node");
        // What it published came back with it (its MemoryStorage started empty) and is served.
        assert.equal(second.stats().storedValues >= 1, true, "its own record is back");
        const reader = sim.nodes.find((n) => !gone.includes(n))!;
        assert.equal(
          (await sim.run(reader.findValue("mine"))).value,
          "published before the restart",
        );
        // And republished by it, as its publisher, when due.
        await sim.clock.advance(25 * HOUR);
        assert.ok(second.stats().maintenance.republished >= 1);
        assert.equal(
          (await sim.run(reader.findValue("mine"))).value,
          "published before the restart",
        );
      } finally {
        await sim.run(second.close());
        await sim.run(impostor.close());
      }
    } finally {
      await sim.close();
    }
  });

  it("saves on close what the next listen() loads, contacts with their health", async () => {
    const sim = await createSim({ size: 10, seed: 22, node: { k: 4 } });
    const files = new MemoryFiles();
    const node = extraNode(sim, files);
    try {
      await node.listen(0, "10.9.0.3");
      await sim.run(node.bootstrap([sim.nodes[3]!.address!]));
      await sim.run(node.close());
      const text = new TextDecoder().decode(files.files.get("node.json"));
      const saved = JSON.parse(text);
      assert.equal(saved.id, node.id);
      assert.equal(saved.serialization, "json");
      assert.ok(saved.contacts.length >= 4);
      for (const contact of saved.contacts) {
        assert.ok(["good", "questionable", "bad"].includes(contact.health));
        assert.equal(typeof contact.rttvar, "number");
      }
      assert.deepEqual(saved.published, []);
    } finally {
      await sim.close();
    }
  });
});

describe("an unusable state file", () => {
  const valid = (id: Uint8Array, host: string, port: number) =>
    JSON.parse(new TextDecoder().decode(encodeState({
      id: hashKey("saved id"),
      serialization: "json",
      savedAt: 1_767_225_600_000,
      contacts: [{ id, host, port, health: "good", failures: 0, srtt: 10, rttvar: 1 }],
      published: [{
        key: hashKey("saved record"),
        value: "saved value",
        publishedAt: 1_767_225_600_000,
        expiresAt: 1_767_225_600_000 + 86_410_000,
      }],
    })));

  it("is a warning and a fresh start, never a crash and never half-loaded", async () => {
    const sim = await createSim({ size: 3, seed: 23 });
    try {
      const peer = sim.nodes[0]!;
      const { host, port } = peer.address!;
      const good = valid(
        new Uint8Array(peer.id.match(/../g)!.map((h) => parseInt(h, 16))),
        host,
        port,
      );
      const text = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
      const full = text(good);
      const cases: [string, Uint8Array | "unreadable", RegExp][] = [
        ["empty", new Uint8Array(), /the file is empty/],
        ["truncated", full.slice(0, full.length - 40), /not JSON \(corrupt or truncated\)/],
        ["binary garbage", Uint8Array.of(0, 159, 146, 150), /not JSON/],
        ["another format", text({ ...good, format: "something else" }), /not a @kdht\/core state/],
        ["another version", text({ ...good, version: 9 }), /format version 9/],
        ["another codec", text({ ...good, serialization: "bencode" }), /speaking "bencode"/],
        [
          "a bad record after good contacts",
          text({ ...good, published: [{ ...good.published[0], expiresAt: "soon" }] }),
          /corrupt: published\[0\]\.expiresAt/,
        ],
        ["unreadable", "unreadable", /cannot read state file node\.json: disk on fire/],
      ];
      for (const [name, contents, message] of cases) {
        const warnings: string[] = [];
        const files: StateStore = contents === "unreadable"
          ? {
            read: () => Promise.reject(new Error("disk on fire")),
            write: () => Promise.resolve(),
          }
          : { read: () => Promise.resolve(contents), write: () => Promise.resolve() };
        const before = peer.stats().queriesReceived;
        const node = extraNode(sim, files, { onStateWarning: (m: string) => warnings.push(m) });
        const drawn = node.id;
        try {
          await sim.run(node.listen(0));
          assert.equal(warnings.length, 1, `${name}: one warning`);
          assert.match(warnings[0]!, message, name);
          assert.match(warnings[0]!, /starting fresh$/, name);
          assert.equal(node.id, drawn, `${name}: keeps the id it drew, not the saved one`);
          assert.notEqual(node.id, idToHex(hashKey("saved id")));
          assert.equal(node.peers().length, 0, `${name}: no saved contact`);
          assert.equal(node.stats().storedValues, 0, `${name}: no saved record`);
          assert.equal(peer.stats().queriesReceived, before, `${name}: nothing was pinged`);
        } finally {
          await sim.run(node.close());
        }
      }
    } finally {
      await sim.close();
    }
  });

  it("belonging to another node id is refused when the node has a nodeId option", async () => {
    const sim = await createSim({ size: 2, seed: 24 });
    try {
      const files = new MemoryFiles();
      const good = valid(new Uint8Array(20).fill(1), "10.0.0.1", 5);
      files.files.set("node.json", new TextEncoder().encode(JSON.stringify(good)));
      const warnings: string[] = [];
      const nodeId = "12".repeat(20);
      const node = extraNode(sim, files, {
        nodeId,
        onStateWarning: (m: string) => warnings.push(m),
      });
      try {
        await sim.run(node.listen(0));
        assert.equal(node.id, nodeId);
        assert.equal(warnings.length, 1);
        assert.match(warnings[0]!, /belongs to node [0-9a-f]{40}, not to this node/);
        assert.equal(node.stats().storedValues, 0);
      } finally {
        await sim.run(node.close());
      }
      // With no file at all: a fresh start without a word.
      const quiet: string[] = [];
      const fresh = extraNode(sim, new MemoryFiles(), {
        onStateWarning: (m: string) => quiet.push(m),
      });
      await sim.run(fresh.listen(0));
      await sim.run(fresh.close());
      assert.deepEqual(quiet, []);
    } finally {
      await sim.close();
    }
  });
});
