/** Builds stacks from the example config (optionally patched) and returns the synthesized JSON. */
import * as fs from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { ConfigError, loadConfig, parseConfig, type BridgeConfig } from "../../stacks/config";
import { INTENT_COMMENT_KEY } from "../../stacks/policies/trust-model/intent";
import { trustIntentOf } from "../../stacks/policies/trust-model/config-intent";
import { BridgeStack } from "../../stacks/bridge-stack";

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

export function buildStack(config: BridgeConfig): BridgeStack {
  return new BridgeStack(Testing.app(), config.environment, { config });
}

/** The stack as Terraform JSON (metadata stripped, keys sorted), parsed. */
export function synthJson(config: BridgeConfig): Json {
  return JSON.parse(Testing.synth(buildStack(config)));
}

/**
 * The stack as Terraform JSON with the trust intent recorded as `cdktf synth` writes it
 * (Testing.synth drops the stack's "//" comment; a stack of several pipelines needs it).
 */
export function synthJsonWithIntent(config: BridgeConfig): Json {
  const tf = synthJson(config);
  tf["//"] = { ...(tf["//"] ?? {}), [INTENT_COMMENT_KEY]: trustIntentOf(config) };
  return tf;
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
