import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../helpers/synth";
import { anchor } from "./markdown";
import { FAILURE_CAUSES } from "../../lambda/failure-cause";
import { GOOGLE_CALLS } from "../../lambda/google-call-timing";
import { METRIC_NAMES } from "../../lambda/metrics";

const runbook = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "operations-runbook.md"), "utf8");

describe("docs/operations-runbook.md", () => {
  it("has a heading for every in-page link", () => {
    const anchors = new Set([...runbook.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchor(m[1])));
    const links = [...runbook.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(5);
    expect(links.filter((l) => !anchors.has(l))).toEqual([]);
  });

  it("documents every metric, failure cause and Google call the handler emits", () => {
    for (const name of [...Object.values(METRIC_NAMES), ...FAILURE_CAUSES, ...GOOGLE_CALLS]) {
      expect(runbook).toContain(`\`${name}\``);
    }
  });
});
