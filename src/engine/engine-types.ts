/**
 * Types of the engine: the cycle loop that runs background work (SLA
 * escalation, outbox delivery, ...) as named modules, one leader at a time.
 */

/** A row a module could not act on, reported so the engine can log it; the row is retried next cycle. */
export interface ModuleFailure {
  /** Names the row, e.g. `<incidentId>:acknowledge`. */
  key: string;
  error: unknown;
}

/** What one run of a module did. */
export interface ModuleRunResult {
  /** Rows acted on (an event recorded or a clock advanced); rows another engine got to first are not counted. */
  processed: number;
  /** Rows that threw; their transactions rolled back and they stay due. */
  failures?: readonly ModuleFailure[];
}

/**
 * A unit of background work. `runOnce` claims the rows due at `now` in
 * batches, acts on each in its own transaction, idempotently (a second
 * engine or a repeated run must change nothing), and returns within its
 * time budget. It never loops or sleeps by itself: the engine owns the cadence.
 */
export interface EngineModule {
  /** Short, stable name for logs and reports, e.g. `sla`. */
  name: string;
  /** @param now the cycle's instant (UTC), read once from the engine's clock. */
  runOnce(now: Date): Promise<ModuleRunResult>;
}

/** One module's part of a cycle. */
export interface ModuleReport {
  name: string;
  processed: number;
  /** Rows that failed (logged by the engine). */
  failed: number;
  /** Set when `runOnce` itself threw. */
  error?: string;
}

/** What one cycle did. */
export interface CycleReport {
  /** When the cycle started (the engine's clock). */
  at: Date;
  /** Whether this engine held the lease for the cycle; a non-leader does nothing else. */
  leader: boolean;
  /** The modules run, in order; empty when not leader. */
  modules: ModuleReport[];
}

/** A running engine. */
export interface Engine {
  /**
   * Acquires or renews the lease and, when leader, runs every module once.
   * Calls made while a cycle runs wait for it and then run their own.
   * A stopped engine does nothing and reports `leader: false`.
   */
  runCycle(): Promise<CycleReport>;
  /** Runs a cycle now and then every `intervalMs` after the previous one ends; errors are logged. */
  start(): void;
  /** Stops the schedule, waits for a running cycle, then releases the lease so another engine takes over at once. */
  stop(): Promise<void>;
  /** True while this engine holds an unexpired lease (by its own clock). */
  isLeader(): boolean;
}
