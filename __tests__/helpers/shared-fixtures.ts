/**
 * Fixtures that cost a real synth (main.ts in a child process, as `npm run synth` runs it),
 * built at most once per jest run and shared by every suite on every worker that asks.
 *
 * jest.config.js's globalSetup (./jest-global-setup.ts) makes the run's directory and hands it
 * to the workers in WIF_TEST_FIXTURES_DIR; globalTeardown removes it. The first suite to ask
 * for a fixture builds it while holding a lock (an atomic mkdir), so a suite on the other
 * worker waits for that build instead of starting its own; later suites just read it. A suite
 * that never asks costs nothing, so a targeted `npx jest some/dir` pays only for what it uses.
 *
 * To share a new app: add a recipe to SHARED_APPS, then `const app = await sharedApp("name")`
 * in beforeAll. A fixture is read-only: copy what a test needs to change (a changed copy of a
 * stack file may sit next to it, under a name no other suite can pick, so asset paths resolve).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthesize } from "../../emulator/synthesize";
import { PROJECT_ROOT } from "../../tools/synth-command";
import { FIXTURES_DIR_ENV } from "./fixtures-dir";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

// Read here rather than through ./synth, which loads every construct (a suite that only reads
// a fixture never needs cdktf).
const readExampleRaw = (): Json =>
  JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "config", "example.json"), "utf8"));

export interface SharedAppRecipe {
  /** What it is for, one line (docs/testing.md lists the recipes). */
  readonly description: string;
  /** The config files of the app, environment name -> config object. */
  configs(): Record<string, Json>;
}

const readPlatformExampleRaw = (): Json =>
  JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "config", "platform-example.json"), "utf8"));

/** The example environment with `federation.accessMode: "direct"`, as its own environment. */
function directTwin(example: Json, environment: string): Json {
  return { ...example, environment, federation: { ...example.federation, accessMode: "direct" } };
}

export const SHARED_APPS = {
  "example-and-direct": {
    description:
      "config/example.json and its direct-mode twin example-direct, synthesized together (the e2e tests)",
    configs: () => {
      const example = readExampleRaw();
      return { example, "example-direct": directTwin(example, "example-direct") };
    },
  },
  "platform-and-direct": {
    description:
      "config/platform-example.json and its direct-mode twin platform-direct, synthesized together (the e2e isolation tests)",
    configs: () => {
      const platform = readPlatformExampleRaw();
      return {
        "platform-example": platform,
        "platform-direct": directTwin(platform, "platform-direct"),
      };
    },
  },
} satisfies Record<string, SharedAppRecipe>;

export type SharedAppName = keyof typeof SHARED_APPS;

export interface SharedApp {
  /** CDKTF_OUTDIR of the synth: stacks/<env>/cdk.tf.json, the assets and review/<env>.md. */
  readonly outDir: string;
  /** The config directory it was synthesized from (WIF_BRIDGE_CONFIG_DIR). */
  readonly configDir: string;
  /** The config object of an environment, as written to configDir. */
  config(environment: string): Json;
  /** cdk.tf.json of an environment. */
  stackFile(environment: string): string;
}

const READY = "READY";
const WAIT_LIMIT_MS = 180_000;

/** The run's fixture directory (or, outside a jest run with the global setup, this process's). */
function fixturesDir(): string {
  let dir = process.env[FIXTURES_DIR_ENV];
  if (!dir) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-test-fixtures-"));
    process.env[FIXTURES_DIR_ENV] = dir;
  }
  return dir;
}

function opened(name: SharedAppName, dir: string): SharedApp {
  const outDir = path.join(dir, "out");
  const configDir = path.join(dir, "config");
  return {
    outDir,
    configDir,
    config: (environment) =>
      JSON.parse(fs.readFileSync(path.join(configDir, `${environment}.json`), "utf8")),
    stackFile(environment) {
      const file = path.join(outDir, "stacks", environment, "cdk.tf.json");
      if (!fs.existsSync(file)) {
        throw new Error(`shared app ${name} has no environment ${environment} (see SHARED_APPS)`);
      }
      return file;
    },
  };
}

async function build(name: SharedAppName, into: string): Promise<void> {
  const configs = SHARED_APPS[name].configs();
  const configDir = path.join(into, "config");
  fs.mkdirSync(configDir, { recursive: true });
  for (const [environment, config] of Object.entries(configs)) {
    fs.writeFileSync(path.join(configDir, `${environment}.json`), JSON.stringify(config, null, 2));
  }
  await synthesize({
    environments: Object.keys(configs),
    configDir,
    outDir: path.join(into, "out"),
  });
}

/** The shared app `name`: built by the first suite of the run that asks, read by the others. */
export async function sharedApp(name: SharedAppName): Promise<SharedApp> {
  const root = fixturesDir();
  const dir = path.join(root, name);
  const lock = `${dir}.lock`;
  const failed = `${dir}.error`;
  if (fs.existsSync(path.join(dir, READY))) return opened(name, dir);
  let builder = false;
  try {
    fs.mkdirSync(lock);
    builder = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  if (builder) {
    const building = `${dir}.building`;
    try {
      await build(name, building);
      fs.writeFileSync(path.join(building, READY), "");
      fs.renameSync(building, dir);
    } catch (err) {
      fs.writeFileSync(failed, err instanceof Error ? err.message : String(err));
      throw err;
    }
    return opened(name, dir);
  }
  // Another suite is building it: wait for its result.
  const started = Date.now();
  while (!fs.existsSync(path.join(dir, READY))) {
    if (fs.existsSync(failed)) {
      throw new Error(
        `shared app ${name} failed to build in another suite: ${fs.readFileSync(failed, "utf8")}`,
      );
    }
    if (Date.now() - started > WAIT_LIMIT_MS) {
      throw new Error(
        `shared app ${name}: still not built after ${WAIT_LIMIT_MS / 1000} s; remove ${lock} if a run was killed`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return opened(name, dir);
}
