/**
 * One environment of the bridge: the AWS side (execution role, bundled Lambda, log group) and
 * the Google side (APIs, workload identity federation, the Lambda's Google identity, the
 * BigQuery destination and the optional archive), wired so that exactly one AWS role in one
 * AWS account can write to one table, with no stored key anywhere.
 */
import { Construct } from "constructs";
import { Aspects, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import type { BridgeConfig } from "./config";
import { addStateBackend } from "./state-backend";
import { FullProviderSources } from "./provider-sources";
import { SecurityRulePack } from "./policies/security-rule-pack";
import { trustIntentOf } from "./policies/trust-model/config-intent";
import { FederationIds } from "./gcp/federation-ids";
import { LambdaExecutionRole } from "./aws/execution-role";
import { BundledFunction } from "./aws/bundled-function";
import { IngestionQueue } from "./aws/ingestion-queue";
import { BASE_SERVICES, ProjectServices, STORAGE_SERVICE } from "./gcp/project-services";
import { WorkloadIdentityFederation } from "./gcp/workload-identity-federation";
import { FederatedIdentity } from "./gcp/federated-identity";
import { BigQueryDestination } from "./gcp/bigquery-destination";
import { StorageArchive } from "./gcp/storage-archive";
import { externalAccountConfigJson } from "./federation/credential-config";
import { assumedRoleArn } from "./federation/attribute-mapping";
import { LAMBDA_ENV, TABLE_SCHEMA_FILE } from "./federation/lambda-environment";
import { toBigQuerySchemaJson } from "./schema/table-schema";

export interface BridgeStackProps {
  readonly config: BridgeConfig;
}

export class BridgeStack extends TerraformStack {
  readonly config: BridgeConfig;
  readonly role: LambdaExecutionRole;
  readonly lambda: BundledFunction;
  readonly queue: IngestionQueue;
  readonly federation: WorkloadIdentityFederation;
  readonly identity: FederatedIdentity;
  readonly destination: BigQueryDestination;
  readonly archive?: StorageArchive;

  constructor(scope: Construct, id: string, props: BridgeStackProps) {
    super(scope, id);
    const config = props.config;
    const { names } = config;
    this.config = config;
    // Local state in the project root by default; S3 or GCS from config.state.
    addStateBackend(this, config);
    Aspects.of(this).add(new FullProviderSources());
    Aspects.of(this).add(new SecurityRulePack({ intent: trustIntentOf(config) }));
    const labels = { ...config.labels, app: "wif-bridge", environment: config.environment };

    new AwsProvider(this, "aws", {
      region: config.aws.region,
      // A deploy with credentials for any other account fails before it changes anything.
      allowedAccountIds: [config.aws.accountId],
      defaultTags: [{ tags: labels }],
    });
    new GoogleProvider(this, "google", {
      project: config.gcp.projectId,
      region: config.gcp.region,
      defaultLabels: labels,
    });

    // --- Google: APIs, then the trust, then who the Lambda is, then what it may write.
    const services = new ProjectServices(this, "services", {
      projectId: config.gcp.projectId,
      services: config.archive ? [...BASE_SERVICES, STORAGE_SERVICE] : [...BASE_SERVICES],
    });
    const dependsOn = services.dependables;

    const federationIds = new FederationIds(this, "federation-ids", {
      poolId: config.federation.poolId,
      providerId: config.federation.providerId,
      idSuffix: config.federation.idSuffix,
    });
    this.federation = new WorkloadIdentityFederation(this, "federation", {
      projectId: config.gcp.projectId,
      poolId: federationIds.poolId,
      providerId: federationIds.providerId,
      awsAccountId: config.aws.accountId,
      awsRoleNames: [names.roleName],
      displayName: `wif-bridge ${config.environment}`,
      providerDisplayName: config.federation.providerId,
      dependsOn,
    });
    this.identity = new FederatedIdentity(this, "identity", {
      projectId: config.gcp.projectId,
      accessMode: config.federation.accessMode,
      principalSet: this.federation.principalSetForRole(names.roleName),
      serviceAccountId: names.serviceAccountId,
      description: `Impersonated only by AWS role ${names.roleName} (${config.aws.accountId}) via wif-bridge`,
      dependsOn,
    });
    this.destination = new BigQueryDestination(this, "bigquery", {
      projectId: config.gcp.projectId,
      datasetId: config.bigquery.datasetId,
      tableId: config.bigquery.tableId,
      location: config.bigquery.location,
      schema: config.bigquery.schema,
      partitioning: config.bigquery.partitioning,
      deletionProtection: config.bigquery.deletionProtection,
      dependsOn,
    });
    this.destination.grantInsert(this.identity.member);
    if (config.archive) {
      this.archive = new StorageArchive(this, "archive", {
        projectId: config.gcp.projectId,
        bucketName: config.archive.bucketName,
        location: config.archive.location ?? config.bigquery.location,
        retentionDays: config.archive.retentionDays,
        forceDestroy: !config.bigquery.deletionProtection,
        dependsOn,
      });
      this.archive.grantObjectCreate(this.identity.member);
    }

    // --- AWS: the role Google trusts, and the function that runs as it.
    this.role = new LambdaExecutionRole(this, "execution-role", {
      roleName: names.roleName,
      accountId: config.aws.accountId,
      description: `wif-bridge ${config.environment}: the only AWS identity ${config.federation.poolId}/${config.federation.providerId} admits`,
    });
    const credentialConfig = externalAccountConfigJson({
      audience: this.federation.audience,
      serviceAccountEmail: this.identity.serviceAccountEmail,
    });
    this.lambda = new BundledFunction(this, "lambda", {
      functionName: names.functionName,
      role: this.role,
      runtime: config.lambda.runtime,
      architecture: config.lambda.architecture,
      memoryMb: config.lambda.memoryMb,
      timeoutSeconds: config.lambda.timeoutSeconds,
      logRetentionDays: config.lambda.logRetentionDays,
      extraFiles: { [TABLE_SCHEMA_FILE]: toBigQuerySchemaJson(config.bigquery.schema) },
      environment: {
        [LAMBDA_ENV.credentialConfig]: credentialConfig,
        [LAMBDA_ENV.projectId]: config.gcp.projectId,
        [LAMBDA_ENV.datasetId]: config.bigquery.datasetId,
        [LAMBDA_ENV.tableId]: config.bigquery.tableId,
        [LAMBDA_ENV.expectedRoleArn]: assumedRoleArn(config.aws.accountId, names.roleName),
        ...(config.archive ? { [LAMBDA_ENV.archiveBucket]: config.archive.bucketName } : {}),
      },
    });
    this.queue = new IngestionQueue(this, "ingestion", {
      queueName: names.functionName,
      functionArn: this.lambda.functionArn,
      lambdaTimeoutSeconds: config.lambda.timeoutSeconds,
      role: this.role,
      batchSize: config.queue.batchSize,
      maxBatchingWindowSeconds: config.queue.maxBatchingWindowSeconds,
      maxReceiveCount: config.queue.maxReceiveCount,
    });

    this.addOutputs(credentialConfig);
  }

  private addOutputs(credentialConfig: string): void {
    const output = (id: string, value: string, description: string) =>
      new TerraformOutput(this, id, { value, description });
    output("lambda_role_arn", this.role.roleArn, "The AWS role the pool provider admits");
    output("lambda_function_name", this.lambda.functionName, "The Lambda that writes to BigQuery");
    output("lambda_function_arn", this.lambda.functionArn, "ARN of that Lambda");
    output("queue_url", this.queue.queueUrl, "SQS queue producers send records to");
    output("queue_arn", this.queue.queueArn, "ARN of that queue");
    output(
      "dlq_url",
      this.queue.deadLetterQueueUrl,
      "Dead-letter queue of records that kept failing",
    );
    output("dlq_arn", this.queue.deadLetterQueueArn, "ARN of the dead-letter queue");
    output(
      "workload_identity_pool_name",
      this.federation.poolName,
      "Full resource name of the pool (carries the project number)",
    );
    output(
      "workload_identity_provider_name",
      this.federation.providerName,
      "Full resource name of the AWS pool provider",
    );
    output("audience", this.federation.audience, "STS audience the Lambda presents");
    if (this.identity.serviceAccountEmail) {
      output(
        "service_account_email",
        this.identity.serviceAccountEmail,
        "Service account only the Lambda role may impersonate",
      );
    }
    output("bigquery_dataset_id", this.destination.datasetId, "Dataset the Lambda writes to");
    output("bigquery_table_id", this.destination.tableId, "Table the Lambda writes to");
    if (this.archive) output("archive_bucket", this.archive.bucketName, "Raw-batch archive bucket");
    output(
      "credential_config",
      credentialConfig,
      "external_account credential config (no secret) the Lambda uses",
    );
  }
}
