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
    constructor(options?: {
      bootstrap?: false | string[];
      host?: string;
      verify?: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;
      timeBucketOutdated?: number;
    });
    nodeId: Uint8Array;
    listen(port: number, host: string, callback: () => void): void;
    address(): { address: string; port: number };
    toJSON(): {
      nodes: { host: string; port: number }[];
      values: Record<string, { v: string; id: string; seq?: number; k?: string; sig?: string }>;
    };
    addNode(node: { id?: Uint8Array | string; host: string; port: number }): void;
    lookup(infoHash: Uint8Array, callback: (err: Error | null, nodes: number) => void): void;
    announce(infoHash: Uint8Array, port: number, callback: (err: Error | null) => void): void;
    put(
      options: {
        v: Uint8Array | string;
        k?: Uint8Array;
        seq?: number;
        cas?: number;
        salt?: Uint8Array;
        sign?: (buffer: Uint8Array) => Uint8Array;
      },
      callback: (err: Error | null, hash: Uint8Array, n: number) => void,
    ): Uint8Array;
    get(
      hash: Uint8Array | string,
      options: { salt?: Uint8Array; cache?: boolean },
      // deno-lint-ignore no-explicit-any
      callback: (err: Error | null, result: any) => void,
    ): void;
    on(event: "peer", listener: (peer: { host: string; port: number }) => void): this;
    removeListener(event: "peer", listener: (peer: { host: string; port: number }) => void): this;
    destroy(callback?: () => void): void;
  }
}
