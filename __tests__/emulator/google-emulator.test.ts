import { AppliedStack } from "../../emulator/fake-apply";
import { AwsIdentityTable, type AwsIdentity } from "../../emulator/aws-identities";
import { GoogleEmulator } from "../../emulator/google-emulator";
import { signRequest } from "../../emulator/sigv4";
import { CONDITION_REJECTED } from "../../emulator/sts-endpoint";
import { exampleConfig, sharedSynthJson, type Json } from "../helpers/synth";

const PROJECT_NUMBER = "123456789012";
const ACCOUNT = "111122223333";
const ROLE = "wif-bridge-example-exec";
const AUDIENCE = `//iam.googleapis.com/projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/aws-lambda-example/providers/aws-example`;
const SA = "wif-example@wif-bridge-example.iam.gserviceaccount.com";
const TABLE_URL =
  "/bigquery/v2/projects/wif-bridge-example/datasets/wif_bridge_example/tables/events";
const ROW = { event_id: "e1", event_time: "2024-05-01T10:00:00Z", source: "unit" };

let impersonationJson: Json;
let directJson: Json;
beforeAll(() => {
  impersonationJson = sharedSynthJson(exampleConfig());
  directJson = sharedSynthJson(exampleConfig({ federation: { accessMode: "direct" } }));
});

interface Started {
  emulator: GoogleEmulator;
  identities: AwsIdentityTable;
}
const running: GoogleEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
});

async function start(tf: Json = impersonationJson, withoutResources?: string[]): Promise<Started> {
  const stack = new AppliedStack(tf, "/tmp", { projectNumber: PROJECT_NUMBER, withoutResources });
  const identities = new AwsIdentityTable();
  const emulator = new GoogleEmulator({ stack, identities });
  await emulator.start();
  running.push(emulator);
  return { emulator, identities };
}

const role = (identities: AwsIdentityTable, roleName = ROLE, account = ACCOUNT) =>
  identities.addAssumedRole({ account, roleName, sessionName: "wif-bridge-example" });

function subjectToken(
  identity: AwsIdentity,
  options: { audience?: string; nowMs?: number; url?: string } = {},
): string {
  const url =
    options.url ??
    "https://sts.eu-west-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15";
  const signed = signRequest(
    { method: "POST", url, headers: {} },
    identity,
    "eu-west-1",
    "sts",
    options.nowMs ?? Date.now(),
  );
  const headers = { "x-goog-cloud-target-resource": options.audience ?? AUDIENCE, ...signed };
  return encodeURIComponent(
    JSON.stringify({
      url,
      method: "POST",
      headers: Object.entries(headers).map(([key, value]) => ({ key, value })),
    }),
  );
}

async function exchange(emulator: GoogleEmulator, token: string, audience = AUDIENCE) {
  const res = await fetch(`${emulator.url}/v1/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      audience,
      scope: "https://www.googleapis.com/auth/cloud-platform",
      requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
      subject_token: token,
      subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
    }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function call(emulator: GoogleEmulator, path: string, token: string, body?: unknown) {
  const res = await fetch(`${emulator.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function stsToken(s: Started): Promise<string> {
  const { body } = await exchange(s.emulator, subjectToken(role(s.identities)));
  return body.access_token;
}

async function serviceAccountToken(s: Started): Promise<string> {
  const iam = await call(
    s.emulator,
    `/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`,
    await stsToken(s),
    { scope: ["https://www.googleapis.com/auth/cloud-platform"], lifetime: "3600s" },
  );
  return iam.body.accessToken;
}

describe("Google STS /v1/token", () => {
  it("answers the configured role with a federated access token", async () => {
    const s = await start();
    const res = await exchange(s.emulator, subjectToken(role(s.identities)));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
      token_type: "Bearer",
      expires_in: 3600,
    });
  });

  it("refuses a look-alike role with unauthorized_client, as Google words it", async () => {
    const s = await start();
    const res = await exchange(s.emulator, subjectToken(role(s.identities, `${ROLE}-other`)));
    expect(res).toEqual({
      status: 400,
      body: { error: "unauthorized_client", error_description: CONDITION_REJECTED },
    });
  });

  it("refuses another AWS account with invalid_grant (the provider's aws.account_id)", async () => {
    const s = await start();
    const res = await exchange(s.emulator, subjectToken(role(s.identities, ROLE, "444455556666")));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_grant");
    expect(res.body.error_description).toContain("444455556666");
  });

  it("refuses an audience that names no provider with invalid_target", async () => {
    const s = await start();
    const wrong = AUDIENCE.replace("aws-example", "aws-missing");
    const res = await exchange(
      s.emulator,
      subjectToken(role(s.identities), { audience: wrong }),
      wrong,
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_target");
  });

  it("refuses a subject token signed for another audience", async () => {
    const s = await start();
    const other = AUDIENCE.replace("aws-example", "aws-other");
    const res = await exchange(s.emulator, subjectToken(role(s.identities), { audience: other }));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_target");
  });

  it("refuses an x-amz-date older than 15 minutes with invalid_grant", async () => {
    const s = await start();
    const old = Date.now() - 16 * 60 * 1000;
    const res = await exchange(s.emulator, subjectToken(role(s.identities), { nowMs: old }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: "invalid_grant",
      error_description: expect.stringContaining("Signature expired"),
    });
  });

  it("refuses a signed request that is not GetCallerIdentity on AWS STS", async () => {
    const s = await start();
    const url = "https://sts.eu-west-1.attacker.example?Action=GetCallerIdentity";
    const res = await exchange(s.emulator, subjectToken(role(s.identities), { url }));
    expect(res.body.error).toBe("invalid_grant");
  });
});

describe("IAM Credentials generateAccessToken", () => {
  const path = `/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`;
  const body = { scope: ["https://www.googleapis.com/auth/cloud-platform"], lifetime: "3600s" };

  it("gives the role's principalSet a service account token", async () => {
    const s = await start();
    const res = await call(s.emulator, path, await stsToken(s), body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accessToken: expect.any(String),
      expireTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
    });
  });

  it("denies a principal without roles/iam.workloadIdentityUser with 403 PERMISSION_DENIED", async () => {
    const s = await start(impersonationJson, [
      "google_service_account_iam_member.identity_workload-identity-user_EDC0A021",
    ]);
    const res = await call(s.emulator, path, await stsToken(s), body);
    expect(res.status).toBe(403);
    expect(res.body.error.status).toBe("PERMISSION_DENIED");
    expect(res.body.error.message).toContain("iam.serviceAccounts.getAccessToken");
  });

  it("refuses an expired STS token with 401", async () => {
    const s = await start();
    const token = await stsToken(s);
    s.emulator.advanceClock(3601 * 1000);
    const res = await call(s.emulator, path, token, body);
    expect(res.status).toBe(401);
    expect(res.body.error.status).toBe("UNAUTHENTICATED");
  });

  it("answers 404 for a service account the stack does not create", async () => {
    const s = await start();
    const res = await call(
      s.emulator,
      path.replace("wif-example", "nobody"),
      await stsToken(s),
      body,
    );
    expect(res.status).toBe(404);
  });
});

describe("BigQuery insertAll and tables.get", () => {
  const insert = `${TABLE_URL}/insertAll`;

  it("stores valid rows once per insertId", async () => {
    const s = await start();
    const token = await serviceAccountToken(s);
    const rows = [{ insertId: "m1:0", json: ROW }];
    expect((await call(s.emulator, insert, token, { rows })).body).toEqual({
      kind: "bigquery#tableDataInsertAllResponse",
    });
    await call(s.emulator, insert, token, { rows });
    expect(s.emulator.rows("wif-bridge-example", "wif_bridge_example", "events")).toHaveLength(1);
    expect(s.emulator.bigquery.duplicatesDropped).toBe(1);
  });

  it("rejects the whole request on one invalid row, unless skipInvalidRows", async () => {
    const s = await start();
    const token = await serviceAccountToken(s);
    const rows = [
      { insertId: "a", json: ROW },
      { insertId: "b", json: { ...ROW, event_time: "yesterday" } },
    ];
    const strict = await call(s.emulator, insert, token, { rows });
    expect(strict.body.insertErrors).toEqual([
      { index: 0, errors: [expect.objectContaining({ reason: "stopped" })] },
      {
        index: 1,
        errors: [expect.objectContaining({ reason: "invalid", location: "event_time" })],
      },
    ]);
    expect(s.emulator.rows("wif-bridge-example", "wif_bridge_example", "events")).toHaveLength(0);
    const lenient = await call(s.emulator, insert, token, { rows, skipInvalidRows: true });
    expect(lenient.body.insertErrors).toHaveLength(1);
    expect(s.emulator.rows("wif-bridge-example", "wif_bridge_example", "events")).toHaveLength(1);
  });

  it("fails injected rows with insertErrors", async () => {
    const s = await start();
    const token = await serviceAccountToken(s);
    s.emulator.faults.failRows({ rows: (json) => json.event_id === "e2", reason: "invalid" });
    const rows = ["e1", "e2", "e3"].map((id) => ({ insertId: id, json: { ...ROW, event_id: id } }));
    const res = await call(s.emulator, insert, token, { rows, skipInvalidRows: true });
    expect(res.body.insertErrors).toEqual([
      { index: 1, errors: [expect.objectContaining({ reason: "invalid" })] },
    ]);
  });

  it("answers 404 for an unknown dataset or table", async () => {
    const s = await start();
    const token = await serviceAccountToken(s);
    const noDataset = await call(s.emulator, insert.replace("wif_bridge_example", "other"), token, {
      rows: [{ json: ROW }],
    });
    expect(noDataset.status).toBe(404);
    expect(noDataset.body.error.message).toContain("Dataset");
    const noTable = await call(s.emulator, insert.replace("/events/", "/nope/"), token, {
      rows: [{ json: ROW }],
    });
    expect(noTable.status).toBe(404);
    expect(noTable.body.error.message).toContain("Table");
  });

  it("denies the federated token in impersonation mode: data roles belong to the service account", async () => {
    const s = await start();
    const res = await call(s.emulator, insert, await stsToken(s), { rows: [{ json: ROW }] });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain("bigquery.tables.updateData");
  });

  it("lets the federated token write in direct mode (iamMember:principalSet grant)", async () => {
    const s = await start(directJson);
    const res = await call(s.emulator, insert, await stsToken(s), { rows: [{ json: ROW }] });
    expect(res.status).toBe(200);
    expect(s.emulator.rows("wif-bridge-example", "wif_bridge_example", "events")).toHaveLength(1);
  });

  it("describes the table with its synthesized schema", async () => {
    const s = await start();
    const res = await call(s.emulator, TABLE_URL, await serviceAccountToken(s));
    expect(res.body.schema.fields.map((f: { name: string }) => f.name)).toEqual([
      "event_id",
      "event_time",
      "source",
      "amount",
      "tags",
      "attributes",
    ]);
  });
});

describe("Cloud Storage media upload", () => {
  const upload = (name: string) =>
    `/upload/storage/v1/b/wif-bridge-example-archive/o?uploadType=media&name=${encodeURIComponent(name)}`;

  it("stores an object for the object creator, and refuses to overwrite it", async () => {
    const s = await start();
    const token = await serviceAccountToken(s);
    const first = await call(s.emulator, upload("raw/a.ndjson"), token, { a: 1 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ kind: "storage#object", name: "raw/a.ndjson" });
    expect(s.emulator.objects("wif-bridge-example-archive")).toHaveLength(1);
    const again = await call(s.emulator, upload("raw/a.ndjson"), token, { a: 2 });
    expect(again.status).toBe(403);
  });

  it("answers 404 for a bucket the stack does not create", async () => {
    const s = await start();
    const res = await call(
      s.emulator,
      upload("x").replace("wif-bridge-example-archive", "nope"),
      await serviceAccountToken(s),
      {},
    );
    expect(res.status).toBe(404);
  });
});

describe("fault injection and call counters", () => {
  it("answers the next N calls with the injected status, then normally", async () => {
    const s = await start();
    const token = await serviceAccountToken(s);
    s.emulator.inject("bigquery.tables.get", { status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(s.emulator, TABLE_URL, token)).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(s.emulator.calls("bigquery.tables.get")).toBe(3);
  });

  it("resets the connection", async () => {
    const s = await start();
    s.emulator.inject("sts.token", { reset: true });
    await expect(exchange(s.emulator, subjectToken(role(s.identities)))).rejects.toThrow();
    expect(s.emulator.calls("sts.token")).toBe(1);
  });

  it("refuses an unknown endpoint name", async () => {
    const s = await start();
    // @ts-expect-error: the name is checked at run time too
    expect(() => s.emulator.inject("bigquery.query", { status: 500 })).toThrow(/unknown endpoint/);
  });
});
