#!/usr/bin/env -S deno run -A
/**
 * Builds the npm package into `npm/`, doing the job dnt would do (dnt lives on JSR, which is not
 * reachable from every build machine): the TypeScript compiler turns the Deno-style sources
 * (explicit `.ts` imports) into ESM `.js` + `.d.ts`, writes a package.json with the exports
 * npm users need, and compiles the test suite next to it so Node can run it against the output.
 *
 * The Deno adapter is not shipped to npm: `adapters/runtime.ts` is mapped to
 * `adapters/runtime_npm.ts`, which has no Deno branch (dnt's `mappings` option).
 *
 * Usage: `deno run -A scripts/build_npm.ts`, or the `build:npm` task, which runs this file through
 * its shebang: inside `deno task` a bare `deno` would resolve to node_modules/.bin/deno, which
 * Deno 2.9 loads as a script (see tests/tasks_test.ts).
 *
 * @module
 */
import ts from "typescript";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "npm");
const esmDir = join(outDir, "esm");

/** Source files replaced by another file in the npm build (dnt's `mappings`). */
const mappings: Record<string, string> = {
  [join(root, "adapters/runtime.ts")]: join(root, "adapters/runtime_npm.ts"),
};

/** Files that exist only for Deno and must not be compiled for npm. */
const denoOnly = new Set([join(root, "adapters/deno.ts"), join(root, "adapters/runtime_npm.ts")]);

function listTs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listTs(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const entryFiles = [
  join(root, "scripts/npm_types.d.ts"),
  join(root, "mod.ts"),
  join(root, "testing.ts"),
  join(root, "sqlite.ts"),
  join(root, "cli.ts"),
  join(root, "scripts/simulate.ts"),
  join(root, "scripts/heap_by_type.ts"),
  join(root, "scripts/alloc_by_function.ts"),
  ...listTs(join(root, "cli")),
  ...listTs(join(root, "src")),
  ...listTs(join(root, "adapters")),
  ...listTs(join(root, "tests")),
  ...listTs(join(root, "bench")),
  ...listTs(join(root, "examples")),
].filter((file) => existsSync(file) && !denoOnly.has(file));

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
  types: ["node"],
  declaration: true,
  sourceMap: false,
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
  rewriteRelativeImportExtensions: true,
  rootDir: root,
  outDir: esmDir,
  typeRoots: [join(root, "node_modules/@types")],
};

const host = ts.createCompilerHost(options);
const readFile = host.readFile.bind(host);
host.readFile = (fileName) => readFile(mappings[resolve(fileName)] ?? fileName);
const getSourceFile = host.getSourceFile.bind(host);
host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
  const mapped = mappings[resolve(fileName)];
  if (!mapped) return getSourceFile(fileName, languageVersion, onError, shouldCreate);
  const text = ts.sys.readFile(mapped) ?? "";
  return ts.createSourceFile(fileName, text, languageVersion);
};

rmSync(outDir, { recursive: true, force: true });
const program = ts.createProgram(entryFiles, options, host);
const result = program.emit();
const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
if (diagnostics.length > 0) {
  console.error(ts.formatDiagnosticsWithColorAndContext(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => "\n",
  }));
  Deno.exit(1);
}

const denoJson = JSON.parse(Deno.readTextFileSync(join(root, "deno.json")));
// Runtime dependencies (e.g. @noble/curves for adapters/ed25519.ts) stay imports by package name
// in the compiled output, so the published package declares them, at the versions pinned in the
// root package.json, and npm installs them next to it; nothing is bundled.
const rootPackageJson = JSON.parse(Deno.readTextFileSync(join(root, "package.json")));
const dependencies: Record<string, string> = rootPackageJson.dependencies ?? {};
const entry = (path: string) => ({
  types: `./esm/${path}.d.ts`,
  import: `./esm/${path}.js`,
});
const packageJson = {
  name: denoJson.name,
  version: denoJson.version,
  description:
    "Kademlia DHT for Deno, Bun and Node: one core over UDP, JSON or BEP 5 bencode wire, simulated network with virtual time",
  license: "MIT",
  type: "module",
  // What the Node leg of `npm test` runs on is pinned in package.json (the `node` package, 22.x);
  // 22.13 is the first 22.x with node:sqlite unflagged (and above @noble/curves' 20.19).
  engines: { node: ">=22.13" },
  keywords: [
    "kademlia",
    "dht",
    "p2p",
    "distributed-hash-table",
    "bittorrent",
    "mainline",
    "krpc",
    "bep5",
    "udp",
    "deno",
    "bun",
    "node",
  ],
  repository: rootPackageJson.repository,
  types: "./esm/mod.d.ts",
  // `npx kdht` after install: bin/kdht.js imports the compiled command line.
  bin: { kdht: "bin/kdht.js" },
  dependencies,
  exports: {
    ".": entry("mod"),
    "./node": entry("adapters/node"),
    "./bun": entry("adapters/bun"),
    "./testing": entry("testing"),
    "./sqlite": entry("sqlite"),
  },
  // The compiled tests and benchmarks stay in npm/ for the Node run but are not published.
  files: [
    "bin/",
    "esm/mod.*",
    "esm/testing.*",
    "esm/sqlite.*",
    "esm/cli.*",
    "esm/cli/",
    "esm/src/",
    "esm/adapters/",
    "README.md",
    "LICENSE",
  ],
};
writeFileSync(join(outDir, "package.json"), JSON.stringify(packageJson, null, 2) + "\n");
for (const file of ["README.md", "LICENSE"]) cpSync(join(root, file), join(outDir, file));
mkdirSync(join(outDir, "bin"), { recursive: true });
writeFileSync(
  join(outDir, "bin", "kdht.js"),
  '#!/usr/bin/env node\n// The kdht command line (esm/cli.js), for `npx kdht`.\nimport "../esm/cli.js";\n',
);
chmodSync(join(outDir, "bin", "kdht.js"), 0o755);
mkdirSync(esmDir, { recursive: true });
console.log(
  `build_npm: compiled ${entryFiles.length} files into ${
    relative(root, esmDir)
  }/ (${denoJson.name}@${denoJson.version})`,
);
