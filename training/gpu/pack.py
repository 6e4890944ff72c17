"""Build the GPU job's pack (training/gpu/pack/, gitignored): what training/gpu/run.sh needs on a machine that has
neither ../shared nor soundfile. Train split only; nothing of the valid or test audio, except the fixed
validation set itself (valid_set.py's mixtures, which train.py scores).

    python3 training/gpu/pack.py [--plan]

pack/
  manifest.csv        every row of the data manifest, so splits.py draws the same speaker partition; rows whose
                      audio is not packed (valid, test, and train files left out below) have kind "not-packed"
                      (and no license or origin: see ../shared/data/manifest.csv)
  speech/, noise/     the kept train files as Ogg Opus (.opus), laid out as in ../shared/data
  asterisk/<voice>/   the kept prompts of the train voices; they keep their .wav names (splits.py lists *.wav)
                      but hold Ogg Opus: libsndfile reads by content, not by name
  valid/              the fixed validation set (valid_pack.py)
  lib/libsndfile.so.1.gz  the self-contained libsndfile of this machine's soundfile wheel, for shim/soundfile.py
                      (gzip: 1.3 MB instead of 3.6; the stand-in unpacks it)
  plan.json           the bitrates and, per group, the files and minutes kept
The CPU run's checkpoint is not packed: it travels with the checkout (training/checkpoints/), and job.py starts
from it.

Speech is Opus at 24 kbit/s: it is the training target, and at 24 kbit/s wideband Opus is close to transparent
for speech (the data folder's new speakers are 32 kbit/s, its new noise 24). Noise is 16 kbit/s: the model
needs its spectral envelope and time course, which Opus keeps at that rate, and the mixer re-colours and
re-speeds it anyway. Groups are cut to fit the 64 MiB a GPU job may carry (see KEEP_*): the recipe draws speech
by group with fixed weights (data.SPEECH_GROUP_WEIGHTS), so a shorter group is drawn as often as before;
noise groups weigh by the square root of their length, so every noise group keeps the same share of its length
and their weights keep their ratios. Files are chosen by a seeded shuffle, so the pack is deterministic.
Encoding is incremental (files already there at their planned length are kept): delete pack/ after changing a rate.
"""
import argparse
import csv
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import soundfile as sf

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import splits  # noqa: E402
import valid_pack  # noqa: E402

PACK = HERE / 'pack'
SPEECH_KBPS, NOISE_KBPS = 24, 16
# Minutes kept per speech group (files whole, in seeded-shuffle order, until the group reaches them); groups not
# named are kept whole (the wake-word and Mycroft groups are short).
KEEP_SPEECH_MINUTES = {'speech/librispeech': 16, 'speech/speechocean762': 16, 'speech/picovoice_speech2intent': 8,
                       'speech/ljspeech': 5, 'asterisk': 6}            # 'asterisk': per voice
KEEP_NOISE_SHARE = 0.4          # of every noise group's length (the last file cut to hit it)
SEED = 20261127
ENCODE_BATCH = 40                # files per ffmpeg process
MIN_CUT_S = 0.5                  # a cut shorter than this is left out


def seconds_of(path: str) -> float:
    return sf.info(path).duration


def keep_minutes(group: str):
    for key, minutes in KEEP_SPEECH_MINUTES.items():
        if group == key or group.startswith(key + '/'):
            return minutes
    return None


def plan_group(paths: list, limit_s: float, cut_last: bool) -> list:
    """[(path, seconds or None for whole)] of a group: files in seeded-shuffle order until `limit_s`."""
    order = sorted(paths)
    random.Random(SEED).shuffle(order)
    kept, total = [], 0.0
    for p in order:
        if total >= limit_s:
            break
        length, remaining = seconds_of(p), limit_s - total
        if cut_last and length > remaining:
            if remaining >= MIN_CUT_S or not kept:
                kept.append((p, remaining))
            break
        kept.append((p, None))
        total += length
    return kept


def packed_path(src: str, pack: Path) -> Path:
    p = Path(src)
    if p.is_relative_to(splits.ASTERISK_ROOT):
        return pack / 'asterisk' / p.relative_to(splits.ASTERISK_ROOT)
    return (pack / p.relative_to(splits.DATA_ROOT)).with_suffix('.opus')


def make_plan(pack: Path) -> list:
    """[{src, dst, kbps, seconds, group}] for the kept train files."""
    files = splits.split_files('train')
    entries = []
    for kind, kbps in (('speech', SPEECH_KBPS), ('noise', NOISE_KBPS)):
        groups = {}
        for p in files[kind]:
            groups.setdefault(splits.source_group(p), []).append(p)
        for group, paths in sorted(groups.items()):
            if kind == 'speech':
                minutes = keep_minutes(group)
                kept = plan_group(paths, float('inf') if minutes is None else minutes * 60, cut_last=False)
            else:
                kept = plan_group(paths, KEEP_NOISE_SHARE * sum(seconds_of(p) for p in paths), cut_last=True)
            entries += [dict(src=p, dst=str(packed_path(p, pack).relative_to(pack)), kbps=kbps, group=group,
                             seconds=round(seconds_of(p) if s is None else s, 3), cut=s is not None)
                        for p, s in kept]
    return entries


def encode(batch: list, pack: Path):
    """Ogg Opus at 16 kHz mono (the container is Ogg whatever the name says), many files per ffmpeg process
    (its start-up costs as much CPU as encoding a short clip)."""
    command = ['ffmpeg', '-nostdin', '-v', 'error', '-y']
    for e in batch:
        command += ['-i', e['src']]
    for i, e in enumerate(batch):
        dst = pack / e['dst']
        dst.parent.mkdir(parents=True, exist_ok=True)
        cut = ['-t', f"{e['seconds']:.3f}"] if e['cut'] else []
        command += ['-map', f'{i}:a', *cut, '-ac', '1', '-ar', '16000', '-c:a', 'libopus', '-b:a', f"{e['kbps']}k",
                    '-application', 'audio', '-f', 'opus', str(dst.with_name(dst.name + '.part'))]
    subprocess.run(command, check=True)
    for e in batch:
        dst = pack / e['dst']
        dst.with_name(dst.name + '.part').replace(dst)


def is_encoded(path: Path, seconds: float) -> bool:
    """Already in the pack at the planned length (a cut file of an earlier plan may have another)."""
    try:
        return abs(sf.info(str(path)).duration - seconds) < 0.01
    except (FileNotFoundError, RuntimeError):
        return False


def write_manifest(pack: Path, entries: list):
    by_src = {e['src']: e for e in entries}
    with open(splits.DATA_ROOT / 'manifest.csv', encoding='utf-8') as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        entry = by_src.get(str(splits.DATA_ROOT / row['path']))
        if entry is None:
            row.update(kind='not-packed', license='', origin='')
        else:
            row['path'], row['seconds'] = entry['dst'], f"{entry['seconds']:.3f}"
    with open(pack / 'manifest.csv', 'w', newline='', encoding='utf-8') as f:
        writer = csv.DictWriter(f, fields)
        writer.writeheader()
        writer.writerows(rows)


def copy_libsndfile(pack: Path):
    lib = Path(sf.__file__).parent / '_soundfile_data' / 'libsndfile_x86_64.so'
    if not lib.exists():
        raise FileNotFoundError(f'{lib} not found: the pack needs the self-contained libsndfile of the manylinux '
                                'soundfile wheel')
    (pack / 'lib').mkdir(exist_ok=True)
    with open(lib, 'rb') as src, gzip.open(pack / 'lib' / 'libsndfile.so.1.gz', 'wb', compresslevel=9) as dst:
        shutil.copyfileobj(src, dst)


def check_splits(pack: Path, entries: list):
    """splits.py on the pack lists exactly the kept train files, and nothing for valid or test."""
    env = dict(os.environ, TINYHUSH_DATA=str(pack), TINYHUSH_ASTERISK=str(pack / 'asterisk'))
    code = ('import json, sys; sys.path.insert(0, "training"); import splits; '
            'print(json.dumps({s: splits.split_files(s) for s in splits.SPLITS}))')
    listed = json.loads(subprocess.run([sys.executable, '-c', code], env=env, cwd=HERE.parents[1], check=True,
                                       capture_output=True, text=True).stdout)
    want = sorted(str(pack / e['dst']) for e in entries)
    got = sorted(listed['train']['speech'] + listed['train']['noise'])
    if got != want:
        raise AssertionError(f'splits.py on the pack lists {len(got)} train files, the plan {len(want)}')
    held_out = sum(len(v) for s in ('valid', 'test') for v in listed[s].values())
    if held_out:
        raise AssertionError(f'splits.py on the pack lists {held_out} valid/test files')


def summary(entries: list) -> dict:
    groups = {}
    for e in entries:
        g = groups.setdefault(e['group'], {'files': 0, 'minutes': 0.0, 'kbps': e['kbps']})
        g['files'] += 1
        g['minutes'] = round(g['minutes'] + e['seconds'] / 60, 2)
    return groups


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--pack', type=Path, default=PACK)
    p.add_argument('--plan', action='store_true', help='print what would be kept and stop')
    args = p.parse_args()
    pack = args.pack.resolve()
    entries = make_plan(pack)
    groups = summary(entries)
    print(json.dumps(groups, indent=1))
    print(f"kept {len(entries)} files, {sum(e['seconds'] for e in entries) / 60:.1f} min", flush=True)
    if args.plan:
        return
    pack.mkdir(parents=True, exist_ok=True)
    planned = {pack / e['dst'] for e in entries}
    for old in [f for d in ('speech', 'noise', 'asterisk') for f in (pack / d).rglob('*') if f.is_file()]:
        if old not in planned:
            old.unlink()                                        # left over from an earlier plan
    todo = [e for e in entries if not is_encoded(pack / e['dst'], e['seconds'])]
    for i in range(0, len(todo), ENCODE_BATCH):
        encode(todo[i:i + ENCODE_BATCH], pack)
        print(f'encoded {min(i + ENCODE_BATCH, len(todo))}/{len(todo)}', flush=True)
    write_manifest(pack, entries)
    (pack / 'plan.json').write_text(json.dumps({'speech_kbps': SPEECH_KBPS, 'noise_kbps': NOISE_KBPS,
                                                'groups': groups}, indent=1))
    check_splits(pack, entries)
    copy_libsndfile(pack)
    valid_pack.save(pack / 'valid')
    sizes = {d.name: sum(f.stat().st_size for f in d.rglob('*') if f.is_file()) if d.is_dir() else d.stat().st_size
             for d in sorted(pack.iterdir())}
    print(json.dumps({'bytes': sizes, 'total_mib': round(sum(sizes.values()) / 2 ** 20, 2)}, indent=1))


if __name__ == '__main__':
    main()
