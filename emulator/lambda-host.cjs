"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: runs on bare node */
/**
 * Runs a bundled Lambda the way the Node.js runtime does, in its own process: the handler
 * module is loaded once (cold start: its module scope runs once), then invoked once per event
 * received over IPC, with a context whose getRemainingTimeInMillis() counts down the timeout.
 * Plain JavaScript so it runs on bare node, like the Lambda runtime.
 * Usage (from lambda-container.ts): fork(lambda-host.cjs, [taskDir, "index.handler"]).
 */
const path = require("node:path");

const [taskDir, handlerSpec = "index.handler"] = process.argv.slice(2);
const dot = handlerSpec.lastIndexOf(".");
const moduleFile = path.join(taskDir, handlerSpec.slice(0, dot));
const exportName = handlerSpec.slice(dot + 1);

function describeError(err) {
  if (err instanceof Error) {
    return { errorType: err.name, errorMessage: err.message, stack: String(err.stack ?? "") };
  }
  return { errorType: typeof err, errorMessage: String(err), stack: "" };
}

let handler;
let initError;
try {
  handler = require(moduleFile)[exportName];
  if (typeof handler !== "function") {
    throw new Error(`${handlerSpec}: ${moduleFile} does not export a function ${exportName}`);
  }
} catch (err) {
  initError = { ...describeError(err), errorType: "Runtime.ImportModuleError" };
}

process.on("message", async (message) => {
  if (message.type !== "invoke") return;
  const deadline = Date.now() + message.timeoutMs;
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: "$LATEST",
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: message.requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: "emulator",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const started = Date.now();
  try {
    if (initError)
      throw Object.assign(new Error(initError.errorMessage), { name: initError.errorType });
    const result = await handler(message.event, context);
    process.send({
      id: message.id,
      ok: true,
      result: result ?? null,
      durationMs: Date.now() - started,
    });
  } catch (err) {
    process.send({
      id: message.id,
      ok: false,
      error: describeError(err),
      durationMs: Date.now() - started,
    });
  }
});

process.send({ type: "ready", initError });
