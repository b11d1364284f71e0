/**
 * The scenario presets C0–C9 of reference/reliability.md § c.5, in order: each builds its
 * network, runs its workload and reports its pass criteria with the measured figures.
 *
 * @module
 */
import type { Preset } from "./preset_kit.ts";
import { c7, c8 } from "./presets_adversary.ts";
import { c2, c3, c4, c5 } from "./presets_churn.ts";
import { c0, c1, c6, c9 } from "./presets_network.ts";

/**
 * Every preset, C0 to C9.
 *
 * @example
 * ```ts
 * import { PRESETS } from "@kdht/core/testing";
 *
 * console.log(PRESETS.map((p) => p.id).join(" ")); // C0 C1 C2 C3 C4 C5 C6 C7 C8 C9
 * const report = await PRESETS[0]!.run({ nodes: 60, lookups: 20, seed: 3 });
 * console.log(report.criteria.length); // 3
 * ```
 */
export const PRESETS: readonly Preset[] = [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9];

/**
 * The preset named `id` (case-insensitive).
 *
 * @param id `C0` … `C9`
 * @returns the preset
 * @throws {RangeError} if there is none of that name
 */
export function presetById(id: string): Preset {
  const preset = PRESETS.find((p) => p.id === id.toUpperCase());
  if (preset === undefined) {
    throw new RangeError(
      `Unknown preset '${id}': expected one of ${PRESETS.map((p) => p.id).join(", ")} or all`,
    );
  }
  return preset;
}
