/**
 * `npm run demo`: the offline proof. Synthesizes the example environment, applies it to the
 * local Google emulator, and runs the bundled Lambda (from its asset zip) once as the
 * configured role and once as a look-alike role, printing the trust chain, each decision and
 * the rows that landed. No cloud, no credentials, no Terraform.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  OfflineBridge,
  PROJECT_ROOT,
  synthesize,
  type AwsIdentity,
  type Decision,
} from "../emulator";

const ENVIRONMENT = process.env.WIF_BRIDGE_ENV || "example";

/** Valid rows of the example table, tagged with who sent them. */
function exampleRecordsForDemo(sender: string): Record<string, unknown>[] {
  return [1, 2].map((n) => ({
    event_id: `${sender.replace(/\W+/g, "-")}-${n}`,
    event_time: new Date(Date.UTC(2026, 0, 15, 10, n)).toISOString(),
    source: "npm run demo",
    amount: `${n}0.00`,
    tags: ["demo"],
  }));
}

function line(text = ""): void {
  process.stdout.write(`${text}\n`);
}

function printTrustChain(bridge: OfflineBridge): void {
  const { state } = bridge.emulator;
  const provider = state.providers[0];
  const d = bridge.deployment;
  line("Trust chain (from the synthesized cdk.tf.json, computed values filled by the fake apply):");
  line(`  AWS account      ${d.awsAccountId}`);
  line(`  role             ${d.roleName} (Lambda ${d.functionName} runs as it)`);
  line(`  pool provider    ${provider.name}`);
  line(`                   aws.account_id = ${provider.awsAccountId}`);
  line(
    `  condition        ${provider.attributeCondition ?? "(none: every identity of the account)"}`,
  );
  const grants = bridge.stack
    .resourcesOf("google_service_account_iam_member")
    .map((r) => `${r.values.member} -> ${r.values.role}`);
  for (const g of grants) line(`  principal        ${g}`);
  for (const sa of bridge.stack.resourcesOf("google_service_account")) {
    line(`  service account  ${sa.values.email}`);
  }
  for (const r of bridge.stack.resourcesOf("google_bigquery_dataset_iam_member")) {
    line(`  dataset role     ${r.values.member} holds ${r.values.role} on ${r.values.dataset_id}`);
  }
  for (const r of bridge.stack.resourcesOf("google_storage_bucket_iam_member")) {
    line(`  bucket role      ${r.values.member} holds ${r.values.role} on ${r.values.bucket}`);
  }
  line();
}

function printDecisions(decisions: readonly Decision[]): void {
  for (const d of decisions) {
    const verdict = d.allowed ? "ALLOW" : `DENY at ${d.layer}${d.check ? ` (${d.check})` : ""}:`;
    line(`    ${verdict} ${d.endpoint.padEnd(24)} ${d.status}  ${d.reason}`);
  }
}

async function runAs(bridge: OfflineBridge, title: string, identity: AwsIdentity): Promise<void> {
  line(`== ${title}: ${identity.caller.arn}`);
  const before = bridge.emulator.decisions.length;
  const rowsBefore = bridge.rows().length;
  const container = await bridge.container(identity);
  const event = bridge.sqsEvent(exampleRecordsForDemo(title));
  const invocation = await container.invoke(event);
  await container.stop();
  printDecisions(bridge.emulator.decisions.slice(before));
  if (!invocation.ok) {
    line(
      `  result: invocation failed (${invocation.error.errorType}: ${invocation.error.errorMessage})`,
    );
  } else {
    const failures =
      (invocation.result as { batchItemFailures?: unknown[] }).batchItemFailures?.length ?? 0;
    line(
      `  result: ${event.Records.length - failures} of ${event.Records.length} messages written, ${failures} reported to SQS for retry`,
    );
  }
  line(`  rows landed: ${bridge.rows().length - rowsBefore}`);
  line();
}

async function main(): Promise<void> {
  line(`Synthesizing ${ENVIRONMENT} (npm run synth's app, into a temporary directory)...`);
  const app = await synthesize({ environments: [ENVIRONMENT] });
  const config = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, "config", `${ENVIRONMENT}.json`), "utf8"),
  );
  const bridge = await OfflineBridge.start({
    stackFile: app.stackFile(ENVIRONMENT),
    projectNumber: config.gcp?.projectNumber,
  });
  try {
    line(
      `Google emulator (STS, IAM Credentials, BigQuery, Cloud Storage) on ${bridge.emulator.url}`,
    );
    line(`Lambda code: ${bridge.deployment.assetZip} unzipped to ${bridge.taskDir}`);
    line();
    printTrustChain(bridge);
    await runAs(bridge, "configured role", bridge.configuredRole());
    await runAs(
      bridge,
      "look-alike role",
      bridge.roleSession({ roleName: `${bridge.deployment.roleName}-v2` }),
    );
    const env = bridge.deployment.environment;
    line(`Rows in ${env.GOOGLE_CLOUD_PROJECT}:${env.BQ_DATASET_ID}.${env.BQ_TABLE_ID}:`);
    for (const row of bridge.rows()) line(`  ${row.insertId}  ${JSON.stringify(row.json)}`);
    const archived = env.ARCHIVE_BUCKET ? bridge.emulator.objects(env.ARCHIVE_BUCKET) : [];
    for (const o of archived) line(`Archived: gs://${o.bucket}/${o.name} (${o.data.length} bytes)`);
    line();
    line(`Calls: ${JSON.stringify(bridge.emulator.faults.callCounts())}`);
  } finally {
    await bridge.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
