/**
 * BigQuery `tabledata.insertAll` and `tables.get` for the tables of the applied stack: the
 * caller needs a data-writing role on the dataset (dataset-level grants, or project-level),
 * rows are validated against the synthesized schema, stored, and de-duplicated by insertId.
 * Without skipInvalidRows one bad row stops the whole request, as in BigQuery.
 */
import { validateRow, type RowError } from "./bigquery-rows";
import { describePrincipal, findGrant, PERMISSIONS } from "./iam";
import type { TableState } from "./google-state";
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
  /^\/bigquery\/v2\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+?)(\/insertAll)?$/;
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

function authorize(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  endpoint: "bigquery.insertAll" | "bigquery.tables.get",
  project: string,
  datasetId: string,
  tableId: string,
  permission: string,
): { table: TableState; principal: string; grant: string } | EmulatorResponse {
  const caller = authenticate(
    ctx,
    endpoint,
    req,
    googleError(
      401,
      "UNAUTHENTICATED",
      "Request is missing required authentication credential.",
      "required",
    ),
  );
  if ("refused" in caller) return caller.refused;
  const { principal } = caller;
  const dataset = ctx.state.dataset(project, datasetId);
  if (!dataset) {
    return refuse(
      ctx,
      endpoint,
      googleError(404, "NOT_FOUND", `Not found: Dataset ${project}:${datasetId}`, "notFound"),
      `no dataset ${project}:${datasetId}`,
      principal,
    );
  }
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
  // BigQuery authorizes on the table: its own IAM policy, then the dataset's, then the project's.
  const grant = findGrant(
    [...table.bindings, ...dataset.bindings, ...ctx.state.projectBindings],
    principal,
    permission,
  );
  if (!grant) {
    return refuse(
      ctx,
      endpoint,
      googleError(
        403,
        "PERMISSION_DENIED",
        `Access Denied: Table ${project}:${datasetId}.${tableId}: Permission ${permission} denied on table ${project}:${datasetId}.${tableId} (or it may not exist).`,
        "accessDenied",
      ),
      `no grant on table ${datasetId}.${tableId} or dataset ${datasetId} gives ${permission} to ${describePrincipal(principal)}`,
      principal,
      { grants: [...table.bindings, ...dataset.bindings] },
    );
  }
  return {
    table,
    principal: describePrincipal(principal),
    grant: `${grant.member} holds ${grant.role} on ${table.bindings.includes(grant) ? `table ${datasetId}.${tableId}` : `dataset ${datasetId}`} (${grant.source})`,
  };
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
