/**
 * The shared-fixture helper itself, with the synth replaced by a stub that records its calls
 * (the real synth is what the e2e suites read).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthesize } from "../../emulator/synthesize";
import { FIXTURES_DIR_ENV } from "./fixtures-dir";
import { sharedApp } from "./shared-fixtures";

jest.mock("../../emulator/synthesize", () => ({ synthesize: jest.fn() }));
const synth = synthesize as jest.MockedFunction<typeof synthesize>;

/** A stub synth that writes an empty cdk.tf.json per environment after `ms`. */
function stubSynth(ms: number) {
  synth.mockImplementation(async (props) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    for (const env of props.environments) {
      const dir = path.join(props.outDir!, "stacks", env);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "cdk.tf.json"), "{}");
    }
    return { outDir: props.outDir!, stackFile: () => "" };
  });
}

const savedDir = process.env[FIXTURES_DIR_ENV];
beforeEach(() => {
  synth.mockReset();
  process.env[FIXTURES_DIR_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), "wif-fixtures-test-"));
});
afterEach(() => {
  fs.rmSync(process.env[FIXTURES_DIR_ENV]!, { recursive: true, force: true });
});
afterAll(() => {
  process.env[FIXTURES_DIR_ENV] = savedDir;
});

describe("sharedApp", () => {
  it("synthesizes a fixture once when several suites ask at the same time", async () => {
    stubSynth(200);
    const apps = await Promise.all([1, 2, 3].map(() => sharedApp("example-and-direct")));
    expect(synth).toHaveBeenCalledTimes(1);
    expect(new Set(apps.map((a) => a.outDir)).size).toBe(1);
    expect(fs.existsSync(apps[2].stackFile("example-direct"))).toBe(true);
  });

  it("gives a later suite the built fixture without synthesizing again", async () => {
    stubSynth(0);
    const first = await sharedApp("example-and-direct");
    const later = await sharedApp("example-and-direct");
    expect(synth).toHaveBeenCalledTimes(1);
    expect(later.stackFile("example")).toBe(first.stackFile("example"));
  });

  it("synthesizes the recipe's environments from its config files", async () => {
    stubSynth(0);
    const app = await sharedApp("example-and-direct");
    expect(synth.mock.calls[0][0].environments).toEqual(["example", "example-direct"]);
    expect(fs.readdirSync(app.configDir).sort()).toEqual(["example-direct.json", "example.json"]);
    expect(app.config("example-direct").federation.accessMode).toBe("direct");
    expect(app.config("example").environment).toBe("example");
  });

  it("tells a waiting suite that the build failed in another, with the reason", async () => {
    synth.mockImplementation(async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      throw new Error("synth of example failed: boom");
    });
    const [builder, waiter] = await Promise.allSettled([
      sharedApp("example-and-direct"),
      sharedApp("example-and-direct"),
    ]);
    expect(builder).toMatchObject({ status: "rejected", reason: { message: /boom/ } });
    expect(waiter).toMatchObject({
      status: "rejected",
      reason: {
        message: /shared app example-and-direct failed to build in another suite: .*boom/,
      },
    });
  });

  it("names the recipe when asked for an environment it does not have", async () => {
    stubSynth(0);
    const app = await sharedApp("example-and-direct");
    expect(() => app.stackFile("prod")).toThrow(
      "shared app example-and-direct has no environment prod (see SHARED_APPS)",
    );
  });
});
