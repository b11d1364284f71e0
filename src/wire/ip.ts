/**
 * IP address literals to and from their network byte form, for compact node info (BEP 5: 4-byte
 * IPv4, BEP 32: 16-byte IPv6).
 *
 * @module
 */

/**
 * The 4 bytes of an IPv4 literal, or `undefined` if `host` is not one.
 *
 * @param host a dotted-quad literal such as `"127.0.0.1"`
 */
export function ipv4ToBytes(host: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  return writeIPv4(host, out, 0) ? out : undefined;
}

/**
 * Writes the 4 bytes of an IPv4 literal into `out` at `offset` without allocating: this runs
 * for every contact of every find_node reply. Returns false, writing nothing useful, if
 * `host` is not a dotted quad.
 *
 * @param host a dotted-quad literal such as `"127.0.0.1"`
 * @param out where to write
 * @param offset the index of the first byte
 */
export function writeIPv4(host: string, out: Uint8Array, offset: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= host.length; i++) {
    const code = i < host.length ? host.charCodeAt(i) : 0x2e;
    if (code === 0x2e) {
      if (digits === 0 || part > 3) return false;
      out[offset + part++] = value;
      value = 0;
      digits = 0;
    } else if (code >= 0x30 && code <= 0x39) {
      if (digits > 0 && value === 0) return false; // no leading zeros
      value = value * 10 + code - 0x30;
      if (++digits > 3 || value > 255) return false;
    } else {
      return false;
    }
  }
  return part === 4;
}

/**
 * The 16 bytes of an IPv6 literal (with `::` compression and an optional trailing dotted
 * IPv4 part), or `undefined` if `host` is not one.
 *
 * @param host e.g. `"::1"`, `"fe80::1"`, `"::ffff:127.0.0.1"`
 */
export function ipv6ToBytes(host: string): Uint8Array | undefined {
  let text = host;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (lastColon >= 0 && text.includes(".", lastColon)) {
    const v4 = ipv4ToBytes(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    // Keep "::" intact ("::ffff:1.2.3.4" → "::ffff"); otherwise drop the separator colon.
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith("::")) text = text.slice(0, -1);
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === "") return [];
    const groups = part.split(":");
    const words: number[] = [];
    for (const group of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      words.push(parseInt(group, 16));
    }
    return words;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const explicit = head.length + rest.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined;
  const words = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i]! >> 8;
    out[2 * i + 1] = words[i]! & 0xff;
  }
  return out;
}

/** Slots of the cache of dotted-quad strings (a power of two). */
const V4_TEXT_SLOTS = 1024;
const v4TextKeys = new Uint32Array(V4_TEXT_SLOTS);
const v4Texts: (string | undefined)[] = new Array(V4_TEXT_SLOTS);

/**
 * The dotted-quad text of 4 bytes. Every reply names eight nodes, mostly ones met before, so
 * the text of an address is cached in a small direct-mapped table: a hit allocates nothing,
 * where a template literal builds the string anew (with its intermediate pieces) each time.
 */
export function bytesToIPv4(bytes: Uint8Array, offset = 0): string {
  const key = ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) |
    bytes[offset + 3]!) >>> 0;
  const slot = Math.imul(key, 0x9e3779b1) >>> 22; // 10 bits: V4_TEXT_SLOTS
  const cached = v4Texts[slot];
  if (cached !== undefined && v4TextKeys[slot] === key) return cached;
  const text = `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
  v4TextKeys[slot] = key;
  v4Texts[slot] = text;
  return text;
}

/** The RFC 5952 text of 16 bytes: lower case, longest run of zero groups compressed. */
export function bytesToIPv6(bytes: Uint8Array, offset = 0): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) {
    words.push((bytes[offset + 2 * i]! << 8) | bytes[offset + 2 * i + 1]!);
  }
  let bestStart = -1;
  let bestLength = 1; // RFC 5952 §4.2.2: a single zero group is not compressed
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
