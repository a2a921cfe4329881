import { expect } from 'chai';
import { renderOutcome } from '../../src/cli/reload-command';

describe('wharf reload: the outcome as printed', () => {
  it('applied: what restarted, started, stopped, scaled and stayed, and the keys that wait for a restart of wharf', () => {
    const text = renderOutcome({
      outcome: 'applied',
      restarted: ['pollers-orders'],
      added: ['pollers-refunds'],
      removed: ['pollers-old'],
      scaled: ['consumers'],
      unchanged: ['health'],
      restartNeededFor: ['log', 'metrics'],
    });
    expect(text).to.equal(
      'applied: restarted pollers-orders; started pollers-refunds; stopped pollers-old; scaled consumers; unchanged health\nrestart wharf to apply: log, metrics\n',
    );
  });

  it('applied with nothing to change', () => {
    expect(renderOutcome({ outcome: 'applied', restarted: [], added: [], removed: [], scaled: [], unchanged: [], restartNeededFor: [] })).to.equal('applied: nothing to change\n');
  });

  it('refused: one problem per line with its key path', () => {
    expect(renderOutcome({ outcome: 'refused', reasons: ['sources[1].intervalMs: expected number, got "soon"', 'sinks: too small'] })).to.equal(
      'refused: the running configuration stays as it is\n  sources[1].intervalMs: expected number, got "soon"\n  sinks: too small\n',
    );
  });
});
