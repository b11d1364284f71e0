/**
 * The `kdht` command line: the command table, help, and exit codes (0 done, 1 the operation
 * failed, 2 bad arguments). A new command is one file in `cli/commands/` and one line here.
 *
 * @module
 */
import { type OptionSpec, parseCommandArgs, UsageError } from "./args.ts";
import type { Command } from "./command.ts";
import { demo } from "./commands/demo.ts";
import { findNodeCommand } from "./commands/find_node.ts";
import { get } from "./commands/get.ts";
import { nodeCommand } from "./commands/node.ts";
import { ping } from "./commands/ping.ts";
import { put } from "./commands/put.ts";
import { type Output, processOutput } from "./output.ts";
import { VERSION } from "./version.ts";

/** Every command, in the order `kdht --help` lists them. */
export const COMMANDS: readonly Command[] = [nodeCommand, put, get, findNodeCommand, ping, demo];

function optionLine(name: string, spec: OptionSpec): string {
  const flag = `${spec.short ? `-${spec.short}, ` : ""}--${name}${
    spec.value ? ` ${spec.value}` : ""
  }`;
  const extra = [spec.multiple ? "repeatable" : "", spec.default ? `default ${spec.default}` : ""]
    .filter(Boolean).join("; ");
  return `  ${flag.padEnd(30)} ${spec.help}${extra ? ` (${extra})` : ""}`;
}

/** The one-line usage of a command. */
export function usageLine(command: Command): string {
  return `usage: kdht ${command.name} ${command.synopsis}`.trimEnd();
}

/** The full help of a command. */
export function commandHelp(command: Command): string {
  return [
    usageLine(command),
    "",
    command.summary,
    "",
    "options:",
    ...Object.entries(command.options).map(([name, spec]) => optionLine(name, spec)),
    optionLine("help", { type: "boolean", short: "h", help: "show this help" }),
    ...(command.details ? ["", ...command.details] : []),
  ].join("\n");
}

/** The help of `kdht` itself. */
export function mainHelp(): string {
  return [
    "usage: kdht <command> [options]",
    "",
    "A Kademlia DHT node and client (@kdht/core). Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    "",
    "kdht <command> --help shows a command's options. With no command, kdht runs the demo.",
  ].join("\n");
}

/**
 * Runs the command line.
 *
 * @param argv the arguments after the program name
 * @param output where to print
 * @returns the exit code
 */
export async function main(
  argv: readonly string[],
  output: Output = processOutput(),
): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--help" || first === "-h" || first === "help") {
    const named = COMMANDS.find((c) => c.name === rest[0]);
    output.out(named ? commandHelp(named) : mainHelp());
    return 0;
  }
  if (first === "--version" || first === "-V") {
    output.out(VERSION);
    return 0;
  }
  // No command: the embedded default, the demo network.
  const command = first === undefined || first.startsWith("-")
    ? demo
    : COMMANDS.find((c) => c.name === first);
  if (command === undefined) {
    output.err(`kdht: unknown command '${first}'`);
    output.err(
      "usage: kdht <command> [options]; commands: " + COMMANDS.map((c) => c.name).join(", "),
    );
    return 2;
  }
  const args = first === undefined || first.startsWith("-") ? argv : rest;
  try {
    const parsed = parseCommandArgs(args, command.options, command.positionals);
    if (parsed.values.help === true) {
      output.out(commandHelp(command));
      return 0;
    }
    return await command.run(parsed, output);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.err(`kdht ${command.name}: ${error.message}`);
    output.err(usageLine(command));
    return 2;
  }
}
