/**
 * Reads a config file's JSON strictly: JSON.parse keeps the last of two equal keys without a
 * word (a second "accountId" would silently win), so the text is parsed into a syntax tree with
 * source positions (momoa) and every repeated key is reported with its line. A UTF-8 byte order
 * mark, which some Windows editors write, is accepted.
 */
import { parse, type AnyNode, type ValueNode } from "@humanwhocodes/momoa";

export interface JsonProblem {
  /** Dotted path of the object holding the problem, e.g. "aws" ("" for the root). */
  readonly field: string;
  /** The repeated key's value (the one JSON.parse would have kept), for a duplicate. */
  readonly value?: unknown;
  /** 1-based line of the problem in the file. */
  readonly line: number;
  readonly message: string;
}

export type JsonReadResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problems: readonly JsonProblem[] };

const BYTE_ORDER_MARK = "\uFEFF";

/**
 * Deepest nesting of objects and arrays a config may have. The deepest real config (RECORDs
 * nested 15 levels, each an object and a "fields" array) needs about 40; far deeper input would
 * overflow the parser's and the validator's stacks instead of getting a message.
 */
export const MAX_JSON_NESTING = 100;

/** The line where nesting first passes `max`, or undefined (strings skipped, escapes honoured). */
function lineBeyondNesting(text: string, max: number): number | undefined {
  let depth = 0;
  let line = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (++depth > max) return line;
    } else if (c === "}" || c === "]") depth--;
  }
  return undefined;
}

/** Parses `text` as JSON, refusing duplicate keys; a leading BOM is skipped. */
export function readStrictJson(text: string): JsonReadResult {
  const body = text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
  const tooDeep = lineBeyondNesting(body, MAX_JSON_NESTING);
  if (tooDeep !== undefined) {
    return {
      ok: false,
      problems: [
        {
          field: "",
          line: tooDeep,
          message: `objects and arrays nest more than ${MAX_JSON_NESTING} levels deep; a config needs far fewer (BigQuery RECORDs nest at most 15): flatten it`,
        },
      ],
    };
  }
  let document;
  try {
    document = parse(body, { mode: "json" });
  } catch (err) {
    const { line, message } = syntaxError(err);
    return {
      ok: false,
      problems: [{ field: "", line, message: `not valid JSON (${message}); fix the syntax` }],
    };
  }
  const problems: JsonProblem[] = [];
  const value = toValue(document.body, [], problems);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}

function syntaxError(err: unknown): { line: number; message: string } {
  const e = err as { message?: string; line?: number };
  return { line: typeof e.line === "number" ? e.line : 1, message: e.message ?? String(err) };
}

function formatPath(parts: readonly (string | number)[]): string {
  return parts
    .map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${part}`))
    .join("");
}

/** The JavaScript value of a node; repeated keys are recorded in `problems`. */
function toValue(node: ValueNode, at: (string | number)[], problems: JsonProblem[]): unknown {
  switch (node.type) {
    case "Object": {
      // Own, plain properties only: a key "__proto__" must stay data, not become a prototype.
      const out: Record<string, unknown> = {};
      const firstLine = new Map<string, number>();
      for (const member of node.members) {
        const key = keyOf(member.name);
        const line = member.name.loc.start.line;
        const earlier = firstLine.get(key);
        if (earlier !== undefined) {
          problems.push({
            field: formatPath([...at, key]),
            value: toValue(member.value, [...at, key], []),
            line,
            message: `duplicate key "${key}" on line ${line} (first on line ${earlier}); JSON keeps only one, so remove the one you do not mean`,
          });
          continue;
        }
        firstLine.set(key, line);
        Object.defineProperty(out, key, {
          value: toValue(member.value, [...at, key], problems),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case "Array":
      return node.elements.map((element, i) => toValue(element.value, [...at, i], problems));
    case "String":
    case "Number":
    case "Boolean":
      return node.value;
    case "Null":
      return null;
    default:
      // json mode admits no other node (no NaN, Infinity or identifiers).
      throw new Error(`unexpected JSON node ${(node as AnyNode).type}`);
  }
}

function keyOf(name: AnyNode): string {
  if (name.type === "String" || name.type === "Identifier")
    return name.type === "String" ? name.value : name.name;
  throw new Error(`unexpected JSON key node ${name.type}`);
}
