/**
 * The command `npm run synth` runs, read from package.json, so tests, the emulator, the demo
 * and the bench all synthesize exactly the way users do.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const PROJECT_ROOT = path.resolve(__dirname, "..");

/**
 * argv of the synth script for `execFile(argv[0], argv.slice(1))`, with `node` replaced by
 * this Node and paths made absolute (so it runs from any cwd); `appFile` replaces the script's
 * own main.ts when given (e.g. a copy's).
 */
export function synthArgv(appFile?: string): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"));
  const script: string = pkg.scripts?.synth ?? "";
  const words = script.split(/\s+/).filter(Boolean);
  if (words[0] !== "node" || /[&|;<>$`]/.test(script) || !words.at(-1)?.endsWith(".ts")) {
    throw new Error(
      `package.json's synth script "${script}" is not a single \`node ... main.ts\` command; ` +
        "update tools/synth-command.ts to run it",
    );
  }
  const args = words.slice(1, -1).map((w) => (w.startsWith("./") ? path.join(PROJECT_ROOT, w) : w));
  return [process.execPath, ...args, appFile ?? path.join(PROJECT_ROOT, words.at(-1)!)];
}
