"""nsNet2-style mask estimator with early exits ("split information flow").

Backbone: features -> norm -> fc_in -> gru1 -> gru2 -> fc1 -> fc2 -> exit2.mask (full path).
Exits 0 and 1 read the backbone through their own ancillary layers (exitK.anc -> exitK.mask), so a head
never feeds the deeper path and training it does not bend the deeper features toward its own needs.
A speech-presence head (presence.anc -> presence.out, one sigmoid per frame) reads gru1 like exit 0, so every
exit can report it. Every layer maps 1:1 to a model-file op (docs/model-format.md): dense, gru (torch.nn.GRU
semantics).
"""
import torch
from torch import nn

BINS = 161


class FeatureNorm(nn.Module):
    """Fixed per-bin affine normalisation (x - mean) / std; export folds it into fc_in."""

    def __init__(self, bins: int = BINS):
        super().__init__()
        self.register_buffer('mean', torch.zeros(bins))
        self.register_buffer('std', torch.ones(bins))

    def set_stats(self, mean: torch.Tensor, std: torch.Tensor):
        self.mean.copy_(mean)
        self.std.copy_(std.clamp_min(1e-3))

    def forward(self, x):
        return (x - self.mean) / self.std


class Head(nn.Module):
    """An exit: optional ancillary dense + relu, then a dense + sigmoid mask."""

    def __init__(self, inp: int, anc: int | None):
        super().__init__()
        self.anc = nn.Linear(inp, anc) if anc else None
        self.mask = nn.Linear(anc or inp, BINS)

    def forward(self, x):
        if self.anc is not None:
            x = torch.relu(self.anc(x))
        return torch.sigmoid(self.mask(x))


class PresenceHead(nn.Module):
    """Per-frame speech probability from gru1's output: dense + relu, then one sigmoid unit."""

    def __init__(self, inp: int, anc: int):
        super().__init__()
        self.anc = nn.Linear(inp, anc)
        self.out = nn.Linear(anc, 1)

    def forward(self, x):
        return torch.sigmoid(self.out(torch.relu(self.anc(x))))[..., 0]


class NsNetEE(nn.Module):
    """Early-exit nsNet2. `forward(features [B, T, 161]) -> [mask_exit0, mask_exit1, mask_exit2]`, each [B, T, 161];
    `presence(h1)` gives the speech probability [B, T] from `shallow(features)`."""

    def __init__(self, fc_in: int = 192, gru1: int = 192, anc0: int = 96, gru2: int = 320, anc1: int = 160,
                 fc: int = 320, presence: int = 32):
        super().__init__()
        self.sizes = dict(fc_in=fc_in, gru1=gru1, anc0=anc0, gru2=gru2, anc1=anc1, fc=fc, presence=presence)
        self.norm = FeatureNorm()
        self.fc_in = nn.Linear(BINS, fc_in)
        self.gru1 = nn.GRU(fc_in, gru1, batch_first=True)
        self.exit0 = Head(gru1, anc0)
        self.gru2 = nn.GRU(gru1, gru2, batch_first=True)
        self.exit1 = Head(gru2, anc1)
        self.fc1 = nn.Linear(gru2, fc)
        self.fc2 = nn.Linear(fc, fc)
        self.exit2 = Head(fc, None)
        self.presence = PresenceHead(gru1, presence)

    def forward(self, features, max_exit: int = 2, h1=None):
        """Masks of exits 0..max_exit (stopping early saves the deeper layers' compute); pass `h1` when
        `shallow(features)` is already known."""
        h1 = self.shallow(features) if h1 is None else h1
        masks = [self.exit0(h1)]
        if max_exit >= 1:
            h2, _ = self.gru2(h1)
            masks.append(self.exit1(h2))
            if max_exit >= 2:
                masks.append(self.full_head(h2))
        return masks

    def shallow(self, features):
        """gru1's output [B, T, gru1]: the part of the backbone every exit runs."""
        return self.gru1(torch.relu(self.fc_in(self.norm(features))))[0]

    def full_head(self, h2):
        """The full exit's mask from gru2's output (fc1 -> fc2 -> exit2)."""
        return self.exit2(torch.relu(self.fc2(torch.relu(self.fc1(h2)))))

    def layers(self) -> list:
        """Execution-order layer list in model-file terms: dicts with name, op, input, activation, module.
        `name` is also the module path (model.get_submodule(name)); `norm` is not a layer (fold it into fc_in)."""
        s = self.sizes
        dense = lambda name, inp, act: dict(name=name, op='dense', input=inp, activation=act,
                                            module=self.get_submodule(name))
        gru = lambda name, inp: dict(name=name, op='gru', input=inp, module=self.get_submodule(name))
        return [dense('fc_in', 'features', 'relu'), gru('gru1', 'fc_in'),
                dense('presence.anc', 'gru1', 'relu'), dense('presence.out', 'presence.anc', 'sigmoid'),
                dense('exit0.anc', 'gru1', 'relu'), dense('exit0.mask', 'exit0.anc', 'sigmoid'),
                gru('gru2', 'gru1'),
                dense('exit1.anc', 'gru2', 'relu'), dense('exit1.mask', 'exit1.anc', 'sigmoid'),
                dense('fc1', 'gru2', 'relu'), dense('fc2', 'fc1', 'relu'), dense('exit2.mask', 'fc2', 'sigmoid')]

    def exits(self) -> list:
        """Cheapest first: dicts with name, output (mask layer) and the layers it needs, in execution order.
        Every exit runs the speech-presence head."""
        shared = ['fc_in', 'gru1', 'presence.anc', 'presence.out']
        needs = {0: shared + ['exit0.anc', 'exit0.mask'],
                 1: shared + ['gru2', 'exit1.anc', 'exit1.mask'],
                 2: shared + ['gru2', 'fc1', 'fc2', 'exit2.mask']}
        return [dict(name=f'exit{k}', output=f'exit{k}.mask', layers=v) for k, v in needs.items()]

    def exit_macs(self) -> list:
        """Multiply-accumulates per frame of each exit (weights only: dense W x, GRU W_ih x + W_hh h)."""
        per_layer = {}
        for layer in self.layers():
            m = layer['module']
            if layer['op'] == 'dense':
                per_layer[layer['name']] = m.in_features * m.out_features
            else:
                per_layer[layer['name']] = 3 * m.hidden_size * (m.input_size + m.hidden_size)
        return [sum(per_layer[n] for n in e['layers']) for e in self.exits()]

    def stage_modules(self, stage: int) -> list:
        """Modules trained in layer-wise stage k (the new backbone part plus exit k's head)."""
        return [[self.fc_in, self.gru1, self.exit0, self.presence], [self.gru2, self.exit1], [self.fc1, self.fc2, self.exit2]][stage]


def fold_norm_into_fc_in(model: NsNetEE):
    """(weight, bias) of fc_in with the feature normalisation folded in, for export:
    W ((x - mean) / std) + b = (W / std) x + (b - W (mean / std))."""
    w, b = model.fc_in.weight.detach(), model.fc_in.bias.detach()
    mean, std = model.norm.mean, model.norm.std
    return w / std, b - w @ (mean / std)


def from_model_file(header: dict, tensors: dict) -> NsNetEE:
    """An NsNetEE holding the weights of an exported nsnet-ee model file (thm.read_model), for a warm start:
    the file's fc_in has the feature normalisation folded in, so the norm is left as the identity. Layers the
    file lacks (e.g. the speech-presence head of older files) keep their fresh initialisation."""
    layers = {layer['name']: layer for layer in header['layers']}
    sizes = dict(fc_in=layers['fc_in']['out'], gru1=layers['gru1']['hidden'], anc0=layers['exit0.anc']['out'],
                 gru2=layers['gru2']['hidden'], anc1=layers['exit1.anc']['out'], fc=layers['fc1']['out'])
    if 'presence.anc' in layers:
        sizes['presence'] = layers['presence.anc']['out']
    model = NsNetEE(**sizes)
    state = model.state_dict()
    for name, layer in layers.items():
        if layer['op'] == 'dense':
            pairs = {'weight': layer['weight'], 'bias': layer['bias']}
        else:
            pairs = {'weight_ih_l0': layer['weightIh'], 'weight_hh_l0': layer['weightHh'],
                     'bias_ih_l0': layer['biasIh'], 'bias_hh_l0': layer['biasHh']}
        for key, tensor in pairs.items():
            state[f'{name}.{key}'] = torch.from_numpy(tensors[tensor].copy())
    model.load_state_dict(state)
    return model


def load_checkpoint(path) -> NsNetEE:
    """The model of a train.py checkpoint, in eval mode: its weight average (EMA) where it has one."""
    ckpt = torch.load(path, map_location='cpu', weights_only=False)
    model = NsNetEE(**ckpt['sizes'])
    model.load_state_dict(ckpt.get('ema') or ckpt['model'])
    return model.eval()
