#!/usr/bin/env node
// Proves the npm package is real: `npm pack` of the build output, installed into an empty
// temporary Node project, imported by name, and used to send a datagram over loopback through
// the Node adapter and to run a two-node DHT, on the Node that runs this script (test_all.mjs
// starts it with the pinned node_modules/.bin/node). Run after scripts/build_npm.ts.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const work = mkdtempSync(join(tmpdir(), "kdht-pack-"));
const npm = (args, cwd) =>
  execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd,
    encoding: "utf8",
  });

console.log(`pack smoke on Node ${process.version} (${process.execPath})`);
try {
  const tarball = npm(["pack", join(root, "npm"), "--pack-destination", work], work).trim().split(
    "\n",
  ).at(-1);
  const app = join(work, "app");
  execFileSync("mkdir", ["-p", app]);
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "app", private: true, type: "module" }),
  );
  npm(["install", join(work, tarball)], app);
  // Runtime dependencies must arrive with the package, not be bundled into it or forgotten.
  const manifest = JSON.parse(readFileSync(join(root, "npm", "package.json"), "utf8"));
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    if (!existsSync(join(app, "node_modules", dependency, "package.json"))) {
      throw new Error(`installing the package did not install its dependency ${dependency}`);
    }
  }
  writeFileSync(
    join(app, "smoke.mjs"),
    `
import { createNodeTransport } from "@kdht/core/node";
import * as core from "@kdht/core";
import { MemoryNetwork } from "@kdht/core/testing";

const a = await createNodeTransport({ hostname: "127.0.0.1" });
const b = await createNodeTransport({ hostname: "127.0.0.1" });
const got = new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("no datagram within 5 s")), 5000);
  b.onDatagram((data, from) => { clearTimeout(timer); resolve({ text: new TextDecoder().decode(data), from }); });
});
await a.send(new TextEncoder().encode("hello from npm"), b.localAddress);
const { text, from } = await got;
if (text !== "hello from npm" || from.port !== a.localAddress.port) throw new Error("wrong datagram: " + text);
await a.close();
await b.close();
if (typeof MemoryNetwork !== "function") throw new Error("@kdht/core/testing lacks MemoryNetwork");

// @kdht/core/sqlite imports on every Node; a store works where node:sqlite exists (Node >= 22.13)
// and is refused at construction, with the versions named, where it does not.
const { SqliteStorage } = await import("@kdht/core/sqlite");
let sqlite;
try {
  const storage = new SqliteStorage(":memory:");
  const key = new Uint8Array(20).fill(1);
  storage.put({ key, value: "v", publishedAt: 0, expiresAt: 1, receivedAt: 0, local: true });
  if (storage.get(key)?.value !== "v") throw new Error("SqliteStorage lost a record");
  storage.close();
  sqlite = "SqliteStorage works";
} catch (error) {
  if (!/has no 'node:sqlite'; it needs .*Node ≥ 22\\.13/.test(error.message)) throw error;
  sqlite = "SqliteStorage refused with a clear error (no node:sqlite here)";
}
console.log("pack smoke: " + sqlite);

if (typeof core.generateKeyPair === "function") {
  // BEP 44 signing goes through @noble/curves, installed as the package's dependency.
  const { publicKey, secretKey } = core.generateKeyPair();
  const message = new TextEncoder().encode("3:seqi1e1:v12:Hello World!");
  const signature = core.ed25519.sign(message, secretKey);
  if (!core.ed25519.verify(signature, message, publicKey)) throw new Error("ed25519 round trip failed");
  console.log("pack smoke: ed25519 sign/verify through the installed package ok");
}

if (typeof core.KademliaNode === "function") {
  const one = new core.KademliaNode();
  const two = new core.KademliaNode();
  await one.listen(0);
  const address = await two.listen(0);
  await one.bootstrap([[address.host, address.port]]);
  await one.set("npm-key", "npm-value");
  const value = await two.get("npm-key");
  await one.close();
  await two.close();
  if (value !== "npm-value") throw new Error("DHT round trip through the npm package failed: " + value);
  console.log("pack smoke: datagram and DHT set/get through the installed package ok on Node " + process.version);
} else {
  console.log("pack smoke: datagram through the installed package ok on Node " + process.version);
}
`,
  );
  process.stdout.write(
    execFileSync(process.execPath, ["smoke.mjs"], { cwd: app, encoding: "utf8" }),
  );
  // The package's bin: `npx kdht` runs the command line from the installed package.
  const npx = (args) =>
    execFileSync("npx", ["--no-install", "kdht", ...args], {
      cwd: app,
      encoding: "utf8",
      timeout: 60_000,
    });
  const version = npx(["--version"]).trim();
  if (version !== manifest.version) throw new Error(`npx kdht --version printed ${version}`);
  const demo = JSON.parse(npx(["demo", "--nodes", "3", "--values", "5", "--json"]));
  if (demo.readsOk !== 5) throw new Error(`npx kdht demo read ${demo.readsOk}/5 values`);
  console.log(`pack smoke: npx kdht ${version}: demo of 3 nodes read 5/5 values`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
