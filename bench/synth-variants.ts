/**
 * The three ways to synthesize the example environment that the bench compares, each built in
 * a temp dir from our own source (nothing here is committed as a second stack):
 * - project: the npm "synth" script as package.json has it (`node --require ./tools/register-ts.cjs main.ts`);
 * - floor: the same app compiled by tsc to JS and run by node;
 * - template default: the same stack with root (barrel) imports of the provider packages, run
 *   by ts-node with type-checking, as `cdktf init --template=typescript` sets it up.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Command } from "./measure";
import { synthArgv } from "../tools/synth-command";

export const PROJECT_ROOT = path.resolve(__dirname, "..");
const bin = (pkgPath: string) => path.join(PROJECT_ROOT, "node_modules", pkgPath);

/** A fresh, empty CDKTF_OUTDIR for every run, so each one writes the whole output. */
function freshOutdir(keep: string[]): () => Record<string, string> {
  return () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-bench-out-"));
    keep.push(dir);
    return { CDKTF_OUTDIR: dir };
  };
}

const synthEnv = { WIF_BRIDGE_ENV: "example", CHECKPOINT_DISABLE: "1" };

/** Source files of the app (main.ts, stacks/**, lambda/**), relative to the project root. */
function appSources(): string[] {
  const out: string[] = ["main.ts"];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith(".ts")) out.push(rel);
    }
  };
  walk("stacks");
  walk("lambda");
  walk("tools/review"); // main.ts writes the trust-chain review after synth
  out.push("tools/atomic-outdir.ts"); // main.ts writes the outdir all or nothing
  out.push("tools/register-ts.cjs"); // npm run synth's TypeScript hook
  return out;
}

/**
 * The app's source as it is now (main.ts, stacks/, lambda/, config/, tsconfig.json). Every
 * variant is written from one snapshot, so all of them synthesize the same code even when the
 * tree is edited during the run (a shared checkout).
 */
export type SourceSnapshot = ReadonlyMap<string, string>;

export function snapshotSources(): SourceSnapshot {
  const files = new Map<string, string>();
  const read = (rel: string) =>
    files.set(rel, fs.readFileSync(path.join(PROJECT_ROOT, rel), "utf8"));
  for (const rel of appSources()) read(rel);
  for (const name of fs.readdirSync(path.join(PROJECT_ROOT, "config")))
    read(path.join("config", name));
  // esbuild reads it too (strict mode => "use strict" in the bundle): keep the bundle identical.
  read("tsconfig.json");
  return files;
}

/** A temp copy of the app from the snapshot, node_modules linked to ours. */
function copyApp(
  prefix: string,
  snapshot: SourceSnapshot,
  transform: (source: string) => string = (s) => s,
): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [rel, content] of snapshot) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), rel.endsWith(".ts") ? transform(content) : content);
  }
  fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

/** `npm run synth`'s command, run in a copy of the tree taken at start. */
export function projectSynth(outdirs: string[], snapshot: SourceSnapshot): Command {
  // The copy's own main.ts, through the same preload npm run synth uses.
  const argv = synthArgv("main.ts");
  return {
    label: "project: `npm run synth`",
    argv,
    cwd: copyApp("wif-bench-project-", snapshot),
    env: synthEnv,
    prepare: freshOutdir(outdirs),
  };
}

/**
 * The same app through the tsx CLI (`tsx main.ts`), for comparison only: the CLI starts a second
 * node process and, on Node 20, an ESM loader worker thread, which is why the project does not
 * use it.
 */
export function tsxCliSynth(outdirs: string[], projectCopy: string): Command {
  return {
    label: "`tsx main.ts` (tsx CLI)",
    argv: [bin(".bin/tsx"), "main.ts"],
    cwd: projectCopy,
    env: synthEnv,
    prepare: freshOutdir(outdirs),
  };
}

/**
 * The floor: tsc emits JS next to a copy of the TypeScript sources (esbuild still bundles
 * lambda/*.ts at synth, and stacks/aws/lambda-bundle resolves the project root from its own
 * location, which is the copy's root), then `node main.js`.
 */
export function floorSynth(outdirs: string[], snapshot: SourceSnapshot): Command {
  const dir = copyApp("wif-bench-floor-", snapshot);
  const tsconfig = {
    extends: "./tsconfig.json",
    compilerOptions: { noEmit: false, outDir: ".", rootDir: ".", types: ["node"] },
    include: ["main.ts", "stacks/**/*.ts"],
  };
  fs.writeFileSync(path.join(dir, "tsconfig.build.json"), JSON.stringify(tsconfig));
  try {
    execFileSync(process.execPath, [bin("typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
      cwd: dir,
      stdio: "pipe",
    });
  } catch (err) {
    // tsc still emits on type errors (the type gate is `npm run typecheck`, not the bench).
    if (!fs.existsSync(path.join(dir, "main.js"))) throw err;
    const out = String((err as { stdout?: Buffer }).stdout ?? "").trim();
    console.warn(`floor: tsc reported type errors, timing the emitted JS anyway:\n${out}`);
  }
  return {
    label: "floor: tsc-compiled JS, `node main.js`",
    argv: [process.execPath, "main.js"],
    cwd: dir,
    env: synthEnv,
    prepare: freshOutdir(outdirs),
  };
}

const PROVIDER_DEEP_IMPORT =
  /import\s*\{([^}]*)\}\s*from\s*"(@cdktf\/provider-[a-z-]+)\/lib\/([a-z0-9-]+)";/g;

const camel = (kebab: string) => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Rewrites deep provider imports to the package root, the template's style:
 * `import { IamRole } from "@cdktf/provider-aws/lib/iam-role";` becomes
 * `import { iamRole as aws_iamRole } from <the provider-aws package root>; import IamRole = aws_iamRole.IamRole;`
 * (an alias, so the name still works as both value and type).
 */
export function toBarrelImports(source: string): string {
  return source.replace(PROVIDER_DEEP_IMPORT, (_all, names: string, pkg: string, mod: string) => {
    // Prefixed by provider: both packages export a `provider` namespace.
    const ns = `${pkg.replace("@cdktf/provider-", "")}_${camel(mod)}`;
    const aliases = names
      .split(",")
      .map((n) => n.trim())
      .filter(Boolean)
      .map((n) => {
        const [name, alias] = n.replace(/^type\s+/, "").split(/\s+as\s+/);
        return `import ${alias ?? name} = ${ns}.${name};`;
      });
    return [`import { ${camel(mod)} as ${ns} } from "${pkg}";`, ...aliases].join("\n");
  });
}

export function templateDefaultSynth(outdirs: string[], snapshot: SourceSnapshot): Command {
  const dir = copyApp("wif-bench-template-", snapshot, toBarrelImports);
  const rewritten = appSources().filter((rel) =>
    /from "@cdktf\/provider-[a-z-]+";/.test(fs.readFileSync(path.join(dir, rel), "utf8")),
  );
  if (rewritten.length === 0) {
    throw new Error("template default: no provider import was rewritten; the bench is stale");
  }
  // The template's tsconfig emits (ts-node needs it to) and type-checks; ours, minus noEmit.
  const tsconfig = {
    ...JSON.parse(fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8")),
    include: ["main.ts", "stacks/**/*.ts"],
  };
  tsconfig.compilerOptions = { ...tsconfig.compilerOptions, noEmit: false, types: ["node"] };
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
  return {
    label: "template default: barrel imports, `ts-node main.ts`",
    argv: [process.execPath, bin("ts-node/dist/bin.js"), "main.ts"],
    cwd: dir,
    env: { ...synthEnv, TS_NODE_TRANSPILE_ONLY: "false" },
    prepare: freshOutdir(outdirs),
  };
}

/**
 * A platform environment of `count` pipelines over two AWS accounts, written into its own config
 * directory (from config/platform-example.json), synthesized by the project's command: what the
 * trust evaluation (per pipeline, plus the count × (count − 1) cross-pipeline matrix) costs
 * against one pipeline.
 */
export function manyPipelinesSynth(
  outdirs: string[],
  projectCopy: string,
  snapshot: SourceSnapshot,
  count: number,
  /** Each pipeline its own schema (so its own Lambda asset), not one shared schema. @default false */
  distinctSchemas = false,
): Command {
  const platform = JSON.parse(snapshot.get(path.join("config", "platform-example.json"))!);
  const [template] = platform.pipelines;
  const env = `bench-${count}${distinctSchemas ? "-schemas" : ""}`;
  platform.environment = env;
  platform.pipelines = Array.from({ length: count }, (_, i) => ({
    ...template,
    name: `p${i}`,
    ...(i % 2 === 1 ? { aws: { accountId: "444455556666" } } : {}),
    bigquery: {
      ...template.bigquery,
      tableId: `t${i}`,
      schema: distinctSchemas
        ? [...template.bigquery.schema, { name: `c${i}`, type: "STRING" }]
        : template.bigquery.schema,
    },
  }));
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-bench-pipelines-"));
  fs.writeFileSync(path.join(configDir, `${env}.json`), JSON.stringify(platform, null, 2));
  outdirs.push(configDir);
  return {
    label: `project: \`npm run synth\`, ${count} pipelines in 2 AWS accounts${distinctSchemas ? ", each its own schema" : ""}`,
    argv: synthArgv("main.ts"),
    cwd: projectCopy,
    env: { ...synthEnv, WIF_BRIDGE_ENV: env, WIF_BRIDGE_CONFIG_DIR: configDir },
    prepare: freshOutdir(outdirs),
  };
}
