"""A training run's options as the command line that gives them again: the provenance of an exported model
(`export.py`, `export_fsenet.py`) and the recipe the GPU job passes on (`gpu/job.py`)."""
import argparse
import shlex


def parse_sizes(text: str) -> dict:
    """--sizes of both training scripts: 'gru2=400,temperature=0.5' -> {'gru2': 400, 'temperature': 0.5} (the model
    class's keyword arguments; whole numbers as int). The inverse of what options_argv writes for a dict."""
    pairs = [item.split('=') for item in text.split(',') if item]
    if any(len(pair) != 2 for pair in pairs):
        raise argparse.ArgumentTypeError(f'expected name=value pairs, got {text!r}')
    try:
        return {name: int(v) if v.lstrip('-').isdigit() else float(v) for name, v in pairs}
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected numbers as values, got {text!r}') from None


def options_argv(run_args: dict, leave_out=frozenset()) -> list:
    """Options of train.py or train_fsenet.py that parse back to `run_args` (a parsed namespace as a dict), less
    those in `leave_out`: a flag for True, name=value pairs for a dict (--sizes), a comma list for a sequence;
    None, False and an empty dict are the parsers' defaults and are left out."""
    argv = []
    for key, value in sorted(run_args.items()):
        if key in leave_out or value is None or value is False or value == {}:
            continue
        flag = '--' + key.replace('_', '-')
        if value is True:
            argv.append(flag)
        elif isinstance(value, dict):
            argv += [flag, ','.join(f'{name}={v}' for name, v in value.items())]
        elif isinstance(value, (list, tuple)):
            argv += [flag, ','.join(map(str, value))]
        else:
            argv += [flag, str(value)]
    return argv


def command_line(script: str, run_args: dict) -> str:
    """'python3 training/SCRIPT --option value …' for a model's provenance: the run's plan, so --resume is left out."""
    return ' '.join(['python3', f'training/{script}', *map(shlex.quote, options_argv(run_args, {'resume'}))])
