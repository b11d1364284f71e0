/**
 * The public view of a contact: what `findNode` and `findValue` return.
 *
 * @module
 */
import { idFromHex, idToHex } from "./id/node_id.ts";
import { isIPv4, isIPv6, isPort } from "./transport/address.ts";
import type { NodeInfo } from "./wire/compact_nodes.ts";

/**
 * A peer's JSON form: `{ id, host, port }` with the id as 40 hex characters.
 *
 * @example
 * ```ts
 * import { Peer, type PeerJson } from "@kdht/core";
 *
 * const json: PeerJson = { id: "ab".repeat(20), host: "127.0.0.1", port: 6881 };
 * console.log(String(Peer.fromJSON(json))); // "abab…ab@127.0.0.1:6881"
 * ```
 */
export interface PeerJson {
  /** 40-character hex node id. */
  id: string;
  /** IP literal. */
  host: string;
  /** UDP port. */
  port: number;
}

/**
 * A node of the network: its id and UDP address.
 *
 * @example
 * ```ts
 * import { Peer } from "@kdht/core";
 * const peer = Peer.fromJSON({ id: "ab".repeat(20), host: "127.0.0.1", port: 8000 });
 * console.log(JSON.stringify(peer)); // {"id":"abab…","host":"127.0.0.1","port":8000}
 * ```
 */
export class Peer {
  /** 40-character lowercase hex node id. */
  readonly id: string;
  /** IP literal. */
  readonly host: string;
  /** UDP port. */
  readonly port: number;

  /**
   * Creates a peer, checking every field.
   *
   * @param id the node id as 40 hex characters
   * @param host an IPv4 or IPv6 literal
   * @param port a UDP port, 1–65535
   * @throws {TypeError} if any field is invalid
   */
  constructor(id: string, host: string, port: number) {
    this.id = idToHex(idFromHex(id));
    if (typeof host !== "string" || !(isIPv4(host) || isIPv6(host))) {
      throw new TypeError(`Invalid peer: host must be an IP literal, got ${String(host)}`);
    }
    if (!isPort(port) || port === 0) {
      throw new TypeError(`Invalid peer: port must be an integer in 1-65535, got ${String(port)}`);
    }
    this.host = host;
    this.port = port;
  }

  /** `id@host:port` (IPv6 hosts in brackets), for logs and string templates. */
  toString(): string {
    return this.host.includes(":")
      ? `${this.id}@[${this.host}]:${this.port}`
      : `${this.id}@${this.host}:${this.port}`;
  }

  /** The JSON form, `{ id, host, port }`. */
  toJSON(): PeerJson {
    return { id: this.id, host: this.host, port: this.port };
  }

  /**
   * Builds a peer from its JSON form.
   * @throws {TypeError} if any field is invalid
   */
  static fromJSON(json: PeerJson): Peer {
    if (json === null || typeof json !== "object") {
      throw new TypeError(`Invalid peer: expected { id, host, port }, got ${String(json)}`);
    }
    return new Peer(json.id, json.host, json.port);
  }

  /** @internal Builds a peer from a wire contact without re-validating it. */
  static fromNodeInfo(node: NodeInfo): Peer {
    const peer = Object.create(Peer.prototype) as { -readonly [K in keyof Peer]: Peer[K] };
    peer.id = idToHex(node.id);
    peer.host = node.host;
    peer.port = node.port;
    return peer as Peer;
  }
}
