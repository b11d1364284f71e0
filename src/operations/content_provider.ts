/**
 * The keys this node provides, and their announcements: `provide` adds a key and announces it,
 * the re-announce job announces it again when due, `stopProviding` drops it and this node's own
 * provider record. The node's facade delegates here.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import { idToHex } from "../id/node_id.ts";
import type { ProvidedKey } from "../node_results.ts";
import type { QueryEvent } from "../query_events.ts";
import { type ProvidedEntry, Providing } from "../records/providing.ts";
import type { Address } from "../transport/datagram_transport.ts";
import { announce, type AnnounceOutcome } from "./provide.ts";
import type { Services } from "./services.ts";

/** The keys a node provides. */
export class ContentProvider {
  /** The keys and their schedule, for the re-announce job. */
  readonly providing: Providing = new Providing();
  readonly #clock: Clock;
  readonly #reannounceIntervalMs: number;

  /**
   * @param clock wall-clock time of announcements, monotonic time of the schedule
   * @param reannounceIntervalMs how long after an announcement the next one is due
   */
  constructor(clock: Clock, reannounceIntervalMs: number) {
    this.#clock = clock;
    this.#reannounceIntervalMs = reannounceIntervalMs;
  }

  /**
   * Provides a key (again): announces it now, and keeps it for the re-announce job.
   *
   * @param services the running node
   * @param self this node's bound address
   * @param key the key as given
   * @param target its 20-byte id
   * @param options the port to announce (this node's own when undefined), signal and events
   * @throws whatever the announcement throws (an abort); a key never announced is then dropped
   */
  async provide(
    services: Services,
    self: Address,
    key: string | Uint8Array,
    target: Uint8Array,
    options: {
      port: number | undefined;
      signal: AbortSignal;
      emit: ((event: QueryEvent) => void) | undefined;
    },
  ): Promise<AnnounceOutcome> {
    const held = this.providing.get(target);
    const entry: ProvidedEntry = held && held.port === options.port ? held : {
      key: typeof key === "string" ? key : key.slice(),
      target,
      port: options.port,
      announcedAt: held?.announcedAt ?? 0,
      announcedTo: held?.announcedTo ?? 0,
      dueAt: held?.dueAt ?? Infinity,
    };
    this.providing.set(entry);
    try {
      return await this.announce(services, self, entry, options.signal, options.emit);
    } catch (error) {
      // Aborted or closed before any announcement: a key never announced is not provided.
      if (!held && this.providing.get(target) === entry) this.providing.delete(target);
      throw error;
    }
  }

  /**
   * Announces one key and moves its schedule on (the re-announce job's step).
   *
   * @param services the running node
   * @param self this node's bound address
   * @param entry the key
   * @param signal aborts the announcement
   * @param emit told of each step
   */
  async announce(
    services: Services,
    self: Address,
    entry: ProvidedEntry,
    signal: AbortSignal,
    emit?: ((event: QueryEvent) => void) | undefined,
  ): Promise<AnnounceOutcome> {
    try {
      const outcome = await announce(services, entry.target, {
        port: entry.port,
        self,
        signal,
        emit,
      });
      if (this.providing.get(entry.target) === entry) {
        entry.announcedAt = this.#clock.wallTime();
        entry.announcedTo = outcome.announcedTo.length;
      }
      return outcome;
    } finally {
      // Even a failed announcement waits a whole interval before the next try.
      entry.dueAt = this.#clock.now() + this.#reannounceIntervalMs;
    }
  }

  /**
   * Stops providing a key and drops this node's own provider record of it.
   *
   * @param services the node's context holds the provider records
   * @param self this node's bound address, if it listens
   * @param target the key's 20-byte id
   * @returns true if the key was provided
   */
  stop(
    services: Pick<Services, "context">,
    self: Address | undefined,
    target: Uint8Array,
  ): boolean {
    const entry = this.providing.get(target);
    if (!entry) return false;
    this.providing.delete(target);
    if (self) services.context.providers.remove(target, self.host, entry.port ?? self.port);
    return true;
  }

  /** The keys provided, as `providing()` lists them. */
  list(): ProvidedKey[] {
    return this.providing.entries().map((entry) => ({
      key: typeof entry.key === "string" ? entry.key : entry.key.slice(),
      id: idToHex(entry.target),
      announcedAt: entry.announcedAt,
      announcedTo: entry.announcedTo,
    }));
  }
}
