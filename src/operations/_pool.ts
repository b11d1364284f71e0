/**
 * Runs tasks with a bounded number in progress (STYLE.md: background work never launches
 * everything at once).
 *
 * @module
 */

/**
 * Runs `tasks` with at most `limit` in progress at once, in order.
 *
 * @param tasks functions that start one piece of work each
 * @param limit how many may run at once
 * @returns every result, in the tasks' order; rejects with the first failure
 */
export async function inPool<T>(
  tasks: readonly (() => Promise<T>)[],
  limit: number,
): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
