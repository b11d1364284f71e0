/**
 * Echo server run in a worker thread by `transport_echo.ts`, so the server socket gets its own
 * core as in performance.md §3. Speaks to its parent through Web Worker messaging (Deno, Bun) or
 * `node:worker_threads` (Node): it posts its port once bound, echoes every datagram back to its
 * sender, and closes when sent "close", answering "closed".
 *
 * @module
 */
import { createUdpTransport } from "../adapters/runtime.ts";

interface Channel {
  post(message: unknown): void;
  listen(handler: (message: unknown) => void): void;
}

async function parentChannel(): Promise<Channel> {
  const web = globalThis as {
    postMessage?: (message: unknown) => void;
    addEventListener?: (type: "message", listener: (event: { data: unknown }) => void) => void;
  };
  if (typeof web.postMessage === "function" && typeof web.addEventListener === "function") {
    return {
      post: (message) => web.postMessage!(message),
      listen: (handler) => web.addEventListener!("message", (event) => handler(event.data)),
    };
  }
  const { parentPort } = await import("node:worker_threads");
  if (parentPort === null) throw new Error("_echo_server.ts must run as a worker");
  return {
    post: (message) => parentPort.postMessage(message),
    listen: (handler) => parentPort.on("message", handler),
  };
}

function noop(): void {}

const channel = await parentChannel();
const server = await createUdpTransport({ hostname: "127.0.0.1", port: 0 });
server.onDatagram((data, from) => {
  server.send(data, from).catch(noop);
});
channel.listen(async (message) => {
  if (message !== "close") return;
  await server.close();
  channel.post("closed");
});
channel.post({ port: server.localAddress.port });
