/**
 * Wires the runtime parts into the core when an entry is imported: the node's default
 * transport is this runtime's UDP socket. `src/` never imports adapters (DESIGN.md).
 *
 * @module
 */
import { provideRuntimeDefaults } from "../src/runtime_defaults.ts";
import { createUdpTransport } from "./runtime.ts";

provideRuntimeDefaults({ transport: createUdpTransport });
