/**
 * Runs the transport conformance suite on the in-memory network: once as datagrams arrive
 * with no latency (microtask delivery), once with 0–1 ms of latency through the system
 * clock's timers, which also reorders datagrams.
 */
import { MemoryNetwork } from "../src/testing/memory_network.ts";
import { uniformLatency } from "../src/testing/latency.ts";
import { transportSuite } from "./_suites/transport_suite.ts";

transportSuite("MemoryNetwork", new MemoryNetwork().bind);
transportSuite(
  "MemoryNetwork with 0-1 ms latency on the system clock",
  new MemoryNetwork({ latency: uniformLatency(0, 1) }).bind,
  { roundTrips: 2_000 },
);
