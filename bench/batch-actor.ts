/** The actor the supervision benchmark talks to: acknowledges a batch of records. */
import { WharfActor } from '../src/actors/wharf-actor';

export default class BatchActor extends WharfActor {
  private received = 0;

  ack(batch: { records: unknown[] }): { count: number; total: number } {
    this.received += batch.records.length;
    return { count: batch.records.length, total: this.received };
  }
}
