/**
 * Secret forms a log line could carry, each as it appears in the wild: in plain text, in
 * JSON, in the AWS subject token's header list, URL-encoded in the STS form body. `secrets`
 * are the parts that must never reach a log line. Shared by the redaction tests and the scan
 * of every log line of the hostile-record runs.
 */

export interface SecretSample {
  readonly form: string;
  readonly text: string;
  readonly secrets: readonly string[];
}

const SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
const SESSION_TOKEN =
  "IQoJb3JpZ2luX2VjEJr//////////wEaCWV1LXdlc3QtMSJHMEUCIQDexampleSessionToken0123456789abcdef";
const SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const ACCESS_KEY = "ASIAIOSFODNN7EXAMPLE";
const GOOGLE_TOKEN = "ya29.a0AfB_byC-example-google-access-token_0123456789";
const REFRESH_TOKEN = "1//0gExampleRefreshTokenValue-0123456789abcdefABCDEF";
const JWT =
  "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.eyJpc3MiOiJodHRwczovL2FjY291bnRzLmdvb2dsZS5jb20ifQ.c2lnbmF0dXJlLWJ5dGVz";
const PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7exampleKeyMaterial";
const CLIENT_SECRET = "GOCSPX-example_client_secret_0123";
const OPAQUE_SECRET = "opaque-secret-value-42";

const subjectToken = JSON.stringify({
  url: "https://sts.eu-west-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
  method: "POST",
  headers: [
    {
      key: "Authorization",
      value: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260517/eu-west-1/sts/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=${SIGNATURE}`,
    },
    { key: "host", value: "sts.eu-west-1.amazonaws.com" },
    { key: "x-amz-date", value: "20260517T100000Z" },
    { key: "x-amz-security-token", value: SESSION_TOKEN },
  ],
});

export const SECRET_CORPUS: readonly SecretSample[] = [
  {
    form: "SigV4 Authorization header with Signature=",
    text: `Authorization: AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260517/eu-west-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=${SIGNATURE}`,
    secrets: [SIGNATURE, ACCESS_KEY],
  },
  {
    form: "presigned URL with X-Amz-Signature and X-Amz-Security-Token",
    text: `GET https://bucket.s3.amazonaws.com/k?X-Amz-Credential=${ACCESS_KEY}%2F20260517&X-Amz-Security-Token=${encodeURIComponent(SESSION_TOKEN)}&X-Amz-Signature=${SIGNATURE} failed`,
    secrets: [SIGNATURE, SESSION_TOKEN, encodeURIComponent(SESSION_TOKEN), ACCESS_KEY],
  },
  {
    form: "x-amz-security-token in the subject token's header array (JSON)",
    text: `subject token ${subjectToken}`,
    secrets: [SESSION_TOKEN, SIGNATURE, ACCESS_KEY],
  },
  {
    form: "x-amz-security-token in the header array, escaped inside a JSON string",
    text: JSON.stringify({ error: `request was ${subjectToken}` }),
    secrets: [SESSION_TOKEN, SIGNATURE, ACCESS_KEY],
  },
  {
    form: "x-amz-security-token in the header array, URL-encoded in the STS form body",
    text: `grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=${encodeURIComponent(subjectToken)}&scope=x`,
    secrets: [SESSION_TOKEN, encodeURIComponent(SESSION_TOKEN), SIGNATURE, ACCESS_KEY],
  },
  {
    form: "x-amz-security-token as a header object",
    text: `headers: {"X-Amz-Security-Token": "${SESSION_TOKEN}", "host": "sts.amazonaws.com"}`,
    secrets: [SESSION_TOKEN],
  },
  {
    form: "x-amz-security-token header line",
    text: `x-amz-security-token: ${SESSION_TOKEN}`,
    secrets: [SESSION_TOKEN],
  },
  {
    form: "AWS access key id and secret access key, bare",
    text: `credentials ${ACCESS_KEY} ${SECRET_KEY} were rejected`,
    secrets: [ACCESS_KEY, SECRET_KEY],
  },
  {
    form: "AWS secret access key by name",
    text: `aws_secret_access_key = ${SECRET_KEY}`,
    secrets: [SECRET_KEY],
  },
  {
    form: "AWS_SESSION_TOKEN= in an environment dump",
    text: `AWS_SESSION_TOKEN=${SESSION_TOKEN} AWS_REGION=eu-west-1`,
    secrets: [SESSION_TOKEN],
  },
  {
    form: "AWS_SESSION_TOKEN= with an opaque value",
    text: `env: AWS_SESSION_TOKEN=${OPAQUE_SECRET}`,
    secrets: [OPAQUE_SECRET],
  },
  {
    form: "Google access token (ya29.)",
    text: `using token ${GOOGLE_TOKEN} for insertAll`,
    secrets: [GOOGLE_TOKEN],
  },
  {
    form: "Google access token in an STS JSON answer",
    text: `{"access_token":"${GOOGLE_TOKEN}","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3599}`,
    secrets: [GOOGLE_TOKEN],
  },
  {
    form: "refresh token (1//) bare",
    text: `stored ${REFRESH_TOKEN}`,
    secrets: [REFRESH_TOKEN],
  },
  {
    form: "refresh_token= in a form body",
    text: `grant_type=refresh_token&refresh_token=${OPAQUE_SECRET}&client_id=x`,
    secrets: [OPAQUE_SECRET],
  },
  {
    form: "id token (JWT) bare and by name",
    text: `id_token: ${JWT} and ${JWT}`,
    secrets: [JWT, JWT.split(".")[1], JWT.split(".")[2]],
  },
  {
    form: "PEM private key",
    text: `key: -----BEGIN PRIVATE KEY-----\n${PEM_BODY}\n-----END PRIVATE KEY-----\n`,
    secrets: [PEM_BODY],
  },
  {
    form: "PEM RSA private key, JSON-escaped and cut off",
    text: JSON.stringify({
      private_key_id: "x",
      note: `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}`,
    }),
    secrets: [PEM_BODY],
  },
  {
    form: "client_secret= in a form body and a Google client secret",
    text: `client_id=123.apps.googleusercontent.com&client_secret=${OPAQUE_SECRET}; secret ${CLIENT_SECRET}`,
    secrets: [OPAQUE_SECRET, CLIENT_SECRET],
  },
  {
    form: "client_secret in JSON",
    text: `{"client_secret": "${OPAQUE_SECRET}"}`,
    secrets: [OPAQUE_SECRET],
  },
  {
    form: "Google API key in a URL",
    text: "GET https://bigquery.googleapis.com/bigquery/v2/projects?key=AIzaSyDexampleExampleExampleExample1234 failed",
    secrets: ["AIzaSyDexampleExampleExampleExample1234"],
  },
  {
    form: "Authorization: Bearer header",
    text: `request headers Authorization: Bearer ${OPAQUE_SECRET}`,
    secrets: [OPAQUE_SECRET],
  },
  {
    form: "authorization header object with a Bearer token",
    text: `{"authorization":"Bearer ${GOOGLE_TOKEN}"}`,
    secrets: [GOOGLE_TOKEN],
  },
];

/** Every secret string of the corpus. */
export const ALL_SECRETS: readonly string[] = [
  ...new Set(SECRET_CORPUS.flatMap((sample) => sample.secrets)),
];
