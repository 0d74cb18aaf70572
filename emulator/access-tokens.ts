/**
 * Opaque bearer tokens the emulator issues (STS federated tokens, service account tokens):
 * each speaks for one principal until it expires on the emulator's clock.
 */
import { randomBytes } from "node:crypto";
import type { Principal } from "./iam";

export interface IssuedToken {
  readonly token: string;
  readonly principal: Principal;
  readonly expiresAtMs: number;
  /** "sts" or "iam", for the decision log. */
  readonly issuer: "sts" | "iam";
}

export type BearerCheck =
  | { readonly ok: true; readonly issued: IssuedToken }
  | { readonly ok: false; readonly reason: string };

export class AccessTokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  issue(issuer: IssuedToken["issuer"], principal: Principal, expiresAtMs: number): IssuedToken {
    const prefix = issuer === "sts" ? "ya29.d.emulator-sts-" : "ya29.c.emulator-sa-";
    const issued = {
      token: prefix + randomBytes(24).toString("base64url"),
      principal,
      expiresAtMs,
      issuer,
    };
    this.tokens.set(issued.token, issued);
    return issued;
  }

  /** Reads `Authorization: Bearer <token>` and checks the token exists and has not expired. */
  check(authorization: string | undefined, nowMs: number): BearerCheck {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
    if (!m) return { ok: false, reason: "no bearer token in the Authorization header" };
    const issued = this.tokens.get(m[1]);
    if (!issued) return { ok: false, reason: "the bearer token was not issued by this emulator" };
    if (nowMs >= issued.expiresAtMs) {
      return {
        ok: false,
        reason: `the bearer token expired at ${new Date(issued.expiresAtMs).toISOString()}`,
      };
    }
    return { ok: true, issued };
  }
}
