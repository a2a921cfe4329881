import { expect } from 'chai';
import { SerialMailbox } from '../../src/supervisors/serial-mailbox';

describe('serial mailbox', () => {
  it('runs async tasks one at a time in arrival order, even when later ones are faster', async () => {
    const mailbox = new SerialMailbox();
    const log: string[] = [];
    const task = (name: string, ms: number) => () =>
      new Promise<string>((resolve) => {
        log.push(`start ${name}`);
        setTimeout(() => {
          log.push(`end ${name}`);
          resolve(name);
        }, ms);
      });
    const results = await Promise.all([mailbox.run(task('a', 30)), mailbox.run(task('b', 1)), mailbox.run(task('c', 10))]);
    expect(results).to.deep.equal(['a', 'b', 'c']);
    expect(log).to.deep.equal(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('rejects only the failing task and keeps serving the ones after it', async () => {
    const mailbox = new SerialMailbox();
    const failed = mailbox.run(() => Promise.reject(new Error('boom')));
    const next = mailbox.run(() => 'ok');
    expect(mailbox.depth).to.equal(2);
    expect(await failed.catch((e: Error) => e.message)).to.equal('boom');
    expect(await next).to.equal('ok');
    expect(mailbox.depth).to.equal(0);
  });
});
