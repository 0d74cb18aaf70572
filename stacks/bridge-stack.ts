/**
 * One environment of the bridge: per pipeline the AWS side (execution role, bundled Lambda,
 * log group, queue, alarms) and the Google side (its identity, its table, its archive prefix),
 * and once per environment the APIs, the pool (one AWS provider per account), the shared
 * dataset and the archive bucket; wired so that each pipeline's AWS role, and no other
 * identity, can write its own table, with no stored key anywhere.
 *
 * One stack per environment, whatever the number of AWS accounts: each further account's
 * resources are deployed by an aliased AWS provider that assumes that account's deploy role
 * (config aws.deployRoleArns) and is pinned to it (allowed_account_ids). The trust model
 * then sees every role, provider and grant in one JSON, and `cdktf deploy` applies one plan
 * whose order is Terraform's dependency graph (docs/deploy-and-operations.md).
 */
import { Construct } from "constructs";
import {
  Aspects,
  type ITerraformDependable,
  TerraformDataSource,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
} from "cdktf";
import type { BigqueryDataset } from "@cdktf/provider-google/lib/bigquery-dataset";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import type { AwsAccount, BridgeConfig, Pipeline } from "./config";
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
import {
  WorkloadIdentityFederation,
  type AwsAccountProvider,
} from "./gcp/workload-identity-federation";
import { FederatedIdentity } from "./gcp/federated-identity";
import { BigQueryDestination, bridgeDataset } from "./gcp/bigquery-destination";
import { StorageArchive } from "./gcp/storage-archive";
import { IamPropagationWait } from "./gcp/iam-propagation-wait";
import { externalAccountConfigJson } from "./federation/credential-config";
import { assumedRoleArn } from "./federation/attribute-mapping";
import { assertGoogleSupportedRegion, type AwsPartition } from "./federation/partition";
import { LAMBDA_ENV, metricsNamespace, TABLE_SCHEMA_FILE } from "./federation/lambda-environment";
import { toBigQuerySchemaJson } from "./schema/table-schema";

export interface BridgeStackProps {
  readonly config: BridgeConfig;
}

/** What one pipeline deployed: its AWS side, its Google identity, its table. */
export interface PipelineResources {
  readonly pipeline: Pipeline;
  readonly role: LambdaExecutionRole;
  readonly lambda: BundledFunction;
  readonly queue: IngestionQueue;
  readonly alarmTopic: AlarmTopic;
  readonly alarms: IngestionAlarms;
  readonly identity: FederatedIdentity;
  readonly destination: BigQueryDestination;
  /** The pause between its Google grants and its SQS trigger (absent when configured to 0). */
  readonly iamPropagationWait?: IamPropagationWait;
  readonly credentialConfig: string;
}

export class BridgeStack extends TerraformStack {
  readonly config: BridgeConfig;
  readonly federation: WorkloadIdentityFederation;
  readonly archive?: StorageArchive;
  /** Every pipeline's resources, in config order (one for a single-pipeline file). */
  readonly pipelines: readonly PipelineResources[];

  private readonly awsProviders = new Map<string, AwsProvider>();
  private readonly poolProviders = new Map<string, AwsAccountProvider>();
  private readonly services: ProjectServices;
  private readonly labels: Record<string, string>;
  private sharedDataset?: BigqueryDataset;
  /** The JSON the security rule pack judged at validation; synth then writes exactly it. */
  private judgedTerraform?: ReturnType<TerraformStack["toTerraform"]>;

  /**
   * Resolves the stack once for the rule pack and keeps the result: validation runs after every
   * aspect, just before cdktf writes the stack, so what is written is exactly what was judged,
   * and synth does not resolve every token a second time (about 5 ms per stack).
   */
  freezeTerraform(): ReturnType<TerraformStack["toTerraform"]> {
    this.judgedTerraform = super.toTerraform();
    return this.judgedTerraform;
  }

  override toTerraform(): ReturnType<TerraformStack["toTerraform"]> {
    return this.judgedTerraform ?? super.toTerraform();
  }

  // The first (in a single-pipeline file, the only) pipeline's resources, as before pipelines.
  get role(): LambdaExecutionRole {
    return this.pipelines[0].role;
  }
  get lambda(): BundledFunction {
    return this.pipelines[0].lambda;
  }
  get queue(): IngestionQueue {
    return this.pipelines[0].queue;
  }
  get alarmTopic(): AlarmTopic {
    return this.pipelines[0].alarmTopic;
  }
  get alarms(): IngestionAlarms {
    return this.pipelines[0].alarms;
  }
  get identity(): FederatedIdentity {
    return this.pipelines[0].identity;
  }
  get destination(): BigQueryDestination {
    return this.pipelines[0].destination;
  }
  get iamPropagationWait(): IamPropagationWait | undefined {
    return this.pipelines[0].iamPropagationWait;
  }

  constructor(scope: Construct, id: string, props: BridgeStackProps) {
    super(scope, id);
    const config = props.config;
    this.config = config;
    // The loader refuses these regions already; a config built by hand meets the same guard.
    const partition = assertGoogleSupportedRegion(config.aws.region, `${config.source} aws.region`);
    // Local state in the project root by default; S3 or GCS from config.state.
    addStateBackend(this, config);
    Aspects.of(this).add(new FullProviderSources());
    Aspects.of(this).add(new SecurityRulePack({ intent: trustIntentOf(config) }));
    // The config loader refuses "app" and "environment" in config.labels (RESERVED_LABELS).
    const labels = { ...config.labels, app: "wif-bridge", environment: config.environment };
    this.labels = labels;

    this.awsProviders.set(
      config.aws.accountId,
      new AwsProvider(this, "aws", {
        region: config.aws.region,
        // A deploy with credentials for any other account fails before it changes anything.
        allowedAccountIds: [config.aws.accountId],
        defaultTags: [{ tags: labels }],
      }),
    );
    for (const account of config.awsAccounts) {
      if (account.accountId !== config.aws.accountId) this.addAccountProvider(account);
    }
    new GoogleProvider(this, "google", {
      project: config.gcp.projectId,
      region: config.gcp.region,
      defaultLabels: labels,
    });

    // --- Google: APIs, then the trust (one pool, one provider per AWS account).
    this.services = new ProjectServices(this, "services", {
      projectId: config.gcp.projectId,
      services: config.archive ? [...BASE_SERVICES, STORAGE_SERVICE] : [...BASE_SERVICES],
    });
    const dependsOn = this.services.dependables;

    const federationIds = new FederationIds(this, "federation-ids", {
      poolId: config.federation.poolId,
      providerId: config.federation.providerId,
      idSuffix: config.federation.idSuffix,
    });
    const rolesOf = (account: AwsAccount) =>
      config.pipelines
        .filter((p) => p.accountId === account.accountId)
        .map((p) => p.names.roleName);
    const [home, ...others] = config.awsAccounts;
    this.federation = new WorkloadIdentityFederation(this, "federation", {
      projectId: config.gcp.projectId,
      poolId: federationIds.poolId,
      providerId: federationIds.providerId,
      awsAccountId: home.accountId,
      awsPartition: partition,
      awsRoleNames: rolesOf(home),
      displayName: `wif-bridge ${config.environment}`,
      ...(others.length > 0
        ? {
            poolDescription: `AWS Lambda identities of accounts ${config.awsAccounts.map((a) => a.accountId).join(", ")} (wif-bridge)`,
          }
        : {}),
      providerDisplayName: config.federation.providerId,
      dependsOn,
    });
    this.poolProviders.set(home.accountId, {
      provider: this.federation.provider,
      attributeCondition: this.federation.attributeCondition,
      audience: this.federation.audience,
      principalSetForRole: (role) => this.federation.principalSetForRole(role),
    });
    for (const account of others) {
      this.poolProviders.set(
        account.accountId,
        this.federation.addAwsAccount(`aws-provider-${account.accountId}`, {
          providerId: federationIds.withSuffix(account.providerId),
          displayName: account.providerId,
          awsAccountId: account.accountId,
          awsRoleNames: rolesOf(account),
        }),
      );
    }

    // --- Per pipeline: who it is, what it may write, and the function that runs as it.
    const built: PipelineResources[] = [];
    for (const pipeline of config.pipelines) {
      // A single-pipeline file keeps its constructs at the stack root (its JSON as before).
      const pipelineScope = config.pipelinesDeclared
        ? new Construct(this, `pipeline-${pipeline.name}`)
        : this;
      built.push(this.addPipeline(pipelineScope, pipeline, partition));
    }
    this.pipelines = built;
    this.archive = this.archiveBucket;

    if (config.pipelinesDeclared) {
      this.addEnvironmentOutputs();
      for (const p of built) this.addOutputs(p, `${p.pipeline.name}_`);
    } else {
      this.addOutputs(built[0], "");
    }
  }

  private archiveBucket?: StorageArchive;

  /** The aliased provider that deploys one further account's resources with its own role. */
  private addAccountProvider(account: AwsAccount): void {
    this.awsProviders.set(
      account.accountId,
      new AwsProvider(this, `aws-${account.accountId}`, {
        alias: `account_${account.accountId}`,
        region: this.config.aws.region,
        allowedAccountIds: [account.accountId],
        assumeRole: [
          { roleArn: account.deployRoleArn, sessionName: `wif-bridge-${this.config.environment}` },
        ],
        defaultTags: [{ tags: this.labels }],
      }),
    );
  }

  private addPipeline(
    scope: Construct,
    pipeline: Pipeline,
    partition: AwsPartition,
  ): PipelineResources {
    const config = this.config;
    const { names } = pipeline;
    const dependsOn = this.services.dependables;
    const poolProvider = this.poolProviders.get(pipeline.accountId)!;
    const identity = new FederatedIdentity(scope, "identity", {
      projectId: config.gcp.projectId,
      accessMode: config.federation.accessMode,
      principalSet: poolProvider.principalSetForRole(names.roleName),
      serviceAccountId: names.serviceAccountId,
      description: `Impersonated only by AWS role ${names.roleName} (${pipeline.accountId}) via wif-bridge`,
      dependsOn,
    });
    const shared =
      config.pipelinesDeclared && !pipeline.bigquery.ownDataset
        ? (this.sharedDataset ??= bridgeDataset(this, "bigquery-dataset", {
            projectId: config.gcp.projectId,
            datasetId: config.bigquery.datasetId,
            location: config.bigquery.location,
            deletionProtection: config.bigquery.deletionProtection,
            dependsOn,
          }))
        : undefined;
    const destination = new BigQueryDestination(scope, "bigquery", {
      projectId: config.gcp.projectId,
      datasetId: pipeline.bigquery.datasetId,
      dataset: shared,
      tableId: pipeline.bigquery.tableId,
      location: config.bigquery.location,
      schema: pipeline.bigquery.schema,
      partitioning: pipeline.bigquery.partitioning,
      deletionProtection: config.bigquery.deletionProtection,
      dependsOn,
    });
    const grants: ITerraformDependable[] = [
      poolProvider.provider,
      ...(identity.impersonationGrant ? [identity.impersonationGrant] : []),
      destination.grantInsert(identity.member),
    ];
    if (config.archive) {
      this.archiveBucket ??= new StorageArchive(this, "archive", {
        projectId: config.gcp.projectId,
        bucketName: config.archive.bucketName,
        location: config.archive.location ?? config.bigquery.location,
        retentionDays: config.archive.retentionDays,
        forceDestroy: !config.bigquery.deletionProtection,
        dependsOn,
      });
      grants.push(
        pipeline.archivePrefix === undefined
          ? this.archiveBucket.grantObjectCreate(identity.member)
          : this.archiveBucket.grantObjectCreate(
              identity.member,
              pipeline.archivePrefix,
              `writer-${pipeline.name}`,
            ),
      );
    }
    const iamPropagationWait =
      config.deploy.iamPropagationWaitSeconds > 0
        ? new IamPropagationWait(scope, "iam-propagation", {
            seconds: config.deploy.iamPropagationWaitSeconds,
            grants,
          })
        : undefined;

    // --- AWS: the role Google trusts, and the function that runs as it.
    const role = new LambdaExecutionRole(scope, "execution-role", {
      roleName: names.roleName,
      accountId: pipeline.accountId,
      description: config.pipelinesDeclared
        ? `wif-bridge ${config.environment}/${pipeline.name}: the only AWS identity of its table; ${config.federation.poolId} admits it through its account's provider`
        : `wif-bridge ${config.environment}: the only AWS identity ${config.federation.poolId}/${config.federation.providerId} admits`,
    });
    const credentialConfig = externalAccountConfigJson({
      audience: poolProvider.audience,
      awsPartition: partition,
      serviceAccountEmail: identity.serviceAccountEmail,
    });
    const lambda = new BundledFunction(scope, "lambda", {
      functionName: names.functionName,
      role,
      runtime: pipeline.lambda.runtime,
      architecture: pipeline.lambda.architecture,
      memoryMb: pipeline.lambda.memoryMb,
      timeoutSeconds: pipeline.lambda.timeoutSeconds,
      logRetentionDays: pipeline.lambda.logRetentionDays,
      extraFiles: { [TABLE_SCHEMA_FILE]: toBigQuerySchemaJson(pipeline.bigquery.schema) },
      environment: {
        [LAMBDA_ENV.credentialConfig]: credentialConfig,
        [LAMBDA_ENV.projectId]: config.gcp.projectId,
        [LAMBDA_ENV.datasetId]: pipeline.bigquery.datasetId,
        [LAMBDA_ENV.tableId]: pipeline.bigquery.tableId,
        [LAMBDA_ENV.expectedRoleArn]: assumedRoleArn(partition, pipeline.accountId, names.roleName),
        [LAMBDA_ENV.metricsNamespace]: metricsNamespace(config.environment),
        ...(config.archive ? { [LAMBDA_ENV.archiveBucket]: config.archive.bucketName } : {}),
        ...(pipeline.archivePrefix !== undefined
          ? { [LAMBDA_ENV.archivePrefix]: pipeline.archivePrefix }
          : {}),
      },
    });
    const queue = new IngestionQueue(scope, "ingestion", {
      queueName: ingestionQueueNames(names.functionName).queueName,
      functionArn: lambda.functionArn,
      lambdaTimeoutSeconds: pipeline.lambda.timeoutSeconds,
      role,
      batchSize: pipeline.queue.batchSize,
      maxBatchingWindowSeconds: pipeline.queue.maxBatchingWindowSeconds,
      maxReceiveCount: pipeline.queue.maxReceiveCount,
      startAfter: iamPropagationWait ? [iamPropagationWait.sleep] : [],
    });

    // --- Someone is told: alarms on what failed or stalled, to an encrypted topic.
    const alarmTopic = new AlarmTopic(scope, "alarm-topic", {
      topicName: `${names.functionName}-alarms`,
      accountId: pipeline.accountId,
      region: config.aws.region,
      subscriptions: config.alarms.subscriptions,
    });
    const alarms = new IngestionAlarms(scope, "alarms", {
      namePrefix: names.functionName,
      functionName: lambda.functionName,
      queueName: queue.queue.name,
      deadLetterQueueName: queue.deadLetterQueue.name,
      oldestMessageAgeSeconds:
        config.alarms.oldestMessageAgeSeconds ??
        oldestMessageAgeThresholdSeconds({
          lambdaTimeoutSeconds: pipeline.lambda.timeoutSeconds,
          maxBatchingWindowSeconds: pipeline.queue.maxBatchingWindowSeconds,
          maxReceiveCount: pipeline.queue.maxReceiveCount,
        }),
      actions: [alarmTopic.topicArn],
    });
    if (pipeline.accountId !== config.aws.accountId) {
      deployWith(this.awsProviders.get(pipeline.accountId)!, [
        role,
        lambda,
        queue,
        alarmTopic,
        alarms,
      ]);
    }
    return {
      pipeline,
      role,
      lambda,
      queue,
      alarmTopic,
      alarms,
      identity,
      destination,
      iamPropagationWait,
      credentialConfig,
    };
  }

  private addEnvironmentOutputs(): void {
    new TerraformOutput(this, "workload_identity_pool_name", {
      value: this.federation.poolName,
      description: "Full resource name of the pool (carries the project number)",
    });
    if (this.archive) {
      new TerraformOutput(this, "archive_bucket", {
        value: this.archive.bucketName,
        description: "Raw-batch archive bucket (each pipeline writes under its prefix)",
      });
    }
  }

  private addOutputs(p: PipelineResources, prefix: string): void {
    const output = (id: string, value: string, description: string) =>
      new TerraformOutput(this, `${prefix}${id}`, { value, description });
    output("lambda_role_arn", p.role.roleArn, "The AWS role the pool provider admits");
    output("lambda_function_name", p.lambda.functionName, "The Lambda that writes to BigQuery");
    output("lambda_function_arn", p.lambda.functionArn, "ARN of that Lambda");
    output(
      "lambda_code_sha256",
      p.lambda.codeSha256,
      "base64 SHA-256 of the Lambda's archive.zip: equals the CodeSha256 AWS reports for the deployed function",
    );
    output("queue_url", p.queue.queueUrl, "SQS queue producers send records to");
    output("queue_arn", p.queue.queueArn, "ARN of that queue");
    output("dlq_url", p.queue.deadLetterQueueUrl, "Dead-letter queue of records that kept failing");
    output("dlq_arn", p.queue.deadLetterQueueArn, "ARN of the dead-letter queue");
    output("alarm_topic_arn", p.alarmTopic.topicArn, "SNS topic the alarms notify");
    const poolProvider = this.poolProviders.get(p.pipeline.accountId)!;
    if (!prefix) {
      output(
        "workload_identity_pool_name",
        this.federation.poolName,
        "Full resource name of the pool (carries the project number)",
      );
    }
    output(
      "workload_identity_provider_name",
      poolProvider.provider.name,
      "Full resource name of the AWS pool provider",
    );
    output("audience", poolProvider.audience, "STS audience the Lambda presents");
    if (p.identity.serviceAccountEmail) {
      output(
        "service_account_email",
        p.identity.serviceAccountEmail,
        "Service account only the Lambda role may impersonate",
      );
    }
    output("bigquery_dataset_id", p.destination.datasetId, "Dataset the Lambda writes to");
    output("bigquery_table_id", p.destination.tableId, "Table the Lambda writes to");
    if (this.archive && !prefix)
      output("archive_bucket", this.archive.bucketName, "Raw-batch archive bucket");
    if (p.pipeline.archivePrefix !== undefined) {
      output(
        "archive_prefix",
        p.pipeline.archivePrefix,
        "Object prefix the Lambda may create under",
      );
    }
    output(
      "credential_config",
      p.credentialConfig,
      "external_account credential config (no secret) the Lambda uses",
    );
  }
}

/**
 * Puts every AWS resource and data source under these constructs on `provider`: a further
 * account's resources deploy with that account's credentials, and fail if given another's.
 */
function deployWith(provider: AwsProvider, scopes: readonly Construct[]): void {
  for (const scope of scopes) {
    for (const node of scope.node.findAll()) {
      if (
        (node instanceof TerraformResource || node instanceof TerraformDataSource) &&
        node.terraformResourceType.startsWith("aws_")
      ) {
        node.provider = provider;
      }
    }
  }
}
