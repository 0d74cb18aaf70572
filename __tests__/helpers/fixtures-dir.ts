/** Where a jest run keeps its shared fixtures; set by ./jest-global-setup.ts. Kept light: the global setup loads it. */
export const FIXTURES_DIR_ENV = "WIF_TEST_FIXTURES_DIR";
