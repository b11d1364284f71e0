/**
 * Codec throughput: encode and decode of a BEP 5 ping query and of a typical find_node response
 * (20-byte id, 20 compact nodes of 26 bytes as one 520-byte string), for our bencode and JSON
 * codecs, with the npm `bencode` package (what bittorrent-dht uses) measured in the same run as
 * the baseline every ratio refers to.
 *
 * Run: `deno run -A bench/codec.ts` or `bun bench/codec.ts`. Prints one JSON object.
 *
 * @module
 */

import npmBencode from "bencode";
import { BencodeCodec } from "../src/wire/bencode.ts";
import { JsonCodec } from "../src/wire/json.ts";
import type { WireDict } from "../src/wire/codec.ts";
import { runtimeLabel } from "./_runtime.ts";

interface Subject {
  name: string;
  encode(message: WireDict): Uint8Array;
  decode(data: Uint8Array): unknown;
}

interface Result {
  codec: string;
  message: string;
  bytes: number;
  encodeOpsPerSec: number;
  decodeOpsPerSec: number;
  /** Encode then decode, one full round, per second. */
  roundTripOpsPerSec: number;
  /** roundTripOpsPerSec divided by npm bencode's for the same message. */
  ratioVsNpmBencode: number;
}

function filled(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const messages: Record<string, WireDict> = {
  ping: { t: filled(2, 1), y: "q", q: "ping", a: { id: filled(20, 2) } },
  find_node_response: {
    t: filled(2, 3),
    y: "r",
    r: { id: filled(20, 4), nodes: filled(20 * 26, 5) },
  },
};

const bencodeCodec = new BencodeCodec();
const jsonCodec = new JsonCodec();
const subjects: Subject[] = [
  {
    name: "npm bencode@4.0.1",
    encode: (m) => npmBencode.encode(m),
    decode: (d) => npmBencode.decode(d),
  },
  {
    name: "kdht bencode",
    encode: (m) => bencodeCodec.encode(m),
    decode: (d) => bencodeCodec.decode(d),
  },
  { name: "kdht json", encode: (m) => jsonCodec.encode(m), decode: (d) => jsonCodec.decode(d) },
];

let sink = 0;

/** Operations per second of `fn`: the median of 7 timed rounds of ~150 ms after a warm-up. */
function opsPerSec(fn: () => number): number {
  let batch = 1;
  const warmUp = performance.now();
  while (performance.now() - warmUp < 50) {
    for (let i = 0; i < batch; i++) sink += fn();
    batch *= 2;
  }
  // Calibrate a batch to ~150 ms.
  const t0 = performance.now();
  for (let i = 0; i < batch; i++) sink += fn();
  const perOp = Math.max(performance.now() - t0, 0.001) / batch;
  const n = Math.max(1, Math.round(150 / perOp));
  const rates: number[] = [];
  for (let round = 0; round < 7; round++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) sink += fn();
    rates.push(n / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return Math.round(rates[3]!);
}

const runtime = runtimeLabel;

const results: Result[] = [];
for (const [messageName, message] of Object.entries(messages)) {
  let baseline = 0;
  for (const s of subjects) {
    const data = s.encode(message);
    const encodeOpsPerSec = opsPerSec(() => s.encode(message).length);
    const decodeOpsPerSec = opsPerSec(() => (s.decode(data) === null ? 0 : 1));
    const roundTripOpsPerSec = opsPerSec(() => (s.decode(s.encode(message)) === null ? 0 : 1));
    if (s === subjects[0]) baseline = roundTripOpsPerSec;
    results.push({
      codec: s.name,
      message: messageName,
      bytes: data.length,
      encodeOpsPerSec,
      decodeOpsPerSec,
      roundTripOpsPerSec,
      ratioVsNpmBencode: Math.round((roundTripOpsPerSec / baseline) * 100) / 100,
    });
  }
}

console.log(JSON.stringify({ runtime: runtime(), results }, null, 2));
if (sink === 42) console.log(""); // keeps the work observable
