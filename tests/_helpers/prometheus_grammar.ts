// A strict reader of the Prometheus text exposition format 0.0.4, written from the format's
// description (prometheus.io "Exposition formats", text format details): it throws, naming the
// line, at anything a Prometheus server would reject or the format forbids, so a test can check
// our output against the grammar rather than against itself.

/** One sample line. */
export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** A metric family: its TYPE, HELP and samples. */
export interface Family {
  readonly name: string;
  type: string;
  help: string | undefined;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function parseValue(text: string, where: string): number {
  if (/^[+]?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!FLOAT.test(text)) throw new Error(`${where}: bad value ${JSON.stringify(text)}`);
  return Number(text);
}

function unescape(text: string, allowed: string, where: string): string {
  return text.replace(/\\(.)/gs, (_, c: string) => {
    if (!allowed.includes(c)) throw new Error(`${where}: bad escape \\${c}`);
    return c === "n" ? "\n" : c;
  });
}

function parseLabels(rest: string, where: string): [Record<string, string>, string] {
  const labels: Record<string, string> = {};
  let s = rest.slice(1).trimStart();
  while (!s.startsWith("}")) {
    const name = LABEL_NAME.exec(s)?.[0];
    if (name === undefined) throw new Error(`${where}: bad label name at ${JSON.stringify(s)}`);
    if (name in labels) throw new Error(`${where}: label ${name} repeated`);
    s = s.slice(name.length).trimStart();
    if (!s.startsWith('="') && !s.startsWith("=")) throw new Error(`${where}: '=' expected`);
    s = s.slice(1).trimStart();
    const quoted = /^"((?:[^"\\\n]|\\.)*)"/s.exec(s);
    if (!quoted) throw new Error(`${where}: unterminated label value for ${name}`);
    labels[name] = unescape(quoted[1]!, '\\"n', where);
    s = s.slice(quoted[0].length).trimStart();
    if (s.startsWith(",")) s = s.slice(1).trimStart();
    else if (!s.startsWith("}")) throw new Error(`${where}: ',' or '}' expected`);
  }
  return [labels, s.slice(1)];
}

/** The family a sample name belongs to: histogram suffixes map to their base name. */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(name);
  if (direct) return direct;
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (!name.endsWith(suffix)) continue;
    const base = families.get(name.slice(0, -suffix.length));
    if (base && (base.type === "histogram" || (base.type === "summary" && suffix !== "_bucket"))) {
      return base;
    }
  }
  return undefined;
}

function checkHistogram(family: Family): void {
  const series = new Map<string, { le: number; count: number }[]>();
  const counts = new Map<string, number>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (sample.name.endsWith("_bucket")) {
      if (le === undefined) throw new Error(`${family.name}: bucket without le`);
      const list = series.get(key) ?? [];
      list.push({ le: parseValue(le, family.name), count: sample.value });
      series.set(key, list);
    } else if (sample.name.endsWith("_count")) counts.set(key, sample.value);
  }
  for (const [key, buckets] of series) {
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]!.le > buckets[i - 1]!.le)) {
        throw new Error(`${family.name}: le not ascending`);
      }
      if (buckets[i]!.count < buckets[i - 1]!.count) {
        throw new Error(`${family.name}: bucket counts not cumulative`);
      }
    }
    const last = buckets.at(-1)!;
    if (last.le !== Infinity) throw new Error(`${family.name}: no le="+Inf" bucket`);
    if (counts.get(key) !== last.count) throw new Error(`${family.name}: _count != +Inf bucket`);
  }
}

/**
 * Reads an exposition text.
 *
 * @returns the families by name, in order of appearance
 * @throws {Error} naming the first line that breaks the format
 */
export function parseExposition(text: string): Map<string, Family> {
  if (text.length > 0 && !text.endsWith("\n")) throw new Error("the last line must end with \\n");
  const families = new Map<string, Family>();
  const done = new Set<string>();
  const series = new Set<string>();
  let current: Family | undefined;
  const lines = text.split("\n").slice(0, -1);
  for (const [index, raw] of lines.entries()) {
    const where = `line ${index + 1}`;
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      const parts = line.slice(1).trim().split(/[ \t]+/);
      const keyword = parts[0];
      if (keyword !== "HELP" && keyword !== "TYPE") continue;
      const name = parts[1];
      if (name === undefined || METRIC_NAME.exec(name)?.[0] !== name) {
        throw new Error(`${where}: bad metric name in ${keyword}`);
      }
      let family = families.get(name);
      if (family && done.has(name)) {
        throw new Error(`${where}: ${name} reappears after its samples`);
      }
      if (!family) {
        family = { name, type: "untyped", help: undefined, samples: [] };
        families.set(name, family);
      }
      if (current !== family && current !== undefined) done.add(current.name);
      current = family;
      if (keyword === "TYPE") {
        if (parts.length !== 3 || !TYPES.has(parts[2]!)) throw new Error(`${where}: bad TYPE`);
        if (family.samples.length > 0) throw new Error(`${where}: TYPE after samples`);
        if (family.type !== "untyped") throw new Error(`${where}: second TYPE for ${name}`);
        family.type = parts[2]!;
      } else {
        if (family.help !== undefined) throw new Error(`${where}: second HELP for ${name}`);
        const docstring = line.replace(/^#\s*HELP\s+\S+\s?/, "");
        family.help = unescape(docstring, "\\n", where);
      }
      continue;
    }
    const name = METRIC_NAME.exec(line)?.[0];
    if (name === undefined) throw new Error(`${where}: bad metric name`);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.trimStart().startsWith("{")) [labels, rest] = parseLabels(rest.trimStart(), where);
    const tokens = rest.trim().split(/[ \t]+/);
    if (rest.length > 0 && !/^[ \t]/.test(rest)) throw new Error(`${where}: space expected`);
    if (tokens.length < 1 || tokens.length > 2 || tokens[0] === "") {
      throw new Error(`${where}: value [timestamp] expected`);
    }
    const value = parseValue(tokens[0]!, where);
    if (tokens[1] !== undefined && !/^-?\d+$/.test(tokens[1])) {
      throw new Error(`${where}: bad timestamp`);
    }
    let family = familyOf(name, families);
    if (!family) {
      family = { name, type: "untyped", help: undefined, samples: [] };
      families.set(name, family);
    }
    if (done.has(family.name)) throw new Error(`${where}: ${family.name} samples are not grouped`);
    if (current !== family && current !== undefined) done.add(current.name);
    current = family;
    if ("le" in labels && family.type !== "histogram") {
      throw new Error(`${where}: le outside a histogram`);
    }
    const id = name + JSON.stringify(Object.entries(labels).sort());
    if (series.has(id)) throw new Error(`${where}: duplicate series ${id}`);
    series.add(id);
    family.samples.push({ name, labels, value });
  }
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return families;
}
