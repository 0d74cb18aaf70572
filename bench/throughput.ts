/**
 * Part 5: records per second through the bundled handler in the emulator's Lambda container,
 * 10,000 records in SQS batches of 100 sent one after another (one container, so the first
 * batch is the cold start), and the handler process's peak RSS. The emulated Google runs in
 * the bench process on the same cores, so this is a floor for the handler's own cost.
 */
import { exampleRecords, invokeAll, startContainer } from "./emulator-runs";

export const RECORDS = 10_000;
export const BATCH = 100;

export interface ThroughputRun {
  readonly recordsPerSecond: number;
  readonly wallMs: number;
  readonly handlerPeakRssMb: number;
  /** The function's configured memory (lambda.memoryMb), the ceiling on a real Lambda. */
  readonly memoryMb: number;
}

export async function measureThroughput(stackFile: string): Promise<ThroughputRun> {
  const bench = await startContainer(stackFile);
  try {
    const events = Array.from({ length: RECORDS / BATCH }, (_, i) =>
      bench.bridge.sqsEvent(exampleRecords(BATCH, i * BATCH)),
    );
    const started = performance.now();
    for (const event of events) await invokeAll(bench, event);
    const wallMs = performance.now() - started;
    const landed = bench.bridge.rows().length;
    if (landed !== RECORDS) throw new Error(`${RECORDS} records sent, ${landed} landed`);
    return {
      recordsPerSecond: RECORDS / (wallMs / 1000),
      wallMs,
      handlerPeakRssMb: await bench.stop(),
      memoryMb: bench.bridge.deployment.memoryMb,
    };
  } catch (err) {
    await bench.stop().catch(() => undefined);
    throw err;
  }
}
