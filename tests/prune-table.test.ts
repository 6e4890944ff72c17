// bench/prune-table.mjs's pure parts (bench/lib/prune-systems.mjs): the --learned entries, the
// systems in table order, and the rows with their ratios to dense int8.

interface System {
  key: string;
  kind: string;
  sparsity?: number;
  method: string;
  file?: string;
}
interface Exit {
  exit: string;
  microsPerFrame: number;
  macsPerFrame: number;
}
// The harness is plain ESM JavaScript; import it untyped and give it the declared shapes.
const lib = (await import('../bench/lib/prune-systems.mjs' as string)) as {
  parseLearned(entries: string[]): { kind: string; sparsity: number; file: string }[];
  parseKinds(text: string): string[];
  parseSparsities(text: string): number[];
  systemKey(kind: string, sparsity: number, method: string): string;
  pruneSystems(options: { kinds: string[]; sparsities: number[]; learned: { kind: string; sparsity: number; file: string }[] }): System[];
  tableRows(systems: System[], quality: Map<string, object>, timing: Map<string, { exits: Exit[] }>): Record<string, any>[];
};

describe('prune-table systems', () => {
  it('parses --learned KIND:S=FILE, keeping = and : in the file name', () => {
    expect(lib.parseLearned(['block:0.9=runs/b90.thm', 'unit:0.975=a=b:c.thm'])).toEqual([
      { kind: 'block', sparsity: 0.9, file: 'runs/b90.thm' },
      { kind: 'unit', sparsity: 0.975, file: 'a=b:c.thm' },
    ]);
  });

  it.each([
    ['block90.thm', /KIND:S=FILE/],
    ['row:0.9=x.thm', /kind is one of/],
    ['block:1.5=x.thm', /between 0 and 1/],
    ['block:0=x.thm', /between 0 and 1/],
    ['block:=x.thm', /KIND:S=FILE/],
  ])('rejects --learned %s', (entry, message) => {
    expect(() => lib.parseLearned([entry])).toThrow(message);
  });

  it('rejects two learned models of one kind and sparsity', () => {
    expect(() => lib.parseLearned(['block:0.9=a.thm', 'block:0.90=b.thm'])).toThrow(/second learned block model at 90 %/);
  });

  it('checks kinds and sparsities', () => {
    expect(lib.parseKinds('unit,weight')).toEqual(['unit', 'weight']);
    expect(() => lib.parseKinds('weight,rows')).toThrow(/'rows'/);
    expect(lib.parseSparsities('0.5,0.95')).toEqual([0.5, 0.95]);
    expect(() => lib.parseSparsities('0.5,95')).toThrow(/between 0 and 1/);
  });

  it('names systems by kind and percent', () => {
    expect(lib.systemKey('block', 0.9, 'offline')).toBe('block90');
    expect(lib.systemKey('weight', 0.975, 'learned')).toBe('learned-weight97.5');
    // 0.07 · 100 is 7.000000000000001 in floating point
    expect(lib.systemKey('unit', 0.07, 'offline')).toBe('unit7');
  });

  it('orders references, then kind, sparsity, offline before learned', () => {
    const systems = lib.pruneSystems({
      kinds: ['unit', 'block'],
      sparsities: [0.9, 0.5],
      learned: [{ kind: 'block', sparsity: 0.9, file: 'b.thm' }, { kind: 'weight', sparsity: 0.8, file: 'w.thm' }],
    });
    expect(systems.map((s) => s.key)).toEqual([
      'float', 'int8', 'learned-weight80', 'block50', 'block90', 'learned-block90', 'unit50', 'unit90',
    ]);
    expect(systems.find((s) => s.key === 'learned-block90')).toEqual({ key: 'learned-block90', kind: 'block', sparsity: 0.9, method: 'learned', file: 'b.thm' });
  });
});

describe('prune-table rows', () => {
  const timed = (e0: number, full: number, macs0: number, macsFull: number) => ({
    exits: [
      { exit: 'exit0', microsPerFrame: e0, macsPerFrame: macs0 },
      { exit: 'exit1', microsPerFrame: 99, macsPerFrame: 99 },
      { exit: 'exit2', microsPerFrame: full, macsPerFrame: macsFull },
    ],
  });
  const systems = lib.pruneSystems({ kinds: ['block'], sparsities: [0.9], learned: [] });

  it('gives size and time at exit 0 and the last exit as ratios to int8', () => {
    const quality = new Map<string, object>([
      ['int8', { sizeBytes: 1000, full: { sisdr: 10 } }],
      ['block90', { sizeBytes: 250, full: { sisdr: 1 } }],
    ]);
    const timing = new Map([['int8', timed(40, 100, 300, 1000)], ['block90', timed(10, 20, 30, 50)], ['float', timed(80, 300, 300, 1000)]]);
    const [float, int8, block] = lib.tableRows(systems, quality, timing);
    expect(int8).toMatchObject({ key: 'int8', sizeRatio: 1, timeRatio: { exit0: 1, full: 1 } });
    expect(block).toMatchObject({
      key: 'block90', sizeBytes: 250, sizeRatio: 0.25, full: { sisdr: 1 },
      macsPerFrame: { exit0: 30, full: 50 }, microsPerFrame: { exit0: 10, full: 20 }, timeRatio: { exit0: 0.25, full: 0.2 },
    });
    // timed but not scored yet: no size, the time ratio still there
    expect(float.sizeRatio).toBeUndefined();
    expect(float.timeRatio).toEqual({ exit0: 2, full: 3 });
  });

  it('leaves ratios out without int8', () => {
    const rows = lib.tableRows(systems, new Map([['block90', { sizeBytes: 250 }]]), new Map([['block90', timed(10, 20, 30, 50)]]));
    expect(rows[2].sizeRatio).toBeUndefined();
    expect(rows[2].timeRatio).toEqual({ exit0: undefined, full: undefined });
    expect(rows[2].macsPerFrame).toEqual({ exit0: 30, full: 50 });
  });
});
