import { createJsonLogger, parseLogLevel, REDACTED, redact } from "../../lambda/logger";
import { capturedLogger } from "./test-support";

describe("the JSON logger", () => {
  it("writes one JSON object per line with timestamp, level, message and attributes", () => {
    const { logger, entries } = capturedLogger();
    logger.child({ requestId: "r-1" }).info("batch done", { batchSize: 3 });
    expect(entries()).toEqual([
      {
        timestamp: "1970-01-01T00:00:00.000Z",
        level: "INFO",
        message: "batch done",
        requestId: "r-1",
        batchSize: 3,
      },
    ]);
  });

  it("drops lines below its level", () => {
    const { logger, lines } = capturedLogger("WARN");
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    expect(lines.map((l) => JSON.parse(l).level)).toEqual(["WARN", "ERROR"]);
  });

  it("reads Lambda's and common level names", () => {
    expect(parseLogLevel("debug")).toBe("DEBUG");
    expect(parseLogLevel("WARNING")).toBe("WARN");
    expect(parseLogLevel("TRACE")).toBe("DEBUG");
    expect(parseLogLevel(undefined)).toBe("INFO");
    expect(parseLogLevel("nonsense")).toBe("INFO");
  });

  describe("redaction", () => {
    it("masks tokens and credentials by key at every level, even DEBUG", () => {
      const { logger, lines } = capturedLogger("DEBUG");
      logger.debug("auth", {
        access_token: "ya29.abc",
        headers: { Authorization: "Bearer abc", "x-amz-security-token": "IQoJ" },
        credentials: { secret: "s" },
        awsSecretAccessKey: "wJalr",
      });
      const text = lines.join("");
      for (const secret of ["ya29.abc", "Bearer abc", "IQoJ", "wJalr", '"s"'])
        expect(text).not.toContain(secret);
      expect(JSON.parse(text)).toMatchObject({
        access_token: REDACTED,
        headers: { Authorization: REDACTED },
        credentials: REDACTED,
      });
    });

    it("masks tokens and AWS key ids inside free text (error messages)", () => {
      const { logger, lines } = capturedLogger();
      logger.error(
        "call failed with Authorization: Bearer ya29.c.secret-token and key ASIAABCDEFGHIJKLMNOP",
        {
          error: 'response {"access_token":"ya29.zzz","expires_in":3600}',
        },
      );
      const text = lines.join("");
      expect(text).not.toMatch(/ya29\.|secret-token|ASIAABCDEFGHIJKLMNOP/);
      expect(text).toContain("Bearer [REDACTED]");
    });

    it("keeps record content out of every line, DEBUG included", () => {
      const info = capturedLogger("INFO");
      info.logger.info("record", {
        messageId: "m-1",
        body: "card=4111",
        record: { email: "a@b.c" },
      });
      expect(info.lines.join("")).not.toMatch(/4111|a@b\.c/);
      expect(JSON.parse(info.lines[0])).toMatchObject({
        messageId: "m-1",
        body: REDACTED,
        record: REDACTED,
      });

      const debug = capturedLogger("DEBUG");
      debug.logger.debug("record", { body: "card=4111", record: { email: "a@b.c" } });
      expect(debug.lines.join("")).not.toMatch(/4111|a@b\.c/);
    });

    it("logs an Error as name, message, code and status only (no request config with headers)", () => {
      const err = Object.assign(new Error("boom"), {
        code: "E1",
        response: { status: 503 },
        config: { headers: { authorization: "Bearer leak" }, data: "row content" },
      });
      expect(redact({ error: err })).toEqual({
        error: { name: "Error", message: "boom", code: "E1", status: 503 },
      });
    });

    it("writes to stdout by default", () => {
      const spy = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
      try {
        createJsonLogger().info("hello");
        expect(String(spy.mock.calls[0][0])).toMatch(/^\{.*"message":"hello".*\}\n$/);
      } finally {
        spy.mockRestore();
      }
    });
  });
});
