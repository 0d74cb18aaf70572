import {
  describeGoogleError,
  failureMessage,
  isRetryableGoogleError,
  NOT_YET_PROPAGATED,
  type GoogleErrorContext,
} from "../../lambda/google-errors";
import { TimeBudgetExhaustedError } from "../../lambda/retry";

const ctx: GoogleErrorContext = {
  projectId: "proj",
  datasetId: "ds",
  tableId: "events",
  archiveBucket: "arch",
  audience:
    "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/aws",
  serviceAccountEmail: "wif@proj.iam.gserviceaccount.com",
  expectedRoleArn: "arn:aws:sts::111122223333:assumed-role/bridge-exec",
  functionName: "bridge",
};

const STS = "https://sts.googleapis.com/v1/token";
const IAM =
  "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/wif@proj.iam.gserviceaccount.com:generateAccessToken";
const BQ =
  "https://bigquery.googleapis.com/bigquery/v2/projects/proj/datasets/ds/tables/events/insertAll";
const GCS = "https://storage.googleapis.com/upload/storage/v1/b/arch/o?uploadType=media";

function httpError(
  url: string,
  status: number,
  data: unknown,
  message = `Request failed with status code ${status}`,
) {
  return Object.assign(new Error(message), { config: { url }, response: { status, data } });
}

/** How the auth library rethrows an STS error answer (OAuth error copied onto a plain Error). */
function stsError(error: string, description: string) {
  return httpError(
    STS,
    400,
    { error, error_description: description },
    `Error code ${error}: ${description}`,
  );
}

describe("actionable Google errors", () => {
  it("STS unauthorized_client names the AWS identity, the provider and the role it admits", () => {
    const d = describeGoogleError(
      stsError(
        "unauthorized_client",
        "The given credential is rejected by the attribute condition.",
      ),
      ctx,
    );
    expect(d).toMatchObject({ service: "sts", reason: "unauthorized_client", retryable: false });
    expect(d.message).toMatch(
      /^AWS identity of this function \(session bridge\) rejected by the pool provider's attribute condition; the provider projects\/123\/locations\/global\/workloadIdentityPools\/pool\/providers\/aws admits arn:aws:sts::111122223333:assumed-role\/bridge-exec/,
    );
  });

  it("STS unauthorized_client quotes the caller's ARN when Google's answer names it", () => {
    const d = describeGoogleError(
      stsError(
        "unauthorized_client",
        "arn:aws:sts::999999999999:assumed-role/other/fn is rejected by the attribute condition",
      ),
      ctx,
    );
    expect(d.message).toMatch(
      /^AWS identity arn:aws:sts::999999999999:assumed-role\/other\/fn rejected/,
    );
  });

  it("STS unauthorized_client quotes a caller's ARN of another partition too", () => {
    const d = describeGoogleError(
      stsError(
        "unauthorized_client",
        "arn:aws-us-gov:sts::999999999999:assumed-role/other/fn is rejected by the attribute condition",
      ),
      ctx,
    );
    expect(d.message).toMatch(
      /^AWS identity arn:aws-us-gov:sts::999999999999:assumed-role\/other\/fn rejected/,
    );
  });

  it("STS invalid_grant points at the AWS signature and account", () => {
    const d = describeGoogleError(
      stsError("invalid_grant", "The AWS request signature is invalid."),
      ctx,
    );
    expect(d.message).toMatch(
      /AWS signature is invalid or the AWS account is not the one the provider .* pins/,
    );
  });

  it("STS invalid_target says the pool or provider is missing, disabled or soft-deleted", () => {
    const d = describeGoogleError(
      stsError("invalid_target", "The target service indicated by the audience is invalid."),
      ctx,
    );
    expect(d.message).toMatch(
      /pool or provider .*providers\/aws is missing, disabled or soft-deleted/,
    );
  });

  it("IAM 403 on generateAccessToken says the principalSet lacks workloadIdentityUser on the SA", () => {
    const d = describeGoogleError(
      httpError(
        IAM,
        403,
        { error: { code: 403, status: "PERMISSION_DENIED" } },
        "Permission 'iam.serviceAccounts.getAccessToken' denied",
      ),
      ctx,
    );
    expect(d).toMatchObject({ service: "iam", status: 403, retryable: false });
    expect(d.message).toMatch(
      /principalSet \(attribute\.aws_role\/arn:aws:sts::111122223333:assumed-role\/bridge-exec\) lacks roles\/iam\.workloadIdentityUser on that service account/,
    );
    expect(d.message).toContain("wif@proj.iam.gserviceaccount.com");
  });

  it("BigQuery 404 says the dataset or table is missing", () => {
    const d = describeGoogleError(
      httpError(BQ, 404, { error: { errors: [{ reason: "notFound" }] } }),
      ctx,
    );
    expect(d.message).toMatch(
      /^BigQuery table proj\.ds\.events or its dataset does not exist \(404\)/,
    );
  });

  it("BigQuery 400 keeps the reason but not the message, which may quote a row", () => {
    const d = describeGoogleError(
      httpError(
        BQ,
        400,
        {
          error: {
            message: "Invalid value at 'rows[0].json': \"card-4111\"",
            errors: [{ reason: "invalid" }],
          },
        },
        "Invalid value at 'rows[0].json': \"card-4111\"",
      ),
      ctx,
    );
    expect(d.message).toBe(
      "BigQuery refused the insertAll request into proj.ds.events (400 invalid); its message is not logged because it may quote a row",
    );
  });

  it("BigQuery 403 says the identity lacks dataEditor on the dataset", () => {
    const d = describeGoogleError(
      httpError(BQ, 403, { error: { errors: [{ reason: "accessDenied" }] } }),
      ctx,
    );
    expect(d.message).toMatch(/lacks roles\/bigquery\.dataEditor on dataset ds/);
    expect(d.retryable).toBe(false);
  });

  it("treats BigQuery's 403 quota answers as transient, not as a missing grant", () => {
    const err = httpError(BQ, 403, { error: { errors: [{ reason: "quotaExceeded" }] } });
    expect(isRetryableGoogleError(err)).toBe(true);
    expect(describeGoogleError(err, ctx).message).not.toMatch(/dataEditor/);
  });

  it("Cloud Storage 403 and 404 name the bucket and the fix", () => {
    expect(describeGoogleError(httpError(GCS, 403, {}), ctx).message).toMatch(
      /lacks roles\/storage\.objectCreator on that bucket/,
    );
    expect(describeGoogleError(httpError(GCS, 404, {}), ctx).message).toMatch(
      /bucket arch does not exist/,
    );
  });

  it.each([429, 500, 502, 503, 504, 408])("retries HTTP %i", (status) => {
    expect(isRetryableGoogleError(httpError(BQ, status, {}))).toBe(true);
  });

  it.each([400, 401, 403, 404, 409, 412])("does not retry HTTP %i", (status) => {
    expect(isRetryableGoogleError(httpError(BQ, status, {}))).toBe(false);
  });

  it("retries network errors (no response) and names the host", () => {
    const err = Object.assign(
      new Error("request to https://bigquery.googleapis.com failed, reason: socket hang up"),
      {
        code: "ECONNRESET",
        config: { url: BQ },
      },
    );
    expect(isRetryableGoogleError(err)).toBe(true);
    expect(describeGoogleError(err, ctx).message).toMatch(
      /could not reach bigquery\.googleapis\.com \(ECONNRESET\)/,
    );
  });

  it("does not retry an STS 400 but does retry an STS 503", () => {
    expect(isRetryableGoogleError(stsError("invalid_grant", "x"))).toBe(false);
    expect(isRetryableGoogleError(httpError(STS, 503, "unavailable"))).toBe(true);
  });

  it("reports an exhausted time budget with the last error's explanation", () => {
    const err = new TimeBudgetExhaustedError("insertAll", 3, httpError(BQ, 503, {}));
    const d = describeGoogleError(err, ctx);
    expect(d).toMatchObject({
      reason: "time-budget-exhausted",
      retryable: false,
      service: "bigquery",
    });
    expect(d.message).toMatch(
      /time budget ran out after 3 attempt.*last error: BigQuery answered 503/,
    );
  });

  describe("a 403 right after a deploy", () => {
    const iamDenied = httpError(IAM, 403, {
      error: {
        code: 403,
        message:
          "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
        status: "PERMISSION_DENIED",
        details: [
          { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "IAM_PERMISSION_DENIED" },
        ],
      },
    });
    const bigqueryDenied = httpError(BQ, 403, {
      error: {
        code: 403,
        message:
          "Access Denied: Table proj:ds.events: Permission bigquery.tables.updateData denied",
        errors: [{ reason: "accessDenied", message: "Access Denied" }],
        status: "PERMISSION_DENIED",
      },
    });

    it.each([
      [
        "IAM generateAccessToken",
        iamDenied,
        "IAM_PERMISSION_DENIED",
        "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
      ],
      [
        "BigQuery insertAll",
        bigqueryDenied,
        "accessDenied",
        "Access Denied: Table proj:ds.events: Permission bigquery.tables.updateData denied",
      ],
      [
        "Cloud Storage upload",
        httpError(GCS, 403, {
          error: {
            code: 403,
            message: "does not have storage.objects.create access",
            errors: [{ reason: "forbidden" }],
          },
        }),
        "forbidden",
        "does not have storage.objects.create access",
      ],
    ])(
      "%s says the binding is missing or not yet propagated, quoting Google's reason and message",
      (_, err, reason, message) => {
        const d = describeGoogleError(err, ctx);
        expect(d.message).toContain(`(403): ${NOT_YET_PROPAGATED}.`);
        expect(d.message).toContain(`Google said: 403 ${reason}, "${message}"`);
        expect(d.reason).toBe(reason);
      },
    );

    it("quotes only status, reason and message: never the request's token", () => {
      const err = Object.assign(iamDenied, {
        config: { url: IAM, headers: { authorization: "Bearer ya29.secret" }, data: "x" },
      });
      expect(describeGoogleError(err, ctx).message).not.toMatch(/ya29|Bearer/);
    });
  });

  describe("an authentication failure is named before any archive or insert wording", () => {
    it.each([
      [
        "STS",
        stsError(
          "unauthorized_client",
          "The given credential is rejected by the attribute condition.",
        ),
      ],
      ["IAM", httpError(IAM, 403, { error: { status: "PERMISSION_DENIED" } })],
      ["a rejected token", httpError(BQ, 401, {})],
      [
        "STS out of time",
        new TimeBudgetExhaustedError(
          "Cloud Storage upload gs://arch/x",
          2,
          stsError("invalid_grant", "x"),
        ),
      ],
    ])("%s, with the archive on", (_, err) => {
      const line = failureMessage(describeGoogleError(err, ctx), "archive");
      expect(line).toMatch(
        /^Google authentication failed, so the batch was neither archived nor written: /,
      );
      expect(line).not.toMatch(/archive failed/);
    });

    it("a Cloud Storage failure is still an archive failure", () => {
      expect(failureMessage(describeGoogleError(httpError(GCS, 404, {}), ctx), "archive")).toMatch(
        /^archive failed, so the whole batch fails: Cloud Storage bucket arch does not exist/,
      );
    });
  });
});
