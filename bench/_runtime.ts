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
