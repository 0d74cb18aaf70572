/**
 * One environment of the bridge: the AWS side (execution role, bundled Lambda, log group) and
 * the Google side (APIs, workload identity federation, the Lambda's Google identity, the
 * BigQuery destination and the optional archive), wired so that exactly one AWS role in one
 * AWS account can write to one table, with no stored key anywhere.
 */
import { Construct } from "constructs";
import { Aspects, type ITerraformDependable, TerraformOutput, TerraformStack } from "cdktf";
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
import {
  ingestionQueueNames,
  oldestMessageAgeThresholdSeconds,
} from "./aws/ingestion-queue-settings";
import { AlarmTopic } from "./aws/alarm-topic";
import { IngestionAlarms } from "./aws/ingestion-alarms";
import { BASE_SERVICES, ProjectServices, STORAGE_SERVICE } from "./gcp/project-services";
import { WorkloadIdentityFederation } from "./gcp/workload-identity-federation";
import { FederatedIdentity } from "./gcp/federated-identity";
import { BigQueryDestination } from "./gcp/bigquery-destination";
import { StorageArchive } from "./gcp/storage-archive";
import { IamPropagationWait } from "./gcp/iam-propagation-wait";
import { externalAccountConfigJson } from "./federation/credential-config";
import { assumedRoleArn } from "./federation/attribute-mapping";
import { assertGoogleSupportedRegion } from "./federation/partition";
import { LAMBDA_ENV, metricsNamespace, TABLE_SCHEMA_FILE } from "./federation/lambda-environment";
import { toBigQuerySchemaJson } from "./schema/table-schema";

export interface BridgeStackProps {
  readonly config: BridgeConfig;
}

export class BridgeStack extends TerraformStack {
  readonly config: BridgeConfig;
  readonly role: LambdaExecutionRole;
  readonly lambda: BundledFunction;
  readonly queue: IngestionQueue;
  readonly alarmTopic: AlarmTopic;
  readonly alarms: IngestionAlarms;
  readonly federation: WorkloadIdentityFederation;
  readonly identity: FederatedIdentity;
  readonly destination: BigQueryDestination;
  readonly archive?: StorageArchive;
  /** The pause between the Google grants and the SQS trigger (absent when configured to 0). */
  readonly iamPropagationWait?: IamPropagationWait;

  constructor(scope: Construct, id: string, props: BridgeStackProps) {
    super(scope, id);
    const config = props.config;
    const { names } = config;
    this.config = config;
    // The loader refuses these regions already; a config built by hand meets the same guard.
    const partition = assertGoogleSupportedRegion(config.aws.region, `${config.source} aws.region`);
    // Local state in the project root by default; S3 or GCS from config.state.
    addStateBackend(this, config);
    Aspects.of(this).add(new FullProviderSources());
    Aspects.of(this).add(new SecurityRulePack({ intent: trustIntentOf(config) }));
    // The config loader refuses "app" and "environment" in config.labels (RESERVED_LABELS).
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
      awsPartition: partition,
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
    const grants: ITerraformDependable[] = [
      this.federation.provider,
      ...(this.identity.impersonationGrant ? [this.identity.impersonationGrant] : []),
      this.destination.grantInsert(this.identity.member),
    ];
    if (config.archive) {
      this.archive = new StorageArchive(this, "archive", {
        projectId: config.gcp.projectId,
        bucketName: config.archive.bucketName,
        location: config.archive.location ?? config.bigquery.location,
        retentionDays: config.archive.retentionDays,
        forceDestroy: !config.bigquery.deletionProtection,
        dependsOn,
      });
      grants.push(this.archive.grantObjectCreate(this.identity.member));
    }
    if (config.deploy.iamPropagationWaitSeconds > 0) {
      this.iamPropagationWait = new IamPropagationWait(this, "iam-propagation", {
        seconds: config.deploy.iamPropagationWaitSeconds,
        grants,
      });
    }

    // --- AWS: the role Google trusts, and the function that runs as it.
    this.role = new LambdaExecutionRole(this, "execution-role", {
      roleName: names.roleName,
      accountId: config.aws.accountId,
      description: `wif-bridge ${config.environment}: the only AWS identity ${config.federation.poolId}/${config.federation.providerId} admits`,
    });
    const credentialConfig = externalAccountConfigJson({
      audience: this.federation.audience,
      awsPartition: partition,
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
        [LAMBDA_ENV.expectedRoleArn]: assumedRoleArn(
          partition,
          config.aws.accountId,
          names.roleName,
        ),
        [LAMBDA_ENV.metricsNamespace]: metricsNamespace(config.environment),
        ...(config.archive ? { [LAMBDA_ENV.archiveBucket]: config.archive.bucketName } : {}),
      },
    });
    this.queue = new IngestionQueue(this, "ingestion", {
      queueName: ingestionQueueNames(names.functionName).queueName,
      functionArn: this.lambda.functionArn,
      lambdaTimeoutSeconds: config.lambda.timeoutSeconds,
      role: this.role,
      batchSize: config.queue.batchSize,
      maxBatchingWindowSeconds: config.queue.maxBatchingWindowSeconds,
      maxReceiveCount: config.queue.maxReceiveCount,
      startAfter: this.iamPropagationWait ? [this.iamPropagationWait.sleep] : [],
    });

    // --- Someone is told: alarms on what failed or stalled, to an encrypted topic.
    this.alarmTopic = new AlarmTopic(this, "alarm-topic", {
      topicName: `${names.functionName}-alarms`,
      accountId: config.aws.accountId,
      region: config.aws.region,
      subscriptions: config.alarms.subscriptions,
    });
    this.alarms = new IngestionAlarms(this, "alarms", {
      namePrefix: names.functionName,
      functionName: this.lambda.functionName,
      queueName: this.queue.queue.name,
      deadLetterQueueName: this.queue.deadLetterQueue.name,
      oldestMessageAgeSeconds:
        config.alarms.oldestMessageAgeSeconds ??
        oldestMessageAgeThresholdSeconds({
          lambdaTimeoutSeconds: config.lambda.timeoutSeconds,
          maxBatchingWindowSeconds: config.queue.maxBatchingWindowSeconds,
          maxReceiveCount: config.queue.maxReceiveCount,
        }),
      actions: [this.alarmTopic.topicArn],
    });

    this.addOutputs(credentialConfig);
  }

  private addOutputs(credentialConfig: string): void {
    const output = (id: string, value: string, description: string) =>
      new TerraformOutput(this, id, { value, description });
    output("lambda_role_arn", this.role.roleArn, "The AWS role the pool provider admits");
    output("lambda_function_name", this.lambda.functionName, "The Lambda that writes to BigQuery");
    output("lambda_function_arn", this.lambda.functionArn, "ARN of that Lambda");
    output(
      "lambda_code_sha256",
      this.lambda.codeSha256,
      "base64 SHA-256 of the Lambda's archive.zip: equals the CodeSha256 AWS reports for the deployed function",
    );
    output("queue_url", this.queue.queueUrl, "SQS queue producers send records to");
    output("queue_arn", this.queue.queueArn, "ARN of that queue");
    output(
      "dlq_url",
      this.queue.deadLetterQueueUrl,
      "Dead-letter queue of records that kept failing",
    );
    output("dlq_arn", this.queue.deadLetterQueueArn, "ARN of the dead-letter queue");
    output("alarm_topic_arn", this.alarmTopic.topicArn, "SNS topic the alarms notify");
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
