/**
 * The shipped multi-pipeline example (config/platform-example.json), or its direct-mode twin,
 * synthesized once by the real app, and variants of its synthesized JSON written next to it
 * (so asset paths still resolve).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { synthesize, writeConfigDir, type OfflinePlatformProps } from "../../emulator";
import { PROJECT_ROOT, type Json } from "../helpers/synth";

export const PLATFORM = "platform-example";
/** The example with `federation.accessMode: "direct"`: each role's principalSet holds the grants. */
export const PLATFORM_DIRECT = "platform-direct";
const CONFIG_FILE = "platform-example.json";

export interface SynthesizedPlatform {
  readonly stackFile: string;
  readonly projectNumber: string;
  readonly json: Json;
  /** Props for OfflinePlatform.start of this synth, or of a variant's file. */
  startProps(stackFile?: string): OfflinePlatformProps;
  /** Writes a changed copy of the synthesized JSON next to it; returns its file. */
  writeVariant(name: string, change: (tf: Json) => void): string;
}

export async function synthesizePlatform(
  environment: typeof PLATFORM | typeof PLATFORM_DIRECT = PLATFORM,
): Promise<SynthesizedPlatform> {
  const shipped = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, "config", CONFIG_FILE), "utf8"),
  );
  const config =
    environment === PLATFORM
      ? shipped
      : {
          ...shipped,
          environment,
          federation: { ...shipped.federation, accessMode: "direct" },
        };
  const app = await synthesize({
    environments: [environment],
    // The shipped file as it is, from config/; the twin from a directory of its own.
    ...(environment === PLATFORM ? {} : { configDir: writeConfigDir({ [environment]: config }) }),
  });
  const stackFile = app.stackFile(environment);
  const json = JSON.parse(fs.readFileSync(stackFile, "utf8"));
  const projectNumber: string = config.gcp.projectNumber;
  return {
    stackFile,
    projectNumber,
    json,
    startProps: (file = stackFile) => ({ stackFiles: { [environment]: file }, projectNumber }),
    writeVariant(name, change) {
      const tf = structuredClone(json);
      change(tf);
      const file = path.join(path.dirname(stackFile), `${name}.cdk.tf.json`);
      fs.writeFileSync(file, JSON.stringify(tf, null, 2));
      return file;
    },
  };
}
