/** Where a jest run keeps its shared fixtures; set by ./jest-global-setup.ts. Kept light: the global setup loads it. */
export const FIXTURES_DIR_ENV = "WIF_TEST_FIXTURES_DIR";
/** The run's own temporary directory (every temp dir of the run is made under it); set by ./jest-global-setup.ts. */
export const RUN_TMPDIR_ENV = "WIF_TEST_RUN_TMPDIR";
