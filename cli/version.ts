/**
 * The package version `kdht --version` prints; a test keeps it equal to deno.json's.
 *
 * @module
 */

/** The version of @kdht/core this command line belongs to. */
export const VERSION = "0.1.0";
