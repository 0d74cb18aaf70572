/**
 * The shipped multi-pipeline example (config/platform-example.json) synthesized once by the real app,
 * and variants of its synthesized JSON written next to it (so asset paths still resolve).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { synthesize, type OfflinePlatformProps } from "../../emulator";
import { PROJECT_ROOT, type Json } from "../helpers/synth";

export const PLATFORM = "platform-example";
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

export async function synthesizePlatform(): Promise<SynthesizedPlatform> {
  const app = await synthesize({ environments: [PLATFORM] });
  const stackFile = app.stackFile(PLATFORM);
  const json = JSON.parse(fs.readFileSync(stackFile, "utf8"));
  const config = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, "config", CONFIG_FILE), "utf8"),
  );
  const projectNumber: string = config.gcp.projectNumber;
  return {
    stackFile,
    projectNumber,
    json,
    startProps: (file = stackFile) => ({ stackFiles: { [PLATFORM]: file }, projectNumber }),
    writeVariant(name, change) {
      const tf = structuredClone(json);
      change(tf);
      const file = path.join(path.dirname(stackFile), `${name}.cdk.tf.json`);
      fs.writeFileSync(file, JSON.stringify(tf, null, 2));
      return file;
    },
  };
}
