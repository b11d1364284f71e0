// Raw KRPC for tests: methods with hand-written handlers, and a client that sends any
// dictionary as a query and returns the decoded reply, so a test can see exactly what a node
// answers (or that it answers nothing).
import type { KrpcMethod, MethodArgs, MethodReply, QueryInfo } from "../../src/rpc/method.ts";
import {
  findNode,
  type FindNodeArgs,
  type FindNodeReply,
} from "../../src/rpc/methods/find_node.ts";
import type { Clock } from "../../src/clock.ts";
import type { Address, DatagramTransport } from "../../src/transport/datagram_transport.ts";
import type { Codec, WireDict } from "../../src/wire/codec.ts";

/** A method shaped like find_node (args id/target/want, reply id/nodes) with its own handler. */
export function nodesMethod(
  name: string,
  handle: (args: FindNodeArgs, query: QueryInfo) => FindNodeReply | Promise<FindNodeReply>,
): KrpcMethod<FindNodeArgs, FindNodeReply> {
  return { ...findNode, name, handle: (_context, args, query) => handle(args, query) };
}

/** A method whose handler sees only the id; its reply is `{ id }`. */
export function idMethod(
  name: string,
  handle: (args: MethodArgs) => MethodReply | Promise<MethodReply>,
): KrpcMethod<MethodArgs, MethodReply> {
  return {
    name,
    encodeArgs: (args) => ({ id: args.id }),
    decodeArgs: (codec, a) => ({ id: codec.bytes(a.id)! }),
    handle: (_context, args) => handle(args),
    encodeReply: (reply) => ({ id: reply.id }),
    decodeReply: (codec, r) => ({ id: codec.bytes(r.id) ?? new Uint8Array(20) }),
  };
}

/** Sends raw datagrams from its own transport and collects what comes back. */
export class RawClient {
  readonly replies: { data: Uint8Array; from: Address }[] = [];
  constructor(
    readonly transport: DatagramTransport,
    readonly codec: Codec,
    readonly clock: Clock & { advance?(ms: number): Promise<void> },
  ) {
    transport.onDatagram((data, from) => this.replies.push({ data, from }));
  }

  /** Sends bytes as they are. */
  async sendBytes(data: Uint8Array, to: Address): Promise<void> {
    await this.transport.send(data, to);
  }

  /** Encodes and sends a whole message tree. */
  async send(tree: WireDict, to: Address): Promise<number> {
    const data = this.codec.encode(tree);
    await this.transport.send(data, to);
    return data.length;
  }

  /** The replies received so far, decoded, and forgets them. */
  take(): WireDict[] {
    const out = this.replies.map((r) => this.codec.decode(r.data));
    this.replies.length = 0;
    return out;
  }

  /** Sizes of the replies received so far. */
  sizes(): number[] {
    return this.replies.map((r) => r.data.length);
  }
}
