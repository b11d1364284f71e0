#!/usr/bin/env node
// `npm run bench`: every benchmark in bench/, on Deno and Bun from source and on Node from the
// npm build (run `npm run build:npm` first for the Node column). Each prints its own JSON.
// The side-by-side comparisons start every runtime themselves as child processes, so they run
// once, from Deno (their Node children need the npm build too).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv.slice(2);
const benches = readdirSync(join(root, "bench"))
  .filter((f) => f.endsWith(".ts") && !f.startsWith("_"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
const orchestrators = new Set(["vs_bittorrent_dht.ts", "krpc_load.ts"]);
for (const file of benches) {
  if (orchestrators.has(file)) {
    console.log(`\n=== ${file} (all runtimes)`);
    spawnSync(join(root, "node_modules/.bin/deno"), ["run", "-A", join("bench", file)], {
      cwd: root,
      stdio: "inherit",
    });
    continue;
  }
  const runs = [
    ["deno", join(root, "node_modules/.bin/deno"), ["run", "-A", join("bench", file)]],
    ["bun", join(root, "node_modules/.bin/bun"), [join("bench", file)]],
  ];
  const built = join(root, "npm/esm/bench", file.replace(/\.ts$/, ".js"));
  if (existsSync(built)) runs.push(["node", process.execPath, [built]]);
  for (const [name, command, args] of runs) {
    console.log(`\n=== ${file} on ${name}`);
    spawnSync(command, args, { cwd: root, stdio: "inherit" });
  }
}
