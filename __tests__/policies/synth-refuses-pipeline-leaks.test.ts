/**
 * Issue 14's done-when, end to end: removing any one isolation measure between pipelines (the
 * table grant widened to the dataset, a provider condition listing another account's role, a
 * service account shared by two pipelines) makes a real synth in a child process fail, naming
 * the Terraform address, the rule and the fix. One child synthesizes every attacked stack, each
 * in its own App (the unattacked platform stack synthesizing is environments.test.ts's).
 */
import { ISOLATION_ATTACKS } from "./attacks/isolation-attacks";
import { refusalLine, synthAttacksInChild } from "./attacks/child-synth";

const child = synthAttacksInChild(Object.keys(ISOLATION_ATTACKS));

describe("a real synth of the platform stack with one isolation measure removed", () => {
  it.each(Object.entries(ISOLATION_ATTACKS))("refuses: %s", (name, attack) => {
    const { exit, message } = child.outcome(name);
    expect(exit).toBe(1);
    expect(message).toMatch(refusalLine(attack));
  });
});
