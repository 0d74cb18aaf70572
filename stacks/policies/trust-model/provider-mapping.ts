/**
 * An AWS provider's attribute mapping is the bridge's (awsAttributeMapping) or Google's default,
 * nothing else: a mapping decides which identity attribute.aws_role names, so one rewritten to
 * steer it (`assertion.arn == '<a user>' ? '<the role>' : ...`) turns another caller into the
 * Lambda while the condition still reads right. Compared by meaning: each expression's parsed
 * syntax tree, so whitespace, comments, quoting and parentheses do not matter and any other
 * difference does.
 */
import {
  awsAttributeMapping,
  GOOGLE_DEFAULT_AWS_MAPPING,
} from "../../federation/attribute-mapping";
import { canonicalCel } from "./cel";

const ACCEPTED: readonly { name: string; mapping: Readonly<Record<string, string>> }[] = [
  { name: "the bridge's mapping (awsAttributeMapping)", mapping: awsAttributeMapping() },
  { name: "Google's default AWS mapping", mapping: GOOGLE_DEFAULT_AWS_MAPPING },
];

/** Why the mapping is neither accepted mapping, or undefined when it means one of them. */
export function mappingDeviation(mapping: Readonly<Record<string, string>>): string | undefined {
  const problems = ACCEPTED.map(({ name, mapping: expected }) => {
    const differences: string[] = [];
    for (const key of Object.keys(mapping)) {
      if (!(key in expected)) differences.push(`it sets ${key}, which ${name} does not`);
    }
    for (const [key, expression] of Object.entries(expected)) {
      const actual = mapping[key];
      if (actual === undefined) differences.push(`it does not set ${key}`);
      else if (canonicalCel(actual) === undefined)
        differences.push(`its ${key} ${JSON.stringify(actual)} is not valid CEL`);
      else if (canonicalCel(actual) !== canonicalCel(expression))
        differences.push(
          `its ${key} is ${JSON.stringify(actual)}, not ${JSON.stringify(expression)}`,
        );
    }
    return { name, differences };
  });
  if (problems.some((p) => p.differences.length === 0)) return undefined;
  const closest = [...problems].sort((a, b) => a.differences.length - b.differences.length)[0];
  return `its attribute mapping is neither ${ACCEPTED.map((a) => a.name).join(" nor ")}: compared with ${closest.name}, ${closest.differences.join("; ")}. A mapping decides which identity attribute.aws_role names, so any other mapping can let another caller pass as the Lambda's role`;
}
