/**
 * sendInBulk, the one bulk/retry/split path of every sink writer, with a small fake `send` in
 * place of a server: items answered 429/5xx are retried alone with backoff, within maxAttempts,
 * then the batch is given back as unavailable; a refused request is split down to the one item,
 * which alone is rejected; any other error passes on at once, without retries.
 */
import { expect } from 'chai';
import { sendInBulk, SinkUnavailableError, type BulkRound } from '../../src/sinks/sink-writer';

describe('sendInBulk (pure)', () => {
  it('retries only the items answered 429/5xx, with backoff, until they are written', async () => {
    const sent: string[][] = [];
    const rejected: string[] = [];
    const started = Date.now();
    await sendInBulk(
      { id: 's', maxAttempts: 5 },
      ['a', 'b', 'c'],
      (pending, attempt) => {
        sent.push([...pending]);
        const again = attempt < 3 ? pending.filter((item) => item === 'b') : [];
        return Promise.resolve({ again, detail: `${again.length} item(s) failing (status 429): es_rejected_execution_exception` });
      },
      (item) => rejected.push(item),
    );
    expect(sent).to.deep.equal([['a', 'b', 'c'], ['b'], ['b']]);
    expect(rejected).to.deep.equal([]);
    // The sinkItems policy waits at least 100 ms less 20% jitter, then twice that.
    expect(Date.now() - started).to.be.at.least(200);
  });

  it('gives the batch back as a retriable SinkUnavailableError once items still fail after maxAttempts', async () => {
    let calls = 0;
    const err = await sendInBulk(
      { id: 's', maxAttempts: 3 },
      ['a', 'b'],
      (pending): Promise<BulkRound<string>> => {
        calls++;
        return Promise.resolve({ again: pending, detail: `${pending.length} item(s) failing (status 503): unavailable_shards_exception` });
      },
      () => expect.fail('nothing is rejected'),
    ).then(() => undefined, (e: unknown) => e);
    expect(calls).to.equal(3);
    expect(err).to.be.instanceOf(SinkUnavailableError);
    expect((err as SinkUnavailableError).retriable).to.equal(true);
    expect((err as Error).message).to.equal('sink s unavailable: 2 item(s) failing (status 503): unavailable_shards_exception, still after 3 attempts');
  });

  it('splits a refused request in halves down to the one item the server still refuses, which alone is rejected', async () => {
    const written: string[] = [];
    const rejected: Array<[string, string]> = [];
    let requests = 0;
    await sendInBulk(
      { id: 's', maxAttempts: 3 },
      ['a', 'b', 'c', 'd', 'e', 'BIG', 'g', 'h'],
      (pending): Promise<BulkRound<string>> => {
        requests++;
        if (pending.includes('BIG')) return Promise.resolve({ refused: 'request too large for the server (413)' });
        written.push(...pending);
        return Promise.resolve({ again: [], detail: '' });
      },
      (item, reason) => rejected.push([item, reason]),
    );
    expect(written.sort()).to.deep.equal(['a', 'b', 'c', 'd', 'e', 'g', 'h']);
    expect(rejected).to.deep.equal([['BIG', 'request too large for the server (413)']]);
    // 8 -> 4 + 4 -> 2 + 2 -> 1 + 1: seven requests.
    expect(requests).to.equal(7);
  });

  it('passes any other error on at once, without retrying (a write block, refused credentials)', async () => {
    let calls = 0;
    const blocked = new SinkUnavailableError('s', 'index orders is write-blocked');
    const err = await sendInBulk(
      { id: 's', maxAttempts: 5 },
      ['a'],
      (): Promise<BulkRound<string>> => {
        calls++;
        return Promise.reject(blocked);
      },
      () => expect.fail('nothing is rejected'),
    ).then(() => undefined, (e: unknown) => e);
    expect(err).to.equal(blocked);
    expect(calls).to.equal(1);
  });
});
