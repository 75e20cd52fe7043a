/**
 * Group commit: concurrent requests that each need a durable write are
 * gathered into one transaction, and each is answered only after that
 * transaction commits. A commit costs about the same for one row as for a
 * thousand, so under load the batches grow and throughput follows; when
 * idle a lone request is written at once, without waiting for company.
 *
 * One batch runs at a time; requests that arrive meanwhile form the next.
 */

/** Runs one batch; returns one result per item, in order. Throwing fails every item of the batch. */
export type BatchRunner<Item, Result> = (items: readonly Item[]) => Promise<Result[]>;

export interface GroupCommitter<Item, Result> {
  /** Queues `item`; resolves with its result once its batch has committed. */
  submit(item: Item): Promise<Result>;
  /** Resolves when nothing is queued or running. */
  drain(): Promise<void>;
}

interface Waiting<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

/**
 * @param options.maxItems most items in one batch (the rest wait for the next).
 * @param options.weight how much an item counts toward `maxItems` (e.g. its records); default 1.
 */
export function createGroupCommitter<Item, Result>(
  run: BatchRunner<Item, Result>,
  options: { maxItems: number; weight?: (item: Item) => number },
): GroupCommitter<Item, Result> {
  const queue: Waiting<Item, Result>[] = [];
  const weight = options.weight ?? (() => 1);
  let running: Promise<void> | null = null;
  let scheduled = false;

  function takeBatch(): Waiting<Item, Result>[] {
    let total = 0;
    let count = 0;
    while (count < queue.length) {
      const next = weight(queue[count]!.item);
      if (count > 0 && total + next > options.maxItems) break;
      total += next;
      count += 1;
    }
    return queue.splice(0, count);
  }

  async function flush(): Promise<void> {
    while (queue.length > 0) {
      const batch = takeBatch();
      try {
        const results = await run(batch.map((w) => w.item));
        for (const [i, w] of batch.entries()) w.resolve(results[i]!);
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
  }

  function schedule(): void {
    if (running || scheduled) return;
    scheduled = true;
    // Let the requests already read in this turn of the event loop join the first batch.
    setImmediate(() => {
      scheduled = false;
      running = flush().finally(() => {
        running = null;
        if (queue.length > 0) schedule();
      });
    });
  }

  return {
    submit(item) {
      return new Promise<Result>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
    async drain() {
      while (running || scheduled || queue.length > 0) {
        await (running ?? new Promise<void>((r) => setImmediate(r)));
      }
    },
  };
}
