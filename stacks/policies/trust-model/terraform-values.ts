/**
 * Values the model reads that Terraform may receive as expressions: a JSON document written
 * as literal text, as an object, or as cdktf's `Fn.jsonencode(...)`, which synthesizes to the
 * Terraform expression `${jsonencode({"k" = "v", ...})}`. The literal HCL inside jsonencode is
 * parsed here (strings may hold `${...}` references, which are kept as text for the model to
 * follow); anything else (a function call, a bare reference, a for expression) cannot be known
 * at synth and is reported as unresolvable, never guessed.
 */
import type { Json } from "../terraform-json";

export class UnresolvableValue extends Error {}

/** The JSON a document value stands for, or UnresolvableValue saying why it cannot be read. */
export function jsonDocument(value: Json, what: string): Json {
  if (value !== null && typeof value === "object") return value;
  if (typeof value !== "string") {
    throw new UnresolvableValue(`${what} is ${JSON.stringify(value ?? null)}, not a JSON document`);
  }
  const text = value.trim();
  const encoded = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(text);
  if (encoded) return parseHclLiteral(encoded[1], what);
  if (
    text.startsWith("${") &&
    text.endsWith("}") &&
    closingOfInterpolation(text, 0) === text.length - 1
  ) {
    throw new UnresolvableValue(
      `${what} is the Terraform expression ${text}, known only at apply; write the document literally (JSON text, Fn.jsonencode of literals, or a data.google_iam_policy / data.aws_iam_policy_document)`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UnresolvableValue(`${what} is not valid JSON`);
  }
}

function closingOfInterpolation(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

/** Parses HCL's literal subset: objects, tuples, strings (with `${}` kept), numbers, booleans, null. */
export function parseHclLiteral(source: string, what: string): Json {
  let i = 0;
  const fail = (message: string): never => {
    throw new UnresolvableValue(
      `${what} is jsonencode() of an expression the model cannot read at synth (${message} at "${source.slice(i, i + 30)}"); use literal values only`,
    );
  };
  const space = () => {
    while (i < source.length && /\s/.test(source[i])) i++;
  };
  const string = (): string => {
    let out = "";
    i++; // opening quote
    while (i < source.length && source[i] !== '"') {
      if (source[i] === "\\") {
        const next = source[i + 1];
        const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };
        if (next === "u") {
          out += String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        if (!(next in escapes)) fail(`the escape \\${next}`);
        out += escapes[next];
        i += 2;
      } else if (source.startsWith("${", i) || source.startsWith("%{", i)) {
        if (source[i] === "%") fail("a template directive");
        const end = closingOfInterpolation(source, i + 1);
        if (end < 0) fail("an unterminated interpolation");
        out += source.slice(i, end + 1);
        i = end + 1;
      } else {
        out += source[i++];
      }
    }
    if (source[i] !== '"') fail("an unterminated string");
    i++;
    return out;
  };
  const value = (): Json => {
    space();
    const c = source[i];
    if (c === "{") {
      i++;
      const obj: Record<string, Json> = {};
      for (;;) {
        space();
        if (source[i] === "}") {
          i++;
          return obj;
        }
        let key: string;
        if (source[i] === '"') key = string();
        else {
          const m = /^[A-Za-z_][\w-]*/.exec(source.slice(i));
          if (!m) return fail("an object key");
          key = m[0];
          i += key.length;
        }
        space();
        if (source[i] !== "=" && source[i] !== ":") fail("a missing = after an object key");
        i++;
        obj[key] = value();
        space();
        if (source[i] === ",") i++;
      }
    }
    if (c === "[") {
      i++;
      const list: Json[] = [];
      for (;;) {
        space();
        if (source[i] === "]") {
          i++;
          return list;
        }
        list.push(value());
        space();
        if (source[i] === ",") i++;
        else if (source[i] !== "]") fail("a tuple element that is not a literal");
      }
    }
    if (c === '"') return string();
    const word = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)(?![\w.(])/.exec(source.slice(i));
    if (!word) return fail("a reference, function call or operator");
    i += word[0].length;
    return JSON.parse(word[0]);
  };
  const result = value();
  space();
  if (i !== source.length) fail("text after the value");
  return result;
}
