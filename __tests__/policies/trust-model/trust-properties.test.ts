/**
 * Property tests of the trust evaluation: for random role names (every character AWS allows),
 * accounts, partitions and function names, a stack built the intended way admits its Lambda,
 * reaches exactly its roles, and denies the whole adversarial set and every generated
 * look-alike of the role.
 */
import fc from "fast-check";
import { StackJson, type Json } from "../../../stacks/policies/terraform-json";
import { evaluateTrust } from "../../../stacks/policies/trust-model/trust-evaluation";
import { trustModelOf } from "../../../stacks/policies/trust-model/trust-model";
import { admitAwsCaller } from "../../../stacks/policies/trust-model/sts-admission";
import { roleSessionCaller } from "../../../stacks/policies/trust-model/aws-identities";
import { awsAttributeMapping } from "../../../stacks/federation/attribute-mapping";
import { exampleRegionOf, type AwsPartition } from "../../../stacks/federation/partition";

const ROLE_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-".split(
  "",
);
const FUNCTION_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-".split("");
const REGION_OF = (p: AwsPartition): string => exampleRegionOf(p);

const roleName = fc
  .array(fc.constantFrom(...ROLE_CHARS), { minLength: 1, maxLength: 64 })
  .map((a) => a.join(""));
const functionName = fc
  .array(fc.constantFrom(...FUNCTION_CHARS), { minLength: 1, maxLength: 64 })
  .map((a) => a.join(""));
const account = fc.stringMatching(/^\d{12}$/);
const partition = fc.constantFrom<AwsPartition>("aws", "aws-us-gov", "aws-cn");
/** google.subject must fit Google's 127 bytes, or no identity with those names could be admitted. */
const identity = fc
  .record({ partition, account, role: roleName, fn: functionName })
  .filter(
    (i) => `arn:${i.partition}:sts::${i.account}:assumed-role/${i.role}/${i.fn}`.length <= 127,
  );

interface Identity {
  partition: string;
  account: string;
  role: string;
  fn: string;
}

/** The stack as BridgeStack writes it, for any name, account and partition. */
function intendedStack(i: Identity): Json {
  const pinned = `arn:${i.partition}:sts::${i.account}:assumed-role/${i.role}`;
  const host =
    i.partition === "aws-cn" ? "sts.{region}.amazonaws.com.cn" : "sts.{region}.amazonaws.com";
  return {
    provider: {
      aws: [{ region: REGION_OF(i.partition as AwsPartition), allowed_account_ids: [i.account] }],
    },
    resource: {
      aws_iam_role: {
        exec: {
          name: i.role,
          assume_role_policy: JSON.stringify({
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: "lambda.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": i.account } },
              },
            ],
          }),
        },
      },
      aws_lambda_function: {
        fn: {
          function_name: i.fn,
          role: "${aws_iam_role.exec.arn}",
          environment: {
            variables: {
              GOOGLE_EXTERNAL_ACCOUNT_JSON: JSON.stringify({
                credential_source: {
                  regional_cred_verification_url: `https://${host}?Action=GetCallerIdentity`,
                },
              }),
            },
          },
        },
      },
      google_iam_workload_identity_pool: { pool: { workload_identity_pool_id: "pool" } },
      google_iam_workload_identity_pool_provider: {
        aws: {
          workload_identity_pool_id:
            "${google_iam_workload_identity_pool.pool.workload_identity_pool_id}",
          aws: { account_id: i.account },
          attribute_mapping: awsAttributeMapping(),
          attribute_condition: `attribute.aws_account == '${i.account}' && attribute.aws_role == '${pinned}'`,
        },
      },
      google_service_account: { sa: { account_id: "bridge" } },
      google_service_account_iam_member: {
        wiu: {
          service_account_id: "${google_service_account.sa.name}",
          role: "roles/iam.workloadIdentityUser",
          member: `principalSet://iam.googleapis.com/\${google_iam_workload_identity_pool.pool.name}/attribute.aws_role/${pinned}`,
        },
      },
      google_bigquery_dataset: { ds: { dataset_id: "rows" } },
      google_bigquery_table: {
        t: { dataset_id: "${google_bigquery_dataset.ds.dataset_id}", table_id: "events" },
      },
      google_bigquery_table_iam_member: {
        writer: {
          dataset_id: "${google_bigquery_table.t.dataset_id}",
          table_id: "${google_bigquery_table.t.table_id}",
          role: "roles/bigquery.dataEditor",
          member: "serviceAccount:${google_service_account.sa.email}",
        },
      },
    },
  };
}

function evaluate(i: Identity) {
  const stack = new StackJson(intendedStack(i));
  return evaluateTrust(trustModelOf(stack), stack);
}

/** A role name one edit away from `role` (insert, delete, replace, case), never `role` itself. */
const lookAlike = (role: string) =>
  fc
    .record({
      edit: fc.constantFrom("insert", "delete", "replace", "case"),
      at: fc.nat({ max: role.length }),
      char: fc.constantFrom(...ROLE_CHARS),
    })
    .map(({ edit, at, char }) => {
      const i = Math.min(at, role.length - 1);
      if (edit === "insert") return role.slice(0, at) + char + role.slice(at);
      if (edit === "delete") return role.slice(0, i) + role.slice(i + 1);
      if (edit === "replace") return role.slice(0, i) + char + role.slice(i + 1);
      const c = role[i];
      const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
      return role.slice(0, i) + flipped + role.slice(i + 1);
    })
    .filter((other) => other !== role && other.length >= 1 && other.length <= 64);

describe("the trust evaluation, for any role, account, partition and function", () => {
  it("admits the intended Lambda, reaches exactly its roles and finds nothing", () => {
    fc.assert(
      fc.property(identity, (i) => {
        const evaluation = evaluate(i);
        expect(evaluation.findings).toEqual([]);
        expect(evaluation.lambda!.caller.arn).toBe(
          `arn:${i.partition}:sts::${i.account}:assumed-role/${i.role}/${i.fn}`,
        );
        expect(evaluation.lambda!.admissions.map((a) => a.admission.admitted)).toEqual([true]);
        expect(evaluation.lambda!.reaches.map((r) => r.grant.role).sort()).toEqual([
          "roles/bigquery.dataEditor",
          "roles/iam.workloadIdentityUser",
        ]);
      }),
      { numRuns: 150 },
    );
  });

  it("denies every identity of the adversarial set (at least 20)", () => {
    fc.assert(
      fc.property(identity, (i) => {
        const evaluation = evaluate(i);
        expect(evaluation.adversaries.length).toBeGreaterThanOrEqual(20);
        const letIn = evaluation.adversaries
          .filter((a) => a.admissions.some((x) => x.admission.admitted) || a.reaches.length > 0)
          .map((a) => a.caller.arn);
        expect(letIn).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it("denies every generated look-alike of the role, in any account and partition", () => {
    fc.assert(
      fc.property(
        identity.chain((i) => fc.tuple(fc.constant(i), lookAlike(i.role), account, partition)),
        ([i, other, otherAccount, otherPartition]) => {
          const stack = new StackJson(intendedStack(i));
          const provider = trustModelOf(stack).providers[0];
          const trust = {
            awsAccountId: provider.awsAccountId!,
            attributeMapping: provider.attributeMapping,
            attributeCondition: provider.attributeCondition,
          };
          const callers = [
            roleSessionCaller(i.partition, i.account, other, i.fn),
            roleSessionCaller(otherPartition, otherAccount, other, i.fn),
          ];
          if (otherAccount !== i.account || otherPartition !== i.partition) {
            callers.push(roleSessionCaller(otherPartition, otherAccount, i.role, i.fn));
          }
          const admitted = callers
            .filter((c) => admitAwsCaller(trust, c).admitted)
            .map((c) => c.arn);
          expect(admitted).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reports a lockout when google.subject is longer than Google's 127 bytes", () => {
    const evaluation = evaluate({
      partition: "aws-us-gov",
      account: "111122223333",
      role: "r".repeat(64),
      fn: "f".repeat(64),
    });
    expect(evaluation.findings.map((f) => `${f.rule} ${f.reason}`).join("\n")).toMatch(
      /TRUST1 refuses this stack's Lambda .* at the mapping \(google\.subject .* is longer than 127 bytes\): the deploy would lock the Lambda out/,
    );
  });
});
