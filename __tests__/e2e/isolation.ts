/**
 * The isolation matrix of a multi-pipeline environment, end to end: every pipeline read from
 * the synthesized JSON (its function, account, table, archive prefix, service account), each
 * one's bundled Lambda run as itself, then, for every ordered pair (A, B), A's execution role
 * trying to reach B's data every way it could: running B's function (B's audience and service
 * account), pointing A's own function at B's table or B's archive prefix, and reading or
 * listing B's table and objects with A's token. Each attempt records the layer that refused it
 * (from the emulator's decision log) and whether anything of B's was written or read.
 */
import {
  accessTokenAs,
  type DenialCheck,
  type Endpoint,
  type Layer,
  type LambdaDeployment,
  type OfflinePlatform,
  type SqsEvent,
} from "../../emulator";
import type { TableField } from "../../stacks/schema/table-schema";
import { LAMBDA_ENV } from "../../stacks/federation/lambda-environment";
import { failedMessageIds } from "./harness";

export interface Pipeline {
  /** The function name: what the matrix calls the pipeline. */
  readonly name: string;
  readonly deployment: LambdaDeployment;
  readonly account: string;
  readonly project: string;
  readonly datasetId: string;
  readonly tableId: string;
  /** Unset when the archive is off. */
  readonly archive?: { readonly bucket: string; readonly prefix: string };
  /** The service account the function impersonates; unset in direct mode. */
  readonly serviceAccount?: string;
}

export function pipelinesOf(platform: OfflinePlatform): Pipeline[] {
  return platform.deployments.map((deployment) => {
    const env = deployment.environment;
    const credential = JSON.parse(env[LAMBDA_ENV.credentialConfig]);
    const impersonation = /serviceAccounts\/([^/:]+):generateAccessToken$/.exec(
      credential.service_account_impersonation_url ?? "",
    );
    const bucket = env[LAMBDA_ENV.archiveBucket];
    return {
      name: deployment.functionName,
      deployment,
      account: deployment.awsAccountId,
      project: env[LAMBDA_ENV.projectId],
      datasetId: env[LAMBDA_ENV.datasetId],
      tableId: env[LAMBDA_ENV.tableId],
      archive: bucket ? { bucket, prefix: env[LAMBDA_ENV.archivePrefix] ?? "" } : undefined,
      serviceAccount: impersonation ? decodeURIComponent(impersonation[1]) : undefined,
    };
  });
}

/** A value of each field's type, so a row passes the table's (and the bundle's) schema. */
export function sampleRow(schema: readonly TableField[], id: string): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const field of schema) {
    const value = sampleValue(field, id);
    row[field.name] = field.mode === "REPEATED" ? [value] : value;
  }
  return row;
}

function sampleValue(field: TableField, id: string): unknown {
  switch (field.type) {
    case "RECORD":
    case "STRUCT":
      return sampleRow(field.fields ?? [], id);
    case "TIMESTAMP":
    case "DATETIME":
      return "2026-01-15T10:00:00Z";
    case "DATE":
      return "2026-01-15";
    case "NUMERIC":
    case "BIGNUMERIC":
      return "12.50";
    case "INTEGER":
    case "INT64":
      return "7";
    case "FLOAT":
    case "FLOAT64":
      return 1.5;
    case "BOOLEAN":
    case "BOOL":
      return true;
    default:
      return `${id}-${field.name}`;
  }
}

export type CrossAttempt =
  | "run B's function"
  | "write B's table"
  | "write B's archive prefix"
  | "read B's table"
  | "get B's table"
  | "list B's dataset"
  | "read B's archived object"
  | "list B's archive prefix";

export interface Outcome {
  readonly attacker: string;
  readonly victim: string;
  readonly attempt: CrossAttempt;
  /** Nothing of B's was written or read. */
  readonly denied: boolean;
  /** The layer of the first refusal, if any. */
  readonly layer?: Layer;
  readonly check?: DenialCheck;
  /** What of B's was reached, when something was. */
  readonly leak?: string;
}

/** The layer (and, where only one check can hold, the check) that must refuse an attempt. */
export function expectedDenial(
  attacker: Pipeline,
  victim: Pipeline,
  attempt: CrossAttempt,
): { layer: Layer; check?: DenialCheck } {
  switch (attempt) {
    case "run B's function":
      if (victim.account !== attacker.account) return { layer: "STS", check: "account pin" };
      if (victim.serviceAccount) return { layer: "IAM", check: "no impersonation grant" };
      // Direct mode: admitted as itself, refused on B's data (the archive is written first).
      return victim.archive ? { layer: "Storage" } : { layer: "BigQuery", check: "no table grant" };
    case "write B's table":
    case "read B's table":
    case "get B's table":
      return { layer: "BigQuery", check: "no table grant" };
    case "list B's dataset":
      return { layer: "BigQuery", check: "no dataset grant" };
    default:
      return { layer: "Storage" };
  }
}

/**
 * The calls that would write B's data in a Lambda-run attempt: running B's function writes only
 * B's table and prefix; A's function pointed at B's table has its archive off; pointed at B's
 * prefix, its insert goes to A's own table.
 */
const WRITES_OF: Partial<Record<CrossAttempt, readonly Endpoint[]>> = {
  "run B's function": ["bigquery.insertAll", "storage.upload"],
  "write B's table": ["bigquery.insertAll"],
  "write B's archive prefix": ["storage.upload"],
};

export const CROSS_ATTEMPTS: readonly CrossAttempt[] = [
  "run B's function",
  "write B's table",
  "write B's archive prefix",
  "read B's table",
  "get B's table",
  "list B's dataset",
  "read B's archived object",
  "list B's archive prefix",
];

export class IsolationMatrix {
  readonly pipelines: readonly Pipeline[];

  constructor(readonly platform: OfflinePlatform) {
    this.pipelines = pipelinesOf(platform);
  }

  pipeline(name: string): Pipeline {
    const found = this.pipelines.find((p) => p.name === name);
    if (!found) throw new Error(`no pipeline ${name}`);
    return found;
  }

  /** Every ordered pair of distinct pipelines. */
  pairs(): [Pipeline, Pipeline][] {
    return this.pipelines.flatMap((a) =>
      this.pipelines.filter((b) => b !== a).map((b): [Pipeline, Pipeline] => [a, b]),
    );
  }

  rows(p: Pipeline) {
    return this.platform.emulator.rows(p.project, p.datasetId, p.tableId);
  }

  /** Objects under the pipeline's archive prefix. */
  objects(p: Pipeline) {
    if (!p.archive) return [];
    const { bucket, prefix } = p.archive;
    return this.platform.emulator.objects(bucket).filter((o) => o.name.startsWith(prefix));
  }

  private schemaOf(deployment: LambdaDeployment): readonly TableField[] {
    const env = deployment.environment;
    const table = this.platform.emulator.state.table(
      env[LAMBDA_ENV.projectId],
      env[LAMBDA_ENV.datasetId],
      env[LAMBDA_ENV.tableId],
    );
    if (!table) throw new Error(`${deployment.functionName} writes a table the stack lacks`);
    return table.schema;
  }

  /** Runs one batch of `count` rows through a deployment's bundle, as `identity`. */
  async run(
    deployment: LambdaDeployment,
    identity: Parameters<OfflinePlatform["container"]>[1],
    count: number,
    /** The deployment whose bundle (and so whose schema) runs. @default deployment */
    code: LambdaDeployment = deployment,
  ): Promise<{ event: SqsEvent; failed: string[] }> {
    const schema = this.schemaOf(code);
    const container = await this.platform.container(deployment, identity);
    const event = this.platform.sqsEvent(
      deployment,
      Array.from({ length: count }, (_, i) => sampleRow(schema, `${deployment.functionName}-${i}`)),
    );
    const invocation = await container.invoke(event);
    await container.stop();
    return { event, failed: failedMessageIds(event, invocation) };
  }

  /** Each pipeline's own run: its function, as its own role, `count` rows. */
  async runOwn(p: Pipeline, count: number) {
    return this.run(p.deployment, this.platform.executionRole(p.deployment.functionName), count);
  }

  /** One cross attempt of A against B, judged by B's data and the decision log. */
  async attempt(a: Pipeline, b: Pipeline, attempt: CrossAttempt): Promise<Outcome | undefined> {
    const touchesArchive = attempt.includes("archive");
    if (touchesArchive && (!b.archive || !a.archive)) return undefined;
    const emulator = this.platform.emulator;
    const rowsBefore = this.rows(b).length;
    const objectsBefore = this.objects(b).length;
    const firstDecision = emulator.decisions.length;
    const role = this.platform.executionRole(a.deployment.functionName);
    let readLeak: string | undefined;

    switch (attempt) {
      case "run B's function":
        await this.run(b.deployment, role, 2);
        break;
      case "write B's table":
        await this.run(
          this.platform.redeployed(a.deployment.functionName, {
            environmentOverrides: {
              [LAMBDA_ENV.datasetId]: b.datasetId,
              [LAMBDA_ENV.tableId]: b.tableId,
              // Only the table is B's: A's own archive write would succeed and prove nothing.
              [LAMBDA_ENV.archiveBucket]: "",
            },
          }),
          role,
          2,
          a.deployment,
        );
        break;
      case "write B's archive prefix":
        await this.run(
          this.platform.redeployed(a.deployment.functionName, {
            environmentOverrides: {
              [LAMBDA_ENV.archiveBucket]: b.archive!.bucket,
              [LAMBDA_ENV.archivePrefix]: b.archive!.prefix,
            },
          }),
          role,
          2,
          a.deployment,
        );
        break;
      default:
        readLeak = await this.read(a, b, attempt, role);
    }

    const decisions = emulator.decisions.slice(firstDecision);
    const refusal = decisions.find((d) => !d.allowed && d.status >= 400);
    const rowsLanded = this.rows(b).length - rowsBefore;
    const objectsLanded = this.objects(b).length - objectsBefore;
    // A write the layer allowed is a leak even when B's schema then rejects A's rows.
    const allowedWrite = decisions.find(
      (d) => d.allowed && WRITES_OF[attempt]?.includes(d.endpoint),
    );
    const leak =
      readLeak ??
      (rowsLanded > 0
        ? `${rowsLanded} row(s) landed in ${b.datasetId}.${b.tableId}`
        : objectsLanded > 0
          ? `${objectsLanded} object(s) landed under ${b.archive!.prefix}`
          : allowedWrite
            ? `${allowedWrite.endpoint} allowed: ${allowedWrite.reason}`
            : undefined);
    return {
      attacker: a.name,
      victim: b.name,
      attempt,
      denied: leak === undefined,
      ...(refusal ? { layer: refusal.layer, check: refusal.check } : {}),
      ...(leak ? { leak } : {}),
    };
  }

  /** A read or list with A's own token (as A's function would get it); returns what leaked. */
  private async read(
    a: Pipeline,
    b: Pipeline,
    attempt: CrossAttempt,
    role: Parameters<typeof accessTokenAs>[1],
  ): Promise<string | undefined> {
    const token = await accessTokenAs(a.deployment, role);
    const base = this.platform.emulator.url;
    const table = `/bigquery/v2/projects/${b.project}/datasets/${b.datasetId}/tables`;
    const object = b.archive ? this.objects(b)[0] : undefined;
    const url = {
      "read B's table": `${table}/${b.tableId}/data`,
      "get B's table": `${table}/${b.tableId}`,
      "list B's dataset": table,
      "read B's archived object": object
        ? `/storage/v1/b/${b.archive!.bucket}/o/${encodeURIComponent(object.name)}?alt=media`
        : undefined,
      "list B's archive prefix": b.archive
        ? `/storage/v1/b/${b.archive.bucket}/o?prefix=${encodeURIComponent(b.archive.prefix)}`
        : undefined,
    }[attempt as string];
    if (!url) throw new Error(`${attempt}: ${b.name} has nothing of that kind to read`);
    const res = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return res.status === 200 ? `${attempt} answered 200` : undefined;
  }

  /** Every cross attempt of every ordered pair (the archive ones where both have an archive). */
  async crossAttempts(attempts: readonly CrossAttempt[] = CROSS_ATTEMPTS): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const [a, b] of this.pairs()) {
      for (const attempt of attempts) {
        const outcome = await this.attempt(a, b, attempt);
        if (outcome) outcomes.push(outcome);
      }
    }
    return outcomes;
  }
}

/** One line per outcome, for failure messages and the closing note. */
export function describeOutcome(o: Outcome): string {
  const by = o.layer ? `${o.layer}${o.check ? ` (${o.check})` : ""}` : "no layer";
  return `${o.attacker} -> ${o.victim}: ${o.attempt}: ${o.denied ? `denied by ${by}` : `LEAK: ${o.leak}`}`;
}
