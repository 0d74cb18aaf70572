import * as fs from "node:fs";
import * as path from "node:path";
import {
  ENVIRONMENT_COUNTS,
  generatedConfigDir,
  generatedEnvironment,
  scaleFigures,
} from "../../bench/synth-scale";
import { loadConfigDir } from "../../stacks/config";
import { assertDistinctEnvironments } from "../../stacks/environments";
import { PROJECT_ROOT } from "../helpers/synth";

describe("the bench's generated environments", () => {
  const example = fs.readFileSync(path.join(PROJECT_ROOT, "config", "example.json"), "utf8");

  it("are 30 valid, distinct environments that main.ts accepts together", () => {
    const dir = generatedConfigDir(example, 30);
    const configs = loadConfigDir(dir);
    expect(configs.map((c) => c.environment)).toEqual(
      Array.from({ length: 30 }, (_, i) => generatedEnvironment(i + 1)),
    );
    expect(() => assertDistinctEnvironments(configs)).not.toThrow();
    expect(new Set(configs.map((c) => c.federation.poolId)).size).toBe(30);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("are measured at N = 1, 10 and 30", () => {
    expect(ENVIRONMENT_COUNTS).toEqual([1, 10, 30]);
  });
});

describe("the scale figures", () => {
  it("give the wall time per environment beyond the first and the N = 30 / N = 1 ratio", () => {
    expect(scaleFigures({ 1: 1000, 10: 1360, 30: 2160 })).toEqual({
      oneMs: 1000,
      perExtraMs: { 10: 40, 30: 40 },
      ratio30To1: 2.16,
    });
  });
});
