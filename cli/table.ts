/**
 * A two-column table for summaries, in box-drawing characters.
 *
 * @module
 */

/**
 * Renders `rows` under a header.
 *
 * @param header the two column titles
 * @param rows label and value pairs; a row of `undefined` is a separator
 * @returns the table's lines
 */
export function renderTable(
  header: readonly [string, string],
  rows: readonly (readonly [string, string] | undefined)[],
): string[] {
  const all = [header, ...rows.filter((r) => r !== undefined)];
  const left = Math.max(...all.map((r) => r![0].length));
  const right = Math.max(...all.map((r) => r![1].length));
  const line = (a: string, m: string, b: string) =>
    `${a}${"─".repeat(left + 2)}${m}${"─".repeat(right + 2)}${b}`;
  const row = (r: readonly [string, string]) => `│ ${r[0].padEnd(left)} │ ${r[1].padEnd(right)} │`;
  return [
    line("┌", "┬", "┐"),
    row(header),
    line("├", "┼", "┤"),
    ...rows.map((r) => r === undefined ? line("├", "┼", "┤") : row(r)),
    line("└", "┴", "┘"),
  ];
}
