/**
 * Unsafe changes to the stack, one per class the trust guard must refuse: those listed in
 * issue 10's "Why", and the bypasses found by attacking the guard as a careless contributor
 * would. Each edits a freshly built example stack the way a contributor could in code.
 */
import { Fn, TerraformHclModule, type TerraformProvider } from "cdktf";
import { StorageBucketAccessControl } from "@cdktf/provider-google/lib/storage-bucket-access-control";
import { Construct } from "constructs";
import { BigqueryDatasetAccessA } from "@cdktf/provider-google/lib/bigquery-dataset-access";
import { BigqueryTableIamMember } from "@cdktf/provider-google/lib/bigquery-table-iam-member";
import { IamWorkloadIdentityPoolProvider } from "@cdktf/provider-google/lib/iam-workload-identity-pool-provider";
import { ProjectIamCustomRole } from "@cdktf/provider-google/lib/project-iam-custom-role";
import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";
import { ServiceAccountIamPolicy } from "@cdktf/provider-google/lib/service-account-iam-policy";
import { StorageHmacKey } from "@cdktf/provider-google/lib/storage-hmac-key";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataGoogleIamPolicy } from "@cdktf/provider-google/lib/data-google-iam-policy";
import type { BridgeStack } from "../../../stacks/bridge-stack";
import { awsAttributeMapping } from "../../../stacks/federation/attribute-mapping";

export interface Attack {
  /** What a synth must say: the rule id, the address (a regular expression) and the fix's start. */
  readonly rule: string;
  readonly address: RegExp;
  /** Config patch applied before the stack is built. @default none */
  readonly config?: Record<string, unknown>;
  apply(stack: BridgeStack): void;
}

const ROLE = "wif-bridge-example-exec";
const ACCOUNT = "111122223333";
const PINNED = `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}`;
const sa = (stack: BridgeStack) => stack.identity.serviceAccount!;
/** Moves the stack's AWS provider to another region, as an edit in code (not config) would. */
const awsRegion = (stack: BridgeStack, region: string) =>
  (stack.node.findChild("aws") as TerraformProvider).addOverride("region", region);
const mapping = (stack: BridgeStack, awsRole: string) =>
  stack.federation.provider.addOverride("attribute_mapping", {
    ...awsAttributeMapping(),
    "attribute.aws_role": awsRole,
  });
/** Google's aws_role mapping, but `test` callers get the Lambda's role. */
const steeredBy = (test: string) =>
  `${test} ? '${PINNED}' : (${awsAttributeMapping()["attribute.aws_role"]})`;
const condition = (stack: BridgeStack, text: string) =>
  stack.federation.provider.addOverride("attribute_condition", text);

export const ATTACKS: Record<string, Attack> = {
  "trust policy widened to any AWS principal": {
    rule: "TRUST7",
    address: /aws_iam_role\.execution-role_\w+/,
    apply: (stack) =>
      stack.role.role.addOverride(
        "assume_role_policy",
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }],
        }),
      ),
  },
  "second provider: OIDC with no condition and aws_role from a claim": {
    rule: "TRUST6",
    address: /google_iam_workload_identity_pool_provider\.oidc/,
    apply: (stack) =>
      new IamWorkloadIdentityPoolProvider(stack, "oidc", {
        workloadIdentityPoolId: stack.federation.pool.workloadIdentityPoolId,
        workloadIdentityPoolProviderId: "oidc",
        attributeMapping: {
          "google.subject": "assertion.sub",
          "attribute.aws_role": "assertion.role",
        },
        oidc: { issuerUri: "https://token.actions.githubusercontent.com" },
      }),
  },
  "aws_role mapping an IAM user can steer": {
    rule: "TRUST2",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+/,
    apply: (stack) =>
      stack.federation.provider.addOverride("attribute_mapping", {
        "google.subject": "assertion.arn",
        "attribute.aws_account": "assertion.account",
        "attribute.aws_role": `'arn:aws:sts::${ACCOUNT}:assumed-role/' + assertion.arn.extract('assumed-role/{role}/')`,
      }),
  },
  "condition: || hidden after a raw string": {
    rule: "TRUST2",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+/,
    apply: (stack) => condition(stack, `attribute.aws_role == r'${PINNED}' || r"'" == r"'"`),
  },
  "condition: || hidden inside a triple-quoted string's neighbour": {
    rule: "TRUST2",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+/,
    apply: (stack) => condition(stack, `attribute.aws_role == '''${PINNED}''' || '''x'y''' != ''`),
  },
  "condition: || after a comment holding a quote": {
    rule: "TRUST2",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+/,
    apply: (stack) =>
      condition(stack, `attribute.aws_role == '${PINNED}' // the role's pin\n || true`),
  },
  "policy_data built with Fn.jsonencode": {
    rule: "TRUST3",
    address: /google_service_account_iam_policy\.jsonencoded/,
    apply: (stack) =>
      new ServiceAccountIamPolicy(stack, "jsonencoded", {
        serviceAccountId: sa(stack).name,
        policyData: Fn.jsonencode({
          bindings: [
            { role: "roles/iam.workloadIdentityUser", members: ["group:ops@example.com"] },
          ],
        }),
      }),
  },
  "dataset access block": {
    rule: "TRUST4",
    address: /google_bigquery_dataset\.bigquery_dataset_\w+/,
    apply: (stack) =>
      stack.destination.dataset.addOverride("access", [
        { role: "READER", user_by_email: "analyst@example.com" },
      ]),
  },
  google_bigquery_dataset_access: {
    rule: "TRUST4",
    address: /google_bigquery_dataset_access\.analyst/,
    apply: (stack) =>
      new BigqueryDatasetAccessA(stack, "analyst", {
        datasetId: stack.destination.datasetId,
        role: "roles/bigquery.dataViewer",
        userByEmail: "analyst@example.com",
      }),
  },
  "domain: member on the service account": {
    rule: "TRUST3",
    address: /google_service_account_iam_member\.domain/,
    apply: (stack) =>
      new ServiceAccountIamMember(stack, "domain", {
        serviceAccountId: sa(stack).name,
        role: "roles/iam.workloadIdentityUser",
        member: "domain:example.com",
      }),
  },
  "group: member on the service account": {
    rule: "TRUST3",
    address: /google_service_account_iam_member\.group/,
    apply: (stack) =>
      new ServiceAccountIamMember(stack, "group", {
        serviceAccountId: sa(stack).name,
        role: "roles/iam.serviceAccountTokenCreator",
        member: "group:ops@example.com",
      }),
  },
  "project-wide IAM admin": {
    rule: "TRUST3",
    address: /google_project_iam_member\.iam-admin/,
    apply: (stack) =>
      new ProjectIamMember(stack, "iam-admin", {
        project: stack.config.gcp.projectId,
        role: "roles/resourcemanager.projectIamAdmin",
        member: "user:admin@example.com",
      }),
  },
  "project-wide key admin": {
    rule: "TRUST3",
    address: /google_project_iam_member\.key-admin/,
    apply: (stack) =>
      new ProjectIamMember(stack, "key-admin", {
        project: stack.config.gcp.projectId,
        role: "roles/iam.serviceAccountKeyAdmin",
        member: "user:admin@example.com",
      }),
  },
  "project-wide custom role with read permissions": {
    rule: "TRUST4",
    address: /google_project_iam_member\.reader/,
    apply: (stack) => {
      const role = new ProjectIamCustomRole(stack, "read-data", {
        roleId: "readData",
        title: "Read data",
        permissions: ["bigquery.tables.getData", "bigquery.tables.list"],
      });
      new ProjectIamMember(stack, "reader", {
        project: stack.config.gcp.projectId,
        role: role.id,
        member: "user:analyst@example.com",
      });
    },
  },
  "table IAM for a user": {
    rule: "TRUST4",
    address: /google_bigquery_table_iam_member\.analyst/,
    apply: (stack) =>
      new BigqueryTableIamMember(stack, "analyst", {
        datasetId: stack.destination.datasetId,
        tableId: stack.destination.tableId,
        role: "roles/bigquery.dataViewer",
        member: "user:analyst@example.com",
      }),
  },
  "Storage HMAC key": {
    rule: "TRUST5",
    address: /google_storage_hmac_key\.hmac/,
    apply: (stack) => new StorageHmacKey(stack, "hmac", { serviceAccountEmail: sa(stack).email }),
  },
  "second Lambda running as the trusted role": {
    rule: "TRUST7",
    address: /aws_lambda_function\.second/,
    apply: (stack) =>
      new LambdaFunction(stack, "second", {
        functionName: "second",
        role: stack.role.roleArn,
        runtime: "nodejs22.x",
        handler: "index.handler",
        filename: "second.zip",
      }),
  },
  "suppression with an empty reason": {
    rule: "SUP1",
    address: /google_bigquery_table_iam_member\.suppressed/,
    apply: (stack) => {
      const grant = new BigqueryTableIamMember(stack, "suppressed", {
        datasetId: stack.destination.datasetId,
        tableId: stack.destination.tableId,
        role: "roles/bigquery.dataViewer",
        member: "user:analyst@example.com",
      });
      grant.addOverride("//.suppressions", [{ rule: "TRUST4", reason: " " }]);
    },
  },
  "condition pins a different role (lockout)": {
    rule: "TRUST1",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+/,
    apply: (stack) =>
      condition(stack, `attribute.aws_role == 'arn:aws:sts::${ACCOUNT}:assumed-role/another-role'`),
  },
  "GovCloud region with an arn:aws: condition (lockout)": {
    rule: "TRUST1",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+/,
    // Config refuses partitions Google does not document, so a contributor moves the provider
    // in code; the condition keeps the commercial partition's ARN.
    apply: (stack) => awsRegion(stack, "us-gov-west-1"),
  },
  "China region with an arn:aws: condition and the .com STS host (lockout)": {
    rule: "TRUST1",
    address:
      /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+|aws_lambda_function\.lambda_function_\w+/,
    apply: (stack) => awsRegion(stack, "cn-north-1"),
  },
  // Bypasses found by attacking the guard (kept so they stay closed).
  "instance profile hands the trusted role to EC2": {
    rule: "TRUST7",
    address: /aws_iam_instance_profile\.ec2/,
    apply: (stack) =>
      new IamInstanceProfile(stack, "ec2", { name: "ec2", role: stack.role.roleName }),
  },
  "grant to every identity of the pool hidden under a construct": {
    rule: "TRUST3",
    address: /google_service_account_iam_member\.nested_pool-wide_\w+/,
    apply: (stack) =>
      new ServiceAccountIamMember(new Construct(stack, "nested"), "pool-wide", {
        serviceAccountId: sa(stack).name,
        role: "roles/iam.workloadIdentityUser",
        member: `principalSet://iam.googleapis.com/${stack.federation.poolName}/attribute.aws_account/${ACCOUNT}`,
      }),
  },
  "condition computed by a Terraform expression": {
    rule: "TRUST8",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+/,
    apply: (stack) => condition(stack, '${join(" || ", ["true", "false"])}'),
  },
  "condition admits a second, explicitly named role": {
    rule: "TRUST2",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+/,
    apply: (stack) =>
      condition(
        stack,
        `attribute.aws_account == '${ACCOUNT}' && attribute.aws_role in ['${PINNED}', 'arn:aws:sts::${ACCOUNT}:assumed-role/admin']`,
      ),
  },
  "condition admits a look-alike by regular expression": {
    rule: "TRUST2",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+/,
    apply: (stack) => condition(stack, `attribute.aws_role.matches('^${PINNED}2?$')`),
  },
  "a second aws_iam_role with the Lambda role's name": {
    rule: "TRUST8",
    address: /aws_iam_role\.twin/,
    apply: (stack) =>
      new IamRole(stack, "twin", {
        name: ROLE,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }],
        }),
      }),
  },
  "a Terraform module that could grant anything": {
    rule: "TRUST8",
    address: /module\.iam/,
    apply: (stack) =>
      new TerraformHclModule(stack, "iam", {
        source: "terraform-google-modules/iam/google//modules/service_accounts_iam",
        variables: { service_accounts: [sa(stack).email] },
      }),
  },
  "a provisioner that could run gcloud": {
    rule: "TRUST8",
    address: /google_bigquery_dataset\.bigquery_dataset_\w+/,
    apply: (stack) =>
      stack.destination.dataset.addOverride("provisioner", [
        {
          "local-exec": {
            command: "gcloud projects add-iam-policy-binding p --member=user:x --role=roles/owner",
          },
        },
      ]),
  },
  "a bucket ACL next to IAM": {
    rule: "TRUST4",
    address: /google_storage_bucket_access_control\.acl/,
    apply: (stack) =>
      new StorageBucketAccessControl(stack, "acl", {
        bucket: stack.archive!.bucketName,
        role: "READER",
        entity: "user-analyst@example.com",
      }),
  },
  // Bypasses found by the security review of the trust model (closed-world identity of grants).
  "S1: impersonation granted to a pool of the same id in another project": {
    rule: "TRUST3",
    address: /google_service_account_iam_member\.foreign-pool/,
    apply: (stack) =>
      new ServiceAccountIamMember(stack, "foreign-pool", {
        serviceAccountId: sa(stack).name,
        role: "roles/iam.workloadIdentityUser",
        member: `principalSet://iam.googleapis.com/projects/999/locations/global/workloadIdentityPools/aws-lambda-example/attribute.aws_role/${PINNED}`,
      }),
  },
  "S1: direct table grant to a pool of the same id in another project": {
    rule: "TRUST4",
    address: /google_bigquery_table_iam_member\.foreign-pool/,
    config: { federation: { accessMode: "direct" } },
    apply: (stack) =>
      new BigqueryTableIamMember(stack, "foreign-pool", {
        datasetId: stack.destination.datasetId,
        tableId: stack.destination.tableId,
        role: "roles/bigquery.dataEditor",
        member: `principalSet://iam.googleapis.com/projects/999/locations/global/workloadIdentityPools/aws-lambda-example/attribute.aws_role/${PINNED}`,
      }),
  },
  "S1: a member naming the pool's description, not its name": {
    rule: "TRUST8",
    address: /google_service_account_iam_member\.described-pool/,
    apply: (stack) =>
      new ServiceAccountIamMember(stack, "described-pool", {
        serviceAccountId: sa(stack).name,
        role: "roles/iam.workloadIdentityUser",
        member: `principalSet://iam.googleapis.com/${stack.federation.pool.getStringAttribute("description")}/attribute.aws_role/${PINNED}`,
      }),
  },
  "S2: table writer granted to the account id in another project": {
    rule: "TRUST4",
    address: /google_bigquery_table_iam_member\.lookalike/,
    apply: (stack) =>
      new BigqueryTableIamMember(stack, "lookalike", {
        datasetId: stack.destination.datasetId,
        tableId: stack.destination.tableId,
        role: "roles/bigquery.dataEditor",
        member: "serviceAccount:wif-example@attacker-proj.iam.gserviceaccount.com",
      }),
  },
  "S3: the stack's identity granted on another project's table by full path": {
    rule: "TRUST4",
    address: /google_bigquery_table_iam_member\.full-path/,
    apply: (stack) =>
      new BigqueryTableIamMember(stack, "full-path", {
        datasetId: stack.destination.datasetId,
        tableId: "projects/prod/datasets/secrets/tables/events",
        role: "roles/bigquery.dataEditor",
        member: `serviceAccount:${sa(stack).email}`,
      }),
  },
  "S3: the stack's identity granted on the same table id in another dataset": {
    rule: "TRUST4",
    address: /google_bigquery_table_iam_member\.other-dataset/,
    apply: (stack) =>
      new BigqueryTableIamMember(stack, "other-dataset", {
        datasetId: "secrets",
        tableId: stack.destination.tableId,
        role: "roles/bigquery.dataEditor",
        member: `serviceAccount:${sa(stack).email}`,
      }),
  },
  // Found attacking the fixes: the identity itself moved where another project's owner rules it.
  "the service account moved to another project": {
    rule: "TRUST8",
    address: /google_service_account\.identity_service-account_\w+/,
    apply: (stack) => sa(stack).addOverride("project", "attacker-proj"),
  },
  "the pool moved to another project": {
    rule: "TRUST8",
    address: /google_iam_workload_identity_pool\.federation_pool_\w+/,
    apply: (stack) => stack.federation.pool.addOverride("project", "attacker-proj"),
  },
  "provider disabled (lockout)": {
    rule: "TRUST1",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+/,
    apply: (stack) => stack.federation.provider.addOverride("disabled", true),
  },
  // --- S4: the attribute mapping rewritten so a named caller passes as the role.
  "mapping turns a named IAM user into the role (the mapping differs)": {
    rule: "TRUST6",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+/,
    apply: (stack) =>
      mapping(stack, steeredBy(`assertion.arn == 'arn:aws:iam::${ACCOUNT}:user/bob'`)),
  },
  "mapping turns a named IAM user into the role (the user, tried, is admitted)": {
    rule: "TRUST2",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+/,
    apply: (stack) =>
      mapping(stack, steeredBy(`assertion.arn == 'arn:aws:iam::${ACCOUNT}:user/bob'`)),
  },
  "mapping steered by a user named in concatenated, escaped and commented CEL": {
    rule: "TRUST2",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+/,
    apply: (stack) =>
      mapping(
        stack,
        steeredBy(`assertion.arn == // bob\n  "arn:aws:iam::${ACCOUNT}:" + r'user/' + '\\x62ob'`),
      ),
  },
  "mapping steered by a user's unique id": {
    rule: "TRUST2",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+/,
    apply: (stack) => mapping(stack, steeredBy(`assertion.userid == 'AIDAEXAMPLEBOBUSER01'`)),
  },
  "mapping steered by a user named only by suffix (the mapping differs)": {
    rule: "TRUST6",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+/,
    apply: (stack) => mapping(stack, steeredBy(`assertion.arn.endsWith(':user/bob')`)),
  },
  // --- S5: content the model does not read.
  "trust policy document with the Lambda statement plus a source document admitting anyone": {
    rule: "TRUST8",
    address: /data\.aws_iam_policy_document\.merged-trust/,
    apply: (stack) => {
      const doc = new DataAwsIamPolicyDocument(stack, "merged-trust", {
        statement: [
          {
            effect: "Allow",
            actions: ["sts:AssumeRole"],
            principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }],
            condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] }],
          },
        ],
        sourcePolicyDocuments: [
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }],
          }),
        ],
      });
      stack.role.role.addOverride("assume_role_policy", doc.json);
    },
  },
  "trust policy document with an override document": {
    rule: "TRUST8",
    address: /data\.aws_iam_policy_document\.overridden-trust/,
    apply: (stack) => {
      const doc = new DataAwsIamPolicyDocument(stack, "overridden-trust", {
        statement: [
          {
            sid: "lambda",
            effect: "Allow",
            actions: ["sts:AssumeRole"],
            principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }],
            condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] }],
          },
        ],
        overridePolicyDocuments: [
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Sid: "lambda", Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" },
            ],
          }),
        ],
      });
      stack.role.role.addOverride("assume_role_policy", doc.json);
    },
  },
  'dynamic "access" on the dataset': {
    rule: "TRUST8",
    address: /google_bigquery_dataset\.bigquery_dataset_\w+/,
    apply: (stack) =>
      stack.destination.dataset.addOverride("dynamic.access", {
        for_each: ["analyst@example.com"],
        content: { role: "WRITER", user_by_email: "${access.value}" },
      }),
  },
  'dynamic "binding" in data.google_iam_policy': {
    rule: "TRUST8",
    address: /data\.google_iam_policy\.sa-policy/,
    apply: (stack) => {
      const policy = new DataGoogleIamPolicy(stack, "sa-policy", {
        binding: [{ role: "roles/iam.workloadIdentityUser", members: [] }],
      });
      policy.addOverride("dynamic.binding", {
        for_each: ["roles/iam.serviceAccountTokenCreator"],
        content: { role: "${binding.value}", members: ["user:analyst@example.com"] },
      });
      new ServiceAccountIamPolicy(stack, "sa-iam-policy", {
        serviceAccountId: sa(stack).name,
        policyData: policy.policyData,
      });
    },
  },
  'dynamic "statement" in the role\'s inline policy document': {
    rule: "TRUST8",
    address: /data\.aws_iam_policy_document\.dynamic-trust/,
    apply: (stack) => {
      const doc = new DataAwsIamPolicyDocument(stack, "dynamic-trust", {});
      doc.addOverride("dynamic.statement", {
        for_each: ["*"],
        content: {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "AWS", identifiers: ["${statement.value}"] }],
        },
      });
      stack.role.role.addOverride("assume_role_policy", doc.json);
    },
  },
  "a pool provider's aws block given as an expression": {
    rule: "TRUST8",
    address: /google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+/,
    apply: (stack) => stack.federation.provider.addOverride("aws", "${local.aws}"),
  },
  // --- S6: the role deployed to another account than the one Google admits it from.
  "the role's provider points at an alias that does not exist": {
    rule: "TRUST7",
    address: /aws_iam_role\.execution-role_\w+/,
    apply: (stack) => stack.role.role.addOverride("provider", "aws.Account_111122223333"),
  },
  "the default AWS provider allows a second account": {
    rule: "TRUST7",
    address: /aws_iam_role\.execution-role_\w+/,
    apply: (stack) =>
      (stack.node.findChild("aws") as TerraformProvider).addOverride("allowed_account_ids", [
        ACCOUNT,
        "999988887777",
      ]),
  },
};
