import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ValidationError } from "../../src/errors.ts";
import { hashKey, idToHex } from "../../src/id/node_id.ts";
import type { StoredRecord } from "../../src/records/record.ts";
import {
  namespaceOf,
  publicKeyValidator,
  type Validator,
  Validators,
  valuesEqual,
} from "../../src/records/validators.ts";

/** Values "<n>:..." ranked by n, highest first. */
const versioned: Validator = {
  validate(_key, value) {
    if (typeof value !== "string" || !/^\d+:/.test(value)) throw new Error("not versioned");
  },
  select(_key, values) {
    const n = (v: unknown) => Number(String(v).split(":")[0]);
    let best = 0;
    values.forEach((v, i) => {
      if (n(v) > n(values[best])) best = i;
    });
    return best;
  },
};

const held = (value: string, publishedAt: number, name?: string): StoredRecord => ({
  key: hashKey("/app/x"),
  value,
  publishedAt,
  expiresAt: publishedAt + 1000,
  local: false,
  receivedAt: publishedAt,
  name,
});

describe("namespaced keys", () => {
  it("namespaceOf reads /namespace/rest from string keys only", () => {
    assert.equal(namespaceOf("/app/user-1"), "app");
    assert.equal(namespaceOf("/app/a/b"), "app");
    assert.equal(namespaceOf("/app/"), "app");
    assert.equal(namespaceOf("app/user"), undefined);
    assert.equal(namespaceOf("/app"), undefined);
    assert.equal(namespaceOf("//x"), undefined);
    assert.equal(namespaceOf(new TextEncoder().encode("/app/x")), undefined);
  });

  it("register refuses malformed namespaces and validators with TypeError", () => {
    const validators = new Validators();
    assert.throws(() => validators.register("", versioned), TypeError);
    assert.throws(() => validators.register("a/b", versioned), /without '\/'/);
    // deno-lint-ignore no-explicit-any
    assert.throws(() => validators.register("app", { validate() {} } as any), /select/);
    validators.register("app", versioned);
    assert.deepEqual(validators.namespaces().sort(), ["app", "pk"]);
    assert.equal(validators.forKey("/app/x"), versioned);
    assert.equal(validators.forKey("/other/x"), undefined);
    assert.equal(validators.forKey("plain"), undefined);
  });

  it("a namespace registered on one node's validators is not on another's", () => {
    const a = new Validators();
    const b = new Validators();
    a.register("app", versioned);
    assert.deepEqual(a.namespaces().sort(), ["app", "pk"]);
    assert.deepEqual(b.namespaces(), ["pk"]);
    assert.deepEqual(new Validators().namespaces(), ["pk"]);
    assert.equal(b.forKey("/app/x"), undefined);
    assert.equal(b.forKey("/pk/x"), publicKeyValidator);
  });

  it("validate wraps the validator's error in a ValidationError with code invalid", async () => {
    const validators = new Validators();
    validators.register("app", versioned);
    await validators.validate("/app/x", "3:ok");
    await assert.rejects(validators.validate("/app/x", "nope"), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.code, "invalid");
      assert.equal(error.key, "/app/x");
      assert.match(error.message, /not versioned/);
      assert.equal((error.cause as Error).message, "not versioned");
      return true;
    });
    // An async validator that rejects counts the same.
    validators.register("async", {
      validate: () => Promise.reject(new Error("later")),
      select: () => 0,
    });
    await assert.rejects(validators.validate("/async/x", "v"), ValidationError);
  });

  it("best checks what select returns", () => {
    const validators = new Validators();
    validators.register("app", versioned);
    assert.equal(validators.best("/app/x", ["1:a", "3:b", "2:c"]), 1);
    validators.register("bad", { validate() {}, select: () => 5 });
    assert.throws(() => validators.best("/bad/x", ["a", "b"]), /index from 0 to 1, got 5/);
  });

  it("orderFor ranks by select, keeps the held value on a tie, and by publication for one value", () => {
    const validators = new Validators();
    validators.register("app", versioned);
    const order = validators.orderFor("/app/x")!;
    const incoming = (value: string, publishedAt: number) => ({
      key: hashKey("/app/x"),
      value,
      publishedAt,
      name: "/app/x",
    });
    assert.ok(order(incoming("2:new", 1), held("1:old", 9, "/app/x")) > 0, "higher version wins");
    assert.ok(order(incoming("1:old", 9), held("2:new", 1, "/app/x")) < 0, "even if later");
    assert.ok(order(incoming("2:b", 9), held("2:a", 1, "/app/x")) < 0, "a tie keeps the held");
    assert.ok(order(incoming("2:a", 9), held("2:a", 1, "/app/x")) > 0, "same value: later wins");
    assert.equal(order(incoming("2:a", 1), held("2:a", 1, "/app/x")), 0);
    assert.ok(order(incoming("1:x", 1), held("9:x", 5)) > 0, "an unvalidated copy gives way");
    assert.equal(validators.orderFor("plain"), undefined);
    assert.equal(validators.orderFor("/unregistered/x"), undefined);
  });

  it("the default /pk/ validator accepts only the key whose SHA-1 is named", async () => {
    const key = new Uint8Array(32).fill(9);
    const name = `/pk/${idToHex(hashKey(key))}`;
    publicKeyValidator.validate(name, key);
    publicKeyValidator.validate(name.toUpperCase().replace("/PK/", "/pk/"), key);
    assert.throws(() => publicKeyValidator.validate(name, new Uint8Array(32)), /does not match/);
    assert.throws(() => publicKeyValidator.validate("/pk/short", key), /40 hex/);
    const validators = new Validators();
    await assert.rejects(validators.validate(name, "other"), ValidationError);
    await validators.validate(name, key);
  });

  it("valuesEqual compares type and content", () => {
    assert.equal(valuesEqual("a", "a"), true);
    assert.equal(valuesEqual("a", new TextEncoder().encode("a")), false);
    assert.equal(valuesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2)), true);
    assert.equal(valuesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3)), false);
  });
});
