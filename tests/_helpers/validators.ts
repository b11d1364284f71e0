// A validator for the tests: values "<version>:<text>", the highest version best.
import type { Validator } from "../../mod.ts";

/** Values "<version>:<text>"; the highest version is best. */
export const versioned: Validator = {
  validate(_key, value) {
    if (typeof value !== "string" || !/^\d+:/.test(value)) {
      throw new Error("expected <version>:<text>");
    }
  },
  select(_key, values) {
    const version = (v: unknown) => Number(String(v).split(":")[0]);
    let best = 0;
    values.forEach((v, i) => {
      if (version(v) > version(values[best])) best = i;
    });
    return best;
  },
};
