/**
 * Who gets in, end to end: the bundled Lambda from the synthesized asset, run with the
 * credentials of various AWS identities, against the emulated Google enforcing the synthesized
 * pool provider, condition and IAM grants.
 */
import {
  addressesOf,
  EXAMPLE,
  DIRECT,
  messageIds,
  runBatch,
  startBridge,
  stopBridges,
  stsDecision,
  synthesizeEnvironments,
  type Environments,
} from "./harness";

let envs: Environments;
beforeAll(async () => {
  envs = await synthesizeEnvironments();
}, 60_000);
afterEach(stopBridges);

const OTHER_ACCOUNT = "444455556666";

describe("the configured role in the configured account", () => {
  it("lands every row exactly once", async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    const run = await runBatch(bridge, bridge.configuredRole(), 3);
    expect(run.failedMessageIds).toEqual([]);
    const rows = bridge.rows();
    expect(rows.map((r) => r.insertId).sort()).toEqual(
      messageIds(run.event)
        .map((id) => `${id}:0`)
        .sort(),
    );
    expect(rows.map((r) => r.json.event_id).sort()).toEqual(["m0", "m1", "m2"]);
    expect(bridge.emulator.bigquery.duplicatesDropped).toBe(0);
    expect(bridge.emulator.objects("wif-bridge-example-archive")).toHaveLength(1);
  });
});

describe("denied identities: nothing lands, every message is reported failed", () => {
  async function expectDenied(
    run: Awaited<ReturnType<typeof runBatch>>,
    bridge: Awaited<ReturnType<typeof startBridge>>,
  ) {
    expect(run.failedMessageIds.sort()).toEqual(messageIds(run.event).sort());
    expect(bridge.rows()).toHaveLength(0);
    expect(bridge.emulator.calls("bigquery.insertAll")).toBe(0);
  }

  it("denies the same role name in another account (invalid_grant at STS)", async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    const run = await runBatch(bridge, bridge.roleSession({ account: OTHER_ACCOUNT }), 2);
    await expectDenied(run, bridge);
    expect(stsDecision(bridge)).toMatchObject({ allowed: false, status: 400 });
    expect(stsDecision(bridge).reason).toMatch(/^invalid_grant: The AWS account 444455556666/);
  });

  it("denies another role of the same account (attribute condition)", async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    const run = await runBatch(bridge, bridge.roleSession({ roleName: "data-pipeline" }), 2);
    await expectDenied(run, bridge);
    expect(stsDecision(bridge).reason).toMatch(
      /^unauthorized_client: the attribute condition is false/,
    );
  });

  it("denies a role whose name starts with the configured name (wif-bridge-example-exec-v2)", async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    const roleName = `${bridge.deployment.roleName}-v2`;
    const run = await runBatch(bridge, bridge.roleSession({ roleName }), 2);
    await expectDenied(run, bridge);
    expect(stsDecision(bridge).reason).toMatch(
      /^unauthorized_client: the attribute condition is false/,
    );
  });

  it("denies a role whose name ends with the configured name (evil-wif-bridge-example-exec)", async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    const roleName = `evil-${bridge.deployment.roleName}`;
    const run = await runBatch(bridge, bridge.roleSession({ roleName }), 2);
    await expectDenied(run, bridge);
    expect(stsDecision(bridge).reason).toMatch(
      /^unauthorized_client: the attribute condition is false/,
    );
  });

  it("denies a role whose name is a prefix of the configured name (wif-bridge-example)", async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    const roleName = bridge.deployment.roleName.replace(/-exec$/, "");
    const run = await runBatch(bridge, bridge.roleSession({ roleName }), 2);
    await expectDenied(run, bridge);
    expect(stsDecision(bridge).reason).toMatch(/^unauthorized_client/);
  });

  it("denies an IAM user named like the role, in the configured account", async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    const run = await runBatch(bridge, bridge.iamUser(bridge.deployment.roleName), 2);
    await expectDenied(run, bridge);
    expect(stsDecision(bridge).reason).toMatch(
      /^unauthorized_client: the attribute condition is false/,
    );
  });

  it("denies a signature that does not verify (the signing secret tampered with)", async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    const role = bridge.configuredRole();
    const flipped = role.secretAccessKey[0] === "A" ? "B" : "A";
    const tampered = { ...role, secretAccessKey: flipped + role.secretAccessKey.slice(1) };
    const run = await runBatch(bridge, tampered, 2);
    await expectDenied(run, bridge);
    expect(stsDecision(bridge).reason).toMatch(
      /^invalid_grant: .*signature we calculated does not match/,
    );
  });

  it("denies a signed request replayed more than 15 minutes later (expired x-amz-date)", async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    // Google (and AWS behind it) receive the request 16 minutes after it was signed.
    bridge.emulator.advanceClock(16 * 60 * 1000);
    const run = await runBatch(bridge, bridge.configuredRole(), 2);
    await expectDenied(run, bridge);
    expect(stsDecision(bridge).reason).toMatch(/^invalid_grant: .*Signature expired/);
  });

  it("denies a wrong audience (a provider that does not exist)", async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    const { audience } = JSON.parse(bridge.deployment.environment.GOOGLE_EXTERNAL_ACCOUNT_JSON);
    const wrong = audience.replace(/providers\/[^/]+$/, "providers/aws-other");
    const run = await runBatch(bridge, bridge.configuredRole(), 2, { audience: wrong });
    await expectDenied(run, bridge);
    expect(stsDecision(bridge).reason).toMatch(/^invalid_target/);
  });

  it("denies a principal without roles/iam.workloadIdentityUser at IAM (403), after STS admitted it", async () => {
    const bridge = await startBridge(envs[EXAMPLE], {
      withoutResources: addressesOf(envs[EXAMPLE], "google_service_account_iam_member"),
    });
    const run = await runBatch(bridge, bridge.configuredRole(), 2);
    await expectDenied(run, bridge);
    expect(stsDecision(bridge)).toMatchObject({ allowed: true });
    const iam = bridge.emulator.decisions.filter((d) => d.endpoint === "iam.generateAccessToken");
    expect(iam).toEqual([expect.objectContaining({ allowed: false, status: 403 })]);
  });
});

describe("direct mode (no service account)", () => {
  it("lands rows with the federated token and never calls IAM Credentials", async () => {
    const bridge = await startBridge(envs[DIRECT]);
    const run = await runBatch(bridge, bridge.configuredRole(), 3);
    expect(run.failedMessageIds).toEqual([]);
    expect(bridge.rows()).toHaveLength(3);
    expect(bridge.emulator.calls("iam.generateAccessToken")).toBe(0);
  });

  it("still denies a look-alike role", async () => {
    const bridge = await startBridge(envs[DIRECT]);
    const roleName = `${bridge.deployment.roleName}-v2`;
    const run = await runBatch(bridge, bridge.roleSession({ roleName }), 1);
    expect(run.failedMessageIds).toEqual(messageIds(run.event));
    expect(bridge.rows()).toHaveLength(0);
    expect(stsDecision(bridge).reason).toMatch(
      /^unauthorized_client: the attribute condition is false/,
    );
  });
});
