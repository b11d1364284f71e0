// The churn run of churn_test.ts and churn_off_test.ts (two files, so runners that run test
// files in parallel run the two at once): 300 nodes, 10 % replaced every 2 h, 48 h, 500 values
// from 20 publishers that stay and 20 from nodes that leave at once.
import { type ChurnOptions, type ChurnResult, HOUR, runChurn } from "../_helpers/churn.ts";
import { run, treeFile } from "../_helpers/spawn.ts";

/** The run's options; `hours` shortens it for profiling (scripts/alloc_by_function.ts). */
export function churnRunOptions(maintenance: boolean, hours = 48): ChurnOptions {
  return {
    size: 300,
    values: 500,
    publishers: 20,
    orphans: 20,
    churnFraction: 0.1,
    churnEveryMs: 2 * HOUR,
    durationMs: hours * HOUR,
    orphanCheckMs: 23 * HOUR,
    seed: 7,
    maintenance,
    node: { serialization: "bencode" },
  };
}

/** The run, in this process. */
export function churnRunHere(maintenance: boolean): Promise<ChurnResult> {
  return runChurn(churnRunOptions(maintenance));
}

/**
 * The run, in a child process of this runtime (tests/maintenance/_churn_child.ts). Inside
 * `node --test` every promise pays for the runner's async-context tracking (Node 22's
 * AsyncLocalStorage rides on promise hooks), and the run makes millions: 12 simulated hours
 * took 36.9 s there against 25.8 s in a plain process. The child runs the same code without
 * that tax, in every runtime alike.
 */
export async function churnRun(maintenance: boolean): Promise<ChurnResult> {
  const { code, stdout, stderr } = await run(
    treeFile("tests/maintenance/_churn_child.ts"),
    [maintenance ? "on" : "off"],
    880_000,
  );
  const line = stdout.split("\n").find((l) => l.startsWith("churn-result "));
  if (code !== 0 || line === undefined) {
    throw new Error(`the churn run exited with ${code}:\n${stdout}\n${stderr}`);
  }
  return JSON.parse(line.slice("churn-result ".length)) as ChurnResult;
}

/** Prints a run's figures on one line. */
export function report(label: string, result: ChurnResult): void {
  const { byMethod, maintenanceStats, ...figures } = result;
  console.log(`churn ${label}: ${JSON.stringify({ ...figures, byMethod, maintenanceStats })}`);
}
