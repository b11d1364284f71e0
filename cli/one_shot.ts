/**
 * What `put`, `get`, `find-node` and `ping` share: a short-lived node that joins through the
 * given addresses, does one thing and closes, and the options and failure messages around it.
 *
 * @module
 */
import { BootstrapError, KademliaNode, type KademliaNodeOptions, TimeoutError } from "../mod.ts";
import type { Address } from "../src/transport/datagram_transport.ts";
import {
  formatAddress,
  integerOption,
  type OptionSpec,
  type ParsedArgs,
  serializationOption,
} from "./args.ts";
import type { Output } from "./output.ts";

/**
 * Options every one-shot node gets: client mode (BEP 43 read-only), so the nodes it asks serve
 * it without adding it to their tables, where it would linger as a dead contact after it exits.
 */
export const ONE_SHOT_NODE_OPTIONS: KademliaNodeOptions = { mode: "client" };

/** The options of every one-shot command. */
export const ONE_SHOT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  serialization: {
    type: "string",
    value: "json|bencode",
    help: "the network's wire codec",
    default: "json",
  },
  timeout: {
    type: "string",
    value: "ms",
    help: "longest wait for one reply",
    default: "2000",
  },
  json: { type: "boolean", help: "print the result as one JSON object" },
};

/** `--bootstrap`, for the commands that must join first. */
export const BOOTSTRAP_OPTION: OptionSpec = {
  type: "string",
  value: "host:port",
  multiple: true,
  help: "a node of the network to join through",
};

/** Reads the shared options. */
export function oneShotSettings(args: ParsedArgs): {
  serialization: "json" | "bencode";
  timeoutMs: number;
  json: boolean;
} {
  return {
    serialization: serializationOption(args.values.serialization, "json"),
    timeoutMs: integerOption(args.values.timeout, "timeout", 2000, 1, 600_000),
    json: args.values.json === true,
  };
}

/**
 * Runs `work` on a node bound to loopback (of the family of the first address it talks to),
 * joined through `bootstrap` when given, and closes it.
 *
 * @param settings codec and timeout
 * @param talksTo the addresses it will talk to (picks IPv4 or IPv6)
 * @param bootstrap where to join; none to skip joining
 * @param work what to do
 */
export async function withOneShotNode<T>(
  settings: { serialization: "json" | "bencode"; timeoutMs: number },
  talksTo: readonly Address[],
  bootstrap: readonly Address[],
  work: (node: KademliaNode) => Promise<T>,
): Promise<T> {
  const node = new KademliaNode({
    ...ONE_SHOT_NODE_OPTIONS,
    serialization: settings.serialization,
    queryTimeoutMs: settings.timeoutMs,
    slowQueryMs: Math.min(1000, settings.timeoutMs),
  });
  try {
    await node.listen(0, talksTo[0]?.host.includes(":") ? "::1" : "127.0.0.1");
    if (bootstrap.length > 0) await node.bootstrap(bootstrap);
    return await work(node);
  } finally {
    await node.close();
  }
}

/**
 * Prints why a one-shot operation failed, in one line, and returns its exit code (1); rethrows
 * what is not an operation failure.
 *
 * @param command the command name
 * @param error what the operation threw
 * @param output where to print
 */
export function reportFailure(command: string, error: unknown, output: Output): number {
  if (error instanceof BootstrapError) {
    const why = error.failures.map((f) => `${formatAddress(f.address)} ${f.reason}`).join(", ");
    output.err(`kdht ${command}: no node answered (${why})`);
    return 1;
  }
  if (error instanceof TimeoutError) {
    output.err(`kdht ${command}: ${error.message}`);
    return 1;
  }
  if (
    error instanceof Error && ["RpcError", "ProtocolError", "TransportError"].includes(error.name)
  ) {
    output.err(`kdht ${command}: ${error.message}`);
    return 1;
  }
  throw error;
}
