/**
 * What a `kdht` command is: its name, its options and positionals, and what it runs. The
 * command table in `cli/main.ts` lists them; each lives in its own file under `cli/commands/`.
 *
 * @module
 */
import type { OptionSpec, ParsedArgs } from "./args.ts";
import type { Output } from "./output.ts";

/** One subcommand of `kdht`. */
export interface Command {
  /** The word after `kdht`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The arguments after the name, e.g. `KEY VALUE`. */
  readonly synopsis: string;
  /** More lines of help after the options. */
  readonly details?: readonly string[];
  /** Its options. */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** How many positional arguments it takes. */
  readonly positionals: { readonly min: number; readonly max: number };
  /**
   * Runs the command.
   *
   * @param args the parsed command line
   * @param output where to print
   * @returns the exit code: 0 done, 1 failed (not found, no answer)
   * @throws {UsageError} if an argument's value is bad (exit 2)
   */
  run(args: ParsedArgs, output: Output): Promise<number>;
}
