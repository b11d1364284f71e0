/**
 * UDP transport for Node.js, on `node:dgram` ("udp4" or "udp6" by the bind hostname). Deno and
 * Bun can run it too, but each has a faster native adapter.
 *
 * @example
 * ```ts ignore
 * import { createNodeTransport } from "@kdht/core/node";
 * const transport = await createNodeTransport({ port: 0 });
 * transport.onDatagram((data, from) => console.log(data.length, "bytes from", from));
 * await transport.close();
 * ```
 *
 * @module
 */
import { createSocket } from "node:dgram";
import type { RemoteInfo, Socket } from "node:dgram";
import type {
  Address,
  BindOptions,
  DatagramHandler,
  DatagramTransport,
} from "../src/transport/datagram_transport.ts";
import type { ResolvedBindOptions } from "./_common.ts";
import { checkSend, resolveBindOptions, toTransportError } from "./_common.ts";

class NodeTransport implements DatagramTransport {
  readonly localAddress: Address;
  readonly maxDatagramSize: number;
  #socket: Socket;
  #handler: DatagramHandler | undefined;
  #closing: Promise<void> | undefined;

  private constructor(socket: Socket, maxDatagramSize: number) {
    const { address, port } = socket.address();
    this.#socket = socket;
    this.localAddress = { host: address, port };
    this.maxDatagramSize = maxDatagramSize;
    socket.on("message", (msg: Uint8Array, rinfo: RemoteInfo) => this.#receive(msg, rinfo));
    // Without a listener an 'error' event would crash the process; send errors come back
    // through send's callback, so there is nothing to fail here.
    socket.on("error", () => {});
  }

  static bind(options: ResolvedBindOptions): Promise<NodeTransport> {
    const { hostname, port, ipv6, maxDatagramSize } = options;
    return new Promise((resolve, reject) => {
      const socket = createSocket(ipv6 ? "udp6" : "udp4");
      const onError = (err: Error): void => {
        try {
          socket.close();
        } catch {
          // Never bound, so nothing to release.
        }
        reject(toTransportError(err, "bind", { host: hostname, port }));
      };
      socket.once("error", onError);
      socket.bind({ port, address: hostname }, () => {
        socket.off("error", onError);
        resolve(new NodeTransport(socket, maxDatagramSize));
      });
    });
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  onDatagram(handler: DatagramHandler): void {
    this.#handler = handler;
  }

  send(data: Uint8Array, to: Address): Promise<void> {
    const error = checkSend(this.#closing !== undefined, data, to, this.maxDatagramSize);
    if (error) return Promise.reject(error);
    return new Promise((resolve, reject) => {
      this.#socket.send(data, to.port, to.host, (err) => {
        if (err) reject(toTransportError(err, "send", to));
        else resolve();
      });
    });
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => this.#socket.close(() => resolve()));
    return this.#closing;
  }

  #receive(msg: Uint8Array, rinfo: RemoteInfo): void {
    const handler = this.#handler;
    if (handler === undefined || this.#closing !== undefined) return;
    try {
      // A plain Uint8Array view of the Buffer (fresh per datagram): Buffer's own slice() does
      // not copy, which would surprise code written against Uint8Array.
      handler(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), {
        host: rinfo.address,
        port: rinfo.port,
      });
    } catch {
      // A throwing handler must not stop the socket (see DatagramTransport.onDatagram).
    }
  }
}

/**
 * Binds a UDP socket with `node:dgram`.
 *
 * @param options port (default 0: any free port), hostname (default `"127.0.0.1"`; an IP
 * literal or `"localhost"`), maxDatagramSize (default 8192)
 * @returns the bound transport; `localAddress.port` is the actual port
 * @throws {TransportError} `address_in_use` if the port is taken, `bad_address` for an invalid
 * hostname or port, `bind_failed` otherwise
 * @throws {RangeError} if `maxDatagramSize` is not an integer in 1–65507
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 * import { createNodeTransport } from "@kdht/core/node";
 *
 * await using node = new KademliaNode({ transport: createNodeTransport }); // node:dgram, any runtime
 * await node.listen(0);
 * ```
 */
export async function createNodeTransport(options?: BindOptions): Promise<DatagramTransport> {
  return await NodeTransport.bind(resolveBindOptions(options));
}
