/**
 * jest globalSetup: a temporary directory of the run's own, and in it the directory for the
 * shared fixtures (./shared-fixtures.ts). Both are handed to the workers through the
 * environment (they start after this and inherit it).
 *
 * TMPDIR points at the run's directory, so every temporary directory the run makes (the tests'
 * copies of the project, cdktf's Testing.app() outdirs, unpacked Lambda assets, child synths')
 * lands there and ./jest-global-teardown.ts removes them all at once: a run leaves nothing
 * behind in the machine's /tmp (before, each run left ~200 entries there).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FIXTURES_DIR_ENV, RUN_TMPDIR_ENV } from "./fixtures-dir";

export default function globalSetup(): void {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-test-run-"));
  process.env[RUN_TMPDIR_ENV] = runDir;
  process.env.TMPDIR = runDir;
  process.env[FIXTURES_DIR_ENV] = fs.mkdtempSync(path.join(runDir, "fixtures-"));
}
