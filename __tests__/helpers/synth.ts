/** Builds stacks from the example config (optionally patched) and returns the synthesized JSON. */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as Cdktf from "cdktf";
import { ConfigError, loadConfig, parseConfig, type BridgeConfig } from "../../stacks/config";
import { INTENT_COMMENT_KEY } from "../../stacks/policies/trust-model/intent";
import { trustIntentOf } from "../../stacks/policies/trust-model/config-intent";
import type * as BridgeStackModule from "../../stacks/bridge-stack";
import type { BridgeStack } from "../../stacks/bridge-stack";
import { FIXTURES_DIR_ENV } from "./fixtures-dir";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function readExampleRaw(): Json {
  return JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "config", "example.json"), "utf8"));
}

/** Deep-merges `patch` into `base`; `undefined` in the patch deletes the key. */
export function merge(base: Json, patch: Json): Json {
  if (patch === undefined || typeof patch !== "object" || patch === null || Array.isArray(patch))
    return patch;
  const out: Json = { ...(base ?? {}) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete out[key];
    else out[key] = merge(out[key], value);
  }
  return out;
}

export function exampleConfig(patch: Json = {}): BridgeConfig {
  return parseConfig(merge(readExampleRaw(), patch), "config/example.json");
}

/** The problems a patched example config is rejected with (fails the test if it is accepted). */
export function configProblems(patch: Json): ConfigError["problems"] {
  try {
    exampleConfig(patch);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected the config to be rejected");
}

/**
 * cdktf and every construct, loaded on the first stack a suite builds: many suites use this
 * file only for exampleConfig or PROJECT_ROOT, and loading the constructs costs each of them
 * about half a second.
 */
function constructs(): { Testing: typeof Cdktf.Testing; BridgeStack: typeof BridgeStack } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Testing } = require("cdktf") as typeof Cdktf;
  const { BridgeStack } = require("../../stacks/bridge-stack") as typeof BridgeStackModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { Testing, BridgeStack };
}

export function buildStack(config: BridgeConfig): BridgeStack {
  const { Testing, BridgeStack } = constructs();
  return new BridgeStack(Testing.app(), config.environment, { config });
}

/** The stack as Terraform JSON (metadata stripped, keys sorted), parsed. */
export function synthJson(config: BridgeConfig): Json {
  return JSON.parse(constructs().Testing.synth(buildStack(config)));
}

/**
 * The stack as Terraform JSON with the trust intent recorded as `cdktf synth` writes it
 * (Testing.synth drops the stack's "//" comment; a stack of several pipelines needs it).
 */
export function synthJsonWithIntent(config: BridgeConfig): Json {
  return withIntent(synthJson(config), config);
}

function withIntent(tf: Json, config: BridgeConfig): Json {
  tf["//"] = { ...(tf["//"] ?? {}), [INTENT_COMMENT_KEY]: trustIntentOf(config) };
  return tf;
}

/** Config values JSON cannot tell apart (a Map, a function) would make two configs one key. */
function cacheKeyOf(config: BridgeConfig): string {
  const text = JSON.stringify(config, (key, value) => {
    const plain =
      value === null ||
      typeof value !== "object" ||
      Array.isArray(value) ||
      Object.getPrototypeOf(value) === Object.prototype;
    if (!plain || typeof value === "function" || typeof value === "bigint") {
      throw new Error(`sharedSynthJson: config key "${key}" is not plain JSON; use synthJson`);
    }
    return value;
  });
  return createHash("sha256").update(text).digest("hex");
}

/**
 * synthJson, shared by every suite of the jest run: the first suite to synthesize a config
 * writes the JSON to the run's fixture directory (./jest-global-setup.ts), later suites parse
 * that file (a fresh object each call). The first in-process synth of a suite costs ~0.4 s
 * (cdktf, the constructs, the Lambda bundle and zip); the example and platform configs are
 * synthesized by about a dozen suites. Only for suites that mock no module a stack loads:
 * with jest.mock the output is the suite's own, so call synthJson there.
 */
export function sharedSynthJson(config: BridgeConfig): Json {
  let dir = process.env[FIXTURES_DIR_ENV];
  if (!dir) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-test-fixtures-"));
    process.env[FIXTURES_DIR_ENV] = dir;
  }
  const file = path.join(dir, "synth-json", `${cacheKeyOf(config)}.json`);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8"));
  const text = constructs().Testing.synth(buildStack(config));
  // Written beside, then renamed: a suite on the other worker never reads half a file.
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
  return JSON.parse(text);
}

/** synthJsonWithIntent through sharedSynthJson (same rule: no mocked stack modules). */
export function sharedSynthJsonWithIntent(config: BridgeConfig): Json {
  return withIntent(sharedSynthJson(config), config);
}

/** config/platform-example.json: three pipelines in two AWS accounts. */
export function platformConfig(): BridgeConfig {
  return loadConfig(path.join(PROJECT_ROOT, "config", "platform-example.json"));
}

/** The single resource of a type (fails the test if there is not exactly one). */
export function only(tf: Json, type: string): Json {
  const resources = Object.values(tf.resource?.[type] ?? {});
  if (resources.length !== 1)
    throw new Error(`expected exactly one ${type}, found ${resources.length}`);
  return resources[0];
}

export function all(tf: Json, type: string): Json[] {
  return Object.values(tf.resource?.[type] ?? {});
}
