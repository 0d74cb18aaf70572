/** jest globalTeardown: removes the run's shared fixtures (see ./shared-fixtures.ts). */
import * as fs from "node:fs";
import { FIXTURES_DIR_ENV } from "./fixtures-dir";

export default function globalTeardown(): void {
  const dir = process.env[FIXTURES_DIR_ENV];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
