"""The command lines that provenance records and the GPU job passes on parse back to the run's options.

    python3 training/test_run_command.py
"""
import shlex
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import thm  # noqa: E402
import train  # noqa: E402
import train_fsenet  # noqa: E402
from run_command import command_line, options_argv  # noqa: E402

SCRIPTS = {'train.py': train, 'train_fsenet.py': train_fsenet}


class RoundTrip(unittest.TestCase):
    def assert_round_trip(self, script: str, argv: list):
        parsed = vars(SCRIPTS[script].parse_args(argv))
        again = command_line(script, parsed)
        words = shlex.split(again)
        self.assertEqual(words[:2], ['python3', f'training/{script}'])
        self.assertEqual(vars(SCRIPTS[script].parse_args(words[2:])), {**parsed, 'resume': False})

    def test_train_options(self):
        self.assert_round_trip('train.py', ['--mode', 'joint', '--steps', '14000', '--out', 'runs/a b', '--resume',
                                            '--sizes', 'gru2=400,fc=400', '--exit-weights', '1,1,2', '--over', '1.0'])

    def test_default_sizes_are_left_out(self):
        argv = options_argv(vars(train.parse_args(['--mode', 'joint', '--steps', '10', '--out', 'x'])))
        self.assertNotIn('--sizes', argv)
        self.assertNotIn('--resume', argv)

    def test_fsenet_options(self):
        self.assert_round_trip('train_fsenet.py', ['--steps', '100', '--out', 'x', '--sizes', 'width=64,temperature=0.5'])

    def test_leave_out(self):
        argv = options_argv({'steps': 3, 'lr': 0.1, 'resume': True}, {'steps'})
        self.assertEqual(argv, ['--lr', '0.1', '--resume'])

    def test_shipped_models_record_a_command_that_parses(self):
        for path in sorted((HERE.parent / 'models').glob('*.thm')):
            header, _ = thm.read_model(path)
            command = header['provenance'].get('training', {}).get('command')
            if command is None:
                continue
            with self.subTest(model=path.name):
                words = shlex.split(command)
                SCRIPTS[Path(words[1]).name].parse_args(words[2:])


if __name__ == '__main__':
    unittest.main()
