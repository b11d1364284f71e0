// We support the Node versions we test: the Node leg of `npm test` must run on a Node inside the
// range package.json claims (`engines.node`), and the npm build must claim the same range.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

interface PackageJson {
  name?: string;
  engines?: { node?: string };
}

// The repository root from this file (tests/ in the source tree, npm/esm/tests/ when built).
function repoRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, "deno.json")) && existsSync(join(dir, "package.json"))) return dir;
  }
  return undefined;
}

function readPackage(path: string): PackageJson {
  return JSON.parse(readFileSync(path, "utf8")) as PackageJson;
}

/** `">=22.13"` → `[22, 13, 0]`; the only form of range we claim. */
function floor(range: string): [number, number, number] {
  const match = /^>=(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range);
  assert.ok(match, `engines.node should be a plain '>=X.Y' range, got '${range}'`);
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

function atLeast(version: string, min: [number, number, number]): boolean {
  const parts = version.replace(/^v/, "").split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const have = parts[i] ?? 0;
    if (have !== min[i]) return have > min[i]!;
  }
  return true;
}

const host = globalThis as { Deno?: unknown; Bun?: unknown };
const onNode = host.Deno === undefined && host.Bun === undefined;
const root = repoRoot();
const skip = root === undefined
  ? "package.json not found above the tests"
  : onNode
  ? false
  : "engines.node is about Node; Deno and Bun only emulate its version number";

describe("supported Node range (engines.node)", { skip }, () => {
  it("the Node running this suite is inside the range package.json claims", () => {
    const range = readPackage(join(root!, "package.json")).engines?.node;
    assert.ok(range, "package.json declares engines.node");
    const version = (globalThis as { process?: { version?: string } }).process?.version ?? "";
    assert.ok(atLeast(version, floor(range)), `Node ${version} is outside '${range}'`);
  });

  it("the npm build declares the same range as package.json", () => {
    const built = join(root!, "npm", "package.json");
    assert.ok(existsSync(built), "npm/package.json exists (the Node leg runs the build)");
    assert.equal(
      readPackage(built).engines?.node,
      readPackage(join(root!, "package.json")).engines?.node,
    );
  });
});
