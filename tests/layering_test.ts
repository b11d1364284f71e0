// The rules of DESIGN.md that keep the core portable, checked on the source itself: src/ imports
// nothing outside src/ (read from the import graph, with the TypeScript parser, not grepped for),
// names no runtime global, and leaves timers to the injected Clock.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

// Finds the repository's src/ from this file (tests/ in the source tree, npm/esm/tests/ when built).
function sourceRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, "src", "node.ts"))) return join(dir, "src");
  }
  return undefined;
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []
  );
}

/** One module reference in a file: what kind, where, and the specifier if it is a literal. */
interface ModuleReference {
  kind: string;
  line: number;
  /** `undefined` for a computed specifier (`import(name)`), which no static check can follow. */
  specifier: string | undefined;
}

/**
 * Every module reference in TypeScript source: `import` and `import type` declarations,
 * `export … from`, `import x = require()`, dynamic `import()` and `require()` calls, `import("…")`
 * types, and `/// <reference path|types>` directives. Comments and strings are not code, so
 * nothing in them counts.
 */
function moduleReferences(fileName: string, text: string): ModuleReference[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: ModuleReference[] = [];
  const lineOf = (pos: number): number => source.getLineAndCharacterOfPosition(pos).line + 1;
  const add = (kind: string, node: ts.Node, specifier: ts.Node | undefined): void => {
    found.push({
      kind,
      line: lineOf(node.getStart(source)),
      specifier: specifier && ts.isStringLiteralLike(specifier) ? specifier.text : undefined,
    });
  };
  for (const ref of source.referencedFiles) {
    found.push({ kind: "/// <reference path>", line: lineOf(ref.pos), specifier: ref.fileName });
  }
  for (const ref of source.typeReferenceDirectives) {
    found.push({ kind: "/// <reference types>", line: lineOf(ref.pos), specifier: ref.fileName });
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node.importClause?.isTypeOnly ? "import type" : "import", node, node.moduleSpecifier);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node.isTypeOnly ? "export type … from" : "export … from", node, node.moduleSpecifier);
    } else if (
      ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)
    ) {
      add("import = require()", node, node.moduleReference.expression);
    } else if (ts.isCallExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        add("import()", node, node.arguments[0]);
      } else if (ts.isIdentifier(node.expression) && node.expression.text === "require") {
        add("require()", node, node.arguments[0]);
      }
    } else if (ts.isImportTypeNode(node)) {
      const argument = ts.isLiteralTypeNode(node.argument) ? node.argument.literal : undefined;
      add("import() type", node, argument);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** What is wrong with `ref` in `file` under the rule "relative, and inside `src`", if anything. */
function violation(src: string, file: string, ref: ModuleReference): string | undefined {
  const where = `${relative(dirname(src), file)}:${ref.line}: ${ref.kind}`;
  const { specifier } = ref;
  if (specifier === undefined) return `${where} with a computed specifier, which cannot be checked`;
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) {
    return `${where} '${specifier}' is not a relative path (bare, node:, npm:, jsr: or URL)`;
  }
  const target = resolve(dirname(file), specifier);
  const inside = relative(src, target);
  if (inside.startsWith("..") || isAbsolute(inside)) return `${where} '${specifier}' leaves src/`;
  if (!existsSync(target)) return `${where} '${specifier}' names no file`;
  return undefined;
}

/** Code without comments, for the text checks below. */
function code(file: string): string {
  return readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
}

describe("the import scanner", () => {
  it("sees every form of module reference, and nothing in comments or strings", () => {
    const sample = [
      `/// <reference types="node" />`,
      `import a from "./a.ts";`,
      `import type { B } from "../b.ts";`,
      `import "side-effect";`,
      `export { c } from "node:fs";`,
      `export * from "npm:d";`,
      `export type { E } from "./e.ts";`,
      `import f = require("f");`,
      `const g = await import("../adapters/g.ts");`,
      `const h = await import(name);`,
      `type I = import("./i.ts").I;`,
      `const j = require("j");`,
      `// import k from "k";`,
      `/* export * from "l"; */`,
      `const m = "import n from 'n'";`,
    ].join("\n");
    const refs = moduleReferences("sample.ts", sample).map((r) => [r.line, r.kind, r.specifier]);
    assert.deepEqual(refs, [
      [1, "/// <reference types>", "node"],
      [2, "import", "./a.ts"],
      [3, "import type", "../b.ts"],
      [4, "import", "side-effect"],
      [5, "export … from", "node:fs"],
      [6, "export … from", "npm:d"],
      [7, "export type … from", "./e.ts"],
      [8, "import = require()", "f"],
      [9, "import()", "../adapters/g.ts"],
      [10, "import()", undefined],
      [11, "import() type", "./i.ts"],
      [12, "require()", "j"],
    ]);
  });

  it("allows a relative path to a file inside src/ and rejects every other specifier", () => {
    const root = mkdtempSync(join(tmpdir(), "kdht-layering-"));
    try {
      const src = join(root, "src");
      mkdirSync(join(src, "rpc"), { recursive: true });
      writeFileSync(join(src, "errors.ts"), "");
      writeFileSync(join(src, "rpc", "x.ts"), "");
      const check = (file: string, specifier: string | undefined): string | undefined =>
        violation(src, join(src, file), { kind: "import", line: 1, specifier });
      assert.equal(check("rpc/x.ts", "../errors.ts"), undefined);
      assert.equal(check("errors.ts", "./rpc/x.ts"), undefined);
      assert.match(
        check("node.ts", "../adapters/runtime.ts")!,
        /'..\/adapters\/runtime.ts' leaves src/,
      );
      assert.match(check("rpc/x.ts", "../../mod.ts")!, /leaves src/);
      assert.match(check("rpc/x.ts", "node:dgram")!, /not a relative path/);
      assert.match(check("rpc/x.ts", "typescript")!, /not a relative path/);
      assert.match(check("rpc/x.ts", "https://example.com/x.ts")!, /not a relative path/);
      assert.match(check("rpc/x.ts", undefined)!, /computed specifier/);
      assert.match(check("rpc/x.ts", "./missing.ts")!, /names no file/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

const src = sourceRoot();
describe("layering", { skip: src ? false : "source tree not found next to the tests" }, () => {
  it("every import in src/ is a relative path to a file inside src/", () => {
    const problems: string[] = [];
    for (const file of files(src!)) {
      for (const ref of moduleReferences(file, readFileSync(file, "utf8"))) {
        const problem = violation(src!, file, ref);
        if (problem) problems.push(problem);
      }
    }
    assert.deepEqual(problems, [], "src/ must import nothing outside src/ (DESIGN.md)");
  });
  it("src/ names no runtime global", () => {
    for (const file of files(src!)) {
      assert.doesNotMatch(code(file), /\bDeno\.|\bBun\./, file);
    }
  });
  it("src/ uses host timers only in clock.ts", () => {
    for (const file of files(src!)) {
      if (file.endsWith(join("src", "clock.ts")) || file.includes(join("src", "testing"))) continue;
      assert.doesNotMatch(code(file), /\b(setTimeout|setInterval|setImmediate)\(/, file);
    }
  });
});
