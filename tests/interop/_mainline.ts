// Helpers for mixed networks with the real bittorrent-dht package (the JavaScript mainline
// DHT, 11.0.12): start its nodes on 127.0.0.1 only (bootstrap: false, so never the public
// routers), wire them together, and call its callback API as promises with a deadline.
import DHT from "bittorrent-dht";
import { ed25519 } from "../../adapters/ed25519.ts";
import { KademliaNode } from "../../mod.ts";
import type { KademliaNodeOptions } from "../../mod.ts";

/** What bittorrent-dht's get returns: the reply dictionary that carried the item. */
export interface DhtGetResult {
  v: Uint8Array;
  id: Uint8Array;
  k?: Uint8Array;
  sig?: Uint8Array;
  seq?: number;
}

/** What bittorrent-dht's put accepts: `v` alone (immutable), or with `k`, `seq`, `sign`. */
export interface DhtPutOptions {
  v: Uint8Array | string;
  k?: Uint8Array;
  seq?: number;
  cas?: number;
  salt?: Uint8Array;
  sign?: (buffer: Uint8Array) => Uint8Array;
}

/** Every wait in the interop suite ends: a callback that never comes fails the test. */
export const DEADLINE_MS = 15_000;

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function text(value: unknown): string {
  assertBytes(value);
  return new TextDecoder().decode(value);
}

function assertBytes(value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`expected bytes, got ${String(value)}`);
}

/** Resolves with the callback's result, or rejects after `DEADLINE_MS`. */
export function within<T>(
  what: string,
  start: (done: (err: Error | null, value: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what}: no callback in ${DEADLINE_MS} ms`)),
      DEADLINE_MS,
    );
    start((err, value) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value);
    });
  });
}

/** A bittorrent-dht node on 127.0.0.1. */
export interface Mainline {
  readonly dht: DHT;
  readonly port: number;
  /** Its id, 40 hex characters. */
  readonly id: string;
}

/** Starts a bittorrent-dht node on 127.0.0.1 that verifies BEP 44 signatures. */
export async function startMainline(): Promise<Mainline> {
  const dht = new DHT({
    bootstrap: false,
    host: "127.0.0.1",
    // It refuses mutable puts (error 400) and ignores mutable get replies without a verifier.
    verify: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) =>
      ed25519.verify(signature, message, publicKey),
  });
  await within<void>("listen", (done) => dht.listen(0, "127.0.0.1", () => done(null)));
  return { dht, port: dht.address().port, id: hex(dht.nodeId) };
}

/** Tells two bittorrent-dht nodes about each other. */
export function link(a: Mainline, b: Mainline): void {
  a.dht.addNode({ id: b.id, host: "127.0.0.1", port: b.port });
  b.dht.addNode({ id: a.id, host: "127.0.0.1", port: a.port });
}

/** Tells a bittorrent-dht node about one of our nodes (ours learns of it when it answers). */
export function addOurs(mainline: Mainline, node: KademliaNode): void {
  mainline.dht.addNode({ id: node.id, host: "127.0.0.1", port: node.address!.port });
}

/** Starts one of our nodes in bencode mode on 127.0.0.1. */
export async function startOurs(options: KademliaNodeOptions = {}): Promise<KademliaNode> {
  const node = new KademliaNode({ serialization: "bencode", ...options });
  await node.listen(0, "127.0.0.1");
  return node;
}

export function stopMainline(mainline: Mainline): Promise<void> {
  return new Promise<void>((resolve) => mainline.dht.destroy(() => resolve()));
}

/** A signer for bittorrent-dht's mutable put, from one of our key pairs. */
export function signer(secretKey: Uint8Array): (buffer: Uint8Array) => Uint8Array {
  return (buffer) => ed25519.sign(new Uint8Array(buffer), secretKey);
}

/** `dht.put` as a promise: the target and how many nodes accepted. */
export function mainlinePut(
  mainline: Mainline,
  options: DhtPutOptions,
): Promise<{ target: string; accepted: number }> {
  return within("bittorrent-dht put", (done) =>
    mainline.dht.put(
      options,
      (err: Error | null, hash: Uint8Array, n: number) =>
        done(err, { target: hex(hash), accepted: n }),
    ));
}

/** `dht.get` as a promise, never from its own cache: the reply that carried the item, or null. */
export function mainlineGet(
  mainline: Mainline,
  target: string,
  salt?: Uint8Array,
): Promise<DhtGetResult | null> {
  const options = salt ? { salt, cache: false } : { cache: false };
  return within<DhtGetResult | null>(
    "bittorrent-dht get",
    (done) =>
      mainline.dht.get(
        target,
        options,
        (err: Error | null, result: DhtGetResult | null) => done(err, result),
      ),
  );
}

/** The targets a bittorrent-dht node holds items under, 40 hex characters each. */
export function heldBy(mainline: Mainline): string[] {
  return Object.keys(mainline.dht.toJSON().values);
}

/** Closes everything, ours and theirs, whatever failed. */
export async function closeAll(ours: KademliaNode[], theirs: Mainline[]): Promise<void> {
  for (const node of ours) await node.close();
  for (const mainline of theirs) await stopMainline(mainline);
}

/** `dht.announce` as a promise. */
export function mainlineAnnounce(
  mainline: Mainline,
  infoHash: Uint8Array,
  port: number,
): Promise<void> {
  return within<void>(
    "bittorrent-dht announce",
    (done) => mainline.dht.announce(infoHash, port, (err: Error | null) => done(err, undefined)),
  );
}

/** `dht.lookup` (a get_peers walk) as a promise: the peers it found and how many nodes answered. */
export async function mainlineLookup(
  mainline: Mainline,
  infoHash: Uint8Array,
): Promise<{ peers: { host: string; port: number }[]; answered: number }> {
  const peers: { host: string; port: number }[] = [];
  const onPeer = (peer: { host: string; port: number }) => peers.push(peer);
  mainline.dht.on("peer", onPeer);
  try {
    const answered = await within<number>(
      "bittorrent-dht lookup",
      (done) => mainline.dht.lookup(infoHash, (err: Error | null, n: number) => done(err, n)),
    );
    return { peers, answered };
  } finally {
    mainline.dht.removeListener("peer", onPeer);
  }
}
