/**
 * `npm run synth` (main.ts in a child process) on what must be refused: bad config files, all
 * reported in one run, and a stack the rule pack refuses. A refused run exits 1 and leaves the
 * previous cdktf.out byte-identical.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { merge, PROJECT_ROOT, readExampleRaw } from "../helpers/synth";
import { synthArgv } from "../../tools/synth-command";

const COPIED = ["main.ts", "package.json", "tsconfig.json", "stacks", "lambda", "tools", "config"];

/** A throw-away copy of the app, so its main.ts can be changed. */
function copyProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-refusal-"));
  for (const entry of COPIED) {
    fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

let synthesizedCopy: string | undefined;

/**
 * A copy of the app whose cdktf.out holds a successful `npm run synth` of every environment
 * (the output a refused run must leave as it was). The synth runs once per suite; each test
 * gets its own copy of the result to edit.
 */
function synthesizedProject(): string {
  if (!synthesizedCopy) {
    synthesizedCopy = copyProject();
    const first = synth(synthesizedCopy, {
      CDKTF_OUTDIR: path.join(synthesizedCopy, "cdktf.out"),
    });
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-refusal-"));
  fs.cpSync(synthesizedCopy, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}
afterAll(() => {
  if (synthesizedCopy) fs.rmSync(synthesizedCopy, { recursive: true, force: true });
});

function synth(appDir: string, env: Record<string, string>) {
  const [node, ...args] = synthArgv(path.join(appDir, "main.ts"));
  return spawnSync(node, args, {
    cwd: appDir,
    env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env },
    encoding: "utf8",
  });
}

/** One hash over every path, mode and byte under `dir`. */
function treeHash(dir: string): string {
  const hash = createHash("sha256");
  const walk = (relative: string) => {
    const entries = fs
      .readdirSync(path.join(dir, relative), { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const child = path.join(relative, entry.name);
      const stat = fs.lstatSync(path.join(dir, child));
      hash.update(`${child}\0${stat.mode}\0`);
      if (entry.isDirectory()) walk(child);
      else hash.update(fs.readFileSync(path.join(dir, child)));
    }
  };
  walk("");
  return hash.digest("hex");
}

describe("npm run synth refuses, and leaves the previous output as it was", () => {
  it("keeps cdktf.out byte-identical when the rule pack refuses the last stack", () => {
    const dir = synthesizedProject();
    const outdir = path.join(dir, "cdktf.out");
    // Terraform's working files from an earlier init are part of what must survive.
    fs.writeFileSync(path.join(outdir, "stacks", "dev", ".terraform.lock.hcl"), "# hashes\n");
    const before = treeHash(outdir);

    // prod synthesizes last: before, dev's and example's JSON had already been rewritten.
    const main = path.join(dir, "main.ts");
    const source = fs.readFileSync(main, "utf8");
    const anchor = "    app.synth();";
    expect(source).toContain(anchor);
    fs.writeFileSync(
      main,
      `import { ServiceAccountKey } from "@cdktf/provider-google/lib/service-account-key";\n` +
        source.replace(
          anchor,
          `    const prod = app.node.tryFindChild("prod") as BridgeStack;
    new ServiceAccountKey(prod, "leaked-key", { serviceAccountId: prod.identity.serviceAccount!.name });
${anchor}`,
        ),
    );
    const refused = synth(dir, { CDKTF_OUTDIR: outdir });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/error IAM1 NoServiceAccountKey at google_service_account_key/);
    expect(treeHash(outdir)).toBe(before);
    expect(fs.readdirSync(dir).filter((name) => name.startsWith(".cdktf.out"))).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("keeps cdktf.out when a stack carries an error annotation, even as the cdktf CLI runs the app", () => {
    const dir = synthesizedProject();
    const outdir = path.join(dir, "cdktf.out");
    const before = treeHash(outdir);
    const main = path.join(dir, "main.ts");
    const anchor = "    app.synth();";
    fs.writeFileSync(
      main,
      fs
        .readFileSync(main, "utf8")
        .replace(
          anchor,
          `    Annotations.of(app.node.tryFindChild("prod")!).addError("refused for the test");\n${anchor}`,
        )
        .replace(
          'import { AnnotationMetadataEntryType, App } from "cdktf";',
          'import { AnnotationMetadataEntryType, Annotations, App } from "cdktf";',
        ),
    );
    // The CLI sets this, so cdktf records error annotations instead of throwing.
    const refused = synth(dir, {
      CDKTF_OUTDIR: outdir,
      CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true",
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /synth refused: 1 error annotation\(s\)\n {2}\[prod\] refused for the test/,
    );
    expect(treeHash(outdir)).toBe(before);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reports every bad config file in one run, naming file, field and fix, and writes nothing", () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-badconfigs-"));
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-badconfigs-out-"));
    fs.writeFileSync(path.join(outdir, "marker"), "previous output");
    const before = treeHash(outdir);
    const example = readExampleRaw();
    const write = (name: string, value: unknown) =>
      fs.writeFileSync(path.join(configDir, name), JSON.stringify(value, null, 2));
    // The environment "a" gives the service account id "wif-a": 5 characters, Google needs 6.
    write("a.json", merge(example, { environment: "a" }));
    // HOUR partitioning on a DATE column and a reserved column name.
    write(
      "b.json",
      merge(example, {
        environment: "b-env",
        bigquery: {
          schema: [
            { name: "day", type: "DATE", mode: "REQUIRED" },
            { name: "_PARTITIONTIME", type: "TIMESTAMP" },
          ],
          partitioning: { field: "day", type: "HOUR" },
        },
      }),
    );
    // A second accountId that JSON.parse would silently keep.
    const text = JSON.stringify(merge(example, { environment: "c-env" }), null, 2).replace(
      '"accountId": "111122223333",',
      '"accountId": "111122223333",\n    "accountId": "999999999999",',
    );
    expect(text).toContain("999999999999");
    fs.writeFileSync(path.join(configDir, "c.json"), text);
    // A valid file with a byte order mark is not a problem.
    fs.writeFileSync(
      path.join(configDir, "d.json"),
      "\uFEFF" + JSON.stringify(merge(example, { environment: "d-env" })),
    );
    // RECORDs 16 deep, an expiration past int64 milliseconds, an unknown location, a reserved
    // label and a timeout the runtime cannot work in.
    let record: unknown = { name: "leaf", type: "STRING" };
    for (let level = 16; level >= 1; level--) {
      record = { name: `level${level}`, type: "RECORD", fields: [record] };
    }
    write(
      "e.json",
      merge(example, {
        environment: "e-env",
        bigquery: {
          location: "mars-north1",
          schema: [...example.bigquery.schema, record],
          partitioning: { expirationDays: 1e12 },
        },
        labels: { app: "mine" },
        lambda: { timeoutSeconds: 3 },
      }),
    );

    const result = synth(PROJECT_ROOT, {
      CDKTF_OUTDIR: outdir,
      WIF_BRIDGE_CONFIG_DIR: configDir,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^4 config files are invalid:/);
    const e = result.stderr.slice(result.stderr.indexOf("e.json is invalid"));
    expect(e).toMatch(/^e\.json is invalid \(5 problems\):/);
    expect(e).toMatch(
      /- lambda\.timeoutSeconds: got 3; expected at least 8 seconds: .* set lambda\.timeoutSeconds to 8 or more/,
    );
    expect(e).toMatch(/- bigquery\.location: got "mars-north1"; expected a BigQuery location/);
    expect(e).toMatch(
      /- bigquery\.partitioning\.expirationDays: got 1000000000000; expected at most 104249991 days/,
    );
    expect(e).toMatch(
      /- bigquery\.schema\[\d+\]\.fields: got "level1"; column "level1" nests RECORDs 16 levels deep; BigQuery allows 15/,
    );
    expect(e).toMatch(
      /- labels\.app: got "app"; the stack sets the labels "app" and "environment" itself/,
    );
    expect(result.stderr).toMatch(
      /a\.json is invalid \(1 problem\):\n {2}- environment: got "a"; the derived service account id "wif-a" .* is 5 characters; .* Set federation\.serviceAccountId/,
    );
    expect(result.stderr).toMatch(
      /b\.json is invalid \(2 problems\):\n {2}- bigquery\.schema\[1\]\.name: got "_PARTITIONTIME"; BigQuery reserves the name _PARTITIONTIME .* rename the column/,
    );
    expect(result.stderr).toMatch(
      /- bigquery\.partitioning\.type: got "HOUR"; BigQuery partitions a DATE column \("day"\) by DAY, MONTH, YEAR only/,
    );
    expect(result.stderr).toMatch(
      /c\.json is invalid \(1 problem\):\n {2}- aws\.accountId \(line 5\): got "999999999999"; duplicate key "accountId" on line 5 \(first on line 4\)/,
    );
    expect(result.stderr).not.toMatch(/d\.json/);
    expect(treeHash(outdir)).toBe(before);
  });
});
