/**
 * A small local fake of the Google endpoints the Lambda calls, on 127.0.0.1: STS token
 * exchange, IAM Credentials generateAccessToken, BigQuery tabledata.insertAll (honouring
 * insertId and skipInvalidRows) and Cloud Storage media upload (honouring ifGenerationMatch=0).
 * The emulator in emulator/ generalizes it; this one stays small and test-only.
 */
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface StoredRow {
  readonly insertId?: string;
  readonly json: Record<string, unknown>;
}

export interface InjectedAnswer {
  readonly status: number;
  readonly body: unknown;
  /** Never answer: the request hangs until the client gives up and closes its socket. */
  readonly hang?: boolean;
}

export interface FakeGoogleOptions {
  readonly projectId: string;
  readonly datasetId: string;
  readonly tableId: string;
  /** BigQuery's verdict on a row: a reason makes it an insertError. @default all valid */
  readonly rowError?: (row: StoredRow) => string | undefined;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export class FakeGoogle {
  readonly rows: StoredRow[] = [];
  readonly objects = new Map<string, string>();
  readonly requests: RecordedRequest[] = [];
  /** Answers served before the normal behaviour, per service, first in first out. */
  readonly inject: Record<"sts" | "iam" | "bigquery" | "storage", InjectedAnswer[]> = {
    sts: [],
    iam: [],
    bigquery: [],
    storage: [],
  };
  private readonly seenInsertIds = new Set<string>();
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly hung = new Set<Socket>();
  url = "";

  constructor(readonly options: FakeGoogleOptions) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        this.requests.push({
          method: req.method ?? "",
          path: req.url ?? "",
          headers: req.headers,
          body,
        });
        const answer = this.route(req.method ?? "", req.url ?? "", req.headers, body);
        if (answer.hang) {
          const socket = req.socket;
          this.hung.add(socket);
          socket.on("close", () => this.hung.delete(socket));
          return;
        }
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(JSON.stringify(answer.body));
      });
    });
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Connections of hung requests that the client has not closed yet. */
  get openHungRequests(): number {
    return this.hung.size;
  }

  requestsTo(service: "sts" | "iam" | "bigquery" | "storage"): RecordedRequest[] {
    return this.requests.filter((r) => serviceOf(r.path) === service);
  }

  private route(
    method: string,
    path: string,
    headers: http.IncomingHttpHeaders,
    body: string,
  ): InjectedAnswer {
    const service = serviceOf(path);
    if (!service || method !== "POST")
      return { status: 404, body: { error: { code: 404, message: `no route ${method} ${path}` } } };
    const injected = this.inject[service].shift();
    if (injected) return injected;
    if (service === "sts") {
      return {
        status: 200,
        body: {
          access_token: "sts-token-secret",
          issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
          token_type: "Bearer",
          expires_in: 3600,
        },
      };
    }
    if (service === "iam") {
      if (headers.authorization !== "Bearer sts-token-secret")
        return { status: 401, body: { error: { code: 401, message: "bad STS token" } } };
      return {
        status: 200,
        body: {
          accessToken: "ya29.sa-token-secret",
          expireTime: new Date(Date.now() + 3600_000).toISOString(),
        },
      };
    }
    if (
      !/^Bearer (ya29\.sa-token-secret|sts-token-secret)$/.test(String(headers.authorization ?? ""))
    ) {
      return {
        status: 401,
        body: { error: { code: 401, message: "Request had invalid authentication credentials." } },
      };
    }
    if (service === "storage") return this.upload(path, body);
    return this.insertAll(path, body);
  }

  private insertAll(path: string, body: string): InjectedAnswer {
    const { projectId, datasetId, tableId } = this.options;
    if (
      path !==
      `/bigquery/v2/projects/${projectId}/datasets/${datasetId}/tables/${tableId}/insertAll`
    ) {
      return {
        status: 404,
        body: {
          error: {
            code: 404,
            message: `Not found: Table ${path}`,
            errors: [{ reason: "notFound" }],
          },
        },
      };
    }
    const request = JSON.parse(body) as { rows: StoredRow[]; skipInvalidRows?: boolean };
    const verdicts = request.rows.map((row) => this.options.rowError?.(row));
    const insertErrors = verdicts.flatMap((reason, index) =>
      reason ? [{ index, errors: [{ reason: "invalid", location: "", message: reason }] }] : [],
    );
    if (insertErrors.length > 0 && !request.skipInvalidRows) {
      // BigQuery writes nothing and reports every other row as "stopped".
      return {
        status: 200,
        body: {
          kind: "bigquery#tableDataInsertAllResponse",
          insertErrors: verdicts.map((reason, index) =>
            reason
              ? insertErrors.find((e) => e.index === index)
              : { index, errors: [{ reason: "stopped", location: "", message: "" }] },
          ),
        },
      };
    }
    request.rows.forEach((row, index) => {
      if (verdicts[index]) return;
      if (row.insertId && this.seenInsertIds.has(row.insertId)) return; // best-effort dedup, here exact
      if (row.insertId) this.seenInsertIds.add(row.insertId);
      this.rows.push(row);
    });
    return {
      status: 200,
      body: {
        kind: "bigquery#tableDataInsertAllResponse",
        ...(insertErrors.length ? { insertErrors } : {}),
      },
    };
  }

  private upload(path: string, body: string): InjectedAnswer {
    const url = new URL(path, "http://x");
    const bucket = decodeURIComponent(/\/b\/([^/]+)\/o$/.exec(url.pathname)?.[1] ?? "");
    const name = url.searchParams.get("name") ?? "";
    const key = `${bucket}/${name}`;
    if (url.searchParams.get("ifGenerationMatch") === "0" && this.objects.has(key)) {
      return {
        status: 412,
        body: {
          error: {
            code: 412,
            message: "At least one of the pre-conditions you specified did not hold.",
          },
        },
      };
    }
    this.objects.set(key, body);
    return { status: 200, body: { bucket, name, size: String(Buffer.byteLength(body)) } };
  }
}

function serviceOf(path: string): "sts" | "iam" | "bigquery" | "storage" | undefined {
  if (path.startsWith("/v1/token")) return "sts";
  if (path.includes(":generateAccessToken")) return "iam";
  if (path.startsWith("/bigquery/v2/")) return "bigquery";
  if (path.startsWith("/upload/storage/v1/")) return "storage";
  return undefined;
}
