/**
 * Closed-loop datagram load: keep a fixed window of requests in flight against one server and
 * count replies per second. The raw echo ceiling (`transport_echo.ts`) and the KRPC load
 * generator (`_krpc_client.ts`) both measure with it, so "answered per second" and "echoes per
 * second" are counted the same way.
 *
 * Each window slot has its own datagram; the server's reply names the slot (`slotOf`), and the
 * slot's datagram goes out again. A slot without a reply for `lostAfterMs` is counted lost and
 * sent again, so a lossy run keeps its window and still ends.
 *
 * @module
 */
import type { Address, DatagramTransport } from "../src/transport/datagram_transport.ts";
import { percentile, round } from "./_stats.ts";

/** How to load the server. */
export interface WindowLoadOptions {
  /** Sockets to send from; slot i uses `clients[i % clients.length]`. */
  clients: readonly DatagramTransport[];
  /** The server. */
  to: Address;
  /** Datagrams in flight at once. */
  window: number;
  /** How long to run. */
  ms: number;
  /** The datagram of a slot, sent again each time its reply comes back. */
  payload(slot: number): Uint8Array;
  /** Which slot a reply answers, or -1 if none (counted as stray). */
  slotOf(reply: Uint8Array): number;
  /** Sees every counted reply. */
  onReply?(reply: Uint8Array): void;
  /** @default {250} */
  lostAfterMs?: number;
  /** Stop early after this many replies. @default {50_000_000} */
  maxReplies?: number;
}

/** What the load achieved. */
export interface WindowLoadResult {
  perSecond: number;
  replies: number;
  seconds: number;
  window: number;
  lost: number;
  stray: number;
  latencyUs: { p50: number; p99: number };
}

const MAX_SAMPLES = 1 << 21;

function noop(): void {}

/**
 * Runs the load. The deadline is checked in the receive path too, not only by a timer: the
 * memory network delivers through microtasks and never yields to timers.
 */
export function windowLoad(options: WindowLoadOptions): Promise<WindowLoadResult> {
  const { clients, to, window, ms } = options;
  const lostAfterMs = options.lostAfterMs ?? 250;
  const maxReplies = options.maxReplies ?? 50_000_000;
  const payloads = Array.from({ length: window }, (_, slot) => options.payload(slot));
  const sentAt = new Float64Array(window);
  const inFlight = new Uint8Array(window);
  const samples = new Float64Array(MAX_SAMPLES);
  return new Promise((resolve) => {
    let replies = 0;
    let lost = 0;
    let stray = 0;
    let stopped = false;
    const start = performance.now();
    const deadline = start + ms;
    const fire = (slot: number): void => {
      sentAt[slot] = performance.now();
      inFlight[slot] = 1;
      clients[slot % clients.length]!.send(payloads[slot]!, to).catch(noop);
    };
    const finish = (): void => {
      if (stopped) return;
      stopped = true;
      clearInterval(watchdog);
      const seconds = (performance.now() - start) / 1000;
      const sorted = samples.subarray(0, Math.min(replies, MAX_SAMPLES)).sort();
      resolve({
        perSecond: Math.round(replies / seconds),
        replies,
        seconds: round(seconds, 3),
        window,
        lost,
        stray,
        latencyUs: {
          p50: round(percentile(sorted, 0.5) * 1000, 1),
          p99: round(percentile(sorted, 0.99) * 1000, 1),
        },
      });
    };
    const receive = (data: Uint8Array): void => {
      if (stopped) return;
      const slot = options.slotOf(data);
      if (slot < 0 || slot >= window || inFlight[slot] === 0) {
        stray++;
        return;
      }
      const now = performance.now();
      inFlight[slot] = 0;
      if (replies < MAX_SAMPLES) samples[replies] = now - sentAt[slot]!;
      replies++;
      options.onReply?.(data);
      if (((replies & 255) === 0 && now >= deadline) || replies >= maxReplies) {
        finish();
        return;
      }
      fire(slot);
    };
    for (const client of clients) client.onDatagram(receive);
    const watchdog = setInterval(() => {
      const now = performance.now();
      if (now >= deadline) return finish();
      for (let slot = 0; slot < window; slot++) {
        if (inFlight[slot] === 1 && now - sentAt[slot]! > lostAfterMs) {
          lost++;
          fire(slot);
        }
      }
    }, Math.max(10, Math.min(lostAfterMs, 100)));
    for (let slot = 0; slot < window; slot++) fire(slot);
  });
}
