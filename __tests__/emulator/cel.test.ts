import { evaluateCel, extractTemplate } from "../../emulator/cel";
import {
  awsAttributeCondition,
  awsAttributeMapping,
} from "../../stacks/federation/attribute-mapping";

const ACCOUNT = "111122223333";
const ROLE = "wif-bridge-example-exec";
const condition = awsAttributeCondition("aws", ACCOUNT, [ROLE]);

function mapped(arn: string, account: string): Record<string, string> {
  const assertion = { arn, account, userid: "AROAEXAMPLE:session" };
  const out: Record<string, string> = {};
  for (const [target, expression] of Object.entries(awsAttributeMapping())) {
    const result = evaluateCel(expression, { assertion });
    if (!result.ok) throw new Error(result.error);
    out[target] = result.value as string;
  }
  return out;
}

function admitted(arn: string, account: string): boolean {
  const m = mapped(arn, account);
  const attribute = Object.fromEntries(
    Object.entries(m)
      .filter(([k]) => k.startsWith("attribute."))
      .map(([k, v]) => [k.slice(10), v]),
  );
  const result = evaluateCel(condition, {
    assertion: { arn, account, userid: "x" },
    google: { subject: m["google.subject"] },
    attribute,
  });
  return result.ok && result.value === true;
}

const session = (account: string, role: string) =>
  `arn:aws:sts::${account}:assumed-role/${role}/wif-bridge-example`;

describe("extract() (Google's CEL extension)", () => {
  it("takes the text between prefix and suffix", () => {
    expect(extractTemplate(session(ACCOUNT, ROLE), "assumed-role/{role_name}/")).toBe(ROLE);
  });
  it("takes everything before the suffix when the prefix is empty", () => {
    expect(extractTemplate(session(ACCOUNT, ROLE), "{account_arn}assumed-role/")).toBe(
      `arn:aws:sts::${ACCOUNT}:`,
    );
  });
  it("takes the rest when the suffix is empty", () => {
    expect(extractTemplate("projects/123/x", "projects/{n}")).toBe("123/x");
  });
  it("is empty when the prefix or the suffix is missing", () => {
    expect(extractTemplate("arn:aws:iam::1:user/bob", "assumed-role/{r}/")).toBe("");
    expect(extractTemplate("a/assumed-role/role-without-session", "assumed-role/{r}/")).toBe("");
  });
  it("is callable as a string method inside CEL", () => {
    expect(evaluateCel("'a-b-c'.extract('-{x}-')", {})).toEqual({ ok: true, value: "b" });
  });
});

describe("the stack's attribute mapping, evaluated as CEL", () => {
  it("maps a Lambda role session to its assumed-role ARN without the session name", () => {
    expect(mapped(session(ACCOUNT, ROLE), ACCOUNT)).toEqual({
      "google.subject": session(ACCOUNT, ROLE),
      "attribute.aws_account": ACCOUNT,
      "attribute.aws_role": `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}`,
    });
  });
  it("keeps an IAM user's ARN as it is (string contains() is built in)", () => {
    const arn = `arn:aws:iam::${ACCOUNT}:user/${ROLE}`;
    expect(mapped(arn, ACCOUNT)["attribute.aws_role"]).toBe(arn);
  });
});

describe("the stack's attribute condition, evaluated as CEL", () => {
  it("admits the configured role in the configured account", () => {
    expect(admitted(session(ACCOUNT, ROLE), ACCOUNT)).toBe(true);
  });
  it("refuses the same role name in another account", () => {
    expect(admitted(session("444455556666", ROLE), "444455556666")).toBe(false);
  });
  it("refuses a role whose name has the configured name as prefix", () => {
    expect(admitted(session(ACCOUNT, `${ROLE}-other`), ACCOUNT)).toBe(false);
  });
  it("refuses a role whose name has the configured name as suffix", () => {
    expect(admitted(session(ACCOUNT, `other-${ROLE}`), ACCOUNT)).toBe(false);
  });
  it("refuses an IAM user named like the role", () => {
    expect(admitted(`arn:aws:iam::${ACCOUNT}:user/${ROLE}`, ACCOUNT)).toBe(false);
  });
  it("admits each role of a multi-role condition and no other", () => {
    const two = awsAttributeCondition("aws", ACCOUNT, [ROLE, "second"]);
    const attrs = (role: string) => ({
      attribute: { aws_account: ACCOUNT, aws_role: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}` },
    });
    expect(evaluateCel(two, attrs("second"))).toEqual({ ok: true, value: true });
    expect(evaluateCel(two, attrs("third"))).toEqual({ ok: true, value: false });
  });
  it("reports an error, not a value, for an attribute the mapping did not set", () => {
    const result = evaluateCel("attribute.missing == 'x'", { attribute: {} });
    expect(result.ok).toBe(false);
  });
  it("reports a syntax error with the expression", () => {
    expect(evaluateCel("attribute.aws_role ==", {})).toMatchObject({
      ok: false,
      error: expect.stringContaining("does not parse"),
    });
  });
});

describe("remembered outcomes (evaluateCel keeps one outcome per expression and bindings)", () => {
  it("answers each binding by its own values, asked in any order and again", () => {
    const expr = "assertion.arn == 'arn:a' ? 'yes' : 'no'";
    const a = { assertion: { arn: "arn:a" } };
    const b = { assertion: { arn: "arn:b" } };
    for (let round = 0; round < 2; round++) {
      expect(evaluateCel(expr, b)).toEqual({ ok: true, value: "no" });
      expect(evaluateCel(expr, a)).toEqual({ ok: true, value: "yes" });
    }
  });

  it("keeps an absent field apart from one set to undefined or to the text 'undefined'", () => {
    const expr = "has(assertion.x) ? 'present' : 'absent'";
    const absent = evaluateCel(expr, { assertion: {} });
    const text = evaluateCel(expr, { assertion: { x: "undefined" } });
    expect(absent).toEqual({ ok: true, value: "absent" });
    expect(text).toEqual({ ok: true, value: "present" });
    const undefinedField = evaluateCel(expr, {
      assertion: { x: undefined as unknown as string },
    });
    // Whatever CEL makes of it, it is asked, not read from the absent field's answer.
    expect(undefinedField).toEqual(
      evaluateCel(`${expr} `, { assertion: { x: undefined as unknown as string } }),
    );
  });
});
