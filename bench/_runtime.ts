/**
 * What every benchmark prints about where it ran, and its command-line arguments, read the
 * same way on Deno, Bun and Node.
 *
 * @module
 */

const host = globalThis as {
  Deno?: { version: { deno: string }; args: string[] };
  Bun?: { version: string };
  process?: { version: string; argv: string[] };
};

/** `"deno 2.9.5"`, `"bun 1.4.5"` or `"node v20.20.2"`. */
export function runtimeLabel(): string {
  if (host.Deno) return `deno ${host.Deno.version.deno}`;
  if (host.Bun) return `bun ${host.Bun.version}`;
  return `node ${host.process?.version}`;
}

/** The arguments after the script name. */
export function benchArgs(): string[] {
  return host.Deno?.args ?? host.process?.argv.slice(2) ?? [];
}

/** `--name value` and `--name` (true) pairs from the command line; positional words are ignored. */
export function benchFlags(args: readonly string[] = benchArgs()): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) continue;
    const eq = arg.indexOf("=");
    if (eq > 0) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (i + 1 < args.length && !args[i + 1]!.startsWith("--")) {
      flags.set(arg.slice(2), args[++i]!);
    } else {
      flags.set(arg.slice(2), "true");
    }
  }
  return flags;
}

/**
 * A numeric flag, or its default.
 * @throws {RangeError} if the flag is there but not a finite number from `min` to `max`
 */
export function numberFlag(
  flags: Map<string, string>,
  name: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const text = flags.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(
      `Invalid flag: '--${name}' must be a number from ${min} to ${max}, got ${text}`,
    );
  }
  return value;
}
