/**
 * `npm run deployer-permissions [-- <stack>...]`: the AWS IAM policy and the Google roles the
 * deployer needs, computed from the synthesized stacks (cdktf.out/stacks/<stack>/cdk.tf.json;
 * outdir: $CDKTF_OUTDIR or cdktf.out) rather than typed by hand: every resource type, the
 * providers and the state backend are looked up in tools/deployer/permission-catalog.ts, and
 * AWS resources are scoped to the ARNs the stack will create. `--json` prints it as JSON.
 * A resource type the catalog does not know stops the tool (exit 1) naming it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { awsPartitionOf } from "../stacks/federation/partition";
import {
  functionArn,
  PERMISSION_CATALOG,
  roleArn,
  type AwsGrant,
  type ResourceBlock,
  type StackContext,
} from "./deployer/permission-catalog";

export interface SynthesizedStack {
  readonly name: string;
  readonly json: ResourceBlock;
}

export interface AwsStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: string[];
  readonly Resource: string[];
  readonly Condition?: AwsGrant["condition"];
}

export interface AwsAccountPermissions {
  readonly accountId: string;
  readonly stacks: string[];
  readonly policy: { readonly Version: "2012-10-17"; readonly Statement: AwsStatement[] };
}

export interface GoogleRoleNeed {
  readonly role: string;
  readonly permissions: string[];
  /** What needs it: resource types, or "state backend". */
  readonly neededBy: string[];
  /** Where to grant it when narrower than the project (e.g. the state bucket). */
  readonly scope?: string;
}

export interface GoogleProjectPermissions {
  readonly projectId: string;
  readonly stacks: string[];
  readonly roles: GoogleRoleNeed[];
}

export interface DeployerPermissions {
  readonly stacks: string[];
  readonly aws: AwsAccountPermissions[];
  readonly google: GoogleProjectPermissions[];
  /** Resource types that need no cloud permission, with the reason. */
  readonly stateOnly: Record<string, string>;
}

export class UnknownResourceTypeError extends Error {
  constructor(readonly types: readonly { type: string; stack: string }[]) {
    super(
      `no deployer permissions known for ${types.map((t) => `${t.type} (stack ${t.stack})`).join(", ")}; ` +
        "add the type to tools/deployer/permission-catalog.ts with the API calls its provider makes",
    );
    this.name = "UnknownResourceTypeError";
  }
}

const REFERENCE = /^\$\{([a-z0-9_]+)\.([^.}]+)\.([a-z_]+)\}$/;

/** The context of one AWS provider block (the default one unless `aws` is an aliased block). */
function stackContext(
  json: ResourceBlock,
  aws: ResourceBlock = json.provider?.aws?.[0] ?? {},
): StackContext {
  const region: string = aws.region ?? "*";
  const accountId: string = aws.allowed_account_ids?.[0] ?? "*";
  const context: StackContext = {
    partition: region === "*" ? "aws" : awsPartitionOf(region),
    region,
    accountId,
    literal(value: unknown): string {
      if (typeof value !== "string") return "*";
      const reference = REFERENCE.exec(value);
      if (reference) {
        const [, type, name, attribute] = reference;
        const target = json.resource?.[type]?.[name];
        if (!target) return "*";
        if (type === "aws_iam_role") {
          if (attribute === "arn") return roleArn(context, context.literal(target.name));
          if (attribute === "id" || attribute === "name") return context.literal(target.name);
        }
        if (type === "aws_lambda_function") {
          if (attribute === "arn")
            return functionArn(context, context.literal(target.function_name));
          if (attribute === "function_name") return context.literal(target.function_name);
        }
        if (type === "aws_cloudwatch_log_group" && attribute === "name") {
          return context.literal(target.name);
        }
        return "*";
      }
      // Any other interpolation is unknown until apply: match it with a wildcard.
      return value.replace(/\$\{[^}]*\}/g, "*");
    },
  };
  return context;
}

function statementKey(grant: AwsGrant): string {
  return JSON.stringify([[...grant.actions].sort(), grant.condition ?? null]);
}

function sidOf(type: string, index: number): string {
  const words = type.split("_").map((w) => w[0].toUpperCase() + w.slice(1));
  return `${words.join("")}${index > 0 ? index + 1 : ""}`;
}

function backendNeeds(json: ResourceBlock): {
  aws: AwsGrant[];
  google?: GoogleRoleNeed;
} {
  const backend = json.terraform?.backend ?? {};
  if (backend.s3) {
    const s3 = backend.s3;
    const partition = awsPartitionOf(s3.region ?? "");
    const object = `arn:${partition}:s3:::${s3.bucket}/${s3.key}`;
    const grants: AwsGrant[] = [
      { actions: ["s3:ListBucket"], resources: [`arn:${partition}:s3:::${s3.bucket}`] },
      { actions: ["s3:GetObject", "s3:PutObject"], resources: [object] },
    ];
    if (s3.use_lockfile) {
      grants.push({
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        resources: [`${object}.tflock`],
      });
    }
    return { aws: grants };
  }
  if (backend.gcs) {
    return {
      aws: [],
      google: {
        role: "roles/storage.objectAdmin",
        permissions: [
          "storage.objects.create",
          "storage.objects.get",
          "storage.objects.list",
          "storage.objects.delete",
        ],
        neededBy: ["state backend"],
        scope: `bucket gs://${backend.gcs.bucket} (prefix ${backend.gcs.prefix})`,
      },
    };
  }
  return { aws: [] };
}

/** IAM wants every Sid of a policy distinct; a repeated one gets a number. */
function uniqueSids(statements: AwsStatement[]): AwsStatement[] {
  const seen = new Map<string, number>();
  return statements.map((statement) => {
    const count = (seen.get(statement.Sid) ?? 0) + 1;
    seen.set(statement.Sid, count);
    return count === 1 ? statement : { ...statement, Sid: `${statement.Sid}N${count}` };
  });
}

/** The permissions the given synthesized stacks need, grouped by AWS account and Google project. */
export function deployerPermissions(stacks: readonly SynthesizedStack[]): DeployerPermissions {
  const unknown: { type: string; stack: string }[] = [];
  const accounts = new Map<string, { stacks: Set<string>; grants: Map<string, AwsStatement> }>();
  const projects = new Map<string, { stacks: Set<string>; roles: Map<string, GoogleRoleNeed> }>();
  const stateOnly: Record<string, string> = {};

  for (const { name, json } of stacks) {
    const awsProviders: ResourceBlock[] = json.provider?.aws ?? [];
    // The default provider, and one context per aliased provider (a further AWS account).
    const context = stackContext(json);
    const aliased = new Map(
      awsProviders
        .filter((p) => p.alias)
        .map((p): [string, StackContext] => [`aws.${p.alias}`, stackContext(json, p)]),
    );
    const accountFor = (accountId: string) => {
      const found = accounts.get(accountId) ?? { stacks: new Set<string>(), grants: new Map() };
      accounts.set(accountId, found);
      return found;
    };
    const account = accounts.get(context.accountId) ?? { stacks: new Set(), grants: new Map() };
    const projectId: string = json.provider?.google?.[0]?.project ?? "*";
    const project = projects.get(projectId) ?? { stacks: new Set(), roles: new Map() };
    const addAwsTo = (
      target: { stacks: Set<string>; grants: Map<string, AwsStatement> },
      grant: AwsGrant,
      sid: string,
    ) => {
      const key = statementKey(grant);
      const existing = target.grants.get(key);
      if (existing) {
        for (const r of grant.resources)
          if (!existing.Resource.includes(r)) existing.Resource.push(r);
        return;
      }
      target.grants.set(key, {
        Sid: sid,
        Effect: "Allow",
        Action: [...grant.actions],
        Resource: [...grant.resources],
        ...(grant.condition ? { Condition: grant.condition } : {}),
      });
    };
    const addAws = (grant: AwsGrant, sid: string) => addAwsTo(account, grant, sid);
    const addGoogle = (need: GoogleRoleNeed) => {
      const key = `${need.role}|${need.scope ?? ""}`;
      const existing = project.roles.get(key);
      if (!existing) {
        project.roles.set(key, {
          ...need,
          permissions: [...need.permissions],
          neededBy: [...need.neededBy],
        });
        return;
      }
      for (const p of need.permissions)
        if (!existing.permissions.includes(p)) existing.permissions.push(p);
      for (const n of need.neededBy) if (!existing.neededBy.includes(n)) existing.neededBy.push(n);
    };

    if (json.provider?.aws) {
      account.stacks.add(name);
      // The provider reads the caller's account to enforce allowed_account_ids.
      addAws({ actions: ["sts:GetCallerIdentity"], resources: ["*"] }, "ProviderAccountCheck");
    }
    // A further account is deployed by assuming its deploy role with the default credentials;
    // in that account, the deploy role checks its account as the default provider does.
    for (const p of awsProviders.filter((x) => x.alias)) {
      const roleArns = ([] as ResourceBlock[])
        .concat(p.assume_role ?? [])
        .map((r) => String(r.role_arn));
      if (roleArns.length > 0) {
        addAws({ actions: ["sts:AssumeRole"], resources: roleArns }, "AssumeDeployRole");
      }
      const further = accountFor(String(p.allowed_account_ids?.[0] ?? "*"));
      further.stacks.add(name);
      addAwsTo(
        further,
        { actions: ["sts:GetCallerIdentity"], resources: ["*"] },
        "ProviderAccountCheck",
      );
    }
    if (json.provider?.google) project.stacks.add(name);

    for (const [type, blocks] of Object.entries<ResourceBlock>(json.resource ?? {})) {
      const entry = PERMISSION_CATALOG[type];
      if (!entry) {
        unknown.push({ type, stack: name });
        continue;
      }
      if (entry.stateOnly) stateOnly[type] = entry.stateOnly;
      for (const block of Object.values<ResourceBlock>(blocks)) {
        const own = typeof block.provider === "string" ? aliased.get(block.provider) : undefined;
        const target = own ? accountFor(own.accountId) : account;
        (entry.aws?.(block, own ?? context) ?? []).forEach((grant, i) =>
          addAwsTo(target, grant, sidOf(type, i)),
        );
      }
      for (const grant of entry.google ?? []) {
        addGoogle({ role: grant.role, permissions: [...grant.permissions], neededBy: [type] });
      }
    }
    for (const type of Object.keys(json.data ?? {}))
      unknown.push({ type: `data.${type}`, stack: name });

    const backend = backendNeeds(json);
    if (backend.aws.length > 0) account.stacks.add(name);
    backend.aws.forEach((grant, i) => addAws(grant, `StateBackend${i > 0 ? i + 1 : ""}`));
    if (backend.google) {
      project.stacks.add(name);
      addGoogle(backend.google);
    }
    if (account.stacks.size > 0) accounts.set(context.accountId, account);
    if (project.stacks.size > 0) projects.set(projectId, project);
  }
  if (unknown.length > 0) throw new UnknownResourceTypeError(unknown);

  return {
    stacks: stacks.map((s) => s.name),
    aws: [...accounts].map(([accountId, a]) => ({
      accountId,
      stacks: [...a.stacks],
      policy: { Version: "2012-10-17", Statement: uniqueSids([...a.grants.values()]) },
    })),
    google: [...projects].map(([projectId, p]) => ({
      projectId,
      stacks: [...p.stacks],
      roles: [...p.roles.values()],
    })),
    stateOnly,
  };
}

/** Reads `<outdir>/stacks/<name>/cdk.tf.json` for the named stacks (all when none are named). */
export function readSynthesizedStacks(
  outdir: string,
  names: readonly string[] = [],
): SynthesizedStack[] {
  const stacksDir = path.join(outdir, "stacks");
  const available = fs.existsSync(stacksDir)
    ? fs
        .readdirSync(stacksDir)
        .filter((name) => fs.existsSync(path.join(stacksDir, name, "cdk.tf.json")))
        .sort()
    : [];
  if (available.length === 0) {
    throw new Error(`no synthesized stack in ${stacksDir}; run \`npm run synth\` first`);
  }
  const missing = names.filter((n) => !available.includes(n));
  if (missing.length > 0) {
    throw new Error(
      `no synthesized stack ${missing.join(", ")} in ${stacksDir} (there: ${available.join(", ")}); run \`npm run synth\` first`,
    );
  }
  return (names.length > 0 ? names : available).map((name) => ({
    name,
    json: JSON.parse(fs.readFileSync(path.join(stacksDir, name, "cdk.tf.json"), "utf8")),
  }));
}

/** The permissions as text for a person: an IAM policy per account, roles per project. */
export function formatDeployerPermissions(p: DeployerPermissions): string {
  const lines = [
    `Deployer permissions for ${p.stacks.join(", ")} (from the synthesized stacks)`,
    "",
  ];
  for (const account of p.aws) {
    lines.push(
      `AWS account ${account.accountId} (${account.stacks.join(", ")}): attach this IAM policy to the deployer`,
      JSON.stringify(account.policy, null, 2),
      "",
    );
  }
  for (const project of p.google) {
    lines.push(
      `Google project ${project.projectId} (${project.stacks.join(", ")}): grant the deployer`,
    );
    for (const role of project.roles) {
      lines.push(
        `  ${role.role}${role.scope ? ` on ${role.scope}` : ""}  (for ${role.neededBy.join(", ")})`,
        `    or a custom role with: ${role.permissions.join(", ")}`,
      );
    }
    lines.push(
      "  Before the first apply, once per project (the provider cannot do it itself):",
      "    gcloud services enable serviceusage.googleapis.com cloudresourcemanager.googleapis.com",
      "    and link a billing account (gcloud billing projects link).",
      "",
    );
  }
  const local = Object.entries(p.stateOnly);
  if (local.length > 0) {
    lines.push("No cloud permission needed:");
    for (const [type, why] of local) lines.push(`  ${type}: ${why}`);
  }
  return lines.join("\n");
}

if (require.main === module) {
  try {
    const args = process.argv.slice(2);
    const json = args.includes("--json");
    const names = args.filter((a) => a !== "--json");
    const outdir = process.env.CDKTF_OUTDIR ?? path.join(process.cwd(), "cdktf.out");
    const permissions = deployerPermissions(readSynthesizedStacks(outdir, names));
    console.log(
      json ? JSON.stringify(permissions, null, 2) : formatDeployerPermissions(permissions),
    );
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
