/**
 * `kdht put KEY VALUE --bootstrap host:port`: stores a text value on the k nodes closest to
 * the key. Fails (exit 1) if no peer stored it.
 *
 * @module
 */
import { bootstrapOption, integerOption } from "../args.ts";
import type { Command } from "../command.ts";
import {
  BOOTSTRAP_OPTION,
  ONE_SHOT_OPTIONS,
  oneShotSettings,
  reportFailure,
  withOneShotNode,
} from "../one_shot.ts";

/** The `put` command. */
export const put: Command = {
  name: "put",
  summary: "store a text value under a key in a running network",
  synopsis: "KEY VALUE --bootstrap host:port [--ttl seconds] [--json]",
  options: {
    bootstrap: BOOTSTRAP_OPTION,
    ttl: { type: "string", value: "seconds", help: "how long the value lives", default: "86410" },
    ...ONE_SHOT_OPTIONS,
  },
  positionals: { min: 2, max: 2 },
  async run(args, output) {
    const [key, value] = args.positionals as [string, string];
    const settings = oneShotSettings(args);
    const bootstrap = bootstrapOption(args.values.bootstrap, true);
    const ttl = args.values.ttl === undefined
      ? undefined
      : integerOption(args.values.ttl, "ttl", 0, 1, 86_410) * 1000;
    try {
      const result = await withOneShotNode(
        settings,
        bootstrap,
        bootstrap,
        (node) => node.set(key, value, ttl === undefined ? {} : { ttlMs: ttl }),
      );
      if (settings.json) {
        output.out(JSON.stringify({
          key,
          id: result.key,
          storedOn: result.storedOn,
          failed: result.failed.map((f) => ({
            peer: f.peer,
            reason: f.reason,
            message: f.message,
          })),
        }));
      } else {
        const count = result.storedOn.length;
        output.out(`stored "${key}" (id ${result.key}) on ${count} peer${count === 1 ? "" : "s"}`);
        for (const failure of result.failed) {
          output.err(`  not stored on ${failure.peer}: ${failure.reason}`);
        }
      }
      if (result.storedOn.length > 0) return 0;
      output.err(`kdht put: no peer stored "${key}"`);
      return 1;
    } catch (error) {
      return reportFailure("put", error, output);
    }
  },
};
