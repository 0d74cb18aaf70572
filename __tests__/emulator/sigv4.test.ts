import { createHash } from "node:crypto";
import { AwsRequestSigner } from "google-auth-library/build/src/auth/awsrequestsigner";
import {
  canonicalQueryString,
  canonicalRequest,
  computeSignature,
  formatAmzDate,
  parseAmzDate,
  signingKey,
  signRequest,
  verifySignature,
  type SigningCredentials,
} from "../../emulator/sigv4";

// AWS's published example (General Reference, "Signature Version 4 signing process").
const AWS_EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const LIST_USERS = {
  method: "GET",
  url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
  headers: {
    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
    Host: "iam.amazonaws.com",
    "X-Amz-Date": "20150830T123600Z",
  },
};

const STS_URL = "https://sts.eu-west-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15";
const credentials: SigningCredentials = {
  accessKeyId: "ASIAEXAMPLEEXAMPLE01",
  secretAccessKey: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0",
  sessionToken: "IQoJb3JpZ2luX2VjEXAMPLETOKEN",
};
const lookup = (key: string) => (key === credentials.accessKeyId ? credentials : undefined);

function signedGetCallerIdentity(nowMs: number) {
  const headers = signRequest(
    { method: "POST", url: STS_URL, headers: {} },
    credentials,
    "eu-west-1",
    "sts",
    nowMs,
  );
  return { method: "POST", url: STS_URL, headers, body: "" };
}

describe("SigV4 (the emulator's own implementation)", () => {
  it("matches AWS's published example: canonical request hash, signing key, signature", () => {
    const canonical = canonicalRequest(LIST_USERS, ["content-type", "host", "x-amz-date"]);
    expect(createHash("sha256").update(canonical).digest("hex")).toBe(
      "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59",
    );
    expect(signingKey(AWS_EXAMPLE_SECRET, "20150830", "us-east-1", "iam").toString("hex")).toBe(
      "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9",
    );
    expect(
      computeSignature(AWS_EXAMPLE_SECRET, "20150830T123600Z", "us-east-1", "iam", canonical),
    ).toBe("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  });

  it("matches the get-vanilla vector of AWS's SigV4 test suite", () => {
    const request = {
      method: "GET",
      url: "https://example.amazonaws.com/",
      headers: { host: "example.amazonaws.com", "x-amz-date": "20150830T123600Z" },
    };
    const canonical = canonicalRequest(request, ["host", "x-amz-date"]);
    expect(
      computeSignature(AWS_EXAMPLE_SECRET, "20150830T123600Z", "us-east-1", "service", canonical),
    ).toBe("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  });

  it("sorts and RFC 3986-encodes the query string", () => {
    expect(canonicalQueryString("?b=2&a=x y&a=1&c=%2F")).toBe("a=1&a=x%20y&b=2&c=%2F");
  });

  it("round-trips x-amz-date", () => {
    const t = Date.UTC(2024, 0, 2, 3, 4, 5);
    expect(formatAmzDate(t)).toBe("20240102T030405Z");
    expect(parseAmzDate("20240102T030405Z")).toBe(t);
  });

  it("accepts a request google-auth-library signed (independent implementations agree)", async () => {
    const signer = new AwsRequestSigner(
      async () => ({
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        token: credentials.sessionToken,
      }),
      "eu-west-1",
    );
    const signed = await signer.getRequestOptions({ url: STS_URL, method: "POST" });
    const headers: Record<string, string> = {};
    new Headers(signed.headers as ConstructorParameters<typeof Headers>[0]).forEach(
      (value, key) => (headers[key] = value),
    );
    const check = verifySignature(
      { method: "POST", url: STS_URL, headers, body: "" },
      lookup,
      Date.now(),
    );
    expect(check).toEqual({ ok: true, accessKeyId: credentials.accessKeyId, region: "eu-west-1" });
  });

  it("accepts a fresh request signed with the right secret", () => {
    expect(verifySignature(signedGetCallerIdentity(Date.now()), lookup, Date.now()).ok).toBe(true);
  });

  it("rejects a tampered signature", () => {
    const request = signedGetCallerIdentity(Date.now());
    const tampered = request.headers.authorization.replace(/Signature=(.)/, (_, c: string) =>
      c === "0" ? "Signature=1" : "Signature=0",
    );
    const check = verifySignature(
      { ...request, headers: { ...request.headers, authorization: tampered } },
      lookup,
      Date.now(),
    );
    expect(check).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match/) });
  });

  it("rejects a signature made with another secret", () => {
    const headers = signRequest(
      { method: "POST", url: STS_URL, headers: {} },
      { ...credentials, secretAccessKey: "not-the-secret" },
      "eu-west-1",
      "sts",
      Date.now(),
    );
    const check = verifySignature({ method: "POST", url: STS_URL, headers }, lookup, Date.now());
    expect(check.ok).toBe(false);
  });

  it("rejects an x-amz-date older than 15 minutes, and accepts one just inside", () => {
    const now = Date.now();
    const old = signedGetCallerIdentity(now - 16 * 60 * 1000);
    expect(verifySignature(old, lookup, now)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/Signature expired/),
    });
    const recent = signedGetCallerIdentity(now - 14 * 60 * 1000);
    expect(verifySignature(recent, lookup, now).ok).toBe(true);
  });

  it("rejects an unknown access key", () => {
    const request = signedGetCallerIdentity(Date.now());
    expect(verifySignature(request, () => undefined, Date.now())).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/unknown access key/),
    });
  });

  it("rejects temporary credentials without their session token", () => {
    const headers = signRequest(
      { method: "POST", url: STS_URL, headers: {} },
      { ...credentials, sessionToken: undefined },
      "eu-west-1",
      "sts",
      Date.now(),
    );
    const check = verifySignature({ method: "POST", url: STS_URL, headers }, lookup, Date.now());
    expect(check).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/x-amz-security-token/),
    });
  });

  it("rejects a changed signed header (the session token swapped after signing)", () => {
    const request = signedGetCallerIdentity(Date.now());
    const swapped = {
      ...request,
      headers: { ...request.headers, "x-amz-security-token": "IQoJanother" },
    };
    expect(verifySignature(swapped, lookup, Date.now()).ok).toBe(false);
  });
});
