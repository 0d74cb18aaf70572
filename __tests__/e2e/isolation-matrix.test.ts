/**
 * The isolation matrix of the shipped multi-pipeline example (config/platform-example.json: orders in
 * account 111122223333, payments and audit in 444455556666, one pool, one provider per account,
 * a service account, table and archive prefix per pipeline), end to end with the bundled
 * Lambdas from the synthesized assets against the emulated Google enforcing the synthesized
 * grants. Each pipeline lands its own rows; every attempt of one pipeline's role on another's
 * data is refused, by the layer that should refuse it.
 */
import { OfflinePlatform } from "../../emulator";
import { evaluateRulePack } from "../../stacks/policies/pack";
import {
  CROSS_ATTEMPTS,
  describeOutcome,
  expectedDenial,
  IsolationMatrix,
  type Outcome,
} from "./isolation";
import { PLATFORM_DIRECT, synthesizePlatform, type SynthesizedPlatform } from "./platform";

let synthesized: SynthesizedPlatform;
let platform: OfflinePlatform;
let matrix: IsolationMatrix;
beforeAll(async () => {
  synthesized = await synthesizePlatform();
  platform = await OfflinePlatform.start(synthesized.startProps());
  matrix = new IsolationMatrix(platform);
}, 120_000);
afterAll(() => platform?.stop());

describe("the example platform: 3 pipelines in 2 AWS accounts", () => {
  it("deploys three functions, each in its own account with its own table and archive prefix", () => {
    expect(
      matrix.pipelines.map((p) => [
        p.name,
        p.account,
        `${p.datasetId}.${p.tableId}`,
        p.archive?.prefix,
      ]),
    ).toEqual([
      [
        "wif-bridge-platform-example-audit",
        "444455556666",
        "wif_bridge_platform_audit.events",
        "audit/",
      ],
      [
        "wif-bridge-platform-example-orders",
        "111122223333",
        "wif_bridge_platform.orders",
        "orders/",
      ],
      [
        "wif-bridge-platform-example-payments",
        "444455556666",
        "wif_bridge_platform.payments",
        "payments/raw-batches/",
      ],
    ]);
    expect(new Set(matrix.pipelines.map((p) => p.serviceAccount)).size).toBe(3);
  });

  it("lands each pipeline's rows in its own table and its batch under its own prefix", async () => {
    for (const p of matrix.pipelines) {
      const run = await matrix.runOwn(p, 3);
      expect({ pipeline: p.name, failed: run.failed }).toEqual({ pipeline: p.name, failed: [] });
      expect(matrix.rows(p)).toHaveLength(3);
      expect(matrix.objects(p)).toHaveLength(1);
    }
    const allRows = matrix.pipelines.flatMap((p) => matrix.rows(p).map((r) => r.json));
    expect(new Set(allRows.map((r) => JSON.stringify(r))).size).toBe(9);
  }, 60_000);
});

describe("every cross attempt is refused by the layer that should refuse it", () => {
  let outcomes: Outcome[];
  beforeAll(async () => {
    // The own runs above left a row set and an archived object per pipeline to try to read.
    if (matrix.objects(matrix.pipelines[0]).length === 0) {
      for (const p of matrix.pipelines) await matrix.runOwn(p, 1);
    }
    outcomes = await matrix.crossAttempts();
  }, 240_000);

  it("tries all 6 ordered pairs, every attempt", () => {
    expect(matrix.pairs()).toHaveLength(6);
    expect(outcomes).toHaveLength(6 * CROSS_ATTEMPTS.length);
  });

  it("lets nothing of B's be written or read by A", () => {
    expect(outcomes.filter((o) => !o.denied).map(describeOutcome)).toEqual([]);
  });

  // The baseline of ./isolation-measures.test.ts, which removes one measure at a time.
  it("the unchanged platform passes the rule pack and lets nothing leak", () => {
    const errors = evaluateRulePack(synthesized.json)
      .findings.filter((f) => f.level === "error")
      .map((f) => `${f.ruleId} ${f.address}: ${f.reason}`);
    expect(errors).toEqual([]);
    expect(outcomes.filter((o) => !o.denied).map(describeOutcome)).toEqual([]);
  });

  const pairs = [
    [
      "wif-bridge-platform-example-orders",
      "wif-bridge-platform-example-payments",
      "STS (account pin): another account's provider",
    ],
    [
      "wif-bridge-platform-example-orders",
      "wif-bridge-platform-example-audit",
      "STS (account pin): another account's provider",
    ],
    [
      "wif-bridge-platform-example-payments",
      "wif-bridge-platform-example-orders",
      "STS (account pin): another account's provider",
    ],
    [
      "wif-bridge-platform-example-audit",
      "wif-bridge-platform-example-orders",
      "STS (account pin): another account's provider",
    ],
    [
      "wif-bridge-platform-example-payments",
      "wif-bridge-platform-example-audit",
      "IAM (no impersonation grant): same account, B's service account",
    ],
    [
      "wif-bridge-platform-example-audit",
      "wif-bridge-platform-example-payments",
      "IAM (no impersonation grant): same account, B's service account",
    ],
  ] as const;
  it.each(pairs)("%s running %s's function is refused at %s", (a, b) => {
    const outcome = outcomes.find(
      (o) => o.attacker === a && o.victim === b && o.attempt === "run B's function",
    )!;
    const expected = expectedDenial(matrix.pipeline(a), matrix.pipeline(b), outcome.attempt);
    expect(describeOutcome(outcome)).toBe(describeOutcome({ ...outcome, ...expected }));
  });

  it.each(CROSS_ATTEMPTS.filter((a) => a !== "run B's function"))(
    "A's own identity: %s is refused by the data layer, for every pair",
    (attempt) => {
      const got = outcomes.filter((o) => o.attempt === attempt);
      expect(got).toHaveLength(6);
      for (const o of got) {
        const expected = expectedDenial(
          matrix.pipeline(o.attacker),
          matrix.pipeline(o.victim),
          attempt,
        );
        expect(describeOutcome(o)).toBe(
          describeOutcome({ ...o, layer: expected.layer, check: expected.check ?? o.check }),
        );
      }
    },
  );

  it("names the IAM condition as what refuses A's writes under B's prefix in the shared bucket", () => {
    const writes = outcomes.filter((o) => o.attempt === "write B's archive prefix");
    expect(new Set(writes.map((o) => `${o.layer} (${o.check})`))).toEqual(
      new Set(["Storage (IAM condition false)"]),
    );
  });
});

describe("the same platform in direct mode (each role's principalSet holds its grants)", () => {
  let direct: OfflinePlatform;
  let directMatrix: IsolationMatrix;
  let outcomes: Outcome[];
  beforeAll(async () => {
    direct = await OfflinePlatform.start((await synthesizePlatform(PLATFORM_DIRECT)).startProps());
    directMatrix = new IsolationMatrix(direct);
    for (const p of directMatrix.pipelines) {
      const run = await directMatrix.runOwn(p, 2);
      expect({ pipeline: p.name, failed: run.failed }).toEqual({ pipeline: p.name, failed: [] });
    }
    outcomes = await directMatrix.crossAttempts();
  }, 240_000);
  afterAll(() => direct?.stop());

  it("impersonates no service account, and each pipeline still lands its own rows", () => {
    expect(directMatrix.pipelines.map((p) => p.serviceAccount)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    for (const p of directMatrix.pipelines) expect(directMatrix.rows(p)).toHaveLength(2);
  });

  it("refuses every cross attempt by its layer: STS across accounts, B's data within one", () => {
    expect(outcomes).toHaveLength(6 * CROSS_ATTEMPTS.length);
    for (const o of outcomes) {
      const a = directMatrix.pipeline(o.attacker);
      const b = directMatrix.pipeline(o.victim);
      const expected = expectedDenial(a, b, o.attempt);
      expect(describeOutcome(o)).toBe(
        describeOutcome({
          ...o,
          denied: true,
          layer: expected.layer,
          check: expected.check ?? o.check,
        }),
      );
    }
    // Within account 444455556666, payments running audit's function is admitted as itself
    // and refused on audit's archive prefix first (the batch is archived before the insert).
    const sameAccount = outcomes.find(
      (o) =>
        o.attacker.endsWith("payments") &&
        o.victim.endsWith("audit") &&
        o.attempt === "run B's function",
    )!;
    expect(describeOutcome(sameAccount)).toMatch(/denied by Storage \(IAM condition false\)$/);
  });
});
