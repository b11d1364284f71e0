// Every TypeScript example in the README runs to the end, in this runtime, as a reader would run
// it from a file in the repository's root: the README is the front door, and an example that
// does not run is a broken promise. Node runs the file itself (it strips types from 22.18).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, run, RUNTIME } from "./_helpers/spawn.ts";

/** The ```ts blocks of the README, with the heading they sit under. */
function examples(): { heading: string; code: string }[] {
  const text = readFileSync(join(ROOT, "README.md"), "utf8");
  const found: { heading: string; code: string }[] = [];
  let heading = "";
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("#")) heading = line.replace(/^#+\s*/, "");
    if (line.trim() !== "```ts") continue;
    const start = i + 1;
    while (i + 1 < lines.length && lines[i + 1]!.trim() !== "```") i++;
    found.push({ heading, code: lines.slice(start, i + 1).join("\n") });
    i++;
  }
  return found;
}

describe(`README examples (${RUNTIME})`, () => {
  const blocks = examples();
  it("has examples to run", () => assert.ok(blocks.length >= 8, `${blocks.length} blocks`));
  for (const [index, { heading, code }] of blocks.entries()) {
    it(`runs example ${index + 1} (${heading})`, async () => {
      // In the root, so that "@kdht/core" resolves as it does for a reader of the README.
      const file = join(ROOT, `.readme_example_${RUNTIME}_${index + 1}.ts`);
      writeFileSync(file, code + "\n");
      try {
        const { code: exit, stdout, stderr } = await run(file, [], 60_000);
        assert.equal(exit, 0, `${heading}:\n${stdout}\n${stderr}`);
      } finally {
        rmSync(file, { force: true });
      }
    });
  }
});
