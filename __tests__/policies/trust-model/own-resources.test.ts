/**
 * Closed-world identity of grants: a member or a target is this stack's own only when every
 * part that identifies it is proven (a reference to it, or its whole literal name equal to
 * config's); any other spelling is someone else's and never intended; what cannot be followed
 * is unresolvable. Each case is a bypass found by reviewing or attacking the model, kept closed.
 */
import { StackJson } from "../../../stacks/policies/terraform-json";
import { evaluateTrust } from "../../../stacks/policies/trust-model/trust-evaluation";
import { trustModelOf } from "../../../stacks/policies/trust-model/trust-model";
import {
  exampleConfig,
  platformConfig,
  sharedSynthJson,
  sharedSynthJsonWithIntent,
  type Json,
} from "../../helpers/synth";

const ACCOUNT = "111122223333";
const PINNED = `arn:aws:sts::${ACCOUNT}:assumed-role/wif-bridge-example-exec`;
const NUMBER = "123456789012"; // config/example.json's gcp.projectNumber
const PROJECT = "wif-bridge-example";
const POOL_ID = "aws-lambda-example";
const EMAIL = `wif-example@${PROJECT}.iam.gserviceaccount.com`;
const poolName = (number: string, id = POOL_ID) =>
  `projects/${number}/locations/global/workloadIdentityPools/${id}`;
const principalSet = (pool: string) =>
  `principalSet://iam.googleapis.com/${pool}/attribute.aws_role/${PINNED}`;

const impersonation = sharedSynthJsonWithIntent(exampleConfig());
const direct = sharedSynthJsonWithIntent(exampleConfig({ federation: { accessMode: "direct" } }));
const platform = sharedSynthJsonWithIntent(platformConfig());

const entry = (tf: Json, type: string): [string, Json] =>
  Object.entries(tf.resource[type])[0] as [string, Json];
const ref = (tf: Json, type: string, attribute: string) =>
  `\${${type}.${entry(tf, type)[0]}.${attribute}}`;

function evaluate(base: Json, edit: (tf: Json) => void) {
  const tf = structuredClone(base);
  edit(tf);
  const stack = new StackJson(tf);
  return evaluateTrust(trustModelOf(stack), stack);
}
const findings = (e: ReturnType<typeof evaluate>) =>
  e.findings.map((f) => `${f.rule} ${f.address}`);
/** Adds one resource of `type` named `name`. */
const add = (tf: Json, type: string, name: string, config: Json) => {
  tf.resource[type] = { ...(tf.resource[type] ?? {}), [name]: config };
};

describe("a federated member's pool (S1)", () => {
  const grantOnSa = (member: string) => (tf: Json) =>
    add(tf, "google_service_account_iam_member", "extra", {
      service_account_id: ref(tf, "google_service_account", "name"),
      role: "roles/iam.workloadIdentityUser",
      member,
    });

  it("is another pool when a literal pool of the same id is in another project", () => {
    const e = evaluate(impersonation, grantOnSa(principalSet(poolName("999"))));
    expect(findings(e)).toEqual(["TRUST3 google_service_account_iam_member.extra"]);
    expect(e.model.grants.find((g) => g.address.endsWith(".extra"))!.member).toMatchObject({
      poolInStack: false,
    });
  });

  it("is this stack's pool when the literal name carries config's project number", () => {
    const e = evaluate(impersonation, (tf) => {
      entry(tf, "google_service_account_iam_member")[1].member = principalSet(poolName(NUMBER));
    });
    expect(e.findings).toEqual([]);
  });

  it.each([
    ["an upper-case pool id", principalSet(poolName(NUMBER, POOL_ID.toUpperCase()))],
    ["a trailing slash after the pool", principalSet(`${poolName(NUMBER)}/`)],
    ["the project id in place of its number", principalSet(poolName(PROJECT))],
    ["another location", principalSet(poolName(NUMBER).replace("global", "europe-west1"))],
    ["iamMember: before another project's pool", `iamMember:${principalSet(poolName("999"))}`],
  ])("is another pool when written with %s", (_, member) => {
    expect(findings(evaluate(impersonation, grantOnSa(member)))).toEqual([
      "TRUST3 google_service_account_iam_member.extra",
    ]);
  });

  it("is not provable from a literal when the JSON records no project number", () => {
    // Without config's intent the project number is unknown: only a reference proves the pool.
    const e = evaluate(sharedSynthJson(exampleConfig()), (tf) => {
      entry(tf, "google_service_account_iam_member")[1].member = principalSet(poolName(NUMBER));
    });
    expect(e.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(["TRUST3", "TRUST1"]));
  });

  it("is unresolvable when it is a data source's name", () => {
    const e = evaluate(
      impersonation,
      grantOnSa(principalSet("${data.google_iam_workload_identity_pool.other.name}")),
    );
    expect(findings(e)).toEqual(["TRUST8 google_service_account_iam_member.extra"]);
  });

  it.each(["display_name", "description", "workload_identity_pool_id"])(
    "is unresolvable when a reference names the pool's %s, not its name",
    (attribute) => {
      const e = evaluate(impersonation, (tf) => {
        entry(tf, "google_service_account_iam_member")[1].member = principalSet(
          ref(tf, "google_iam_workload_identity_pool", attribute),
        );
      });
      expect(findings(e)).toContain(
        `TRUST8 google_service_account_iam_member.${entry(impersonation, "google_service_account_iam_member")[0]}`,
      );
    },
  );

  it("is another pool for a direct table grant too (not intended, and not the Lambda's)", () => {
    const e = evaluate(direct, (tf) => {
      const [, writer] = entry(tf, "google_bigquery_table_iam_member");
      add(tf, "google_bigquery_table_iam_member", "foreign", {
        ...writer,
        member: principalSet(poolName("999")),
      });
    });
    expect(findings(e)).toEqual(["TRUST4 google_bigquery_table_iam_member.foreign"]);
    expect(e.lambda!.reaches.map((r) => r.grant.address)).not.toContain(
      "google_bigquery_table_iam_member.foreign",
    );
  });
});

describe("a service-account member (S2)", () => {
  const tableGrantTo = (member: string) => (tf: Json) => {
    entry(tf, "google_bigquery_table_iam_member")[1].member = member;
  };

  it("is this stack's account for its whole email", () => {
    expect(evaluate(impersonation, tableGrantTo(`serviceAccount:${EMAIL}`)).findings).toEqual([]);
  });

  it("is this stack's account for a reference to its member", () => {
    const e = evaluate(impersonation, (tf) =>
      tableGrantTo(ref(tf, "google_service_account", "member"))(tf),
    );
    expect(e.findings).toEqual([]);
  });

  it.each([
    [
      "the same account id in another project",
      "serviceAccount:wif-example@attacker-proj.iam.gserviceaccount.com",
    ],
    ["another domain", "serviceAccount:wif-example@wif-bridge-example.iam.attacker.com"],
    ["upper case", `serviceAccount:${EMAIL.toUpperCase()}`],
    [
      "iamMember: and another project",
      "iamMember:serviceAccount:wif-example@attacker-proj.iam.gserviceaccount.com",
    ],
  ])("is another account for %s", (_, member) => {
    const e = evaluate(impersonation, tableGrantTo(member));
    expect(e.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(["TRUST4", "TRUST1"]));
    expect(e.intendedGrants.map((g) => g.scope)).not.toContain("table");
  });

  it.each([
    [
      "a reference to the account's display_name",
      (tf: Json) => `serviceAccount:${ref(tf, "google_service_account", "display_name")}`,
    ],
    ["a data source's email", () => "serviceAccount:${data.google_service_account.other.email}"],
  ])("is unresolvable for %s", (_, member) => {
    const e = evaluate(impersonation, (tf) => tableGrantTo(member(tf))(tf));
    expect(e.findings.map((f) => f.rule)).toContain("TRUST8");
    expect(e.intendedGrants.map((g) => g.scope)).not.toContain("table");
  });
});

describe("the resource a grant is on (S3)", () => {
  const extraTableGrant = (args: Json) => (tf: Json) => {
    const [, writer] = entry(tf, "google_bigquery_table_iam_member");
    add(tf, "google_bigquery_table_iam_member", "extra", { ...writer, ...args });
  };

  it("is this stack's table when project, dataset and table are its literals", () => {
    const e = evaluate(impersonation, (tf) => {
      Object.assign(entry(tf, "google_bigquery_table_iam_member")[1], {
        project: PROJECT,
        dataset_id: "wif_bridge_example",
        table_id: "events",
      });
    });
    expect(e.findings).toEqual([]);
  });

  it.each([
    [
      "a full path to another project's table",
      { table_id: "projects/prod/datasets/secrets/tables/events" },
    ],
    [
      "a full path to its own table",
      { table_id: `projects/${PROJECT}/datasets/wif_bridge_example/tables/events` },
    ],
    ["the table's id in another dataset", { dataset_id: "secrets", table_id: "events" }],
    ["the table's dataset and id in another project", { project: "prod" }],
    ["a table id spelling the table's Terraform address", { table_id: "google_bigquery_table.x" }],
  ])("is not this stack's table for %s", (_, args) => {
    const e = evaluate(impersonation, extraTableGrant(args));
    expect(findings(e)).toEqual(["TRUST4 google_bigquery_table_iam_member.extra"]);
    const extra = e.model.grants.find((g) => g.address.endsWith(".extra"))!;
    expect(extra.targetInStack).toBe(false);
  });

  it.each([
    ["an aliased google provider", "google.prod", "google"],
    ["the google-beta provider", "google-beta", "google-beta"],
  ])(
    "is not this stack's table when no project is given and %s points at another project",
    (_, provider, name) => {
      const e = evaluate(impersonation, (tf) => {
        tf.provider[name] = [
          ...(tf.provider[name] ?? []),
          { ...(provider.includes(".") ? { alias: provider.split(".")[1] } : {}), project: "prod" },
        ];
        extraTableGrant({
          project: undefined,
          provider,
          dataset_id: "wif_bridge_example",
          table_id: "events",
        })(tf);
      });
      expect(findings(e)).toEqual(["TRUST4 google_bigquery_table_iam_member.extra"]);
    },
  );

  it("is unresolvable when the table is a data source's", () => {
    const e = evaluate(
      impersonation,
      extraTableGrant({ table_id: "${data.google_bigquery_table.t.table_id}" }),
    );
    expect(findings(e)).toEqual(["TRUST8 google_bigquery_table_iam_member.extra"]);
  });

  it("is this stack's service account for its literal full name (projects/-/ included)", () => {
    for (const project of [PROJECT, "-"]) {
      const e = evaluate(impersonation, (tf) => {
        entry(tf, "google_service_account_iam_member")[1].service_account_id =
          `projects/${project}/serviceAccounts/${EMAIL}`;
      });
      expect(e.findings).toEqual([]);
    }
  });

  it.each([
    `projects/prod/serviceAccounts/${EMAIL}`,
    "projects/-/serviceAccounts/wif-example@prod.iam.gserviceaccount.com",
    "wif-example",
    EMAIL,
  ])("is another service account for %s", (id) => {
    const e = evaluate(impersonation, (tf) => {
      entry(tf, "google_service_account_iam_member")[1].service_account_id = id;
    });
    expect(e.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(["TRUST3", "TRUST1"]));
  });

  it.each([
    "wif-bridge-example-archive/",
    "WIF-BRIDGE-EXAMPLE-ARCHIVE",
    "b/wif-bridge-example-archive",
  ])("is another bucket for %s", (bucket) => {
    const e = evaluate(impersonation, (tf) => {
      entry(tf, "google_storage_bucket_iam_member")[1].bucket = bucket;
    });
    expect(e.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(["TRUST4", "TRUST1"]));
  });
});

describe("isolation of a grant the model cannot prove disjoint (S7)", () => {
  const ordersSa = (tf: Json) =>
    `serviceAccount:\${google_service_account.${Object.keys(
      tf.resource.google_service_account,
    ).find((n) => n.includes("orders"))!}.email}`;

  it("counts a managed-folder grant on another pipeline's prefix as a cross-pipeline reach", () => {
    const e = evaluate(platform, (tf) =>
      add(tf, "google_storage_managed_folder_iam_member", "payments-folder", {
        bucket: "wif-bridge-platform-archive",
        managed_folder: "payments/raw-batches/",
        role: "roles/storage.objectCreator",
        member: ordersSa(tf),
      }),
    );
    expect(findings(e)).toEqual(
      expect.arrayContaining([
        "TRUST4 google_storage_managed_folder_iam_member.payments-folder",
        "TRUST9 google_storage_managed_folder_iam_member.payments-folder",
      ]),
    );
    const cell = e.matrix.find((c) => c.from === "orders" && c.to === "payments")!;
    expect(cell.reaches.map((r) => r.grant.address)).toEqual([
      "google_storage_managed_folder_iam_member.payments-folder",
    ]);
  });

  it("counts a grant on a table the model cannot tell from another pipeline's", () => {
    const e = evaluate(platform, (tf) =>
      add(tf, "google_bigquery_table_iam_member", "path", {
        dataset_id: "payments",
        table_id: "projects/wif-bridge-platform/datasets/payments/tables/events",
        role: "roles/bigquery.dataViewer",
        member: ordersSa(tf),
      }),
    );
    expect(findings(e)).toContain("TRUST9 google_bigquery_table_iam_member.path");
  });

  it("refuses a twin of another pipeline's table (one Google table declared twice) as unresolvable", () => {
    const e = evaluate(platform, (tf) => {
      const [name, table] = Object.entries(tf.resource.google_bigquery_table).find(([n]) =>
        n.includes("payments"),
      ) as [string, Json];
      add(tf, "google_bigquery_table", "twin", { ...table });
      add(tf, "google_bigquery_table_iam_member", "on-twin", {
        dataset_id: "${google_bigquery_table.twin.dataset_id}",
        table_id: "${google_bigquery_table.twin.table_id}",
        role: "roles/bigquery.dataEditor",
        member: ordersSa(tf),
      });
      expect(name).toBeDefined();
    });
    expect(findings(e)).toEqual(
      expect.arrayContaining([
        "TRUST8 google_bigquery_table_iam_member.on-twin",
        "TRUST8 google_bigquery_table.twin",
      ]),
    );
  });

  it("leaves a cell empty for a reached grant on another of this stack's own resources", () => {
    // Orders' writer on its own table is disjoint from payments' data: the matrix stays empty.
    const e = evaluate(platform, () => {});
    expect(e.matrix.every((c) => c.reaches.length === 0)).toBe(true);
  });
});

describe("the project of the pipeline's identities and data", () => {
  it.each([
    ["google_service_account"],
    ["google_iam_workload_identity_pool"],
    ["google_bigquery_dataset"],
    ["google_bigquery_table"],
    ["google_storage_bucket"],
  ])("refuses the %s moved to another project", (type) => {
    const e = evaluate(impersonation, (tf) => {
      entry(tf, type)[1].project = "attacker-proj";
    });
    expect(
      e.findings.find((f) => f.rule === "TRUST8" && f.address.startsWith(type))?.reason,
    ).toMatch(/is in project attacker-proj, not config's gcp\.projectId wif-bridge-example/);
  });
});
