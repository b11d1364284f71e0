#!/usr/bin/env -S deno run -A --unstable-net
/**
 * The `kdht` command line: run a node, put and get values, find nodes, ping, or run the demo
 * network. `deno run -A --unstable-net cli.ts --help`, `bun cli.ts --help`, or `npx kdht
 * --help` after `npm install @kdht/core`.
 *
 * @example
 * ```sh
 * kdht demo --nodes 20
 * kdht node --port 6881 --metrics 127.0.0.1:9464
 * kdht put greeting hello --bootstrap 127.0.0.1:6881
 * kdht get greeting --bootstrap 127.0.0.1:6881
 * ```
 *
 * @module
 */
import process from "node:process";
import { main } from "./cli/main.ts";

process.exitCode = await main(process.argv.slice(2));
