// The step runner behind scripts/test_all.mjs, moved out of it unchanged so a test can drive it.
import { spawnSync } from "node:child_process";

export function runSteps(steps, { cwd, env = process.env, runtimes }) {
  const results = [];
  const finish = (code) => {
    console.log("\nSummary");
    for (const { runtime, passed, failed } of results) {
      if (runtimes.includes(runtime)) {
        console.log(`${runtime}: ${passed ?? 0} passed, ${failed ?? 0} failed`);
      }
    }
    process.exit(code);
  };
  for (const step of steps) {
    const args = typeof step.args === "function" ? step.args() : step.args;
    console.log(`\n=== ${step.title}: ${[step.command, ...args].join(" ")}`);
    const started = Date.now();
    const child = spawnSync(step.command, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 256 * 1024 * 1024,
      env,
    });
    if (!step.quiet || child.status !== 0) {
      process.stdout.write(child.stdout ?? "");
      process.stderr.write(child.stderr ?? "");
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (step.parse) {
      results.push({
        runtime: step.parse.runtime,
        ...step.parse.read(`${child.stdout}\n${child.stderr}`),
      });
    }
    if (child.status !== 0) {
      console.error(
        `\n=== ${step.title} failed (exit ${child.status ?? child.signal}) after ${seconds} s`,
      );
      finish(1);
    }
    console.log(`=== ${step.title} ok (${seconds} s)`);
  }
  finish(0);
}
