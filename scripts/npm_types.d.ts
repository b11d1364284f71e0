// Types for untyped npm packages used by tests and benchmarks, for the npm build's
// TypeScript compiler (Deno treats them as untyped on its own).
declare module "bencode" {
  const bencode: {
    encode(value: unknown): Uint8Array;
    // Its result is whatever the bytes hold; tests compare it structurally.
    // deno-lint-ignore no-explicit-any
    decode(data: Uint8Array, encoding?: string): any;
  };
  export default bencode;
}
