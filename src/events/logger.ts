/**
 * Logging: the node writes to a {@linkcode Logger} given in its options, and to nothing by
 * default. `console` is a Logger; {@linkcode createLogger} makes one that drops lines below a
 * level and writes the rest as one line each.
 *
 * @module
 */

/**
 * Severity, lowest first.
 *
 * @example
 * ```ts
 * import { createLogger, KademliaNode, type LogLevel } from "@kdht/core";
 *
 * const level: LogLevel = "debug";
 * await using node = new KademliaNode({ logger: createLogger({ level }) });
 * ```
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * The levels in order, lowest first, plus `"silent"` which writes nothing.
 *
 * @example
 * ```ts
 * import { LOG_LEVELS } from "@kdht/core";
 *
 * console.log(LOG_LEVELS.join(" < ")); // "debug < info < warn < error < silent"
 * ```
 */
export const LOG_LEVELS: readonly (LogLevel | "silent")[] = Object.freeze([
  "debug",
  "info",
  "warn",
  "error",
  "silent",
]);

/**
 * Structured details of a log line.
 *
 * @example
 * ```ts
 * import { createLogger, type LogFields } from "@kdht/core";
 *
 * const fields: LogFields = { peers: 12, at: "127.0.0.1:6881" };
 * createLogger({ write: console.log }).info("summary", fields); // "info summary peers=12 at=127.0.0.1:6881"
 * ```
 */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Where the node's log lines go. `console` fits; so do most logging libraries' loggers.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using node = new KademliaNode({ logger: console });
 * ```
 */
export interface Logger {
  /** Every peer, query, lookup and stored value. */
  debug(message: string, fields?: LogFields): void;
  /** Milestones. */
  info(message: string, fields?: LogFields): void;
  /** Problems the node goes on after (bad datagrams, failed sends). */
  warn(message: string, fields?: LogFields): void;
  /** Failures. */
  error(message: string, fields?: LogFields): void;
}

/**
 * Options of {@linkcode createLogger}.
 *
 * @example
 * ```ts
 * import { createLogger, type CreateLoggerOptions } from "@kdht/core";
 *
 * const options: CreateLoggerOptions = { level: "warn", write: (line) => console.log(`[dht] ${line}`) };
 * createLogger(options).warn("bad datagram"); // "[dht] warn bad datagram"
 * ```
 */
export interface CreateLoggerOptions {
  /**
   * The lowest level written; `"silent"` writes nothing.
   * @default {"info"}
   */
  level?: LogLevel | "silent";
  /**
   * Receives each line, already formatted (`level message key=value …`, no newline).
   * @default {console.error for every level}
   */
  write?: (line: string, level: LogLevel) => void;
}

/**
 * Formats fields as ` key=value` pairs; a value with spaces, quotes or control characters is
 * JSON-quoted, so a line never breaks and a peer's text cannot forge one.
 *
 * @param fields the fields
 * @returns the pairs, each with a leading space
 *
 * @example
 * ```ts
 * import { formatFields } from "@kdht/core";
 *
 * console.log(formatFields({ id: "ab12", note: "two words" })); // ' id=ab12 note="two words"'
 * ```
 */
export function formatFields(fields: LogFields | undefined): string {
  if (fields === undefined) return "";
  let out = "";
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const text = String(value);
    out += ` ${key}=${/^[\w.:/@+-]+$/.test(text) ? text : JSON.stringify(text)}`;
  }
  return out;
}

/**
 * Makes a logger that writes lines at `level` and above.
 *
 * @param options the lowest level and where lines go
 * @returns the logger
 * @throws {RangeError} if `level` is not a level
 *
 * @example
 * ```ts
 * import { createLogger, KademliaNode } from "@kdht/core";
 *
 * const lines: string[] = [];
 * const logger = createLogger({ level: "debug", write: (line) => lines.push(line) });
 * await using node = new KademliaNode({ logger });
 * logger.info("ready", { id: node.id });
 * console.log(lines[0]); // "info ready id=…"
 * ```
 */
export function createLogger(options?: CreateLoggerOptions): Logger {
  const level = options?.level ?? "info";
  const threshold = LOG_LEVELS.indexOf(level);
  if (threshold < 0) {
    throw new RangeError(
      `Cannot create logger: 'level' must be one of ${LOG_LEVELS.join(", ")}, got ${String(level)}`,
    );
  }
  const write = options?.write ?? ((line: string) => console.error(line));
  const at = (name: LogLevel) =>
    LOG_LEVELS.indexOf(name) < threshold
      ? () => {}
      : (message: string, fields?: LogFields) =>
        write(`${name} ${message}${formatFields(fields)}`, name);
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
