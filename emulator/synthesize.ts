/**
 * Runs the real cdktf app (main.ts, the way `npm run synth` does) into a directory of its
 * own, so the emulator reads exactly what a deploy would get: cdk.tf.json and the asset zip.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT, synthArgv } from "../tools/synth-command";

export { PROJECT_ROOT };

export interface SynthesizeProps {
  /** Environments to synthesize (WIF_BRIDGE_ENV). */
  readonly environments: readonly string[];
  /** @default a new temporary directory */
  readonly outDir?: string;
  /** A config directory other than config/ (WIF_BRIDGE_CONFIG_DIR). @default config/ */
  readonly configDir?: string;
}

export interface SynthesizedApp {
  readonly outDir: string;
  /** cdk.tf.json of an environment. */
  stackFile(environment: string): string;
}

export async function synthesize(props: SynthesizeProps): Promise<SynthesizedApp> {
  const outDir = props.outDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "wif-bridge-synth-"));
  const [node, ...args] = synthArgv();
  try {
    await promisify(execFile)(node, args, {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        CDKTF_OUTDIR: outDir,
        WIF_BRIDGE_ENV: props.environments.join(","),
        ...(props.configDir ? { WIF_BRIDGE_CONFIG_DIR: props.configDir } : {}),
        CHECKPOINT_DISABLE: "1",
      },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(
      `synth of ${props.environments.join(", ")} failed: ${e.stderr || e.stdout || e.message}`,
    );
  }
  return {
    outDir,
    stackFile(environment) {
      const file = path.join(outDir, "stacks", environment, "cdk.tf.json");
      if (!fs.existsSync(file)) throw new Error(`synth wrote no ${file}`);
      return file;
    },
  };
}

/** Writes config files (environment name -> config object) into a new temporary directory. */
export function writeConfigDir(configs: Readonly<Record<string, unknown>>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-bridge-config-"));
  for (const [name, config] of Object.entries(configs)) {
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(config, null, 2));
  }
  return dir;
}
