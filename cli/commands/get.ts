/**
 * `kdht get KEY --bootstrap host:port`: reads the newest value under a key. Text prints as it
 * is, bytes as hex. Fails (exit 1) if no node holds it.
 *
 * @module
 */
import { bootstrapOption } from "../args.ts";
import type { Command } from "../command.ts";
import {
  BOOTSTRAP_OPTION,
  ONE_SHOT_OPTIONS,
  oneShotSettings,
  reportFailure,
  withOneShotNode,
} from "../one_shot.ts";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The `get` command. */
export const get: Command = {
  name: "get",
  summary: "read the value stored under a key",
  synopsis: "KEY --bootstrap host:port [--json]",
  options: { bootstrap: BOOTSTRAP_OPTION, ...ONE_SHOT_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run(args, output) {
    const [key] = args.positionals as [string];
    const settings = oneShotSettings(args);
    const bootstrap = bootstrapOption(args.values.bootstrap, true);
    try {
      const value = await withOneShotNode(settings, bootstrap, bootstrap, (node) => node.get(key));
      if (value === undefined) {
        if (settings.json) output.out(JSON.stringify({ key, found: false }));
        output.err(`kdht get: not found: no node holds "${key}"`);
        return 1;
      }
      const bytes = value instanceof Uint8Array;
      if (settings.json) {
        output.out(JSON.stringify({
          key,
          found: true,
          type: bytes ? "bytes" : "string",
          value: bytes ? hex(value) : value,
        }));
      } else {
        output.out(bytes ? hex(value) : value);
      }
      return 0;
    } catch (error) {
      return reportFailure("get", error, output);
    }
  },
};
