/**
 * CEL as Google STS evaluates it for attribute mappings and conditions (used at synth by the
 * trust model and at run time by the emulator's STS): the standard
 * language from @bufbuild/cel (string `.contains()`, `in`, `&&`, `?:` are built in) plus
 * Google's `extract()` string method, registered as a custom method.
 */
import {
  celEnv,
  celMethod,
  CelScalar,
  isCelError,
  parse,
  plan,
  type CelValue,
} from "@bufbuild/cel";

/**
 * `'text'.extract('prefix{name}suffix')`: the text after the first `prefix`, up to the next
 * `suffix` (to the end when the suffix is empty); the empty string when either is not found.
 */
export function extractTemplate(text: string, template: string): string {
  const open = template.indexOf("{");
  const close = template.indexOf("}", open);
  if (open < 0 || close < 0) {
    throw new Error(`extract() template "${template}" needs one {name} placeholder`);
  }
  const prefix = template.slice(0, open);
  const suffix = template.slice(close + 1);
  const at = text.indexOf(prefix);
  if (at < 0) return "";
  const start = at + prefix.length;
  if (suffix === "") return text.slice(start);
  const end = text.indexOf(suffix, start);
  return end < 0 ? "" : text.slice(start, end);
}

const extract = celMethod(
  "extract",
  CelScalar.STRING,
  [CelScalar.STRING],
  CelScalar.STRING,
  function (template) {
    return extractTemplate(this, template);
  },
);

const env = celEnv({ funcs: [extract] });

export type CelBindings = Record<string, Record<string, string>>;

export type CelOutcome =
  { readonly ok: true; readonly value: CelValue } | { readonly ok: false; readonly error: string };

/** Compiled expressions, keyed by text: a stack has a handful and each is used per request. */
const compiled = new Map<string, (bindings: CelBindings) => CelOutcome>();

function compile(expression: string): (bindings: CelBindings) => CelOutcome {
  let program = compiled.get(expression);
  if (!program) {
    let run: ReturnType<typeof plan>;
    try {
      run = plan(env, parse(withEnd(expression)));
    } catch (err) {
      const message = `CEL expression does not parse: ${(err as Error).message} in "${expression}"`;
      program = () => ({ ok: false, error: message });
      compiled.set(expression, program);
      return program;
    }
    program = (bindings) => {
      const value = run(bindings);
      return isCelError(value)
        ? { ok: false, error: `${value.message} (in "${expression}")` }
        : { ok: true, value };
    };
    compiled.set(expression, program);
  }
  return program;
}

/**
 * Outcomes per expression and bindings. CEL here is pure (no clock, no randomness; extract()
 * is a pure function), so the same expression over the same bindings has one outcome; the
 * model asks it again for every stack of a run with the same identities (the adversaries are
 * derived from the config). Bounded like the other caches.
 */
const outcomes = new Map<string, CelOutcome>();
const REMEMBERED_OUTCOMES = 4096;
const UNDEFINED = { undefined: "\0" };

export function evaluateCel(expression: string, bindings: CelBindings): CelOutcome {
  // Undefined kept apart from absent: CEL may read the two differently.
  const key = `${expression}\0${JSON.stringify(bindings, (_, v: unknown) => (v === undefined ? UNDEFINED : v))}`;
  let outcome = outcomes.get(key);
  if (!outcome) {
    outcome = compile(expression)(bindings);
    if (outcomes.size >= REMEMBERED_OUTCOMES) outcomes.clear();
    outcomes.set(key, outcome);
  }
  return outcome;
}

type ParsedNode = Record<string, unknown>;

/**
 * The expression with a line end after it: CEL lets a `//` comment end the text, which
 * @bufbuild/cel 0.6 refuses without a newline; Google accepts it, so the model must read it too.
 */
function withEnd(expression: string): string {
  return `${expression}\n`;
}

/** The parsed expression tree, or undefined when it does not parse. */
function parsedTree(expression: string): ParsedNode | undefined {
  try {
    return parse(withEnd(expression)).expr as unknown as ParsedNode;
  } catch {
    return undefined;
  }
}

/**
 * The expression's meaning as its syntax tree, without node ids or source positions: two
 * spellings that differ only in whitespace, comments, quoting or parentheses compare equal,
 * any other difference does not. Undefined when the expression does not parse.
 */
export function canonicalCel(expression: string): string | undefined {
  return remembered(canonicalForms, expression, canonicalFormOf);
}

/**
 * Results per expression text: a stack has a handful of expressions and the model asks about
 * each many times (every mapping key against two accepted mappings, every adversary's
 * constants), and parsing is most of the model's CPU. Bounded, so a long run (a property test
 * over random expressions) cannot grow it without end.
 */
const canonicalForms = new Map<string, string | undefined>();
const stringConstants = new Map<string, readonly string[] | undefined>();
const REMEMBERED_PER_KIND = 512;

function remembered<T>(cache: Map<string, T>, expression: string, compute: (e: string) => T): T {
  if (cache.has(expression)) return cache.get(expression) as T;
  const value = compute(expression);
  if (cache.size >= REMEMBERED_PER_KIND) cache.clear();
  cache.set(expression, value);
  return value;
}

function canonicalFormOf(expression: string): string | undefined {
  const tree = parsedTree(expression);
  if (!tree) return undefined;
  return JSON.stringify(tree, (key, value: unknown) =>
    key === "id" || key === "$typeName"
      ? undefined
      : typeof value === "bigint"
        ? `${value}n`
        : value instanceof Uint8Array
          ? `bytes:${Buffer.from(value).toString("hex")}`
          : value,
  );
}

/**
 * Every string constant of the expression, however it is quoted or escaped, and every `+` of
 * constants folded into one string; undefined when it does not parse. These are the identities a mapping or condition can name.
 */
export function celStringConstants(expression: string): string[] | undefined {
  const found = remembered(stringConstants, expression, stringConstantsOf);
  return found && [...found];
}

function stringConstantsOf(expression: string): readonly string[] | undefined {
  const tree = parsedTree(expression);
  if (!tree) return undefined;
  const out: string[] = [];
  /** The string an Expr node is made of constants only ('a' + 'b'), or undefined. */
  const folded = (node: unknown): string | undefined => {
    const kind = (node as ParsedNode | undefined)?.exprKind as
      { case?: string; value?: ParsedNode } | undefined;
    if (kind?.case === "constExpr") {
      const c = kind.value?.constantKind as { case?: string; value?: unknown } | undefined;
      return c?.case === "stringValue" && typeof c.value === "string" ? c.value : undefined;
    }
    if (kind?.case === "callExpr" && kind.value?.function === "_+_") {
      const [a, b] = (kind.value.args as unknown[]) ?? [];
      const left = folded(a);
      const right = left === undefined ? undefined : folded(b);
      return right === undefined ? undefined : left! + right;
    }
    return undefined;
  };
  const walk = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    const n = node as ParsedNode;
    const value = n.exprKind ? folded(n) : undefined;
    if (value !== undefined) out.push(value);
    for (const v of Object.values(n)) walk(v);
  };
  walk(tree);
  return [...new Set(out)];
}
