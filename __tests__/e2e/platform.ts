/**
 * The shipped multi-pipeline example (config/platform-example.json), or its direct-mode twin,
 * from the run's one shared synth of both (../helpers/shared-fixtures), and variants of its
 * synthesized JSON written next to it (so asset paths still resolve).
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { OfflinePlatformProps } from "../../emulator";
import { sharedApp } from "../helpers/shared-fixtures";
import type { Json } from "../helpers/synth";

export const PLATFORM = "platform-example";
/** The example with `federation.accessMode: "direct"`: each role's principalSet holds the grants. */
export const PLATFORM_DIRECT = "platform-direct";

export interface SynthesizedPlatform {
  readonly stackFile: string;
  readonly projectNumber: string;
  readonly json: Json;
  /** Props for OfflinePlatform.start of this synth, or of a variant's file. */
  startProps(stackFile?: string): OfflinePlatformProps;
  /**
   * Writes a changed copy of the synthesized JSON next to it; returns its file. The file name
   * carries a fresh id: the directory is shared by every suite of the run.
   */
  writeVariant(name: string, change: (tf: Json) => void): string;
}

export async function synthesizePlatform(
  environment: typeof PLATFORM | typeof PLATFORM_DIRECT = PLATFORM,
): Promise<SynthesizedPlatform> {
  const app = await sharedApp("platform-and-direct");
  const stackFile = app.stackFile(environment);
  const json = JSON.parse(fs.readFileSync(stackFile, "utf8"));
  const projectNumber: string = app.config(environment).gcp.projectNumber;
  return {
    stackFile,
    projectNumber,
    json,
    startProps: (file = stackFile) => ({ stackFiles: { [environment]: file }, projectNumber }),
    writeVariant(name, change) {
      const tf = structuredClone(json);
      change(tf);
      const file = path.join(path.dirname(stackFile), `${name}.${randomUUID()}.cdk.tf.json`);
      fs.writeFileSync(file, JSON.stringify(tf, null, 2));
      return file;
    },
  };
}
