/**
 * The built-in adversarial set: AWS identities that look like this stack's Lambda to a
 * careless condition, mapping or grant, and must each be denied. Every synth evaluates all of
 * them (see trust-evaluation.ts). Each carries its class, so the report shows the result per
 * class. Only identities that carry no session of the Lambda's role: a session of the role
 * itself is admitted by design (the role's trust policy decides who gets one).
 */
import {
  ADVERSARY_PARTITIONS,
  federatedUserCaller,
  iamUserCaller,
  roleSessionCaller,
  rootCaller,
  type LambdaIdentity,
} from "./aws-identities";
import type { CallerIdentity } from "./sts-admission";
import { celStringConstants } from "./cel";
import { assumedRoleArn } from "../../federation/attribute-mapping";
import { awsArn, isAwsPartition, type AwsPartition } from "../../federation/partition";

export type AdversaryClass =
  | "prefix look-alike role"
  | "suffix look-alike role"
  | "case look-alike role"
  | "same role, other account"
  | "same role, other partition"
  | "IAM user embedding assumed-role/ROLE/"
  | "federated user embedding the role"
  | "another role's session"
  | "account root"
  | "malformed or empty ARN"
  | "identity named in a mapping or condition";

export interface AdversarialIdentity {
  readonly class: AdversaryClass;
  /** One line: who this is. */
  readonly label: string;
  readonly caller: CallerIdentity;
}

/** Another 12-digit account, never equal to `accountId`. */
export function otherAccount(accountId: string): string {
  const flipped = accountId.replace(/\d/g, (d) => String((Number(d) + 1) % 10));
  return /^\d{12}$/.test(flipped) ? flipped : "999988887777";
}

/** The role name with its letters' case swapped (undefined when it has no letter). */
function swapCase(name: string): string | undefined {
  const swapped = [...name]
    .map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))
    .join("");
  return swapped === name ? undefined : swapped;
}

/** At least 20 identities, each of which must be denied. */
export function adversarialIdentities(lambda: LambdaIdentity): AdversarialIdentity[] {
  const { partition: p, accountId: account, roleName: role, functionName: fn } = lambda;
  const other = otherAccount(account);
  const out: AdversarialIdentity[] = [];
  const add = (cls: AdversaryClass, label: string, caller: CallerIdentity) =>
    out.push({ class: cls, label, caller });
  const session = (r: string) => roleSessionCaller(p, account, r, fn);

  add("prefix look-alike role", `role ${role}-other`, session(`${role}-other`));
  add("prefix look-alike role", `role ${role}x`, session(`${role}x`));
  if (role.length > 1) {
    add("prefix look-alike role", `role ${role.slice(0, -1)}`, session(role.slice(0, -1)));
  }
  // One character more, of each kind AWS allows in a role name: catches patterns such as ROLE2?.
  for (const c of ["2", "_", ".", "@", "+", "=", ","]) {
    if (`${role}${c}`.length <= 64)
      add("prefix look-alike role", `role ${role}${c}`, session(`${role}${c}`));
  }
  add("suffix look-alike role", `role other-${role}`, session(`other-${role}`));
  add("suffix look-alike role", `role x${role}`, session(`x${role}`));
  const swapped = swapCase(role);
  if (swapped) add("case look-alike role", `role ${swapped}`, session(swapped));
  const upper = role.toUpperCase();
  if (upper !== role && upper !== swapped)
    add("case look-alike role", `role ${upper}`, session(upper));

  add(
    "same role, other account",
    `role ${role} in ${other}`,
    roleSessionCaller(p, other, role, fn),
  );
  for (const q of ADVERSARY_PARTITIONS.filter((q) => q !== p)) {
    add(
      "same role, other partition",
      `role ${role} in partition ${q}`,
      roleSessionCaller(q, account, role, fn),
    );
  }

  const embedded = `/assumed-role/${role}/`;
  add(
    "IAM user embedding assumed-role/ROLE/",
    `IAM user ${fn} with path ${embedded}`,
    iamUserCaller(p, account, fn, embedded),
  );
  add(
    "IAM user embedding assumed-role/ROLE/",
    `IAM user named ${role}`,
    iamUserCaller(p, account, role),
  );
  add(
    "IAM user embedding assumed-role/ROLE/",
    `IAM user x with path /sts${embedded}`,
    iamUserCaller(p, account, "x", `/sts${embedded}`),
  );
  add(
    "federated user embedding the role",
    `federated user ${role}`,
    federatedUserCaller(p, account, role),
  );
  add(
    "federated user embedding the role",
    `federated user assumed-role/${role}/${fn}`,
    federatedUserCaller(p, account, `assumed-role/${role}/${fn}`),
  );

  add(
    "another role's session",
    `role other-role, session ${fn}`,
    roleSessionCaller(p, account, "other-role", fn),
  );
  add(
    "another role's session",
    `role other-role, session ${role}`,
    roleSessionCaller(p, account, "other-role", role),
  );
  add(
    "another role's session",
    `role assumed-role, session ${role}`,
    roleSessionCaller(p, account, "assumed-role", role),
  );
  add("account root", `root of ${account}`, rootCaller(p, account));

  const malformed = (label: string, arn: string) =>
    add("malformed or empty ARN", label, { account, arn, userid: "" });
  malformed("empty ARN", "");
  malformed(
    "the role's IAM ARN (never a caller)",
    awsArn({ partition: p, service: "iam", account, resource: `role/${role}` }),
  );
  malformed("assumed-role ARN without a session", assumedRoleArn(p, account, role));
  malformed("no arn: prefix", `assumed-role/${role}/${fn}`);
  malformed("bare role name", role);
  malformed("ARN without account", `arn:${p}:sts:::assumed-role/${role}/${fn}`);
  return out;
}

const NAMED_ARN = /arn:([\w-]+):(?:sts|iam)::(\d{12}):(?:assumed-role|role)\/([\w+=,.@-]{1,64})/g;
const NAMED_ROLE = /assumed-role\/([\w+=,.@-]{1,64})/g;
const NAMED_ACCOUNT = /(?<!\d)(\d{12})(?!\d)/g;
/** Any IAM or STS ARN of an account, whatever it names (a user, a federated user, root, ...). */
const ANY_ARN = /arn:([\w-]+):(iam|sts)::(\d{12}):([^\s'"`\\]*)/g;
/** AWS unique ids (AIDA… a user, AROA…:session a role session, ...), as assertion.userid holds them. */
const USERID = /(?<![A-Za-z0-9])A[A-Z0-9]{3}[A-Z0-9]{12,124}(?::[\w+=,.@-]*)?(?![A-Za-z0-9])/g;

/**
 * Every identity the providers' CEL names that is not the Lambda's own, each tried as an
 * adversary: sessions of every role, account and partition named, and every IAM or STS ARN
 * (a user, a federated user, root, whatever follows the account) and every unique id
 * (assertion.userid) as a caller of its own. A condition that lets in a second, explicitly named
 * role (`in [ROLE, 'admin']`), or a mapping that turns a named user into the role
 * (`assertion.arn == '<user>' ? '<role ARN>' : ...`), admits an identity no fixed list foresees,
 * so the list grows from the expressions themselves: from the text, and from the string
 * constants of the parsed CEL (however quoted or escaped, and `+` of constants folded).
 */
export function namedIdentities(
  lambda: LambdaIdentity,
  texts: readonly string[],
): AdversarialIdentity[] {
  const out: AdversarialIdentity[] = [];
  const seen = new Set<string>();
  const push = (label: string, caller: CallerIdentity) => {
    const key = `${caller.account}|${caller.arn}|${caller.userid}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ class: "identity named in a mapping or condition", label, caller });
  };
  const add = (partition: AwsPartition, account: string, role: string) => {
    const own =
      partition === lambda.partition && account === lambda.accountId && role === lambda.roleName;
    if (own) return;
    push(
      `role ${role} of ${account} (${partition})`,
      roleSessionCaller(partition, account, role, lambda.functionName),
    );
  };
  const literals = texts.flatMap((text) => [text, ...(celStringConstants(text) ?? [])]);
  const arns: { account: string; arn: string }[] = [];
  const userids = new Set<string>();
  for (const text of literals) {
    // A partition no AWS caller can come from (arn:bogus:...) names no identity to try.
    for (const m of text.matchAll(NAMED_ARN)) if (isAwsPartition(m[1])) add(m[1], m[2], m[3]);
    for (const m of text.matchAll(NAMED_ROLE)) add(lambda.partition, lambda.accountId, m[1]);
    for (const m of text.matchAll(NAMED_ACCOUNT)) add(lambda.partition, m[1], lambda.roleName);
    for (const m of text.matchAll(ANY_ARN)) {
      if (!isAwsPartition(m[1])) continue;
      arns.push({ account: m[3], arn: m[0] });
      push(`${m[0]} (named)`, { account: m[3], arn: m[0], userid: uniqueIdOf(m[0], m[3]) });
    }
    for (const m of text.matchAll(USERID)) userids.add(m[0]);
  }
  for (const userid of userids) {
    const accounts = [lambda.accountId, ...new Set(arns.map((a) => a.account))];
    for (const account of new Set(accounts)) {
      const user = iamUserCaller(lambda.partition, account, "named-unique-id");
      push(`IAM user of ${account} with unique id ${userid}`, { ...user, userid });
    }
    for (const { account, arn } of arns)
      push(`${arn} with unique id ${userid}`, { account, arn, userid });
  }
  return out;
}

/** The unique id AWS would report for a caller of this ARN (the kind of id, from its type). */
function uniqueIdOf(arn: string, account: string): string {
  const session = /:assumed-role\/[^/]+\/(.+)$/.exec(arn);
  if (session) return `AROANAMEDROLE0000000:${session[1]}`;
  const federated = /:federated-user\/(.+)$/.exec(arn);
  if (federated) return `${account}:${federated[1]}`;
  return /:root$/.test(arn) ? account : "AIDANAMEDUSER0000000";
}
