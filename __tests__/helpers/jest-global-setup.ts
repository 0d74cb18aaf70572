/**
 * jest globalSetup: one directory per run for the shared fixtures (./shared-fixtures.ts),
 * handed to the workers in WIF_TEST_FIXTURES_DIR (they start after this and inherit it).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FIXTURES_DIR_ENV } from "./fixtures-dir";

export default function globalSetup(): void {
  process.env[FIXTURES_DIR_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), "wif-test-fixtures-"));
}
