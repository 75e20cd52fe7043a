import { describe, expect, it } from 'vitest';
import { createGroupCommitter } from './group-commit.ts';

describe('createGroupCommitter', () => {
  it('gathers items submitted together into one batch, in order', async () => {
    const batches: number[][] = [];
    const committer = createGroupCommitter<number, string>(
      async (items) => {
        batches.push([...items]);
        return items.map((i) => `done ${i}`);
      },
      { maxItems: 100 },
    );
    const results = await Promise.all([1, 2, 3].map((i) => committer.submit(i)));
    expect(results).toEqual(['done 1', 'done 2', 'done 3']);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('forms the next batch from what arrives while one runs, and respects the weight limit', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const committer = createGroupCommitter<number, number>(
      async (items) => {
        batches.push([...items]);
        if (batches.length === 1) await gate;
        return [...items];
      },
      { maxItems: 5, weight: (i) => i },
    );
    const first = committer.submit(1);
    await new Promise((r) => setImmediate(r));
    const later = [committer.submit(2), committer.submit(3), committer.submit(4)];
    release();
    await Promise.all([first, ...later]);
    // 2 + 3 fit in 5; 4 waits for the next batch.
    expect(batches).toEqual([[1], [2, 3], [4]]);
  });

  it('fails every item of a batch that throws, and carries on with the next', async () => {
    let calls = 0;
    const committer = createGroupCommitter<string, string>(
      async (items) => {
        calls += 1;
        if (calls === 1) throw new Error('disk full');
        return items.map((i) => i.toUpperCase());
      },
      { maxItems: 10 },
    );
    const failing = [committer.submit('a'), committer.submit('b')];
    await expect(Promise.all(failing)).rejects.toThrow('disk full');
    await expect(committer.submit('c')).resolves.toBe('C');
    await committer.drain();
  });
});
