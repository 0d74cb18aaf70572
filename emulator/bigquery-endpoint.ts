/**
 * BigQuery `tabledata.insertAll`, `tabledata.list`, `tables.get` and `tables.list` for the
 * tables of the applied stack: the caller needs the permission on the table (a table-level
 * grant, or one on its dataset or project, its IAM condition true for the table),
 * rows are validated against the synthesized schema, stored, and de-duplicated by insertId.
 * Without skipInvalidRows one bad row stops the whole request, as in BigQuery.
 */
import { validateRow, type RowError } from "./bigquery-rows";
import {
  describeGrant,
  describePrincipal,
  PERMISSIONS,
  searchGrant,
  type Binding,
  type Principal,
} from "./iam";
import { bigqueryDatasetResource, bigqueryTableResource } from "./iam-conditions";
import type { DatasetState, TableState } from "./google-state";
import type { Endpoint } from "./faults";
import {
  authenticate,
  googleError,
  json,
  refuse,
  type EmulatorContext,
  type EmulatorRequest,
  type EmulatorResponse,
} from "./emulator-context";

export const TABLE_PATH =
  /^\/bigquery\/v2\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+?)(\/insertAll|\/data)?$/;
export const TABLES_PATH = /^\/bigquery\/v2\/projects\/([^/]+)\/datasets\/([^/]+)\/tables$/;
/** BigQuery de-duplicates an insertId for at least a minute. */
export const INSERT_ID_WINDOW_MS = 60_000;

export interface StoredRow {
  readonly insertId?: string;
  readonly json: Record<string, unknown>;
  readonly insertedAtMs: number;
}

export class BigQueryStorage {
  private readonly rowsByTable = new Map<string, StoredRow[]>();
  private readonly insertIds = new Map<string, number>();
  /** Rows dropped because their insertId was seen within the window. */
  duplicatesDropped = 0;

  rows(project: string, datasetId: string, tableId: string): StoredRow[] {
    return this.rowsByTable.get(`${project}/${datasetId}/${tableId}`) ?? [];
  }

  /** Stores a row unless its insertId was seen recently; returns whether it was stored. */
  store(table: TableState, row: Omit<StoredRow, "insertedAtMs">, nowMs: number): boolean {
    const key = `${table.project}/${table.datasetId}/${table.tableId}`;
    if (row.insertId !== undefined) {
      const idKey = `${key}#${row.insertId}`;
      const seen = this.insertIds.get(idKey);
      if (seen !== undefined && nowMs - seen < INSERT_ID_WINDOW_MS) {
        this.duplicatesDropped += 1;
        return false;
      }
      this.insertIds.set(idKey, nowMs);
    }
    const list = this.rowsByTable.get(key) ?? [];
    list.push({ ...row, insertedAtMs: nowMs });
    this.rowsByTable.set(key, list);
    return true;
  }
}

interface InsertAllBody {
  rows?: { insertId?: string; json?: unknown }[];
  skipInvalidRows?: boolean;
  ignoreUnknownValues?: boolean;
}

type TableEndpoint = "bigquery.insertAll" | "bigquery.tables.get" | "bigquery.tabledata.list";

function unauthenticated() {
  return googleError(
    401,
    "UNAUTHENTICATED",
    "Request is missing required authentication credential.",
    "required",
  );
}

function accessDenied(what: string, permission: string) {
  return googleError(
    403,
    "PERMISSION_DENIED",
    `Access Denied: ${what}: Permission ${permission} denied on ${what.toLowerCase()} (or it may not exist).`,
    "accessDenied",
  );
}

function datasetOrRefuse(
  ctx: EmulatorContext,
  endpoint: Endpoint,
  principal: Principal,
  project: string,
  datasetId: string,
): DatasetState | EmulatorResponse {
  const dataset = ctx.state.dataset(project, datasetId);
  return (
    dataset ??
    refuse(
      ctx,
      endpoint,
      googleError(404, "NOT_FOUND", `Not found: Dataset ${project}:${datasetId}`, "notFound"),
      `no dataset ${project}:${datasetId}`,
      principal,
    )
  );
}

/**
 * Who may do what on a table: a grant on the table itself (google_bigquery_table_iam_*), on
 * its dataset or on the project, whose IAM condition (if any) holds for the table.
 */
function authorize(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  endpoint: TableEndpoint,
  project: string,
  datasetId: string,
  tableId: string,
  permission: string,
): { table: TableState; principal: string; grant: string } | EmulatorResponse {
  const caller = authenticate(ctx, endpoint, req, unauthenticated());
  if ("refused" in caller) return caller.refused;
  const { principal } = caller;
  const dataset = datasetOrRefuse(ctx, endpoint, principal, project, datasetId);
  if ("status" in dataset) return dataset;
  const table = ctx.state.table(project, datasetId, tableId);
  if (!table) {
    return refuse(
      ctx,
      endpoint,
      googleError(
        404,
        "NOT_FOUND",
        `Not found: Table ${project}:${datasetId}.${tableId}`,
        "notFound",
      ),
      `no table ${project}:${datasetId}.${tableId}`,
      principal,
    );
  }
  const levels: [string, readonly Binding[]][] = [
    [`table ${datasetId}.${tableId}`, table.bindings],
    [`dataset ${datasetId}`, dataset.bindings],
    [`project ${project}`, ctx.state.projectBindings],
  ];
  const resource = bigqueryTableResource(project, datasetId, tableId);
  const conditionFalse: string[] = [];
  for (const [on, bindings] of levels) {
    const found = searchGrant(bindings, principal, permission, resource);
    conditionFalse.push(...found.conditionFalse.map((c) => `${c.binding.source}: ${c.reason}`));
    if (found.grant) {
      return {
        table,
        principal: describePrincipal(principal),
        grant: describeGrant(found.grant, on),
      };
    }
  }
  const who = describePrincipal(principal);
  return refuse(
    ctx,
    endpoint,
    accessDenied(`Table ${project}:${datasetId}.${tableId}`, permission),
    conditionFalse.length > 0
      ? `every grant of ${permission} on table ${datasetId}.${tableId} to ${who} has a false IAM condition: ${conditionFalse.join("; ")}`
      : `no grant on table ${datasetId}.${tableId}, its dataset or the project gives ${permission} to ${who}`,
    principal,
    { tableGrants: table.bindings, datasetGrants: dataset.bindings },
    conditionFalse.length > 0 ? "IAM condition false" : "no table grant",
  );
}

/** `tables.list` needs bigquery.tables.list on the dataset: a table-level grant does not give it. */
export function handleTablesList(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  project: string,
  datasetId: string,
) {
  const endpoint = "bigquery.tables.list" as const;
  const caller = authenticate(ctx, endpoint, req, unauthenticated());
  if ("refused" in caller) return caller.refused;
  const { principal } = caller;
  const dataset = datasetOrRefuse(ctx, endpoint, principal, project, datasetId);
  if ("status" in dataset) return dataset;
  const permission = PERMISSIONS.tablesList;
  const resource = bigqueryDatasetResource(project, datasetId);
  const levels: [string, readonly Binding[]][] = [
    [`dataset ${datasetId}`, dataset.bindings],
    [`project ${project}`, ctx.state.projectBindings],
  ];
  for (const [on, bindings] of levels) {
    const { grant } = searchGrant(bindings, principal, permission, resource);
    if (!grant) continue;
    const tables = ctx.state.tablesOf(project, datasetId);
    ctx.record({
      endpoint,
      allowed: true,
      status: 200,
      principal: describePrincipal(principal),
      reason: describeGrant(grant, on),
      detail: { tables: tables.length },
    });
    return json(200, {
      kind: "bigquery#tableList",
      tables: tables.map((t) => ({
        kind: "bigquery#table",
        id: `${project}:${datasetId}.${t.tableId}`,
        tableReference: { projectId: project, datasetId, tableId: t.tableId },
        type: "TABLE",
      })),
      totalItems: tables.length,
    });
  }
  return refuse(
    ctx,
    endpoint,
    accessDenied(`Dataset ${project}:${datasetId}`, permission),
    `no grant on dataset ${datasetId} or the project gives ${permission} to ${describePrincipal(principal)} (a table-level grant does not)`,
    principal,
    { datasetGrants: dataset.bindings },
    "no dataset grant",
  );
}

/** `tabledata.list`: the stored rows of a table, for a caller with bigquery.tables.getData. */
export function handleTabledataList(
  ctx: EmulatorContext,
  storage: BigQueryStorage,
  req: EmulatorRequest,
  project: string,
  datasetId: string,
  tableId: string,
) {
  const endpoint = "bigquery.tabledata.list" as const;
  const auth = authorize(
    ctx,
    req,
    endpoint,
    project,
    datasetId,
    tableId,
    PERMISSIONS.tablesGetData,
  );
  if ("status" in auth) return auth;
  const rows = storage.rows(project, datasetId, tableId);
  ctx.record({
    endpoint,
    allowed: true,
    status: 200,
    principal: auth.principal,
    reason: auth.grant,
    detail: { rows: rows.length },
  });
  // Rows in the JSON shape the emulator stored them (not BigQuery's f/v cells): the tests
  // read them as written.
  return json(200, {
    kind: "bigquery#tableDataList",
    totalRows: String(rows.length),
    rows: rows.map((r) => r.json),
  });
}

export function handleTablesGet(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  project: string,
  datasetId: string,
  tableId: string,
) {
  const auth = authorize(
    ctx,
    req,
    "bigquery.tables.get",
    project,
    datasetId,
    tableId,
    PERMISSIONS.tablesGet,
  );
  if ("status" in auth) return auth;
  ctx.record({
    endpoint: "bigquery.tables.get",
    allowed: true,
    status: 200,
    principal: auth.principal,
    reason: auth.grant,
  });
  const t = auth.table;
  return json(200, {
    kind: "bigquery#table",
    id: `${project}:${datasetId}.${tableId}`,
    tableReference: { projectId: project, datasetId, tableId },
    schema: { fields: t.schema },
    ...(t.timePartitioning ? { timePartitioning: t.timePartitioning } : {}),
    type: "TABLE",
  });
}

export function handleInsertAll(
  ctx: EmulatorContext,
  storage: BigQueryStorage,
  req: EmulatorRequest,
  project: string,
  datasetId: string,
  tableId: string,
) {
  const endpoint = "bigquery.insertAll" as const;
  const auth = authorize(
    ctx,
    req,
    endpoint,
    project,
    datasetId,
    tableId,
    PERMISSIONS.tablesUpdateData,
  );
  if ("status" in auth) return auth;
  let body: InsertAllBody;
  try {
    body = JSON.parse(req.body.toString("utf8"));
  } catch {
    return refuse(
      ctx,
      endpoint,
      googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.", "invalid"),
      "invalid JSON",
    );
  }
  const rows = body.rows ?? [];
  if (!Array.isArray(rows) || rows.length === 0) {
    return refuse(
      ctx,
      endpoint,
      googleError(400, "INVALID_ARGUMENT", "No rows present in the request.", "invalid"),
      "no rows",
    );
  }
  const injected = ctx.faults.insertErrorRulesForCall();
  const errorsByRow: RowError[][] = rows.map((row) => {
    const errors = validateRow(auth.table.schema, row.json, {
      ignoreUnknownValues: body.ignoreUnknownValues === true,
    });
    const json = (row.json ?? {}) as Record<string, unknown>;
    for (const rule of injected) {
      if (rule.rows(json, row.insertId)) {
        errors.push({
          reason: rule.reason ?? "invalid",
          location: "",
          message: rule.message ?? "injected by the emulator",
          debugInfo: "",
        });
      }
    }
    return errors;
  });
  const anyInvalid = errorsByRow.some((e) => e.length > 0);
  const insertErrors: { index: number; errors: RowError[] }[] = [];
  let stored = 0;
  rows.forEach((row, index) => {
    const errors = errorsByRow[index];
    if (errors.length > 0) {
      insertErrors.push({ index, errors });
    } else if (anyInvalid && body.skipInvalidRows !== true) {
      insertErrors.push({
        index,
        errors: [{ reason: "stopped", location: "", message: "", debugInfo: "" }],
      });
    } else if (
      storage.store(
        auth.table,
        { insertId: row.insertId, json: row.json as Record<string, unknown> },
        ctx.now(),
      )
    ) {
      stored += 1;
    }
  });
  ctx.record({
    endpoint,
    allowed: true,
    status: 200,
    principal: auth.principal,
    reason: auth.grant,
    detail: { rows: rows.length, stored, insertErrors: insertErrors.length },
  });
  return json(200, {
    kind: "bigquery#tableDataInsertAllResponse",
    ...(insertErrors.length > 0 ? { insertErrors } : {}),
  });
}
