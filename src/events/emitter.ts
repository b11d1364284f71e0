/**
 * Turns the parts' reports ({@linkcode NodeHooks}) into the node's events and log lines. An
 * event object is built only for a type someone listens to, and a log line only for a level
 * the logger takes, so a node nobody watches pays one check per report.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import { idToHex } from "../id/node_id.ts";
import { Peer } from "../peer.ts";
import { valueByteLength } from "../records/record.ts";
import type { Address } from "../transport/datagram_transport.ts";
import type { NodeHooks } from "./hooks.ts";
import type { Logger } from "./logger.ts";
import {
  type KademliaNodeEventMap,
  LookupFinishedEvent,
  PeerAddedEvent,
  PeerRemovedEvent,
  QueryReceivedEvent,
  ValueStoredEvent,
  WarningEvent,
} from "./node_events.ts";

/** Warning lines logged per window at most: a flood of bad datagrams must not flood the log. */
const WARNINGS_PER_WINDOW = 20;
/** The window of {@linkcode WARNINGS_PER_WINDOW}. */
const WARNING_WINDOW_MS = 10_000;

/** What the emitter reports to. */
export interface EventHooksOptions {
  /** The node, dispatching the events. */
  readonly target: EventTarget;
  /** True if some listener was ever added for this event type. */
  readonly listening: (type: keyof KademliaNodeEventMap) => boolean;
  /** Where log lines go; none by default. */
  readonly logger?: Logger | undefined;
  /** The user's `onWarning` option, told of every warning. */
  readonly onWarning?: ((message: string, from: Address) => void) | undefined;
  /** Time, for the warning log's rate limit. */
  readonly clock: Clock;
}

function where(address: Address | undefined): string | undefined {
  if (address === undefined) return undefined;
  return address.host.includes(":")
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}

/**
 * Builds the hooks a node hands its parts.
 *
 * @param options the event target, the logger, the user's warning hook
 * @returns hooks that dispatch events and write log lines
 */
export function createEventHooks(options: EventHooksOptions): NodeHooks {
  const { target, listening, logger, onWarning, clock } = options;
  const debug = logger?.debug.bind(logger);
  let windowStart = -Infinity;
  let warnings = 0;
  let suppressed = 0;
  return {
    peerAdded(contact) {
      if (listening("peer-added")) {
        target.dispatchEvent(new PeerAddedEvent(Peer.fromNodeInfo(contact)));
      }
      debug?.("peer added", { id: idToHex(contact.id), at: where(contact) });
    },
    peerRemoved(contact) {
      if (listening("peer-removed")) {
        target.dispatchEvent(new PeerRemovedEvent(Peer.fromNodeInfo(contact)));
      }
      debug?.("peer removed", { id: idToHex(contact.id), at: where(contact) });
    },
    queryReceived(method, from, readOnly) {
      if (listening("query-received")) {
        target.dispatchEvent(new QueryReceivedEvent(method, from, readOnly));
      }
      debug?.("query received", { method, from: where(from), ro: readOnly || undefined });
    },
    lookupFinished(report) {
      if (!listening("lookup-finished") && debug === undefined) return;
      const { target: id, ...rest } = report;
      const summary = { ...rest, targetId: idToHex(id) };
      if (listening("lookup-finished")) target.dispatchEvent(new LookupFinishedEvent(summary));
      debug?.("lookup finished", {
        method: summary.method,
        target: summary.targetId,
        rounds: summary.rounds,
        queries: summary.queries,
        failures: summary.failures,
        ms: Math.round(summary.durationMs),
      });
    },
    valueStored(record, source) {
      if (!listening("value-stored") && debug === undefined) return;
      const summary = {
        key: idToHex(record.key),
        size: valueByteLength(record.value),
        local: record.local,
        cached: record.cached === true,
        from: source === undefined ? undefined : { host: source.host, port: source.port },
      };
      if (listening("value-stored")) target.dispatchEvent(new ValueStoredEvent(summary));
      debug?.("value stored", {
        key: summary.key,
        bytes: summary.size,
        local: summary.local,
        cached: summary.cached || undefined,
        from: where(summary.from),
      });
    },
    warning(message, from) {
      if (from !== undefined) onWarning?.(message, from);
      if (listening("warning")) target.dispatchEvent(new WarningEvent(message, from));
      if (logger === undefined) return;
      const now = clock.now();
      if (now - windowStart >= WARNING_WINDOW_MS) {
        if (suppressed > 0) {
          logger.warn("warnings suppressed", {
            count: suppressed,
            seconds: WARNING_WINDOW_MS / 1000,
          });
        }
        windowStart = now;
        warnings = 0;
        suppressed = 0;
      }
      if (++warnings > WARNINGS_PER_WINDOW) {
        suppressed++;
        return;
      }
      logger.warn(message, { from: where(from) });
    },
  };
}
