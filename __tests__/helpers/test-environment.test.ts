/**
 * The project's jest environment (./test-environment.ts): errors keep jest's source-mapped
 * stacks; stacks captured onto plain objects (cdktf's token-creation stacks) get V8's format.
 */
import * as fs from "node:fs";
import { Lazy } from "cdktf";

const probe = () => new Error("probe"); // PROBE-LINE

describe("the jest environment", () => {
  it("formats errors through jest's source maps: the frame names this file's TypeScript line", () => {
    const source = fs.readFileSync(__filename, "utf8").split("\n");
    const probeLine = source.findIndex((l) => l.includes("// PROBE-LINE")) + 1;
    const stack = probe().stack ?? "";
    expect(stack.split("\n")[0]).toBe("Error: probe");
    expect(stack.split("\n")[1]).toContain(`test-environment.test.ts:${probeLine}:`);
  });

  it("formats a stack captured onto a plain object as V8 does, without the source-map pass", () => {
    const holder: { stack?: string } = {};
    Error.captureStackTrace(holder);
    expect(holder.stack).toMatch(/^\[object Object\]\n\s+at /);
  });

  it("still records cdktf's token-creation stacks (what cdktf prints for a bad token)", () => {
    const token = Lazy.anyValue({ produce: () => 1 });
    expect(token.creationStack.some((frame) => frame.includes("test-environment.test.ts"))).toBe(
      true,
    );
  });
});
