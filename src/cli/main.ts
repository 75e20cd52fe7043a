/** Entry point of the `vigil` command (see bin/vigil.js). */
import { processIo } from './cli-io.ts';
import { runCli } from './program.ts';

await runCli(process.argv.slice(2), processIo);
