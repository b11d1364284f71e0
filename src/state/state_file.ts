/**
 * A node's state file: loads it once in `listen()`, saves it periodically, on demand and on
 * `close()`, one save at a time so a slow write can never land after a later one.
 *
 * @module
 */
import { NodeStateError } from "../errors.ts";
import type { NodeContext } from "../node_context.ts";
import { runtimeDefaults } from "../runtime_defaults.ts";
import type { Serialization } from "../wire/codec.ts";
import { captureState, readStateFile, writeStateFile } from "./persist.ts";
import type { NodeState } from "./saved_state.ts";
import type { StateStore } from "./state_store.ts";

/** What a {@linkcode StateFile} needs. */
export interface StateFileOptions {
  /** The `stateFile` option, if any. */
  readonly path: string | undefined;
  /** The `stateStore` option; else the runtime's registered file system. */
  readonly store: StateStore | undefined;
  /** The node's codec. */
  readonly serialization: Serialization;
  /** Told why a file was not used or could not be saved. */
  readonly warn: (message: string) => void;
}

/** Loads and saves one node's state. */
export class StateFile {
  readonly #options: StateFileOptions;
  #queue: Promise<void> = Promise.resolve();

  /** @param options the path, the store, the codec and the warning hook */
  constructor(options: StateFileOptions) {
    this.#options = options;
  }

  /** The `stateFile` option. */
  get path(): string | undefined {
    return this.#options.path;
  }

  #store(operation: string): StateStore {
    const store = this.#options.store ?? runtimeDefaults().stateStore;
    if (store === undefined) {
      throw new NodeStateError(
        `Cannot ${operation}: no stateStore given and no file system registered for this ` +
          "runtime; pass { stateStore } or import KademliaNode from @kdht/core",
      );
    }
    return store;
  }

  /**
   * Reads the state file, if the node has one.
   *
   * @returns the state, or undefined for a fresh start (no file, or one that cannot be used)
   */
  async load(): Promise<NodeState | undefined> {
    const { path, serialization, warn } = this.#options;
    if (path === undefined) return undefined;
    return await readStateFile(this.#store("load state"), path, serialization, warn);
  }

  /**
   * Saves the node's state now, after any save in progress.
   *
   * @param context the node's parts
   * @param path where; the `stateFile` option by default
   * @throws {TypeError} if there is neither a path nor a `stateFile`
   * @throws what the store throws when the file cannot be written
   */
  save(context: NodeContext, path = this.#options.path): Promise<void> {
    if (path === undefined) {
      return Promise.reject(
        new TypeError("Cannot save state: no path given and the node has no 'stateFile' option"),
      );
    }
    let store: StateStore;
    try {
      store = this.#store("save state");
    } catch (error) {
      return Promise.reject(error);
    }
    const serialization = this.#options.serialization;
    // Captured when its turn comes, so the file always gets the latest state.
    const save = this.#queue.then(() =>
      writeStateFile(store, path, captureState(context, serialization))
    );
    this.#queue = save.catch(() => {});
    return save;
  }

  /**
   * Saves, reporting a failure to the warning hook instead of throwing (periodic saves and
   * `close()`).
   *
   * @param context the node's parts
   */
  async saveQuietly(context: NodeContext): Promise<void> {
    try {
      await this.save(context);
    } catch (error) {
      this.#options.warn(
        `cannot save state file ${this.#options.path}: ${(error as Error)?.message}`,
      );
    }
  }
}
