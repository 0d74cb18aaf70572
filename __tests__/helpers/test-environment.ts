/**
 * jest's node environment, with one change: stack traces captured onto plain objects are
 * formatted the way V8 does by default instead of through jest's source-map support.
 *
 * Why: cdktf records where every token was made (`captureStackTrace` onto a `{ stack: "" }`
 * object, with an unlimited stack limit) for each Intrinsic, Reference and ComplexResolvable,
 * i.e. thousands of times per stack. Under jest each of those stacks went through jest's
 * `Error.prepareStackTrace`, which maps every frame through the file's source map: ~3.5 s of
 * CPU per `npm test` on the 2-core machine in that function alone (cpu profile of a
 * `--runInBand` run), ~8 s with the garbage it made (69.7 s -> 61.3 s of CPU for the whole
 * run), for stacks nobody reads unless cdktf reports a bad token.
 *
 * Such a stack keeps its first 10 frames (V8's default limit; cdktf lifts the limit), where the
 * token's maker is.
 *
 * Errors (anything whose prototype chain reaches an Error of either realm) are still formatted
 * by jest, so failing tests and thrown errors keep their TypeScript positions.
 */
import { TestEnvironment } from "jest-environment-node";

type PrepareStackTrace = (error: unknown, frames: NodeJS.CallSite[]) => unknown;

/** V8's default Error.stackTraceLimit: cdktf asks for every frame, which jest's stacks make deep. */
const PLAIN_OBJECT_FRAMES = 10;

function v8DefaultFormat(error: unknown, frames: NodeJS.CallSite[]): string {
  // V8's own format: the header is the object's string form, then one "at" line per frame.
  let header: string;
  try {
    header = String(error);
  } catch {
    header = "Error";
  }
  return header + frames.map((frame) => `\n    at ${frame}`).join("");
}

export default class WifBridgeTestEnvironment extends TestEnvironment {
  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    const testRealmError = this.global.Error as ErrorConstructor;
    const outerRealmError = Error;
    const formatWithJest: PrepareStackTrace = (error, frames) => {
      // jest installs its source-map formatter on this (the outer) realm's Error and node falls
      // back to it for errors of the test realm; look it up per call, as node does.
      const format = (outerRealmError as { prepareStackTrace?: PrepareStackTrace })
        .prepareStackTrace;
      return format ? format(error, frames) : v8DefaultFormat(error, frames);
    };
    (testRealmError as { prepareStackTrace?: PrepareStackTrace }).prepareStackTrace = (
      error,
      frames,
    ) =>
      error instanceof testRealmError || error instanceof outerRealmError
        ? formatWithJest(error, frames)
        : v8DefaultFormat(error, frames.slice(0, PLAIN_OBJECT_FRAMES));
  }
}
