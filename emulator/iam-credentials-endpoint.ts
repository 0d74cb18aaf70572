/**
 * IAM Credentials `POST /v1/projects/-/serviceAccounts/EMAIL:generateAccessToken`: the caller
 * (an STS token) must hold iam.serviceAccounts.getAccessToken on that service account, i.e.
 * be named by a member of a roles/iam.workloadIdentityUser grant in the applied stack.
 */
import { describeGrant, describePrincipal, findGrant, PERMISSIONS } from "./iam";
import { serviceAccountResource } from "./iam-conditions";
import {
  authenticate,
  googleError,
  json,
  refuse,
  rfc3339,
  type EmulatorContext,
  type EmulatorRequest,
} from "./emulator-context";

/** Without the org policy constraints/iam.allowServiceAccountCredentialLifetimeExtension. */
const MAX_LIFETIME_SECONDS = 3600;
export const GENERATE_ACCESS_TOKEN_PATH =
  /^\/v1\/projects\/-\/serviceAccounts\/([^/:]+):generateAccessToken$/;

export function handleGenerateAccessToken(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  email: string,
) {
  const endpoint = "iam.generateAccessToken" as const;
  const caller = authenticate(
    ctx,
    endpoint,
    req,
    googleError(
      401,
      "UNAUTHENTICATED",
      "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
    ),
  );
  if ("refused" in caller) return caller.refused;
  const { principal } = caller;
  let body: { scope?: unknown; lifetime?: unknown };
  try {
    body = JSON.parse(req.body.toString("utf8") || "{}");
  } catch {
    return refuse(
      ctx,
      endpoint,
      googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received."),
      "invalid JSON",
    );
  }
  if (!Array.isArray(body.scope) || body.scope.length === 0) {
    return refuse(
      ctx,
      endpoint,
      googleError(400, "INVALID_ARGUMENT", "Scope required."),
      "no scope",
      principal,
    );
  }
  const lifetimeMatch = /^(\d+(?:\.\d+)?)s$/.exec(String(body.lifetime ?? "3600s"));
  const lifetime = lifetimeMatch ? Number(lifetimeMatch[1]) : NaN;
  if (!(lifetime > 0 && lifetime <= MAX_LIFETIME_SECONDS)) {
    return refuse(
      ctx,
      endpoint,
      googleError(
        400,
        "INVALID_ARGUMENT",
        `The lifetime ${String(body.lifetime)} is invalid: it must be between 1s and ${MAX_LIFETIME_SECONDS}s.`,
      ),
      "bad lifetime",
      principal,
    );
  }

  const account = ctx.state.serviceAccount(email);
  const denied = () =>
    googleError(
      403,
      "PERMISSION_DENIED",
      `Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).`,
      "forbidden",
    );
  if (!account || account.disabled) {
    return refuse(
      ctx,
      endpoint,
      account
        ? denied()
        : googleError(404, "NOT_FOUND", `Not found; Gaia id not found for email ${email}`),
      account ? `service account ${email} is disabled` : `no service account ${email}`,
      principal,
    );
  }
  const grant = findGrant(
    [...account.bindings, ...ctx.state.projectBindings],
    principal,
    PERMISSIONS.getAccessToken,
    serviceAccountResource(account.project, email),
  );
  if (!grant) {
    return refuse(
      ctx,
      endpoint,
      denied(),
      `no grant of roles/iam.workloadIdentityUser on ${email} names ${describePrincipal(principal)}`,
      principal,
      { serviceAccount: email, grants: account.bindings },
      "no impersonation grant",
    );
  }
  const expiresAtMs = ctx.now() + lifetime * 1000;
  const issued = ctx.tokens.issue("iam", { kind: "serviceAccount", email }, expiresAtMs);
  ctx.record({
    endpoint,
    allowed: true,
    status: 200,
    principal: describePrincipal(principal),
    reason: describeGrant(grant, email),
    detail: { serviceAccount: email, grant },
  });
  return json(200, { accessToken: issued.token, expireTime: rfc3339(expiresAtMs) });
}
