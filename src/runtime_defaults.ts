/**
 * The seam between the portable core and the runtime: parts that need a runtime API (the UDP
 * socket of Deno, Bun or Node) are registered here by an entry (`mod.ts` imports
 * `adapters/defaults.ts`), never imported by `src/`. A node uses them only when its options do
 * not name their own.
 *
 * @module
 */
import type { Ed25519 } from "./records/ed25519.ts";
import type { StateStore } from "./state/state_store.ts";
import type { TransportFactory } from "./transport/datagram_transport.ts";

/** The runtime parts a node falls back on. */
export interface RuntimeDefaults {
  /** Binds the runtime's UDP socket. */
  transport?: TransportFactory;
  /** Signs and verifies BEP 44 mutable items (a vetted library: src/ carries none). */
  ed25519?: Ed25519;
  /** Reads and atomically writes state files on the runtime's file system. */
  stateStore?: StateStore;
}

const defaults: RuntimeDefaults = {};

/**
 * Registers runtime parts; later registrations replace earlier ones field by field.
 *
 * @param parts the parts to register
 */
export function provideRuntimeDefaults(parts: RuntimeDefaults): void {
  Object.assign(defaults, parts);
}

/** The registered runtime parts. */
export function runtimeDefaults(): Readonly<RuntimeDefaults> {
  return defaults;
}
