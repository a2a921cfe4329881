/**
 * The source poller pipelines pages (several fetched and produced before the first one's cursor
 * is saved), on the real stack with `wharf run`: every record still reaches its partition in
 * page order, so when each page updates the same ids, both sinks end with the last page's
 * content (absent an upstream version, the Kafka offset is the version: a page sent out of order
 * would win with older content); and the cursor saved at the end is the last page's.
 */
import { expect } from 'chai';
import { CursorStore } from '../../src/coordination/cursor-store';
import { connectZookeeper } from '../../src/coordination/zookeeper';
import { localConfig } from '../helpers/local-stack';
import { eventually, expectSinksHoldNewest, PipelineRun } from '../helpers/pipeline';

const IDS = 100;
const ROUNDS = 30;

describe('source poller: pipelined pages (real stack, wharf run)', function () {
  this.timeout(240_000);
  const run = new PipelineRun();

  after(() => run.stop());

  it('delivers page after page in order (the last update of each id wins in both sinks) and saves the last page\'s cursor', async () => {
    // Pages of 100 (the run's upstream): page r updates ids 1..100 with round r.
    for (let round = 1; round <= ROUNDS; round++) {
      for (let id = 1; id <= IDS; id++) run.upstream.records.push({ id, round, amount: round * 1000 + id });
    }
    await run.start();
    const cursor = async () => {
      const zk = await connectZookeeper(localConfig().zookeeper);
      try {
        return (await new CursorStore(zk, `/wharf-test/${run.name}`).load('orders')).cursor;
      } finally {
        zk.close();
      }
    };
    expect(await eventually(cursor, (c) => c === String(IDS * ROUNDS), 120_000, 'the last page\'s cursor')).to.equal(String(IDS * ROUNDS));
    await eventually(
      async () => {
        await run.es.indices.refresh({ index: run.name });
        const found = await run.es.search({ index: run.name, size: 0, query: { term: { round: ROUNDS } } });
        return typeof found.hits.total === 'number' ? found.hits.total : (found.hits.total?.value ?? 0);
      },
      (n) => n === IDS,
      120_000,
      'every id at its last round in Elasticsearch',
    );
    await expectSinksHoldNewest(run);
  });
});
