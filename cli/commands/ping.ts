/**
 * `kdht ping host:port`: asks one node whether it is there. Fails (exit 1) if it does not
 * answer in time.
 *
 * @module
 */
import { addressArgument, formatAddress } from "../args.ts";
import type { Command } from "../command.ts";
import { ONE_SHOT_OPTIONS, oneShotSettings, reportFailure, withOneShotNode } from "../one_shot.ts";

/** The `ping` command. */
export const ping: Command = {
  name: "ping",
  summary: "ask one node whether it is there",
  synopsis: "host:port [--json]",
  options: ONE_SHOT_OPTIONS,
  positionals: { min: 1, max: 1 },
  async run(args, output) {
    const address = addressArgument(args.positionals[0]!, "address");
    const settings = oneShotSettings(args);
    try {
      const { peer, rttMs } = await withOneShotNode(
        settings,
        [address],
        [],
        (node) => node.ping(address),
      );
      const ms = Math.round(rttMs * 100) / 100;
      if (settings.json) output.out(JSON.stringify({ ...peer.toJSON(), rttMs: ms }));
      else output.out(`pong from ${peer.id} at ${formatAddress(address)} in ${ms} ms`);
      return 0;
    } catch (error) {
      return reportFailure("ping", error, output);
    }
  },
};
