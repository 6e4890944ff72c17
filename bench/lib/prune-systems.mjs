/**
 * The systems of bench/prune-table.mjs and its table rows: the float and dense int8 references,
 * then per pruning kind and sparsity an offline model (`tinyhush prune`) and any learned model
 * given as a file (`--learned KIND:S=FILE`).
 */

/** The kinds `tinyhush prune` and training/quant/train_pruned.py make. */
export const PRUNE_KINDS = ['weight', 'block', 'unit'];

/** `0.9` → `90`, `0.975` → `97.5`: a sparsity as a percentage for names and tables. */
export const percent = (sparsity) => Number((100 * sparsity).toPrecision(6));

/** The system key of a pruned model: `block90` (offline) or `learned-block90`. */
export const systemKey = (kind, sparsity, method) => `${method === 'learned' ? 'learned-' : ''}${kind}${percent(sparsity)}`;

/** A sparsity strictly between 0 and 1, from `text` (what `where` says in the error). */
function parseSparsity(text, where) {
  const value = text.trim() === '' ? NaN : Number(text);
  if (!(value > 0 && value < 1)) throw new Error(`${where}: a sparsity between 0 and 1 expected (0.9 = 90 %), got '${text}'`);
  return value;
}

/** `weight,block` → the kinds, each one of PRUNE_KINDS. */
export function parseKinds(text) {
  const kinds = text.split(',').filter(Boolean);
  for (const kind of kinds) if (!PRUNE_KINDS.includes(kind)) throw new Error(`--kinds: ${PRUNE_KINDS.join(', ')} expected, got '${kind}'`);
  return kinds;
}

/** `0.5,0.9` → the sparsities. */
export const parseSparsities = (text) => text.split(',').filter(Boolean).map((s) => parseSparsity(s, '--sparsities'));

/**
 * The `--learned KIND:S=FILE` entries, e.g. `block:0.9=runs/block90.thm`.
 * @returns {{ kind: string, sparsity: number, file: string }[]}
 */
export function parseLearned(entries) {
  const seen = new Set();
  return entries.map((entry) => {
    const match = /^([a-z]+):([^=]+)=(.+)$/s.exec(entry);
    if (!match) throw new Error(`--learned ${entry}: KIND:S=FILE expected, e.g. block:0.9=block90.thm`);
    const [, kind, sparsityText, file] = match;
    if (!PRUNE_KINDS.includes(kind)) throw new Error(`--learned ${entry}: the kind is one of ${PRUNE_KINDS.join(', ')}`);
    const sparsity = parseSparsity(sparsityText, `--learned ${entry}`);
    const key = systemKey(kind, sparsity, 'learned');
    if (seen.has(key)) throw new Error(`--learned ${entry}: a second learned ${kind} model at ${percent(sparsity)} %`);
    seen.add(key);
    return { kind, sparsity, file };
  });
}

/**
 * Every system in table order: float, int8, then per kind (in PRUNE_KINDS order) and sparsity
 * (ascending) the offline model of each requested pair and the learned one given for it, offline
 * first. A learned model may be at a kind or sparsity with no offline model.
 * @returns {{ key: string, kind: string, sparsity?: number, method: 'reference'|'offline'|'learned', file?: string }[]}
 *   `kind`: `float`, `int8` or a pruning kind; `file`: a learned model's file
 */
export function pruneSystems({ kinds, sparsities, learned }) {
  const pruned = [
    ...kinds.flatMap((kind) => sparsities.map((sparsity) => ({ kind, sparsity, method: 'offline' }))),
    ...learned.map(({ kind, sparsity, file }) => ({ kind, sparsity, method: 'learned', file })),
  ].map((s) => ({ key: systemKey(s.kind, s.sparsity, s.method), ...s }));
  const order = (s) => [PRUNE_KINDS.indexOf(s.kind), s.sparsity, s.method === 'offline' ? 0 : 1];
  pruned.sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
  return [{ key: 'float', kind: 'float', method: 'reference' }, { key: 'int8', kind: 'int8', method: 'reference' }, ...pruned];
}

/** Exit 0 and the full (last) exit of a timing row. */
const ends = (timing) => timing && { exit0: timing.exits[0], full: timing.exits[timing.exits.length - 1] };

/**
 * The table rows: each system with its quality (bench/lib/model-quality.mjs `measureModel`) and
 * timing (bench/lib/frame-timing.mjs row), MACs and CPU µs per frame at exit 0 and the full exit,
 * and size and time as ratios to the int8 row (ratios are left out where int8 or the row lacks them).
 * @param systems pruneSystems' list
 * @param {Map<string, object>} quality by key (missing: not measured)
 * @param {Map<string, object>} timing by key (missing: not timed)
 */
export function tableRows(systems, quality, timing) {
  const int8 = { quality: quality.get('int8'), timing: ends(timing.get('int8')) };
  const ratio = (a, b) => (Number.isFinite(a) && b > 0 ? a / b : undefined);
  return systems.map((system) => {
    const q = quality.get(system.key);
    const t = ends(timing.get(system.key));
    const perExit = (pick) => ({ exit0: t && pick(t.exit0), full: t && pick(t.full) });
    return {
      ...system,
      ...q,
      sizeRatio: ratio(q?.sizeBytes, int8.quality?.sizeBytes),
      macsPerFrame: perExit((x) => x.macsPerFrame),
      microsPerFrame: perExit((x) => x.microsPerFrame),
      timeRatio: {
        exit0: ratio(t?.exit0.microsPerFrame, int8.timing?.exit0.microsPerFrame),
        full: ratio(t?.full.microsPerFrame, int8.timing?.full.microsPerFrame),
      },
    };
  });
}
