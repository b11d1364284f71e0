// The rules of DESIGN.md that keep the core portable, checked on the source itself.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Finds the repository's src/ from this file (tests/ in the source tree, npm/esm/tests/ when built).
function sourceRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, "src", "node.ts"))) return join(dir, "src");
  }
  return undefined;
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []
  );
}

const src = sourceRoot();
describe("layering", { skip: src ? false : "source tree not found next to the tests" }, () => {
  it("src/ names no runtime global and imports no node: module", () => {
    for (const file of files(src!)) {
      const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      assert.doesNotMatch(code, /\bDeno\.|\bBun\.|from "node:|import\("node:/, file);
    }
  });
  it("src/ uses host timers only in clock.ts", () => {
    for (const file of files(src!)) {
      if (file.endsWith(join("src", "clock.ts")) || file.includes(join("src", "testing"))) continue;
      const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      assert.doesNotMatch(code, /\b(setTimeout|setInterval|setImmediate)\(/, file);
    }
  });
});
