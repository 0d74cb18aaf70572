/**
 * The done-when of the rule pack, end to end: a copy of the project with one unsafe change,
 * synthesized the way `npm run synth` does it (main.ts in a child process), exits non-zero
 * with the rule's message.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../helpers/synth";
import { synthArgv } from "../../tools/synth-command";

const COPIED = ["main.ts", "package.json", "tsconfig.json", "stacks", "lambda", "tools", "config"];

/** A throw-away copy of the app with `anchor` replaced in one file (the anchor must exist). */
function copyWithEdit(file: string, anchor: string, replacement: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-unsafe-"));
  for (const entry of COPIED) {
    fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  const target = path.join(dir, file);
  const source = fs.readFileSync(target, "utf8");
  if (!source.includes(anchor)) throw new Error(`${file} no longer contains ${anchor}`);
  fs.writeFileSync(target, source.replace(anchor, replacement));
  return dir;
}

function synth(dir: string) {
  const [node, ...args] = synthArgv(path.join(dir, "main.ts"));
  const result = spawnSync(node, args, {
    cwd: dir,
    env: { ...process.env, CDKTF_OUTDIR: path.join(dir, "cdktf.out"), WIF_BRIDGE_ENV: "example" },
    encoding: "utf8",
  });
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

describe("npm run synth on an unsafe change", () => {
  it("fails when the condition becomes a prefix match (WIF1)", () => {
    const dir = copyWithEdit(
      "stacks/federation/attribute-mapping.ts",
      "`attribute.aws_role == ${arns[0]}`",
      "`attribute.aws_role.startsWith(${arns[0]})`",
    );
    const result = synth(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /error WIF1 WorkloadIdentityConditionPinsRole at google_iam_workload_identity_pool_provider\.\S+ \(construct example\/federation\/aws-provider\): tests the role with startsWith\(\)/,
    );
    expect(result.stderr).toMatch(/Fix: compare the full ARN by equality/);
  });

  it("fails when the service account is granted to the whole pool (WIF3)", () => {
    const dir = copyWithEdit(
      "stacks/federation/principals.ts",
      "/attribute.aws_role/${assumedRoleArn(partition, accountId, roleName)}`",
      "/*`",
    );
    const result = synth(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /error WIF3 NoPoolWideGrant at google_service_account_iam_member\.\S+ \(construct example\/identity\/workload-identity-user\): roles\/iam\.workloadIdentityUser grants to every identity of the pool/,
    );
  });

  it("fails when a service account key is added (IAM1)", () => {
    const dir = copyWithEdit(
      "main.ts",
      "  app.synth();",
      `  for (const child of app.node.children) {
    const account = (child as BridgeStack).identity?.serviceAccount;
    if (account) new ServiceAccountKey(child, "leaked-key", { serviceAccountId: account.name });
  }
  app.synth();`,
    );
    fs.writeFileSync(
      path.join(dir, "main.ts"),
      `import { ServiceAccountKey } from "@cdktf/provider-google/lib/service-account-key";\n` +
        fs.readFileSync(path.join(dir, "main.ts"), "utf8"),
    );
    const result = synth(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /error IAM1 NoServiceAccountKey at google_service_account_key\.leaked-key \(construct example\/leaked-key\): creates a key/,
    );
  });
});
