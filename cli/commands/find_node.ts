/**
 * `kdht find-node ID --bootstrap host:port`: the k nodes closest to an id that answered,
 * nearest first. Fails (exit 1) if none answered.
 *
 * @module
 */
import { bootstrapOption, idArgument } from "../args.ts";
import type { Command } from "../command.ts";
import {
  BOOTSTRAP_OPTION,
  ONE_SHOT_OPTIONS,
  oneShotSettings,
  reportFailure,
  withOneShotNode,
} from "../one_shot.ts";

/** The `find-node` command. */
export const findNodeCommand: Command = {
  name: "find-node",
  summary: "find the nodes closest to a 40-hex id",
  synopsis: "ID --bootstrap host:port [--json]",
  options: { bootstrap: BOOTSTRAP_OPTION, ...ONE_SHOT_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run(args, output) {
    const id = idArgument(args.positionals[0]!);
    const settings = oneShotSettings(args);
    const bootstrap = bootstrapOption(args.values.bootstrap, true);
    try {
      const peers = await withOneShotNode(
        settings,
        bootstrap,
        bootstrap,
        (node) => node.findNode(id),
      );
      if (settings.json) output.out(JSON.stringify({ id, peers }));
      else for (const peer of peers) output.out(`${peer.id} ${peer.host}:${peer.port}`);
      if (peers.length > 0) return 0;
      output.err("kdht find-node: no node answered the lookup");
      return 1;
    } catch (error) {
      return reportFailure("find-node", error, output);
    }
  },
};
