// Runs the churn run of _churn_run.ts in a process of its own and prints its result as one
// JSON line: `<runtime> _churn_child.ts on|off`.
import process from "node:process";
import { churnRunHere } from "./_churn_run.ts";

const result = await churnRunHere(process.argv[2] === "on");
console.log(`churn-result ${JSON.stringify(result)}`);
