/**
 * What the deployer needs for each Terraform resource type a stack may contain: the AWS API
 * calls the AWS provider makes to create, read, update, tag and delete it (scoped to the
 * resource's own ARN where IAM allows), and the Google role and permissions the google
 * provider needs. Closed world: a type missing here stops the tool, so a new resource type
 * cannot reach a deploy without its permissions being written down.
 */

/** One synthesized resource block (its attributes as in cdk.tf.json). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ResourceBlock = Record<string, any>;

export interface AwsGrant {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** IAM condition block, e.g. { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } }. */
  readonly condition?: Record<string, Record<string, string | readonly string[]>>;
}

export interface GoogleGrant {
  /** The predefined role that holds the permissions. */
  readonly role: string;
  /** The permissions of that role the provider uses, for a custom role. */
  readonly permissions: readonly string[];
}

/** What an entry knows about the stack it is evaluated in. */
export interface StackContext {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** The literal value behind `value`: itself, or the attribute a `${type.name.attr}` reference names; "*" when unknown. */
  literal(value: unknown): string;
}

export interface ResourcePermissions {
  readonly aws?: (resource: ResourceBlock, stack: StackContext) => readonly AwsGrant[];
  readonly google?: readonly GoogleGrant[];
  /** Why the resource needs no cloud permission (it lives only in Terraform state). */
  readonly stateOnly?: string;
}

const arn = (s: StackContext, service: string, regional: boolean, resource: string) =>
  `arn:${s.partition}:${service}:${regional ? s.region : ""}:${s.accountId}:${resource}`;

export const roleArn = (s: StackContext, name: string) => arn(s, "iam", false, `role/${name}`);
export const functionArn = (s: StackContext, name: string) =>
  arn(s, "lambda", true, `function:${name}`);

const SERVICE_USAGE: GoogleGrant = {
  role: "roles/serviceusage.serviceUsageAdmin",
  permissions: [
    "serviceusage.services.enable",
    "serviceusage.services.get",
    "serviceusage.services.list",
    "serviceusage.operations.get",
    "resourcemanager.projects.get",
  ],
};

export const PERMISSION_CATALOG: Readonly<Record<string, ResourcePermissions>> = {
  aws_iam_role: {
    aws: (r, s) => [
      {
        actions: [
          "iam:CreateRole",
          "iam:GetRole",
          "iam:UpdateRole",
          "iam:UpdateRoleDescription",
          "iam:UpdateAssumeRolePolicy",
          "iam:TagRole",
          "iam:UntagRole",
          "iam:ListRoleTags",
          "iam:ListRolePolicies",
          "iam:ListAttachedRolePolicies",
          "iam:ListInstanceProfilesForRole",
          "iam:DeleteRole",
        ],
        resources: [roleArn(s, s.literal(r.name))],
      },
    ],
  },
  aws_iam_role_policy: {
    aws: (r, s) => [
      {
        actions: ["iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"],
        resources: [roleArn(s, s.literal(r.role))],
      },
    ],
  },
  aws_lambda_function: {
    aws: (r, s) => [
      {
        actions: [
          "lambda:CreateFunction",
          "lambda:GetFunction",
          "lambda:GetFunctionConfiguration",
          "lambda:GetFunctionCodeSigningConfig",
          "lambda:GetRuntimeManagementConfig",
          "lambda:ListVersionsByFunction",
          "lambda:UpdateFunctionCode",
          "lambda:UpdateFunctionConfiguration",
          "lambda:TagResource",
          "lambda:UntagResource",
          "lambda:ListTags",
          "lambda:DeleteFunction",
        ],
        resources: [functionArn(s, s.literal(r.function_name))],
      },
      {
        // CreateFunction and UpdateFunctionConfiguration hand the execution role to Lambda.
        actions: ["iam:PassRole"],
        resources: [s.literal(r.role)],
        condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
      },
    ],
  },
  aws_lambda_event_source_mapping: {
    // A mapping's ARN carries a UUID chosen by AWS, so it is matched by the function it feeds.
    aws: (r, s) => [
      {
        actions: [
          "lambda:CreateEventSourceMapping",
          "lambda:GetEventSourceMapping",
          "lambda:UpdateEventSourceMapping",
          "lambda:DeleteEventSourceMapping",
        ],
        resources: [arn(s, "lambda", true, "event-source-mapping:*")],
        condition: { ArnLike: { "lambda:FunctionArn": s.literal(r.function_name) } },
      },
      {
        // Tagging calls carry no lambda:FunctionArn, so they are scoped to the account's mappings.
        actions: ["lambda:TagResource", "lambda:UntagResource", "lambda:ListTags"],
        resources: [arn(s, "lambda", true, "event-source-mapping:*")],
      },
    ],
  },
  aws_cloudwatch_log_group: {
    aws: (r, s) => {
      const group = arn(s, "logs", true, `log-group:${s.literal(r.name)}`);
      return [
        {
          actions: [
            "logs:CreateLogGroup",
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:TagResource",
            "logs:UntagResource",
            "logs:ListTagsForResource",
            "logs:DeleteLogGroup",
          ],
          resources: [group, `${group}:*`],
        },
        {
          // The provider finds the group by listing; IAM scopes the list to the account.
          actions: ["logs:DescribeLogGroups"],
          resources: [arn(s, "logs", true, "log-group:*")],
        },
      ];
    },
  },
  aws_sqs_queue: {
    aws: (r, s) => [
      {
        actions: [
          "sqs:CreateQueue",
          "sqs:GetQueueUrl",
          "sqs:GetQueueAttributes",
          "sqs:SetQueueAttributes",
          "sqs:TagQueue",
          "sqs:UntagQueue",
          "sqs:ListQueueTags",
          "sqs:DeleteQueue",
        ],
        resources: [arn(s, "sqs", true, s.literal(r.name))],
      },
    ],
  },
  google_project_service: { google: [SERVICE_USAGE] },
  google_iam_workload_identity_pool: {
    google: [
      {
        role: "roles/iam.workloadIdentityPoolAdmin",
        permissions: [
          "iam.workloadIdentityPools.create",
          "iam.workloadIdentityPools.get",
          "iam.workloadIdentityPools.update",
          "iam.workloadIdentityPools.delete",
          "iam.workloadIdentityPools.undelete",
        ],
      },
    ],
  },
  google_iam_workload_identity_pool_provider: {
    google: [
      {
        role: "roles/iam.workloadIdentityPoolAdmin",
        permissions: [
          "iam.workloadIdentityPoolProviders.create",
          "iam.workloadIdentityPoolProviders.get",
          "iam.workloadIdentityPoolProviders.update",
          "iam.workloadIdentityPoolProviders.delete",
          "iam.workloadIdentityPoolProviders.undelete",
        ],
      },
    ],
  },
  google_service_account: {
    google: [
      {
        role: "roles/iam.serviceAccountAdmin",
        permissions: [
          "iam.serviceAccounts.create",
          "iam.serviceAccounts.get",
          "iam.serviceAccounts.update",
          "iam.serviceAccounts.delete",
        ],
      },
    ],
  },
  google_service_account_iam_member: {
    google: [
      {
        role: "roles/iam.serviceAccountAdmin",
        permissions: ["iam.serviceAccounts.getIamPolicy", "iam.serviceAccounts.setIamPolicy"],
      },
    ],
  },
  google_bigquery_dataset: {
    google: [
      {
        role: "roles/bigquery.dataOwner",
        permissions: [
          "bigquery.datasets.create",
          "bigquery.datasets.get",
          "bigquery.datasets.update",
          "bigquery.datasets.delete",
        ],
      },
    ],
  },
  google_bigquery_dataset_iam_member: {
    google: [
      {
        role: "roles/bigquery.dataOwner",
        permissions: ["bigquery.datasets.getIamPolicy", "bigquery.datasets.setIamPolicy"],
      },
    ],
  },
  // Each pipeline's write access, on its own table (stacks/gcp/bigquery-destination.ts).
  google_bigquery_table_iam_member: {
    google: [
      {
        role: "roles/bigquery.dataOwner",
        permissions: ["bigquery.tables.getIamPolicy", "bigquery.tables.setIamPolicy"],
      },
    ],
  },
  google_bigquery_table: {
    google: [
      {
        role: "roles/bigquery.dataOwner",
        permissions: [
          "bigquery.tables.create",
          "bigquery.tables.get",
          "bigquery.tables.update",
          "bigquery.tables.delete",
        ],
      },
    ],
  },
  google_storage_bucket: {
    google: [
      {
        role: "roles/storage.admin",
        permissions: [
          "storage.buckets.create",
          "storage.buckets.get",
          "storage.buckets.update",
          "storage.buckets.delete",
          "storage.objects.list",
          "storage.objects.delete",
        ],
      },
    ],
  },
  google_storage_bucket_iam_member: {
    google: [
      {
        role: "roles/storage.admin",
        permissions: ["storage.buckets.getIamPolicy", "storage.buckets.setIamPolicy"],
      },
    ],
  },
  // The alarm topic, its key, the alarms and any subscriptions (stacks/aws/alarm-topic.ts,
  // ingestion-alarms.ts).
  aws_kms_key: {
    aws: (_r, s) => [
      // CreateKey cannot be scoped to a key that does not exist yet: IAM takes only "*".
      { actions: ["kms:CreateKey"], resources: ["*"] },
      {
        actions: [
          "kms:DescribeKey",
          "kms:GetKeyPolicy",
          "kms:PutKeyPolicy",
          "kms:GetKeyRotationStatus",
          "kms:EnableKeyRotation",
          "kms:ListResourceTags",
          "kms:TagResource",
          "kms:UntagResource",
          "kms:ScheduleKeyDeletion",
        ],
        resources: [arn(s, "kms", true, "key/*")],
      },
    ],
  },
  aws_kms_alias: {
    aws: (r, s) => [
      {
        actions: ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:ListAliases"],
        resources: [arn(s, "kms", true, s.literal(r.name)), arn(s, "kms", true, "key/*")],
      },
    ],
  },
  aws_sns_topic: {
    aws: (r, s) => [
      {
        actions: [
          "sns:CreateTopic",
          "sns:GetTopicAttributes",
          "sns:SetTopicAttributes",
          "sns:ListTagsForResource",
          "sns:TagResource",
          "sns:UntagResource",
          "sns:DeleteTopic",
        ],
        resources: [arn(s, "sns", true, s.literal(r.name))],
      },
    ],
  },
  aws_sns_topic_policy: {
    aws: (_r, s) => [
      {
        actions: ["sns:GetTopicAttributes", "sns:SetTopicAttributes"],
        resources: [arn(s, "sns", true, "*")],
      },
    ],
  },
  aws_sns_topic_subscription: {
    aws: (_r, s) => [
      {
        actions: [
          "sns:Subscribe",
          "sns:Unsubscribe",
          "sns:GetSubscriptionAttributes",
          "sns:SetSubscriptionAttributes",
        ],
        resources: [arn(s, "sns", true, "*")],
      },
    ],
  },
  aws_cloudwatch_metric_alarm: {
    aws: (r, s) => [
      {
        actions: [
          "cloudwatch:PutMetricAlarm",
          "cloudwatch:DescribeAlarms",
          "cloudwatch:ListTagsForResource",
          "cloudwatch:TagResource",
          "cloudwatch:UntagResource",
          "cloudwatch:DeleteAlarms",
        ],
        resources: [arn(s, "cloudwatch", true, `alarm:${s.literal(r.alarm_name)}`)],
      },
    ],
  },
  random_id: { stateOnly: "hashicorp/random draws the id locally and keeps it in state" },
  time_sleep: { stateOnly: "hashicorp/time waits locally and keeps the timestamp in state" },
};
