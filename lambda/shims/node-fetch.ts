/**
 * Stands in for node-fetch in the bundle (esbuild alias in stacks/aws/lambda-bundle.ts).
 * gaxios 7 imports node-fetch whenever `window` is undefined, even on Node versions with a
 * global fetch; Lambda's nodejs20.x+ runtimes have one, so this saves ~93 KB of bundled code.
 * Covered by __tests__/lambda/bundled-handler.test.ts, which runs the real bundle end to end.
 */
const nodeFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);

export default nodeFetch;
