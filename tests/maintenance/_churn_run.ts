// The churn run of churn_test.ts and churn_off_test.ts (two files, so runners that run test
// files in parallel run the two at once): 300 nodes, 10 % replaced every 2 h, 48 h, 500 values
// from 20 publishers that stay and 20 from nodes that leave at once.
import { type ChurnResult, HOUR, runChurn } from "../_helpers/churn.ts";

export function churnRun(maintenance: boolean): Promise<ChurnResult> {
  return runChurn({
    size: 300,
    values: 500,
    publishers: 20,
    orphans: 20,
    churnFraction: 0.1,
    churnEveryMs: 2 * HOUR,
    durationMs: 48 * HOUR,
    orphanCheckMs: 23 * HOUR,
    seed: 7,
    maintenance,
    node: { serialization: "bencode" },
  });
}

/** Prints a run's figures on one line. */
export function report(label: string, result: ChurnResult): void {
  const { byMethod, maintenanceStats, ...figures } = result;
  console.log(`churn ${label}: ${JSON.stringify({ ...figures, byMethod, maintenanceStats })}`);
}
