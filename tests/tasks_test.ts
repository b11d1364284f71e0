// The deno.json tasks must run in a checkout after `npm ci`. Inside `deno task`, a bare command
// word that names an entry of node_modules/.bin resolves to that entry, and Deno 2.9 runs every
// such entry as a JavaScript file, even a native binary: `deno …` and `node …` there meet the
// npm packages' ELF executables and die with "Uncaught SyntaxError". So a task must not start
// with such a word; ours start with the path of a script whose shebang names the runtime, which
// deno task resolves on PATH and executes (node_modules/.bin first, else the user's own).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Upper bound for `deno task start`, a demo that takes well under a second. */
const START_TIMEOUT_MS = 30_000;

type Task = string | { command?: string; description?: string };

// The repository root from this file (tests/ in the source tree, npm/esm/tests/ when built).
function repoRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, "deno.json")) && existsSync(join(dir, "package.json"))) return dir;
  }
  return undefined;
}

function tasks(root: string): [string, string][] {
  const config = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")) as {
    tasks?: Record<string, Task>;
  };
  return Object.entries(config.tasks ?? {}).map((
    [name, task],
  ) => [name, typeof task === "string" ? task : task.command ?? ""]);
}

function run(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(
        new Error(`${command} ${args.join(" ")} did not finish within ${START_TIMEOUT_MS} ms`),
      );
    }, START_TIMEOUT_MS);
    child.stdout.on("data", (chunk) => output += String(chunk));
    child.stderr.on("data", (chunk) => output += String(chunk));
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const root = repoRoot();
const bin = root === undefined ? undefined : join(root, "node_modules", ".bin");
const skip = bin === undefined || !existsSync(join(bin, "deno"))
  ? "needs a checkout after npm ci (node_modules/.bin/deno)"
  : false;

describe("deno.json tasks in a checkout after npm ci", { skip }, () => {
  it("no task starts with a command node_modules/.bin shadows; each script it runs has a shebang", () => {
    const shadowing = new Set(readdirSync(bin!));
    const found = tasks(root!);
    assert.ok(found.length > 0, "deno.json has tasks");
    for (const [name, command] of found) {
      const word = command.trim().split(/\s+/)[0] ?? "";
      assert.ok(
        !shadowing.has(word),
        `task "${name}" starts with '${word}', which deno task resolves to node_modules/.bin/${word}` +
          " and runs as a JavaScript file",
      );
      if (word.includes("/")) {
        const script = join(root!, word);
        assert.ok(existsSync(script), `task "${name}": ${word} exists`);
        assert.match(
          readFileSync(script, "utf8").split("\n")[0] ?? "",
          /^#!\/usr\/bin\/env (-S )?(deno|node)\b/,
          `task "${name}": ${word} starts with a shebang naming its runtime`,
        );
      }
    }
  });

  it("node_modules/.bin/deno task start runs the demo to the end", async () => {
    const args = ["task", "start", "--nodes", "4", "--values", "5"];
    const { code, output } = await run(join(bin!, "deno"), args, root!);
    assert.equal(code, 0, output);
    assert.match(output, /read success\s*│\s*100\.0% \(5\/5\)/);
  });
});
