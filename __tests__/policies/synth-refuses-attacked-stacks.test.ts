/**
 * Issue 10's done-when, end to end: for a representative of every class of unsafe change (and
 * every bypass found by attacking the guard), a real synth in a child process fails, naming the
 * Terraform address, the rule and the fix. One child synthesizes every attacked stack, each in
 * its own App, so the whole set costs one process start.
 */
import { ATTACKS } from "./attacks/attacks";
import { refusalLine, synthAttacksInChild } from "./attacks/child-synth";

const child = synthAttacksInChild(Object.keys(ATTACKS));

describe("a real synth of an attacked stack", () => {
  it("exits 1", () => {
    expect(child.status).toBe(1);
  });

  it.each(Object.entries(ATTACKS))("refuses: %s", (name, attack) => {
    const { exit, message } = child.outcome(name);
    expect(exit).toBe(1);
    expect(message).toMatch(refusalLine(attack));
  });
});
