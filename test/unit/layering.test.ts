import { resolve } from 'node:path';
import { expect } from 'chai';
import { layeringViolations, parseSource, readSourceTree, sizeViolations, type SourceFile } from '../helpers/import-graph';

const SRC = resolve(__dirname, '../../../src');

/** A synthetic file for the rule tests: `imports` are src/-relative files or package names. */
const file = (path: string, imports: string[] = [], lines = 10): SourceFile => ({ path, imports, lines });

describe('layering of src/', () => {
  it('keeps every layering rule: no forbidden import, no cycle between top-level folders, kafkajs and comedy each in one folder', () => {
    expect(layeringViolations(readSourceTree(SRC))).to.deep.equal([]);
  });

  it('keeps files small: none over 300 lines, src/system.ts at most 200', () => {
    expect(sizeViolations(readSourceTree(SRC))).to.deep.equal([]);
  });

  it('reads static, re-exported, dynamic and side-effect imports, resolved against src/', () => {
    const parsed = parseSource('/r/src', '/r/src/actors/x.ts', [
      "import type { A } from '../sinks/sink-writer';",
      "export { B } from './registry';",
      "import '../log';",
      "const k = require('kafkajs');",
      "const c = await import('comedy');",
      "import { z } from 'zod';",
      "import pino from 'pino';",
    ].join('\n'));
    expect(parsed.imports).to.deep.equal(['sinks/sink-writer.ts', 'actors/registry.ts', 'log.ts', 'kafkajs', 'comedy', 'zod', 'pino']);
  });

  it('flags sources and sinks importing each other, and the Kafka folder importing either', () => {
    const files = [file('sources/a.ts', ['sinks/b.ts']), file('sinks/b.ts'), file('kafka/c.ts', ['sources/a.ts'])];
    expect(layeringViolations(files)).to.deep.equal([
      'sources/a.ts imports sinks/b.ts: sources and sinks meet only through Kafka',
      'kafka/c.ts imports sources/a.ts: the Kafka folder knows records, not sources',
    ]);
  });

  it('flags adapters importing supervisors or actors, supervisors importing wharf components, config importing actors', () => {
    const files = [
      file('sinks/w.ts', ['supervisors/s.ts']),
      file('supervisors/s.ts', ['coordination/z.ts']),
      file('coordination/z.ts'),
      file('config/c.ts', ['actors/a.ts']),
      file('actors/a.ts'),
    ];
    expect(layeringViolations(files)).to.deep.equal([
      'sinks/w.ts imports supervisors/s.ts: adapters do I/O and know nothing of supervision',
      'supervisors/s.ts imports coordination/z.ts: the supervisors are generic: they know no wharf component',
      'config/c.ts imports actors/a.ts: validation is pure: the assembly checks actor kinds',
    ]);
  });

  it('flags two top-level folders importing each other, directly or in a circle', () => {
    const files = [file('metrics/m.ts', ['service/s.ts']), file('service/s.ts', ['records/r.ts']), file('records/r.ts', ['metrics/m.ts'])];
    expect(layeringViolations(files)).to.deep.equal(['top-level folders import each other, directly or in a circle: metrics, records, service']);
  });

  it('flags kafkajs outside the Kafka folder and comedy outside the supervisors', () => {
    const files = [file('actors/a.ts', ['kafkajs']), file('kafka/k.ts', ['kafkajs']), file('service/s.ts', ['comedy'])];
    expect(layeringViolations(files)).to.deep.equal([
      'actors/a.ts imports kafkajs, which only src/kafka/ may use',
      'service/s.ts imports comedy, which only src/supervisors/ may use',
    ]);
  });

  it('flags a file over 300 lines and a system.ts over 200', () => {
    expect(sizeViolations([file('a/b.ts', [], 301), file('a/c.ts', [], 300), file('system.ts', [], 201)])).to.deep.equal([
      'a/b.ts has 301 lines (at most 300)',
      'system.ts has 201 lines (at most 200)',
    ]);
  });
});
