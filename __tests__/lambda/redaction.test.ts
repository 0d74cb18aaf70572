import { redact, REDACTED } from "../../lambda/logger";
import { capturedLogger } from "./test-support";
import { SECRET_CORPUS } from "./secret-corpus";

describe("redact, the one redaction function", () => {
  describe.each(SECRET_CORPUS)("$form", ({ text, secrets }) => {
    it("is masked in free text", () => {
      const out = redact(text) as string;
      for (const secret of secrets) expect(out).not.toContain(secret);
      expect(out).toContain(REDACTED);
    });

    it("is masked in an error message and in the log message itself, at DEBUG", () => {
      const { logger, lines } = capturedLogger("DEBUG");
      logger.debug(text, { error: new Error(text), detail: { nested: [text] } });
      for (const secret of secrets) expect(lines.join("\n")).not.toContain(secret);
    });
  });

  it("keeps the text around a secret readable", () => {
    expect(redact("STS answered 400 for token ya29.abc-def: invalid_grant")).toBe(
      `STS answered 400 for token ${REDACTED}: invalid_grant`,
    );
    expect(redact("AWS_SESSION_TOKEN=abc AWS_REGION=eu-west-1")).toBe(
      `AWS_SESSION_TOKEN=${REDACTED} AWS_REGION=eu-west-1`,
    );
  });

  it("leaves ordinary operator text alone", () => {
    const lines = [
      "IAM Credentials refused generateAccessToken on wif-test@proj-test.iam.gserviceaccount.com (403)",
      "BigQuery insertAll request 1/2 (500 rows), resent without rejected messages",
      "gs://wif-bridge-archive/raw/dt=2026-05-17/9f3c2a1e-5b7d-4c1e-8f2a-0b1c2d3e4f5a.ndjson",
      "arn:aws:sts::111122223333:assumed-role/wif-bridge-test-exec/wif-bridge-test",
      "the AWS signature is invalid or the AWS account is not the one the provider pins",
    ];
    for (const line of lines) expect(redact(line)).toBe(line);
  });

  it("masks secrets by key and drops record content by key, at any depth", () => {
    expect(
      redact({
        headers: { Authorization: "x", "X-Amz-Security-Token": "y", host: "h" },
        list: [{ key: "x-amz-security-token", value: "z" }],
        creds: { clientSecret: "c", private_key: "p", refreshToken: "r" },
        body: "row content",
        record: { email: "a@b.c" },
      }),
    ).toEqual({
      headers: { Authorization: REDACTED, "X-Amz-Security-Token": REDACTED, host: "h" },
      list: [{ key: "x-amz-security-token", value: REDACTED }],
      creds: { clientSecret: REDACTED, private_key: REDACTED, refreshToken: REDACTED },
      body: REDACTED,
      record: REDACTED,
    });
  });

  it("copies a __proto__ key as a key, never as the copy's prototype", () => {
    const out = redact(JSON.parse('{"__proto__":{"polluted":true},"ok":1}')) as object;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual(["__proto__", "ok"]);
  });
});
