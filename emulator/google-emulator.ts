/**
 * The local Google: one HTTP server on 127.0.0.1 (ephemeral port) routing STS, IAM
 * Credentials, BigQuery and Cloud Storage by path, enforcing what an applied stack says,
 * with per-endpoint call counters, fault injection and a decision log.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { AccessTokenStore } from "./access-tokens";
import { AwsIdentityTable } from "./aws-identities";
import {
  BigQueryStorage,
  handleInsertAll,
  handleTabledataList,
  handleTablesGet,
  handleTablesList,
  TABLE_PATH,
  TABLES_PATH,
  type StoredRow,
} from "./bigquery-endpoint";
import {
  googleError,
  layerOf,
  type Decision,
  type EmulatorContext,
  type EmulatorRequest,
  type EmulatorResponse,
} from "./emulator-context";
import type { AppliedResources } from "./fake-apply";
import { FaultPlan, type Endpoint, type FaultSpec } from "./faults";
import { GoogleState } from "./google-state";
import { GENERATE_ACCESS_TOKEN_PATH, handleGenerateAccessToken } from "./iam-credentials-endpoint";
import {
  handleMediaUpload,
  handleObjectGet,
  handleObjectsList,
  ObjectStorage,
  OBJECTS_PATH,
  UPLOAD_PATH,
  type StoredObject,
} from "./storage-endpoint";
import { handleStsToken } from "./sts-endpoint";

export interface GoogleEmulatorProps {
  /**
   * The applied stack (or stacks, as an AppliedApp) whose pool providers, IAM grants, tables
   * and buckets are enforced.
   */
  readonly stack: AppliedResources;
  /** The AWS identities STS can verify. @default an empty table */
  readonly identities?: AwsIdentityTable;
}

type Route = (
  req: EmulatorRequest,
) => { endpoint: Endpoint; handle: () => EmulatorResponse } | undefined;

export class GoogleEmulator {
  readonly state: GoogleState;
  readonly identities: AwsIdentityTable;
  readonly faults = new FaultPlan();
  readonly decisions: Decision[] = [];
  readonly bigquery = new BigQueryStorage();
  readonly storage = new ObjectStorage();
  private readonly tokens = new AccessTokenStore();
  private readonly server: http.Server;
  private readonly context: EmulatorContext;
  private clockOffsetMs = 0;
  private baseUrl?: string;

  constructor(props: GoogleEmulatorProps) {
    this.state = new GoogleState(props.stack);
    this.identities = props.identities ?? new AwsIdentityTable();
    this.context = {
      state: this.state,
      identities: this.identities,
      tokens: this.tokens,
      faults: this.faults,
      now: () => this.now(),
      record: (d) => this.decisions.push({ ...d, layer: layerOf(d.endpoint) }),
    };
    this.server = http.createServer((req, res) => void this.serve(req, res));
  }

  /** Listens on 127.0.0.1 on a free port; returns the base URL (`http://127.0.0.1:PORT`). */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get url(): string {
    if (!this.baseUrl) throw new Error("GoogleEmulator: call start() before reading url");
    return this.baseUrl;
  }

  /** The emulator's clock: real time plus whatever advanceClock() added. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Moves the emulator's clock forward, e.g. past a token's expiry or a signature's window. */
  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  /** Shorthand for faults.inject(). */
  inject(endpoint: Endpoint, spec: FaultSpec): this {
    this.faults.inject(endpoint, spec);
    return this;
  }

  calls(endpoint: Endpoint): number {
    return this.faults.calls(endpoint);
  }

  rows(project: string, datasetId: string, tableId: string): StoredRow[] {
    return this.bigquery.rows(project, datasetId, tableId);
  }

  objects(bucket: string): StoredObject[] {
    return this.storage.list(bucket);
  }

  private readonly routes: Route[] = [
    (req) =>
      req.method === "POST" && req.url.pathname === "/v1/token"
        ? { endpoint: "sts.token", handle: () => handleStsToken(this.context, req) }
        : undefined,
    (req) => {
      const m = GENERATE_ACCESS_TOKEN_PATH.exec(req.url.pathname);
      return m && req.method === "POST"
        ? {
            endpoint: "iam.generateAccessToken",
            handle: () => handleGenerateAccessToken(this.context, req, decodeURIComponent(m[1])),
          }
        : undefined;
    },
    (req) => {
      const m = TABLE_PATH.exec(req.url.pathname);
      if (!m) return undefined;
      const [, project, dataset, table, suffix] = m.map((s) => s && decodeURIComponent(s));
      if (suffix === "/insertAll" && req.method === "POST") {
        return {
          endpoint: "bigquery.insertAll",
          handle: () => handleInsertAll(this.context, this.bigquery, req, project, dataset, table),
        };
      }
      if (req.method !== "GET") return undefined;
      return suffix === "/data"
        ? {
            endpoint: "bigquery.tabledata.list",
            handle: () =>
              handleTabledataList(this.context, this.bigquery, req, project, dataset, table),
          }
        : suffix
          ? undefined
          : {
              endpoint: "bigquery.tables.get",
              handle: () => handleTablesGet(this.context, req, project, dataset, table),
            };
    },
    (req) => {
      const m = TABLES_PATH.exec(req.url.pathname);
      if (!m || req.method !== "GET") return undefined;
      const [, project, dataset] = m.map((s) => s && decodeURIComponent(s));
      return {
        endpoint: "bigquery.tables.list",
        handle: () => handleTablesList(this.context, req, project, dataset),
      };
    },
    (req) => {
      const m = OBJECTS_PATH.exec(req.url.pathname);
      if (!m || req.method !== "GET") return undefined;
      const bucket = decodeURIComponent(m[1]);
      if (m[2] === undefined) {
        return {
          endpoint: "storage.objects.list",
          handle: () => handleObjectsList(this.context, this.storage, req, bucket),
        };
      }
      const object = decodeURIComponent(m[2]);
      return {
        endpoint: "storage.objects.get",
        handle: () => handleObjectGet(this.context, this.storage, req, bucket, object),
      };
    },
    (req) => {
      const m = UPLOAD_PATH.exec(req.url.pathname);
      return m && req.method === "POST"
        ? {
            endpoint: "storage.upload",
            handle: () =>
              handleMediaUpload(this.context, this.storage, req, decodeURIComponent(m[1])),
          }
        : undefined;
    },
  ];

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: EmulatorRequest = {
      method: req.method ?? "GET",
      url: new URL(req.url ?? "/", "http://127.0.0.1"),
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    const route = this.routes.map((r) => r(request)).find((r) => r !== undefined);
    if (!route) {
      return send(
        res,
        googleError(
          404,
          "NOT_FOUND",
          `The emulator has no ${request.method} ${request.url.pathname}`,
        ),
      );
    }
    const fault = this.faults.take(route.endpoint);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault?.reset) {
      this.decisions.push({
        endpoint: route.endpoint,
        layer: layerOf(route.endpoint),
        allowed: false,
        status: 0,
        reason: "injected connection reset",
      });
      req.socket.destroy();
      return;
    }
    if (fault?.status) {
      this.decisions.push({
        endpoint: route.endpoint,
        layer: layerOf(route.endpoint),
        allowed: false,
        status: fault.status,
        reason: `injected HTTP ${fault.status}`,
      });
      // A 403 is Google's permission refusal ("forbidden", not retryable); the others are
      // transient server answers ("backendError", retried by the handler).
      const statusName =
        fault.status === 429
          ? "RESOURCE_EXHAUSTED"
          : fault.status === 503
            ? "UNAVAILABLE"
            : fault.status === 403
              ? "PERMISSION_DENIED"
              : "INTERNAL";
      const response = googleError(
        fault.status,
        statusName,
        `Injected by the emulator: HTTP ${fault.status}`,
        fault.status === 403 ? "forbidden" : "backendError",
      );
      return send(res, {
        ...response,
        headers: fault.retryAfterSeconds
          ? { "retry-after": String(fault.retryAfterSeconds) }
          : undefined,
      });
    }
    let response: EmulatorResponse;
    try {
      response = route.handle();
    } catch (err) {
      response = googleError(500, "INTERNAL", `emulator error: ${(err as Error).message}`);
    }
    send(res, response);
  }
}

function send(res: http.ServerResponse, response: EmulatorResponse): void {
  const body = JSON.stringify(response.body);
  res.writeHead(response.status, {
    "content-type": "application/json; charset=UTF-8",
    "content-length": Buffer.byteLength(body),
    ...response.headers,
  });
  res.end(body);
}
