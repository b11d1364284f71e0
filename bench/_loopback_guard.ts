/**
 * Keeps a Node-only peer library (bittorrent-dht, through k-rpc-socket) on loopback, and counts
 * what it sends (bittorrent-dht-baseline.md problem 5: it binds 0.0.0.0 and asks public
 * routers when left alone). Installed once per process, before the library creates a socket:
 *
 * - `dgram.Socket.prototype.bind` to a non-loopback or wildcard address binds 127.0.0.1;
 * - `send` to a non-loopback address is dropped and reported to its callback as an error;
 * - `dns.lookup` fails for every host name (k-rpc-socket resolves router names with it); IP
 *   literals pass, as node:dgram itself looks up the literal it binds.
 *
 * Every blocked attempt is counted; the benchmark reports the counts, and they must be 0.
 *
 * @module
 */
import dgram from "node:dgram";
import dns from "node:dns";
import { isIP } from "node:net";

/** What the guard saw, for the whole process. */
export interface GuardCounters {
  /** Datagrams sent to loopback. */
  datagrams: number;
  /** Their payload bytes. */
  bytes: number;
  /** Sends to other addresses, dropped. */
  blockedSends: number;
  /** Binds moved from a wildcard or public address to 127.0.0.1. */
  rewrittenBinds: number;
  /** DNS lookups refused. */
  blockedLookups: number;
}

const counters: GuardCounters = {
  datagrams: 0,
  bytes: 0,
  blockedSends: 0,
  rewrittenBinds: 0,
  blockedLookups: 0,
};
const perSocket = new WeakMap<object, number>();
let installed = false;

function isLoopback(address: unknown): boolean {
  return typeof address === "string" &&
    (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) || address === "::1");
}

type Callback = (error: Error | null, bytes?: number) => void;

function lastCallback(args: readonly unknown[]): Callback | undefined {
  for (let i = args.length - 1; i >= 0; i--) {
    if (typeof args[i] === "function") return args[i] as Callback;
  }
  return undefined;
}

/** Installs the guard (idempotent) and returns its live counters. */
export function installLoopbackGuard(): Readonly<GuardCounters> {
  if (installed) return counters;
  installed = true;
  const proto = dgram.Socket.prototype as unknown as {
    send(this: object, ...args: unknown[]): void;
    bind(this: object, ...args: unknown[]): unknown;
  };
  const send = proto.send;
  proto.send = function (this: object, ...args: unknown[]): void {
    // send(msg, [offset, length,] port, [address], [callback])
    const ranged = typeof args[1] === "number" && typeof args[2] === "number";
    const address = ranged ? args[4] : args[2];
    if (!isLoopback(address)) {
      counters.blockedSends++;
      const callback = lastCallback(args);
      callback?.(new Error(`loopback guard: send to ${String(address)} blocked`));
      return;
    }
    // A send made before the bind completed comes back once bound, with its buffers in an
    // array: it was counted the first time.
    if (!Array.isArray(args[0])) {
      counters.datagrams++;
      counters.bytes += ranged ? (args[2] as number) : (args[0] as Uint8Array).length;
      perSocket.set(this, (perSocket.get(this) ?? 0) + 1);
    }
    send.apply(this, args);
  };
  const bind = proto.bind;
  proto.bind = function (this: object, ...args: unknown[]): unknown {
    // bind([port], [address], [callback]) or bind(options, [callback])
    if (typeof args[0] === "object" && args[0] !== null) {
      const options = args[0] as { address?: string };
      if (!isLoopback(options.address)) {
        counters.rewrittenBinds++;
        args[0] = { ...options, address: "127.0.0.1" };
      }
    } else if (!isLoopback(args[1])) {
      counters.rewrittenBinds++;
      const port = typeof args[0] === "number" ? args[0] : 0;
      const callback = args.find((a) => typeof a === "function");
      args = callback ? [port, "127.0.0.1", callback] : [port, "127.0.0.1"];
    }
    return bind.apply(this, args);
  };
  const resolver = dns as unknown as { lookup: (...args: unknown[]) => void };
  const lookup = resolver.lookup;
  resolver.lookup = (...args: unknown[]): void => {
    if (typeof args[0] === "string" && isIP(args[0]) !== 0) return lookup.apply(dns, args);
    counters.blockedLookups++;
    const callback = lastCallback(args);
    const error = Object.assign(new Error(`loopback guard: DNS lookup of ${String(args[0])}`), {
      code: "ENOTFOUND",
    });
    if (callback) queueMicrotask(() => callback(error));
  };
  return counters;
}

/** Datagrams one socket sent through the guard. */
export function socketSends(socket: object): number {
  return perSocket.get(socket) ?? 0;
}
