/**
 * Runs a command as a fresh process tree and measures its wall time and peak RSS. Peak RSS is
 * that of the largest Node process in the tree (GNU time's %M), reported by report-rss.js,
 * which is preloaded through NODE_OPTIONS, so nothing beyond `npm ci` is needed.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { summarize, type Summary } from "./stats";

const RSS_REPORTER = path.join(__dirname, "report-rss.js");

export interface Command {
  readonly label: string;
  /** Executable and arguments, e.g. ["node", "main.js"]. */
  readonly argv: readonly string[];
  readonly cwd: string;
  /** Added to the inherited environment. */
  readonly env?: Record<string, string>;
  /** Called before each run (e.g. a fresh output dir), its result merged into env. */
  readonly prepare?: () => Record<string, string>;
}

export interface RunResult {
  readonly wallMs: number;
  /** Largest single process of the tree, in MB (1 MB = 1024 KB). */
  readonly peakRssMb: number;
  readonly processes: number;
  readonly stdout: string;
}

export interface Measured {
  readonly label: string;
  readonly wallMs: Summary;
  readonly peakRssMb: Summary;
  readonly processes: number;
  readonly samples: readonly RunResult[];
}

export async function runOnce(command: Command): Promise<RunResult> {
  const rssFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wif-bench-rss-")), "rss.jsonl");
  const env = {
    ...process.env,
    ...command.env,
    ...command.prepare?.(),
    WIF_BENCH_RSS_FILE: rssFile,
    NODE_OPTIONS:
      `${process.env.NODE_OPTIONS ?? ""} --require ${JSON.stringify(RSS_REPORTER)}`.trim(),
  };
  const [file, ...args] = command.argv;
  const started = performance.now();
  const { code, signal, stdout, stderr } = await new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const child = spawn(file, args, { cwd: command.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("close", (c, s) => resolve({ code: c, signal: s, stdout: out, stderr: err }));
  });
  const wallMs = performance.now() - started;
  if (code !== 0) {
    throw new Error(
      `${command.label}: \`${command.argv.join(" ")}\` in ${command.cwd} exited with ${code ?? signal}\n${stderr.slice(-4000)}${stdout.slice(-2000)}`,
    );
  }
  const reports = fs.existsSync(rssFile)
    ? fs
        .readFileSync(rssFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { maxRssKb: number })
    : [];
  fs.rmSync(path.dirname(rssFile), { recursive: true, force: true });
  if (reports.length === 0) {
    throw new Error(`${command.label}: no process reported its RSS (is it a Node process?)`);
  }
  return {
    wallMs,
    peakRssMb: Math.max(...reports.map((r) => r.maxRssKb)) / 1024,
    processes: reports.length,
    stdout,
  };
}

/** `warmups` unrecorded runs (disk cache, tsx cache), then `runs` recorded ones, one at a time. */
export async function measure(command: Command, runs: number, warmups = 0): Promise<Measured> {
  return (await measureInterleaved([{ command, runs }], warmups))[0];
}

/**
 * Several commands measured round-robin (A B C A B C …), so a noisy neighbour on a shared
 * machine slows all of them alike rather than whichever ran at that moment.
 */
export async function measureInterleaved(
  plans: readonly { command: Command; runs: number }[],
  warmups = 0,
): Promise<Measured[]> {
  for (let i = 0; i < warmups; i++) for (const p of plans) await runOnce(p.command);
  const samples: RunResult[][] = plans.map(() => []);
  const rounds = Math.max(...plans.map((p) => p.runs));
  for (let round = 0; round < rounds; round++) {
    for (const [i, p] of plans.entries()) {
      if (round < p.runs) samples[i].push(await runOnce(p.command));
    }
  }
  return plans.map((p, i) => ({
    label: p.command.label,
    wallMs: summarize(samples[i].map((s) => s.wallMs)),
    peakRssMb: summarize(samples[i].map((s) => s.peakRssMb)),
    processes: Math.max(...samples[i].map((s) => s.processes)),
    samples: samples[i],
  }));
}
