// The kdht command line's arguments, in a real process of this runtime: help for every
// command, the version, and bad arguments (one-line error, the usage, exit 2).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { kdht, ROOT, RUNTIME } from "../_helpers/spawn.ts";

const COMMANDS = ["node", "put", "get", "find-node", "ping", "demo"];

describe(`kdht arguments (${RUNTIME})`, () => {
  it("--help lists every command, and each command has its own --help", async () => {
    const main = await kdht(["--help"]);
    assert.equal(main.code, 0, main.stderr);
    for (const name of COMMANDS) assert.match(main.stdout, new RegExp(`^  ${name} `, "m"));
    const helps = await Promise.all(COMMANDS.map((name) => kdht([name, "--help"])));
    for (const [i, help] of helps.entries()) {
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, new RegExp(`^usage: kdht ${COMMANDS[i]}\\b`));
      assert.match(help.stdout, /--help/);
      assert.equal(help.stderr, "");
    }
  });

  it("--version prints the package version", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8"));
    const result = await kdht(["--version"]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim(), version);
  });

  it("bad arguments print one line saying what, then the usage, and exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [["node", "--prot", "1"], /^kdht node: unknown option '--prot'$/],
      [
        ["node", "--port", "70000"],
        /^kdht node: --port must be an integer from 0 to 65535, got '70000'$/,
      ],
      [["node", "--port", "abc"], /^kdht node: --port must be an integer/],
      [["node", "--host", "example.com"], /^kdht node: --host must be an IPv4 or IPv6 address/],
      [
        ["node", "--bootstrap", "127.0.0.1"],
        /^kdht node: bad bootstrap address: expected "host:port"/,
      ],
      [["node", "--bootstrap", "300.1.1.1:5"], /^kdht node: bad bootstrap address: host must be/],
      [["node", "--metrics", "nowhere"], /^kdht node: --metrics must be host:port or a port/],
      [["node", "--log-level", "loud"], /^kdht node: --log-level must be one of/],
      [["node", "--port"], /^kdht node: option '--port' needs a value$/],
      [["node", "extra"], /^kdht node: unexpected argument 'extra'$/],
      [["put", "k"], /^kdht put: missing argument$/],
      [["put", "k", "v"], /^kdht put: --bootstrap host:port is required/],
      [["put", "k", "v", "--bootstrap", "1.2.3.4:0"], /^kdht put: bad bootstrap address: port/],
      [
        ["get", "k", "--bootstrap", "127.0.0.1:1", "--serialization", "xml"],
        /^kdht get: --serialization must be json or bencode/,
      ],
      [
        ["get", "k", "--json=yes", "--bootstrap", "127.0.0.1:1"],
        /^kdht get: option '--json' takes no value$/,
      ],
      [
        ["find-node", "abc", "--bootstrap", "127.0.0.1:1"],
        /^kdht find-node: ID must be 40 hex characters/,
      ],
      [["ping", "localhost"], /^kdht ping: bad address: expected "host:port"/],
      [
        ["ping", "127.0.0.1:1", "--timeout", "0"],
        /^kdht ping: --timeout must be an integer from 1/,
      ],
      [["demo", "--nodes", "0"], /^kdht demo: --nodes must be an integer from 1 to 1000, got '0'$/],
      [["demo", "--nodes", "-3"], /^kdht demo: /],
      [["demo", "--values", "1.5"], /^kdht demo: --values must be an integer/],
      [["frobnicate"], /^kdht: unknown command 'frobnicate'$/],
    ];
    const results = await Promise.all(cases.map(([args]) => kdht(args)));
    for (const [i, result] of results.entries()) {
      const [args, message] = cases[i]!;
      const lines = result.stderr.trimEnd().split("\n");
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.equal(lines.length, 2, `${args.join(" ")}: two lines: ${result.stderr}`);
      assert.match(lines[0]!, message, args.join(" "));
      assert.match(lines[1]!, /^usage: kdht /, args.join(" "));
      assert.equal(result.stdout, "", args.join(" "));
    }
  });
});
