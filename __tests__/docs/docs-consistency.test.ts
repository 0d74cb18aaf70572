import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../helpers/synth";
import { anchor } from "./markdown";
import { z } from "zod";
import { bridgeConfigSchema } from "../../stacks/config";
import { LAMBDA_ENV } from "../../stacks/federation/lambda-environment";
import { SECURITY_RULES, SUPPRESSION_RULE } from "../../stacks/policies/pack";

const DOCS = path.join(PROJECT_ROOT, "docs");
const PAGES = [
  path.join(PROJECT_ROOT, "README.md"),
  ...fs
    .readdirSync(DOCS)
    .filter((f) => f.endsWith(".md"))
    .map((f) => path.join(DOCS, f)),
];
const read = (file: string) => fs.readFileSync(file, "utf8");
/** The page without its fenced code blocks (a `#` there is a shell comment, not a heading). */
const withoutFences = (text: string) => text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
/** ... and without code spans (`](x)` inside one is no link). */
const prose = (text: string) => withoutFences(text).replace(/`[^`\n]*`/g, "``");

function anchorsOf(file: string): Set<string> {
  return new Set(
    [...withoutFences(read(file)).matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchor(m[1])),
  );
}

/** Every Markdown link target of a page that is not a URL. */
function relativeLinks(file: string): string[] {
  return [...prose(read(file)).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z]+:/i.test(target));
}

describe("docs/ and README.md", () => {
  it.each(PAGES.map((p) => [path.relative(PROJECT_ROOT, p), p]))(
    "%s: every relative link and #anchor resolves",
    (_name, page) => {
      const broken: string[] = [];
      for (const link of relativeLinks(page)) {
        const [target, hash] = link.split("#");
        const file = target ? path.resolve(path.dirname(page), target) : page;
        if (!fs.existsSync(file))
          broken.push(`${link}: no file ${path.relative(PROJECT_ROOT, file)}`);
        else if (hash !== undefined && file.endsWith(".md") && !anchorsOf(file).has(hash)) {
          broken.push(`${link}: no heading with anchor #${hash}`);
        }
      }
      expect(broken).toEqual([]);
    },
  );

  it("the docs index lists every page in docs/", () => {
    const index = read(path.join(DOCS, "README.md"));
    const pages = fs.readdirSync(DOCS).filter((f) => f.endsWith(".md") && f !== "README.md");
    expect(pages.filter((p) => !index.includes(`](${p})`))).toEqual([]);
  });

  it("no page points to a README section that moved to docs/", () => {
    const stale = PAGES.flatMap((p) =>
      [...read(p).matchAll(/the README's [^.\n]*|\(README, "[^"]*"\)/g)].map(
        (m) => `${path.relative(PROJECT_ROOT, p)}: ${m[0]}`,
      ),
    );
    expect(stale).toEqual([]);
  });
});

describe("docs/reviewing-a-change.md rule table", () => {
  const page = read(path.join(DOCS, "reviewing-a-change.md"));
  const rows = [...page.matchAll(/^\|\s*([A-Z]+\d+)\s*\|\s*(\w+)\s*\|\s*(yes|no)\s*\|/gm)].map(
    (m) => ({ id: m[1], level: m[2], suppressible: m[3] === "yes" }),
  );
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);

  it("lists every rule of the pack and SUP1, with its level and whether it can be suppressed", () => {
    const expected = [
      ...SECURITY_RULES.map((r) => ({
        id: r.id,
        level: r.level,
        suppressible: r.suppressible !== false,
      })),
      { id: SUPPRESSION_RULE.id, level: "error", suppressible: false },
    ];
    expect([...rows].sort(byId)).toEqual(expected.sort(byId));
  });
});

describe("docs/configuration.md", () => {
  const page = read(path.join(DOCS, "configuration.md"));
  /** The object schema inside optional / default / prefault wrappers, or undefined for a leaf. */
  const objectOf = (schema: z.ZodType): z.ZodObject | undefined => {
    let s: unknown = schema;
    while (s && !(s instanceof z.ZodObject)) {
      s = (s as { def?: { innerType?: unknown } }).def?.innerType;
    }
    return s as z.ZodObject | undefined;
  };
  /** The text of the `### name` section (name in backticks unless `code` is false), to the next heading. */
  const section = (name: string, code = true) =>
    new RegExp(
      String.raw`^### ${code ? `\`${name}\`` : name}[^\n]*\n([\s\S]*?)(?=^#{2,3} |(?![\s\S]))`,
      "m",
    ).exec(page)?.[1];

  it("documents every field of the config schema, each in its block's table", () => {
    const missing: string[] = [];
    const top = section("Top level", false) ?? "";
    for (const [field, schema] of Object.entries(bridgeConfigSchema.shape)) {
      if (field === "$schema") continue;
      const block = objectOf(schema as z.ZodType);
      const text = section(field);
      if (!block) {
        if (text === undefined && !top.includes(`| \`${field}\``)) missing.push(field);
        continue;
      }
      if (text === undefined) {
        missing.push(`${field} (no section)`);
        continue;
      }
      // A sub-object's fields may be documented one by one (`partitioning.type`).
      for (const sub of Object.keys(block.shape)) {
        if (!new RegExp(String.raw`^\| \`${sub}[.\`]`, "m").test(text)) {
          missing.push(`${field}.${sub}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});

describe("docs/lambda-runtime.md", () => {
  it("lists every environment variable the stack sets for the Lambda", () => {
    const page = read(path.join(DOCS, "lambda-runtime.md"));
    expect(Object.values(LAMBDA_ENV).filter((name) => !page.includes(`\`${name}\``))).toEqual([]);
  });
});
