/** jest globalTeardown: removes the run's temporary directory, shared fixtures included (./jest-global-setup.ts). */
import * as fs from "node:fs";
import { FIXTURES_DIR_ENV, RUN_TMPDIR_ENV } from "./fixtures-dir";

export default function globalTeardown(): void {
  for (const name of [FIXTURES_DIR_ENV, RUN_TMPDIR_ENV]) {
    const dir = process.env[name];
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
