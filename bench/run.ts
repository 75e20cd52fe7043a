/**
 * `npm run bench`: every measured path beside its baseline, in one run, as
 * markdown to paste into docs/performance.md with the machine it ran on.
 */
import os from 'node:os';
import { runAlertmanagerBench } from './alertmanager-bench.ts';
import { runCalendarBench } from './calendar-bench.ts';
import { runConsoleBench } from './console-bench.ts';
import { runEngineScaleBench } from './engine-scale-bench.ts';
import { runIncidentScaleBench } from './incident-scale-bench.ts';
import { runIngestBench } from './ingest-bench.ts';
import { runPurgeBench } from './purge-bench.ts';

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `# Vigil benchmarks\n\nMachine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`,
);
console.log(`## Business calendar\n\n${await runCalendarBench()}`);
console.log(`\n## Incidents at scale\n\n${await runIncidentScaleBench()}`);
console.log(`\n## The engine at 10,000 and 100,000 open incidents\n\n${await runEngineScaleBench()}`);
console.log(`\n## Signals: ingestion and detection\n\n${await runIngestBench()}`);
console.log(`\n## Alertmanager side by side\n\n${await runAlertmanagerBench()}`);
console.log(`\n## Telemetry purge at volume\n\n${await runPurgeBench()}`);
console.log(`\n## Web console\n\n${await runConsoleBench()}`);
