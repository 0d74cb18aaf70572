/**
 * The one IAM condition the trust model proves: an object prefix on the archive bucket. Every
 * other expression (however close it reads) is the whole bucket; each attack is kept here.
 */
import {
  objectPrefixOf,
  prefixesOverlap,
} from "../../../stacks/policies/trust-model/object-prefix-condition";

const BUCKET = "archive";
const OBJECTS = `projects/_/buckets/${BUCKET}/objects/`;

describe("objectPrefixOf", () => {
  it("reads the prefix of resource.name.startsWith on this bucket's objects", () => {
    expect(objectPrefixOf(`resource.name.startsWith("${OBJECTS}orders/")`, BUCKET)).toBe("orders/");
    expect(objectPrefixOf(`resource.name.startsWith('${OBJECTS}a/b/')`, BUCKET)).toBe("a/b/");
  });

  it("reads an empty prefix as the whole bucket (it overlaps every prefix)", () => {
    const prefix = objectPrefixOf(`resource.name.startsWith("${OBJECTS}")`, BUCKET)!;
    expect(prefix).toBe("");
    expect(prefixesOverlap(prefix, "orders/")).toBe(true);
  });

  it.each([
    ["no condition", undefined],
    [
      "a disjunction that admits everything",
      `resource.name.startsWith("${OBJECTS}orders/") || true`,
    ],
    [
      "a conjunction (not proved narrower)",
      `resource.name.startsWith("${OBJECTS}orders/") && true`,
    ],
    ["a negation", `!resource.name.startsWith("${OBJECTS}orders/")`],
    ["endsWith", `resource.name.endsWith("${OBJECTS}orders/")`],
    ["another attribute", `resource.type.startsWith("${OBJECTS}orders/")`],
    ["another variable", `request.name.startsWith("${OBJECTS}orders/")`],
    ["another bucket", `resource.name.startsWith("projects/_/buckets/other/objects/orders/")`],
    [
      "a bucket sharing the name's start",
      `resource.name.startsWith("projects/_/buckets/${BUCKET}-2/objects/o/")`,
    ],
    [
      "a prefix that stops before objects/",
      `resource.name.startsWith("projects/_/buckets/${BUCKET}/")`,
    ],
    ["a non-literal argument", `resource.name.startsWith(resource.name)`],
    ["a concatenation", `resource.name.startsWith("${OBJECTS}" + "orders/")`],
    ["two arguments", `resource.name.startsWith("${OBJECTS}orders/", "x")`],
    ["a matches() regular expression", `resource.name.matches("^${OBJECTS}orders/.*")`],
    ["text that does not parse", `resource.name.startsWith(`],
  ])("reads %s as the whole bucket", (_what, expression) => {
    expect(objectPrefixOf(expression, BUCKET)).toBeUndefined();
  });
});

describe("prefixesOverlap", () => {
  it("finds overlap when one prefix starts with the other, and none between siblings", () => {
    expect(prefixesOverlap("payments/", "payments/raw/")).toBe(true);
    expect(prefixesOverlap("payments/raw/", "payments/")).toBe(true);
    expect(prefixesOverlap("orders/", "orders-eu/")).toBe(false);
    expect(prefixesOverlap("orders/", "audit/")).toBe(false);
  });
});
