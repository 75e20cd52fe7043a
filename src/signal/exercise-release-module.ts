import type { EngineModule, ModuleRunResult } from '../engine/engine-types.ts';
import type { ExerciseReplay } from './signal-exercise-replay.ts';

/**
 * The engine module that releases a live exercise's queued signals when
 * they fall due, so a replay at real speed plays out over the exercise
 * instead of arriving at once.
 */
export function createExerciseReleaseModule(deps: {
  replay: Pick<ExerciseReplay, 'releaseDue'>;
}): EngineModule {
  return {
    name: 'exercise-replay',
    async runOnce(now: Date): Promise<ModuleRunResult> {
      const { released, failures } = await deps.replay.releaseDue(now);
      return { processed: released, failures };
    },
  };
}
