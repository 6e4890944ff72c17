"""Deterministic train / valid / test splits by speaker or source (see training/README.md, "Splits").

Test material (speakers and noise files) is never used for training or model selection; validation is
a separate, disjoint set used for checkpoints and the joint-vs-layerwise comparison.
"""
import csv
import os
import random
import re
import sys
from pathlib import Path

DATA_ROOT = Path(os.environ.get('TINYHUSH_DATA', Path(__file__).resolve().parents[2] / 'shared/data'))
# Built by training/fetch_asterisk.sh (outside the repo): <root>/<voice>/<prompt>.wav
ASTERISK_ROOT = Path(os.environ.get('TINYHUSH_ASTERISK', Path(__file__).resolve().parents[2] / 'cache/asterisk/wav'))

SPLITS = ('train', 'valid', 'test')
LIBRI_TEST_READERS = 25
LIBRI_VALID_READERS = 20
LIBRI_SHUFFLE_SEED = 20261121
OCEAN_TEST_SPEAKERS = 30               # speechocean762 (children and adults, non-native English), by speaker
OCEAN_VALID_SPEAKERS = 20
OCEAN_SHUFFLE_SEED = 20261127

ASTERISK_VOICES = {
    'test': ('en_US_f_Allison', 'es_MX_f_Allison'),   # one person: both on the test side
    'train': ('fr_CA_f_June', 'it_IT_m_Carlo', 'ru_RU_f_IvrvoiceRU'),
}
ASTERISK_NON_SPEECH = re.compile(r'^(silence_\d+|beep|beeperr|ascending-2tone|descending-2tone|tt-monkeys)\.(flac|wav)$')

# Sub-sources without speaker ids, by folder (path prefix under speech/ or noise/).
SPEECH_SUBSOURCES = {
    'test': ('picovoice_wakeword/view_glass/', 'mycroft_precise/heycomputer/es/', 'mycroft_precise/not-wake-words/es/'),
    'valid': ('picovoice_wakeword/snowboy/', 'mycroft_precise/heychatterbox/'),
}
# Whole sound-effect sources held out (split v2): ambiences (blanket), city-builder loops (lincity_ng) and game
# effects (wesnoth) for test; drawing tools, building and rescue effects for validation.
NOISE_SOURCES = {
    'test': ('blanket', 'lincity_ng', 'wesnoth'),
    'valid': ('tuxpaint', 'minetest', 'searchandrescue'),
}
NOISE_FILES = {
    'test': ('speech_commands/running_tap.flac', 'asterisk_moh/manolo_camp-morning_coffee.flac'),
    'valid': ('speech_commands/dude_miaowing.flac', 'asterisk_moh/reno_project-system.flac'),
}
ESC_FOLD = {'test': '5', 'valid': '4'}   # first digit of the ESC-10 file name; folds 1-3 train


def _manifest():
    with open(DATA_ROOT / 'manifest.csv', encoding='utf-8') as f:
        return list(csv.DictReader(f))


def _libri_split_of_reader():
    readers = sorted({r['speaker'] for r in _manifest() if r['source'] == 'librispeech'}, key=int)
    random.Random(LIBRI_SHUFFLE_SEED).shuffle(readers)
    test = set(readers[:LIBRI_TEST_READERS])
    valid = set(readers[LIBRI_TEST_READERS:LIBRI_TEST_READERS + LIBRI_VALID_READERS])
    return {r: 'test' if r in test else 'valid' if r in valid else 'train' for r in readers}


def _ocean_split_of_speaker():
    speakers = sorted({r['speaker'] for r in _manifest() if r['source'] == 'speechocean762'})
    random.Random(OCEAN_SHUFFLE_SEED).shuffle(speakers)
    test = set(speakers[:OCEAN_TEST_SPEAKERS])
    valid = set(speakers[OCEAN_TEST_SPEAKERS:OCEAN_TEST_SPEAKERS + OCEAN_VALID_SPEAKERS])
    return {s: 'test' if s in test else 'valid' if s in valid else 'train' for s in speakers}


def _speech_split(row, libri, ocean):
    rel = row['path'].split('/', 1)[1]              # drop the leading "speech/"
    if row['source'] == 'librispeech':
        return libri[row['speaker']]
    if row['source'] == 'speechocean762':
        return ocean[row['speaker']]
    if row['source'] == 'ljspeech':
        return 'train'                              # single speaker: all of it on the train side
    for split, prefixes in SPEECH_SUBSOURCES.items():
        if rel.startswith(prefixes):
            return split
    return 'train'


def _noise_split(row):
    rel = row['path'].split('/', 1)[1]
    for split, files in NOISE_FILES.items():
        if rel in files:
            return split
    for split, sources in NOISE_SOURCES.items():
        if row['source'] in sources:
            return split
    if row['source'] == 'esc10':
        fold = Path(rel).name[0]
        return next((s for s, f in ESC_FOLD.items() if f == fold), 'train')
    return 'train'


def _asterisk_files(split):
    voices = ASTERISK_VOICES.get(split, ())
    if voices and not ASTERISK_ROOT.is_dir():
        raise FileNotFoundError(f'Asterisk prompts not found at {ASTERISK_ROOT}: run '
                                f'training/fetch_asterisk.sh ../cache/asterisk (or set TINYHUSH_ASTERISK)')
    files = []
    for voice in voices:
        files += [str(p) for p in sorted((ASTERISK_ROOT / voice).glob('*.wav'))
                  if not ASTERISK_NON_SPEECH.match(p.name)]
    return files


def source_group(path: str) -> str:
    """The group a file is drawn by, so sources weigh by what they are, not by how long they are. Speech: its
    source folder, the Asterisk prompts by voice. Noise: its source folder, ESC-10 by class."""
    p = Path(path)
    if p.is_relative_to(ASTERISK_ROOT):
        return 'asterisk/' + p.relative_to(ASTERISK_ROOT).parts[0]
    parts = p.relative_to(DATA_ROOT).parts if p.is_relative_to(DATA_ROOT) else p.parts[-3:]
    return '/'.join(parts[:3]) if parts[1] == 'esc10' else '/'.join(parts[:2])


def split_files(split: str) -> dict:
    """Absolute paths of the speech and noise files of a split ('train', 'valid' or 'test'), sorted."""
    if split not in SPLITS:
        raise ValueError(f'unknown split {split!r}; supported: {", ".join(SPLITS)}')
    libri, ocean = _libri_split_of_reader(), _ocean_split_of_speaker()
    speech, noise = [], []
    for row in _manifest():
        if row['kind'] == 'speech' and _speech_split(row, libri, ocean) == split:
            speech.append(str(DATA_ROOT / row['path']))
        elif row['kind'] == 'noise' and _noise_split(row) == split:
            noise.append(str(DATA_ROOT / row['path']))
    return {'speech': sorted(speech) + _asterisk_files(split), 'noise': sorted(noise)}


if __name__ == '__main__':
    import soundfile as sf
    for s in SPLITS:
        files = split_files(s)
        minutes = {k: sum(sf.info(p).duration for p in v) / 60 for k, v in files.items()}
        print(f'{s}: speech {len(files["speech"])} files {minutes["speech"]:.1f} min, '
              f'noise {len(files["noise"])} files {minutes["noise"]:.1f} min', file=sys.stdout)
