/**
 * Where a CLI command writes its output and its exit status. Commands take a
 * {@link CliIo} instead of touching `process` so that tests capture both.
 */

export interface CliIo {
  /** Writes one line to standard output (the newline is added). */
  out(line: string): void;
  /** Writes one line to standard error (the newline is added). */
  err(line: string): void;
  /** Sets the exit status the process ends with; 0 success, 1 failure. */
  setExitCode(code: number): void;
}

/**
 * The real terminal. Its members are plain functions, so they may be passed
 * around detached (`say: io.out`).
 */
export const processIo: CliIo = {
  out: (line) => {
    process.stdout.write(`${line}\n`);
  },
  err: (line) => {
    process.stderr.write(`${line}\n`);
  },
  setExitCode: (code) => {
    process.exitCode = code;
  },
};
