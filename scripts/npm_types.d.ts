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

declare module "bittorrent-dht" {
  export default class DHT {
    constructor(options?: { bootstrap?: false | string[]; host?: string });
    nodeId: Uint8Array;
    listen(port: number, host: string, callback: () => void): void;
    address(): { address: string; port: number };
    toJSON(): { nodes: { host: string; port: number }[] };
    lookup(infoHash: Uint8Array, callback: (err: Error | null, nodes: number) => void): void;
    announce(infoHash: Uint8Array, port: number, callback: (err: Error | null) => void): void;
    on(event: "peer", listener: (peer: { host: string; port: number }) => void): this;
    removeListener(event: "peer", listener: (peer: { host: string; port: number }) => void): this;
    destroy(callback?: () => void): void;
  }
}
