// Our node under Deno and under Bun, each in a child process, with bittorrent-dht in this
// process (whichever runtime runs the suite: Node on the npm build, or Deno, or Bun): the child
// joins through a bittorrent-dht node over real UDP on 127.0.0.1, reads the items it put and
// puts items it reads back. The runtimes come from node_modules/.bin, as `npm test` uses them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateKeyPair } from "../../mod.ts";
import {
  bytes,
  closeAll,
  DEADLINE_MS,
  hex,
  link,
  type Mainline,
  mainlineGet,
  mainlinePut,
  signer,
  startMainline,
  text,
} from "./_mainline.ts";

/** The repository root from this file (tests/ in the source tree, npm/esm/tests/ when built). */
function repoRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, "deno.json")) && existsSync(join(dir, "package.json"))) return dir;
  }
  return undefined;
}

/** A child process speaking one JSON line per command. */
class Child {
  readonly #process: ChildProcess;
  readonly #lines: string[] = [];
  #waiting: ((line: string) => void) | undefined;
  #stderr = "";

  constructor(command: string, args: string[], cwd: string) {
    this.#process = spawn(command, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
    let buffered = "";
    this.#process.stdout!.on("data", (chunk) => {
      buffered += String(chunk);
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const waiting = this.#waiting;
        this.#waiting = undefined;
        if (waiting) waiting(line);
        else this.#lines.push(line);
      }
    });
    this.#process.stderr!.on("data", (chunk) => (this.#stderr += String(chunk)));
  }

  /** The next line the child prints, parsed; rejects after the deadline. */
  next(): Promise<Record<string, unknown>> {
    const queued = this.#lines.shift();
    if (queued !== undefined) return Promise.resolve(JSON.parse(queued));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`child said nothing in ${DEADLINE_MS} ms: ${this.#stderr}`)),
        DEADLINE_MS,
      );
      this.#waiting = (line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      };
    });
  }

  /** Sends one command and returns the child's answer. */
  async ask(command: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.#process.stdin!.write(JSON.stringify(command) + "\n");
    const reply = await this.next();
    assert.equal(reply.error, undefined, `child: ${String(reply.error)}`);
    return reply;
  }

  /** Asks the child to close its node and exit; kills it if it has not within 5 s. */
  async close(): Promise<number | null> {
    const child = this.#process;
    if (child.exitCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.stdin!.write(JSON.stringify({ op: "close" }) + "\n");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }
}

const root = repoRoot();
const runtimes: [string, string, (script: string) => string[]][] = [
  ["deno", "deno", (script) => ["run", "-A", "--config", join(root ?? "", "deno.json"), script]],
  ["bun", "bun", (script) => ["run", script]],
];

describe("our node in a child process (Deno, Bun) with bittorrent-dht in this one", () => {
  for (const [name, binary, args] of runtimes) {
    const command = root === undefined ? "" : join(root, "node_modules", ".bin", binary);
    const skip = root === undefined
      ? "repository root not found above the tests"
      : existsSync(command)
      ? false
      : `${command} not installed (npm ci)`;
    it(`${name}: reads bittorrent-dht's immutable and salted mutable items, and puts its own`, {
      skip,
    }, async () => {
      const theirs: Mainline[] = [];
      for (let i = 0; i < 3; i++) theirs.push(await startMainline());
      link(theirs[0]!, theirs[1]!);
      link(theirs[1]!, theirs[2]!);
      const script = join(root!, "tests", "interop", "_kdht_child.ts");
      const child = new Child(command, [...args(script), `127.0.0.1:${theirs[0]!.port}`], root!);
      try {
        const ready = await child.next();
        assert.equal(ready.runtime, name, "the child runs on the runtime asked for");

        const immutable = await mainlinePut(theirs[2]!, {
          v: bytes(`from bittorrent-dht to ${name}`),
        });
        const got = await child.ask({ op: "getImmutable", target: immutable.target });
        assert.equal(got.value, hex(bytes(`from bittorrent-dht to ${name}`)));

        const keys = generateKeyPair();
        const salt = bytes("child");
        const sign = signer(keys.secretKey);
        await mainlinePut(theirs[2]!, { k: keys.publicKey, seq: 4, v: bytes("m4"), salt, sign });
        const item = await child.ask({
          op: "getMutable",
          publicKey: hex(keys.publicKey),
          salt: "child",
        });
        assert.deepEqual([item.seq, item.value], [4, hex(bytes("m4"))]);

        const put = await child.ask({ op: "putImmutable", value: `from ${name}` });
        assert.equal(text((await mainlineGet(theirs[1]!, String(put.target)))?.v), `from ${name}`);
        const update = await child.ask({
          op: "putMutable",
          secretKey: hex(keys.secretKey),
          value: `m5 from ${name}`,
          salt: "child",
        });
        assert.equal(update.seq, 5, "it continued bittorrent-dht's sequence");
        assert.ok(Number(update.storedOn) >= 3, `stored on ${String(update.storedOn)}`);
        const read = await mainlineGet(theirs[0]!, String(update.target), salt);
        assert.deepEqual([read?.seq, text(read?.v)], [5, `m5 from ${name}`]);
        assert.equal(await child.close(), 0, "the child closed its node and exited cleanly");
      } finally {
        await child.close();
        await closeAll([], theirs);
      }
    });
  }
});
