/**
 * Synth at scale: `npm run synth` over a config directory of N generated environments (copies
 * of config/example.json, each renamed so names, pools and state stay distinct), for N = 1, 10
 * and 30, in one bench run. What grows with N is the per-stack work; the targets bound it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Command } from "./measure";
import { synthArgv } from "../tools/synth-command";

export const ENVIRONMENT_COUNTS = [1, 10, 30] as const;

/** Target: each environment beyond the first costs at most this much wall time. */
export const PER_EXTRA_ENVIRONMENT_MS = 40;
/** Target: N = 30 takes at most this many times N = 1. */
export const MAX_RATIO_30_TO_1 = 3;

/** The environment name of generated copy `i` (1-based): env01, env02, … */
export const generatedEnvironment = (i: number) => `env${String(i).padStart(2, "0")}`;

/**
 * A directory of `count` environment files, each config/example.json with every "example"
 * (environment, function, pool, provider, dataset, bucket, project) renamed, so that
 * assertDistinctEnvironments and the config schema accept them all together.
 */
export function generatedConfigDir(exampleJson: string, count: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wif-bench-envs-${count}-`));
  for (let i = 1; i <= count; i++) {
    const env = generatedEnvironment(i);
    fs.writeFileSync(path.join(dir, `${env}.json`), exampleJson.replaceAll("example", env));
  }
  return dir;
}

/** `npm run synth` of every environment in `configDir`, in the project copy `cwd`. */
export function scaledSynth(
  cwd: string,
  configDir: string,
  count: number,
  freshOutdir: () => Record<string, string>,
): Command {
  return {
    label: `\`npm run synth\`, ${count} environment${count === 1 ? "" : "s"}`,
    argv: synthArgv("main.ts"),
    cwd,
    // An empty WIF_BRIDGE_ENV selects every file of the directory.
    env: { WIF_BRIDGE_ENV: "", WIF_BRIDGE_CONFIG_DIR: configDir, CHECKPOINT_DISABLE: "1" },
    prepare: freshOutdir,
  };
}

export interface ScaleFigures {
  /** Median wall time of N = 1, in ms. */
  readonly oneMs: number;
  /** (wall(N) - wall(1)) / (N - 1), in ms, for each N > 1. */
  readonly perExtraMs: Readonly<Record<number, number>>;
  /** wall(30) / wall(1). */
  readonly ratio30To1: number;
}

export function scaleFigures(medianWallMs: Readonly<Record<number, number>>): ScaleFigures {
  const oneMs = medianWallMs[1];
  const perExtraMs: Record<number, number> = {};
  for (const n of ENVIRONMENT_COUNTS) {
    if (n > 1) perExtraMs[n] = (medianWallMs[n] - oneMs) / (n - 1);
  }
  return { oneMs, perExtraMs, ratio30To1: medianWallMs[30] / oneMs };
}
