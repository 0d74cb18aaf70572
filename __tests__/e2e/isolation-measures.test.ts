/**
 * Each isolation measure of the platform example, removed one at a time from the synthesized
 * JSON: the table-level grant widened to the dataset, a provider condition that lists another
 * account's role, two pipelines sharing one service account. For each: what synth's rule pack
 * says about the changed JSON, and what the isolation matrix says when the changed JSON is
 * deployed anyway (the emulator applies it as it is, i.e. with the rule pack bypassed). The
 * unchanged platform's rule pack and matrix are asserted in ./isolation-matrix.test.ts.
 */
import { OfflinePlatform } from "../../emulator";
import { evaluateRulePack } from "../../stacks/policies/pack";
import type { Json } from "../helpers/synth";
import { describeOutcome, IsolationMatrix, type Outcome } from "./isolation";
import { synthesizePlatform, type SynthesizedPlatform } from "./platform";

const ORDERS = "wif-bridge-platform-example-orders";
const PAYMENTS = "wif-bridge-platform-example-payments";
const AUDIT = "wif-bridge-platform-example-audit";

let synthesized: SynthesizedPlatform;
beforeAll(async () => {
  synthesized = await synthesizePlatform();
}, 120_000);

const running: OfflinePlatform[] = [];
afterAll(() => Promise.all(running.map((p) => p.stop())));

/** The matrix of a stack file: each pipeline's own run first, then every cross attempt. */
async function matrixOf(stackFile: string): Promise<Outcome[]> {
  const platform = await OfflinePlatform.start(synthesized.startProps(stackFile));
  running.push(platform);
  const matrix = new IsolationMatrix(platform);
  for (const p of matrix.pipelines) await matrix.runOwn(p, 1);
  return matrix.crossAttempts();
}

const leaks = (outcomes: Outcome[]) => outcomes.filter((o) => !o.denied).map(describeOutcome);
const errorsOf = (tf: Json) =>
  evaluateRulePack(tf)
    .findings.filter((f) => f.level === "error")
    .map((f) => `${f.ruleId} ${f.address}: ${f.reason}`);
/** The rules with errors on the changed JSON that the unchanged one does not have. */
const newErrorRules = (tf: Json) => {
  const before = new Set(errorsOf(synthesized.json));
  const found = errorsOf(tf).filter((e) => !before.has(e));
  return [...new Set(found.map((e) => e.split(" ")[0]))].sort();
};

/** The one resource of `type` whose name starts with the pipeline's construct prefix. */
function resourceOf(tf: Json, type: string, pipeline: string): [string, Json] {
  const found = Object.entries(tf.resource[type] ?? {}).filter(([name]) =>
    name.startsWith(`pipeline-${pipeline}_`),
  );
  if (found.length !== 1)
    throw new Error(`expected one ${type} of ${pipeline}, found ${found.length}`);
  return found[0] as [string, Json];
}

/** Points every `${type.from.…}` reference at `type.to` instead. */
function redirectReferences(tf: Json, type: string, from: string, to: string): Json {
  return JSON.parse(JSON.stringify(tf).split(`\${${type}.${from}.`).join(`\${${type}.${to}.`));
}

function replaceAll(target: Json, source: Json): void {
  for (const key of Object.keys(target)) delete target[key];
  Object.assign(target, source);
}

// The unchanged platform passes the rule pack and the matrix: asserted once, on the same
// shared synth, in ./isolation-matrix.test.ts ("the unchanged platform passes the rule pack
// and lets nothing leak"), which already runs that matrix.

describe("a table-level grant widened to the dataset", () => {
  // orders' grant moves from its table to the dataset it shares with payments.
  const widen = (tf: Json) => {
    const [name, grant] = resourceOf(tf, "google_bigquery_table_iam_member", "orders");
    delete tf.resource.google_bigquery_table_iam_member[name];
    // On the dataset resource itself, as a hand-written dataset grant would name it.
    const [, table] = resourceOf(tf, "google_bigquery_table", "orders");
    const onDataset = { ...grant, dataset_id: table.dataset_id, project: table.project };
    delete onDataset.table_id;
    tf.resource.google_bigquery_dataset_iam_member = {
      ...tf.resource.google_bigquery_dataset_iam_member,
      [name]: onDataset,
    };
  };

  it("is refused by synth's rule pack", () => {
    const tf = structuredClone(synthesized.json);
    widen(tf);
    // TRUST9: orders reaches payments' table through the dataset; TRUST4: a grant the config does not intend.
    expect(newErrorRules(tf)).toEqual(expect.arrayContaining(["TRUST4", "TRUST9"]));
  });

  it("deployed anyway, lets orders write, read and list payments' table: the matrix fails", async () => {
    const found = leaks(await matrixOf(synthesized.writeVariant("widened-to-dataset", widen)));
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^${ORDERS} -> ${PAYMENTS}: write B's table: LEAK: bigquery.insertAll allowed: .* on dataset wif_bridge_platform`,
          ),
        ),
        `${ORDERS} -> ${PAYMENTS}: read B's table: LEAK: read B's table answered 200`,
        `${ORDERS} -> ${PAYMENTS}: list B's dataset: LEAK: list B's dataset answered 200`,
      ]),
    );
    // audit's table is in a dataset of its own: the widened grant does not reach it.
    expect(found.filter((l) => l.includes(`-> ${AUDIT}`))).toEqual([]);
  }, 120_000);
});

describe("a provider condition that lists another account's role", () => {
  // The provider of account 111122223333 also lists payments' role (account 444455556666).
  const listForeignRole = (tf: Json) => {
    const providers = tf.resource.google_iam_workload_identity_pool_provider;
    const [, provider] = Object.entries(providers).find(
      ([, p]) => (p as Json).aws.account_id === "111122223333",
    ) as [string, Json];
    const foreign =
      "arn:aws:sts::444455556666:assumed-role/wif-bridge-platform-example-payments-exec";
    replaceAll(provider, {
      ...provider,
      attribute_condition: `(${provider.attribute_condition}) || attribute.aws_role == '${foreign}'`,
    });
  };

  it("is refused by synth's rule pack", () => {
    const tf = structuredClone(synthesized.json);
    listForeignRole(tf);
    // TRUST6 judges the condition without the pin: it admits payments' role of another account.
    expect(newErrorRules(tf)).toContain("TRUST6");
  });

  it("deployed anyway, is still held at run time by the provider's account pin, a separate measure", async () => {
    const outcomes = await matrixOf(synthesized.writeVariant("foreign-role", listForeignRole));
    expect(leaks(outcomes)).toEqual([]);
    const run = outcomes.find(
      (o) => o.attacker === PAYMENTS && o.victim === ORDERS && o.attempt === "run B's function",
    )!;
    expect(describeOutcome(run)).toBe(
      `${PAYMENTS} -> ${ORDERS}: run B's function: denied by STS (account pin)`,
    );
  }, 120_000);
});

describe("two pipelines sharing one service account", () => {
  // audit's service account is dropped and everything of audit's points at payments' instead:
  // its impersonation grant, its table grant, its prefix grant and its function's credential config.
  const share = (tf: Json) => {
    const [audit] = resourceOf(tf, "google_service_account", "audit");
    const [payments] = resourceOf(tf, "google_service_account", "payments");
    delete tf.resource.google_service_account[audit];
    replaceAll(tf, redirectReferences(tf, "google_service_account", audit, payments));
  };

  it("is refused by synth's rule pack", () => {
    const tf = structuredClone(synthesized.json);
    share(tf);
    // TRUST9: each pipeline's role reaches the other's table and prefix through the shared account.
    expect(newErrorRules(tf)).toContain("TRUST9");
  });

  it("deployed anyway, lets payments and audit each run the other's function and land rows: the matrix fails", async () => {
    const found = leaks(await matrixOf(synthesized.writeVariant("shared-service-account", share)));
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${PAYMENTS} -> ${AUDIT}: run B's function: LEAK`)),
        expect.stringMatching(new RegExp(`^${AUDIT} -> ${PAYMENTS}: run B's function: LEAK`)),
        expect.stringMatching(new RegExp(`^${PAYMENTS} -> ${AUDIT}: write B's table: LEAK`)),
      ]),
    );
    // orders keeps its own service account, in another account: nothing of or from it leaks.
    expect(found.filter((l) => l.includes(ORDERS))).toEqual([]);
  }, 120_000);
});
