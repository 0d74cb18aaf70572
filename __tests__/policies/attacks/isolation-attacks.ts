/**
 * The isolation measures between pipelines, each removed the way a contributor could in code:
 * a table grant widened to the dataset, a provider condition listing another account's role,
 * a service account shared by two pipelines, an archive grant without (or with a widened)
 * prefix condition. Each edits a freshly built stack of
 * config/platform-example.json (orders in 111122223333; payments and audit in 444455556666).
 */
import { BigqueryDatasetIamMember } from "@cdktf/provider-google/lib/bigquery-dataset-iam-member";
import { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";
import { StorageManagedFolderIamMember } from "@cdktf/provider-google/lib/storage-managed-folder-iam-member";
import type { BridgeStack, PipelineResources } from "../../../stacks/bridge-stack";
import { awsRolePrincipalSet } from "../../../stacks/federation/principals";
import type { Attack } from "./attacks";

const pipeline = (stack: BridgeStack, name: string): PipelineResources =>
  stack.pipelines.find((p) => p.pipeline.name === name)!;
const roleArn = (account: string, role: string) => `'arn:aws:sts::${account}:assumed-role/${role}'`;

export const ISOLATION_ATTACKS: Record<string, Omit<Attack, "config">> = {
  "payments' table grant widened to the shared dataset": {
    rule: "TRUST9",
    address: /google_bigquery_dataset_iam_member\.widened/,
    apply: (stack) => {
      const payments = pipeline(stack, "payments");
      payments.destination.node.tryRemoveChild("writer");
      new BigqueryDatasetIamMember(stack, "widened", {
        project: payments.destination.dataset.project,
        datasetId: payments.destination.dataset.datasetId,
        role: "roles/bigquery.dataEditor",
        member: payments.identity.member,
      });
    },
  },
  "account 444455556666's provider condition also lists orders' role of 111122223333": {
    rule: "TRUST6",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider-444455556666_\w+/,
    apply: (stack) => {
      const provider = stack.node
        .findAll()
        .find((c) => c.node.id === "aws-provider-444455556666") as unknown as {
        addOverride(path: string, value: unknown): void;
      };
      provider.addOverride(
        "attribute_condition",
        `attribute.aws_account in ['444455556666', '111122223333'] && attribute.aws_role in [${[
          roleArn("444455556666", "wif-bridge-platform-example-payments-exec"),
          roleArn("444455556666", "wif-bridge-platform-example-audit-exec"),
          roleArn("111122223333", "wif-bridge-platform-example-orders-exec"),
        ].join(", ")}]`,
      );
    },
  },
  "orders' archive grant loses its prefix condition (the whole bucket)": {
    rule: "TRUST9",
    address: /google_storage_bucket_iam_member\.archive_writer-orders_\w+/,
    apply: (stack) => {
      const grant = stack.archive!.node.findChild("writer-orders") as unknown as {
        addOverride(path: string, value: unknown): void;
      };
      grant.addOverride("condition", null);
    },
  },
  "orders' prefix condition widened by a disjunction": {
    rule: "TRUST9",
    address: /google_storage_bucket_iam_member\.archive_writer-orders_\w+/,
    apply: (stack) => {
      const grant = stack.archive!.node.findChild("writer-orders") as unknown as {
        addOverride(path: string, value: unknown): void;
      };
      grant.addOverride(
        "condition.expression",
        'resource.name.startsWith("projects/_/buckets/wif-bridge-platform-archive/objects/orders/") || resource.name.endsWith(".ndjson")',
      );
    },
  },
  "audit's role may impersonate payments' service account (a shared service account)": {
    rule: "TRUST9",
    address: /google_service_account_iam_member\.shared/,
    apply: (stack) => {
      const payments = pipeline(stack, "payments");
      new ServiceAccountIamMember(stack, "shared", {
        serviceAccountId: payments.identity.serviceAccount!.name,
        role: "roles/iam.workloadIdentityUser",
        member: awsRolePrincipalSet(
          stack.federation.poolName,
          "aws",
          "444455556666",
          "wif-bridge-platform-example-audit-exec",
        ),
      });
    },
  },
  "payments' role and function lose their account's provider (deployed to the default account)": {
    rule: "TRUST7",
    address: /aws_iam_role\.pipeline-payments_execution-role_\w+/,
    apply: (stack) => {
      const payments = pipeline(stack, "payments");
      payments.role.role.provider = undefined;
      payments.lambda.function.provider = undefined;
    },
  },
  "payments' function deployed with the default provider spelled out": {
    rule: "TRUST7",
    address: /aws_lambda_function\.pipeline-payments_lambda_function_\w+/,
    apply: (stack) => pipeline(stack, "payments").lambda.function.addOverride("provider", "aws"),
  },
  "orders' role deployed with account 444455556666's provider": {
    rule: "TRUST7",
    address: /aws_iam_role\.pipeline-orders_execution-role_\w+/,
    apply: (stack) =>
      pipeline(stack, "orders").role.role.addOverride("provider", "aws.account_444455556666"),
  },
  "S7: orders may create objects in a managed folder on payments' prefix": {
    rule: "TRUST9",
    address: /google_storage_managed_folder_iam_member\.payments-folder/,
    apply: (stack) =>
      new StorageManagedFolderIamMember(stack, "payments-folder", {
        bucket: stack.archive!.bucketName,
        managedFolder: "payments/raw-batches/",
        role: "roles/storage.objectCreator",
        member: `serviceAccount:${pipeline(stack, "orders").identity.serviceAccount!.email}`,
      }),
  },
};
