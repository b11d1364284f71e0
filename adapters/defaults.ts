/**
 * Wires the runtime parts into the core when an entry is imported: the node's default
 * transport is this runtime's UDP socket, BEP 44 signatures use `@noble/curves`, and state
 * files live on this runtime's file system. `src/` never imports adapters (DESIGN.md).
 *
 * @module
 */
import { provideRuntimeDefaults } from "../src/runtime_defaults.ts";
import { ed25519 } from "./ed25519.ts";
import { createUdpTransport } from "./runtime.ts";
import { fileStateStore } from "./state_file.ts";

provideRuntimeDefaults({ transport: createUdpTransport, ed25519, stateStore: fileStateStore });
