/**
 * `npm run bench [-- --quick]`: synth, tests, Lambda bundle and init, Google round trips and
 * throughput, each against its target. Writes bench/results/latest.{md,json} (and a dated
 * copy) and prints the table. Exit 0 when every part ran, even with targets MISSED; exit 1 on
 * a real breakage (a part that could not run) or when round trips exceed the minimum.
 * --quick (CI): fewer runs, one template-default synth, no `npm test` (CI just ran it).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { measureInterleaved, measure, type Measured } from "./measure";
import { check, renderTable, scale, type Row } from "./report";
import { summarize } from "./stats";
import { measureRoundTrips, roundTripRows, SCENARIOS, type RoundTrips } from "./round-trips";
import { BATCH, measureThroughput, RECORDS, type ThroughputRun } from "./throughput";
import {
  floorSynth,
  PROJECT_ROOT,
  projectSynth,
  snapshotSources,
  templateDefaultSynth,
  tsxCliSynth,
  manyPipelinesSynth,
} from "./synth-variants";
import { baselineBundle, lambdaEnvironment, measureInit, synthesizedBundle } from "./lambda-bundle";

const quick = process.argv.includes("--quick");
const plan = quick
  ? { synthRuns: 3, templateRuns: 1, testRuns: 0, initRuns: 5, throughputRuns: 1 }
  : { synthRuns: 5, templateRuns: 5, testRuns: 5, initRuns: 20, throughputRuns: 5 };

const rows: Row[] = [];
const details: Record<string, unknown> = {};
const tempDirs: string[] = [];
let broken = false;

async function part(name: string, body: () => Promise<void>): Promise<void> {
  process.stderr.write(`bench: ${name}…\n`);
  const started = performance.now();
  try {
    await body();
  } catch (err) {
    broken = true;
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`bench: ${name} could not run:\n${message}\n`);
    rows.push({
      part: name,
      what: "could not run",
      value: undefined,
      unit: "",
      status: "FAILED",
      note: message.split("\n")[0].slice(0, 200),
    });
  }
  process.stderr.write(
    `bench: ${name} took ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

function timeAndRss(partName: string, m: Measured, what: string, targets: Partial<Row>[] = []) {
  rows.push({
    part: partName,
    what: `${what}: wall`,
    value: scale(m.wallMs, 1 / 1000),
    unit: "s",
    status: "info",
    ...targets[0],
  });
  rows.push({
    part: partName,
    what: `${what}: peak RSS (largest of ${m.processes} processes)`,
    value: m.peakRssMb,
    unit: "MB",
    status: "info",
    ...targets[1],
  });
}

let synthOutdir: string | undefined;

/** The JSON path where two documents first differ. */
function firstDifference(a: unknown, b: unknown, at = "$"): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return at;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const found = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      `${at}.${key}`,
    );
    if (found) return found;
  }
  return undefined;
}

async function synthPart(): Promise<void> {
  const outdirs: string[] = [];
  const snapshot = snapshotSources();
  const project = projectSynth(outdirs, snapshot);
  const floor = floorSynth(outdirs, snapshot);
  const tsxCli = tsxCliSynth(outdirs, project.cwd);
  const template = templateDefaultSynth(outdirs, snapshot);
  const pipelineDirs: string[] = [];
  const tenPipelines = manyPipelinesSynth(pipelineDirs, project.cwd, snapshot, 10);
  const tenSchemas = manyPipelinesSynth(pipelineDirs, project.cwd, snapshot, 10, true);
  tempDirs.push(project.cwd, floor.cwd, template.cwd);
  const [p, f, c, ten, tenDistinct] = await measureInterleaved(
    [
      { command: project, runs: plan.synthRuns },
      { command: floor, runs: plan.synthRuns },
      { command: tsxCli, runs: plan.synthRuns },
      { command: tenPipelines, runs: plan.synthRuns },
      { command: tenSchemas, runs: plan.synthRuns },
    ],
    1,
  );
  tempDirs.push(...pipelineDirs);
  const t = await measure(template, plan.templateRuns);

  // The variants must synthesize the same thing, or the comparison means nothing.
  const read = (d: string) =>
    fs.readFileSync(path.join(d, "stacks", "example", "cdk.tf.json"), "utf8");
  const reference = read(outdirs[0]);
  const odd = outdirs.find((d) => read(d) !== reference);
  if (odd) {
    throw new Error(
      `the synth variants wrote different cdk.tf.json files (was the tree edited during the run?): ` +
        `${outdirs[0]} and ${odd} first differ at ${firstDifference(JSON.parse(reference), JSON.parse(read(odd)))}`,
    );
  }
  tempDirs.push(...outdirs);
  synthOutdir = outdirs[0];

  const vsFloor = p.wallMs.median / f.wallMs.median;
  const vsTemplate = t.wallMs.median / p.wallMs.median;
  timeAndRss("1 synth", p, "project: `npm run synth`", [
    {
      target: `≤ 1.5× floor (${((1.5 * f.wallMs.median) / 1000).toFixed(2)} s)`,
      status: check(vsFloor <= 1.5),
      note: `${vsFloor.toFixed(2)}× floor`,
    },
    { target: "≤ 150 MB", status: check(p.peakRssMb.median <= 150) },
  ]);
  timeAndRss("1 synth", f, "floor: tsc'd JS, `node main.js`");
  timeAndRss("1 synth", c, "for comparison: `tsx main.ts` (tsx CLI: two processes)", [
    { note: `${(c.wallMs.median / f.wallMs.median).toFixed(2)}× floor` },
  ]);
  timeAndRss("1 synth", t, "template default: barrel imports, ts-node (type-checks)");
  // Issue 14: the trust evaluation of 10 pipelines (each with its adversaries, plus the 90-cell
  // cross-pipeline matrix) must keep their synth within 2x one pipeline's.
  const vsOne = ten.wallMs.median / p.wallMs.median;
  timeAndRss("1 synth", ten, "10 pipelines in 2 AWS accounts (one environment)", [
    {
      target: `≤ 2× one pipeline (${((2 * p.wallMs.median) / 1000).toFixed(2)} s)`,
      status: check(vsOne <= 2),
      note: `${vsOne.toFixed(2)}× one pipeline`,
    },
    { target: "≤ 150 MB", status: check(ten.peakRssMb.median <= 150) },
  ]);
  // Ten schemas are ten Lambda assets, each archived by cdktf in a child process (~0.2 s):
  // a cost of the asset, not of the trust evaluation (issue 12's in-process zip removes it).
  timeAndRss("1 synth", tenDistinct, "10 pipelines, each its own schema (10 Lambda assets)", [
    { note: `${(tenDistinct.wallMs.median / p.wallMs.median).toFixed(2)}× one pipeline` },
  ]);
  rows.push({
    part: "1 synth",
    what: "project vs template default: speed-up",
    value: vsTemplate,
    unit: "×",
    target: "≥ 20×",
    status: check(vsTemplate >= 20),
    note:
      plan.templateRuns < 5 ? `template default run ${plan.templateRuns}× (--quick)` : undefined,
  });
  details.synth = {
    project: p,
    floor: f,
    tsxCli: c,
    templateDefault: t,
    tenPipelines: ten,
    tenPipelinesDistinctSchemas: tenDistinct,
    vsFloor,
    vsTemplate,
    tenPipelinesVsOne: vsOne,
  };
}

async function testsPart(): Promise<void> {
  if (plan.testRuns === 0) {
    rows.push({
      part: "2 tests",
      what: "`npm test`: wall",
      value: undefined,
      unit: "s",
      target: "≤ 30 s",
      status: "SKIPPED",
      note: "--quick (CI runs npm test itself)",
    });
    return;
  }
  const m = await measure(
    {
      label: "npm test",
      argv: ["npm", "test", "--silent"],
      cwd: PROJECT_ROOT,
      env: { CI: "true" },
    },
    plan.testRuns,
  );
  rows.push({
    part: "2 tests",
    what: "`npm test`: wall",
    value: scale(m.wallMs, 1 / 1000),
    unit: "s",
    target: "≤ 30 s",
    status: check(m.wallMs.median <= 30_000),
  });
  details.tests = m;
}

async function bundlePart(): Promise<void> {
  if (!synthOutdir) throw new Error("needs the synth part's output (it failed)");
  const ours = synthesizedBundle(synthOutdir);
  const baseline = baselineBundle(fs.readFileSync(path.join(ours.dir, "table-schema.json")));
  tempDirs.push(ours.dir, baseline.dir);
  const env = lambdaEnvironment(synthOutdir);
  const o = await measureInit(ours, env, plan.initRuns);
  const b = await measureInit(baseline, env, plan.initRuns);
  const zipRatio = ours.zippedBytes / baseline.zippedBytes;
  const oInit = summarize(o.initRequireMs);
  const bInit = summarize(b.initRequireMs);
  const initRatio = oInit.median / bInit.median;
  const kb = (n: number) => n / 1024;
  rows.push(
    {
      part: "3 bundle",
      what: "ours: index.js + table-schema.json",
      value: kb(ours.bytes),
      unit: "KB",
      status: "info",
    },
    {
      part: "3 bundle",
      what: "ours: zipped (the asset's archive.zip)",
      value: kb(ours.zippedBytes),
      unit: "KB",
      target: `≤ 1/3 baseline (${kb(baseline.zippedBytes / 3).toFixed(1)} KB)`,
      status: check(zipRatio <= 1 / 3),
      note: `${(zipRatio * 100).toFixed(1)}% of baseline`,
    },
    {
      part: "3 bundle",
      what: "baseline: bytes",
      value: kb(baseline.bytes),
      unit: "KB",
      status: "info",
    },
    {
      part: "3 bundle",
      what: "baseline: zipped (level 9)",
      value: kb(baseline.zippedBytes),
      unit: "KB",
      status: "info",
    },
    {
      part: "3 bundle",
      what: "ours: init (require in a fresh node)",
      value: oInit,
      unit: "ms",
      target: `≤ 1/2 baseline (${(bInit.median / 2).toFixed(1)} ms)`,
      status: check(initRatio <= 0.5),
      note: `${(initRatio * 100).toFixed(0)}% of baseline`,
    },
    { part: "3 bundle", what: "baseline: init", value: bInit, unit: "ms", status: "info" },
    {
      part: "3 bundle",
      what: "ours: init process peak RSS",
      value: o.init.peakRssMb,
      unit: "MB",
      status: "info",
      note: `baseline ${b.init.peakRssMb.median.toFixed(0)} MB`,
    },
  );
  details.bundle = { ours: o, baseline: b, zipRatio, initRatio };
}

let exampleStackFile: string | undefined;

async function roundTripsPart(): Promise<void> {
  const results: RoundTrips[] = [];
  for (const scenario of SCENARIOS) {
    const r = await measureRoundTrips(scenario);
    results.push(r);
    rows.push(...roundTripRows(r));
    if (scenario.archive) exampleStackFile = r.stackFile;
  }
  details.roundTrips = results;
}

async function throughputPart(): Promise<void> {
  if (!exampleStackFile) throw new Error("needs the round-trip part's example stack (it failed)");
  const runs: ThroughputRun[] = [];
  for (let i = 0; i < plan.throughputRuns; i++)
    runs.push(await measureThroughput(exampleStackFile));
  const memoryMb = runs[0].memoryMb;
  const rss = summarize(runs.map((r) => r.handlerPeakRssMb));
  rows.push(
    {
      part: "5 throughput",
      what: `${RECORDS} records, SQS batches of ${BATCH}, one container (config/example.json)`,
      value: summarize(runs.map((r) => r.recordsPerSecond)),
      unit: "records/s",
      status: "info",
    },
    {
      part: "5 throughput",
      what: "handler process peak RSS",
      value: rss,
      unit: "MB",
      target: `≤ lambda.memoryMb (${memoryMb} MB)`,
      status: check(rss.max <= memoryMb),
    },
  );
  details.throughput = runs;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGb: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((l) => +l.toFixed(2)),
  };
  await part("1 synth", synthPart);
  await part("2 tests", testsPart);
  await part("3 bundle", bundlePart);
  await part("4 round trips", roundTripsPart);
  await part("5 throughput", throughputPart);

  const header = [
    `wif-bridge bench${quick ? " (--quick)" : ""}, ${startedAt.toISOString()}`,
    `machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGb} GB, node ${machine.node}, load average at start ${machine.loadAverageAtStart.join(" ")}`,
    "median of fresh processes, min and max; peak RSS = the largest single process of the command",
  ];
  const markdown = `${header.join("  \n")}\n\n${renderTable(rows)}\n`;
  const resultsDir = path.join(PROJECT_ROOT, "bench", "results");
  fs.mkdirSync(resultsDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
  const json = JSON.stringify({ startedAt, quick, machine, plan, rows, details }, null, 2);
  for (const name of [`bench-${stamp}`, "latest"]) {
    fs.writeFileSync(path.join(resultsDir, `${name}.md`), markdown);
    fs.writeFileSync(path.join(resultsDir, `${name}.json`), json);
  }
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    `${markdown}\nwritten: bench/results/latest.md, bench/results/latest.json\n`,
  );
  const failed = rows.filter((r) => r.status === "FAILED");
  if (broken || failed.length > 0) {
    process.stderr.write(`bench: FAILED: ${failed.map((r) => `${r.part} ${r.what}`).join("; ")}\n`);
    process.exitCode = 1;
  }
}

void main();
