/**
 * Argument parsing for the `kdht` commands: `node:util`'s `parseArgs` (in Deno, Bun and Node
 * alike) through a small adapter that turns its errors into {@linkcode UsageError}s, plus the
 * checks of ports, addresses, ids and levels every command shares.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { formatAddress, isIPv4, isIPv6, parseAddress } from "../src/transport/address.ts";
import type { Address } from "../src/transport/datagram_transport.ts";

/** A bad command line: the message is one line; the command prints it and its usage, exit 2. */
export class UsageError extends Error {
  /** @param message what is wrong, in one line */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** One option of a command. */
export interface OptionSpec {
  /** `string` takes a value; `boolean` is a switch. */
  readonly type: "string" | "boolean";
  /** A one-letter alias. */
  readonly short?: string;
  /** May be given several times (values collected in order). */
  readonly multiple?: boolean;
  /** The value's placeholder in the usage, e.g. `host:port`. */
  readonly value?: string;
  /** What it does, for `--help`. */
  readonly help: string;
  /** Its default, shown in `--help`. */
  readonly default?: string;
}

/** What a command line parsed into. */
export interface ParsedArgs {
  /** Option values by name: a string, a boolean, or a list for `multiple` options. */
  readonly values: Record<string, string | boolean | string[] | undefined>;
  /** The positional arguments. */
  readonly positionals: string[];
}

/**
 * Parses `argv` against a command's options; `--help` is always accepted.
 *
 * @param argv the arguments after the command name
 * @param options the command's options
 * @param positionals how many positional arguments it takes, at least and at most
 * @returns the values and positionals
 * @throws {UsageError} for an unknown option, a missing value, or the wrong number of arguments
 */
export function parseCommandArgs(
  argv: readonly string[],
  options: Readonly<Record<string, OptionSpec>>,
  positionals: { readonly min: number; readonly max: number },
): ParsedArgs {
  const config: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> =
    { help: { type: "boolean", short: "h" } };
  for (const [name, spec] of Object.entries(options)) {
    config[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: config, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(usageMessage(error));
  }
  const values = parsed.values as ParsedArgs["values"];
  if (values.help === true) return { values, positionals: parsed.positionals };
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new UsageError("missing argument");
  if (count > positionals.max) {
    throw new UsageError(`unexpected argument '${parsed.positionals[positionals.max]}'`);
  }
  return { values, positionals: parsed.positionals };
}

/** parseArgs' messages are long and multi-line; say the same in one short line. */
function usageMessage(error: unknown): string {
  const { code, message = String(error) } = error as { code?: string; message?: string };
  const long = /--[\w-]+/.exec(message)?.[0];
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option '${/'([^']*)'/.exec(message)?.[1] ?? message}'`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /does not take/.test(message)
        ? `option '${long}' takes no value`
        : `option '${long}' needs a value`;
    default:
      return message.split("\n")[0]!;
  }
}

/**
 * Reads an integer option.
 *
 * @param text the option's text (undefined if not given)
 * @param name the option, for the message
 * @param fallback used when not given
 * @param min the least accepted
 * @param max the most accepted
 * @throws {UsageError} if it is not an integer in range
 */
export function integerOption(
  text: unknown,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value = typeof text === "string" && /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

/**
 * Reads a UDP port option (0 picks a free one when `allowZero`).
 *
 * @throws {UsageError} if it is not a port
 */
export function portOption(
  text: unknown,
  name: string,
  fallback: number,
  allowZero = true,
): number {
  return integerOption(text, name, fallback, allowZero ? 0 : 1, 65535);
}

/**
 * Reads a host option: an IPv4 or IPv6 literal, or `localhost`.
 *
 * @throws {UsageError} if it is not an IP literal
 */
export function hostOption(text: unknown, name: string, fallback: string): string {
  if (text === undefined) return fallback;
  const host = text === "localhost" ? "127.0.0.1" : String(text);
  if (!isIPv4(host) && !isIPv6(host)) {
    throw new UsageError(`--${name} must be an IPv4 or IPv6 address, got '${text}'`);
  }
  return host;
}

/**
 * Reads a `host:port` address (`[ipv6]:port` for IPv6).
 *
 * @param text the text
 * @param what the option or argument, for the message
 * @throws {UsageError} if it is not an IP literal with a port in 1–65535
 */
export function addressArgument(text: string, what: string): Address {
  try {
    return parseAddress(text, what);
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^Invalid /, "bad "));
  }
}

/**
 * Reads the `--bootstrap` addresses.
 *
 * @param value the option's values
 * @param required whether at least one is needed
 * @throws {UsageError} if one is malformed, or none is given and one is required
 */
export function bootstrapOption(value: unknown, required: boolean): Address[] {
  const list = Array.isArray(value) ? value as string[] : [];
  if (required && list.length === 0) {
    throw new UsageError("--bootstrap host:port is required (a running node to ask)");
  }
  return list.map((text) => addressArgument(text, "bootstrap address"));
}

/**
 * Reads `--serialization`.
 *
 * @throws {UsageError} unless it is `json` or `bencode`
 */
export function serializationOption(
  text: unknown,
  fallback: "json" | "bencode",
): "json" | "bencode" {
  if (text === undefined) return fallback;
  if (text !== "json" && text !== "bencode") {
    throw new UsageError(`--serialization must be json or bencode, got '${text}'`);
  }
  return text;
}

/**
 * Reads a 40-hex node id.
 *
 * @throws {UsageError} if it is not 40 hex characters
 */
export function idArgument(text: string): string {
  if (!/^[0-9a-fA-F]{40}$/.test(text)) {
    throw new UsageError(`ID must be 40 hex characters, got '${text}'`);
  }
  return text.toLowerCase();
}

/** `host:port` for messages. */
export { formatAddress };
