"""Conv-FSENet-style causal mask estimator with dynamic channel pruning (DynCP, issue 16).

features (161 log-power bins, fixed per-bin normalisation) -> fc_in (pointwise 161 -> width)
-> residual blocks: expand (pointwise width -> channels, relu) -> depthwise causal conv (kernel 3,
dilation 1, 2, 4, 8 within each stack, relu) -> project (pointwise channels -> width) -> add
-> out (pointwise width -> 161, sigmoid): the mask on the noisy STFT (same STFT as nsnet-ee).

Each block has a gate: a small network on the block's input, conditioned on the target ratio r,
gives one logit per expanded channel; a channel runs in a frame iff its logit is > 0. Training
uses the hard decision forward and the sigmoid's gradient backward (straight-through), and
`ratio_loss` pulls each block's active share to r, drawn per batch; so one model serves every r
at run time. A skipped channel's expand output is 0 (and enters the depthwise history as 0), its
depthwise output is 0, its project column is unused: docs/model-format.md, "Gates".

Gate network (per block, in model-file terms; `ratioWeight` is the proposed field of
docs/model-format.md, "Gate decisions (proposed)"):
  gate.hidden  dense relu  width -> gate_hidden, bias + r * hidden_ratio
  gate.logits  dense none  gate_hidden -> channels, bias + r * logits_ratio; channel on iff > 0

A static mask (`static_masks`, one 0/1 vector per block) replaces the gates for the pruned-once
baseline: the same architecture with a fixed channel subset (exported as smaller layers).
"""
import torch
from torch import nn

from .nsnet_ee import FeatureNorm

BINS = 161


def straight_through(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """1 where logits > 0, else 0; the gradient is that of sigmoid(logits / temperature)."""
    return _StraightThrough.apply(logits, temperature)


class _StraightThrough(torch.autograd.Function):
    """straight_through as one node: forward 2 passes over the logits instead of 6, the sigmoid only in backward."""

    @staticmethod
    def forward(ctx, logits, temperature):
        ctx.save_for_backward(logits)
        ctx.temperature = temperature
        return (logits > 0).to(logits.dtype)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        logits, t = ctx.saved_tensors[0], ctx.temperature
        d = torch.ops.aten.sigmoid_backward(grad, torch.sigmoid(logits if t == 1 else logits / t))
        return d if t == 1 else d / t, None


def _causal_taps(h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, dilation: int) -> torch.Tensor:
    """Block.depthwise's sum before the relu: bias + taps added oldest first, as a left-padded input gives it term
    by term (a tap before the first frame only adds zero, so it is skipped), without the padded copy. Tap j reads
    t - (kernel - 1 - j) * dilation."""
    t, kernel = h.shape[1], weight.shape[1]
    y = bias.expand_as(h).clone()
    for j in range(kernel):
        shift = (kernel - 1 - j) * dilation
        if shift < t:
            y[:, shift:] += weight[:, j] * h[:, :t - shift]
    return y


def _causal_taps_backward(grad: torch.Tensor, h: torch.Tensor, weight: torch.Tensor, dilation: int):
    """Gradients of _causal_taps' sum by h, weight and bias."""
    t, kernel = h.shape[1], weight.shape[1]
    d_h, d_weight = grad * weight[:, -1], torch.zeros_like(weight)
    for j in range(kernel):
        shift = (kernel - 1 - j) * dilation
        if shift < t:
            d_weight[:, j] = (grad[:, shift:] * h[:, :t - shift]).sum(dim=(0, 1))
        if 0 < shift < t:
            d_h[:, :t - shift].addcmul_(grad[:, shift:], weight[:, j])
    return d_h, d_weight, grad.sum(dim=(0, 1))


class _CausalDepthwise(torch.autograd.Function):
    """_causal_taps as one node (backward by hand: each tap a shifted slice)."""

    @staticmethod
    def forward(ctx, h, weight, bias, dilation):
        ctx.save_for_backward(h, weight)
        ctx.dilation = dilation
        return _causal_taps(h, weight, bias, dilation)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        h, weight = ctx.saved_tensors
        return *_causal_taps_backward(grad, h, weight, ctx.dilation), None


class _MaskedCore(torch.autograd.Function):
    """A masked block between expand and project, relu(depthwise(relu(a) * mask)) * mask, as one node: the same
    operations forward; backward by hand with fewer passes over the [B, T, channels] tensors than autograd makes."""

    @staticmethod
    def forward(ctx, a, mask, weight, bias, dilation):
        relu_a = torch.relu(a)
        h = relu_a * mask
        relu_y = torch.relu_(_causal_taps(h, weight, bias, dilation))
        ctx.save_for_backward(relu_a, h, relu_y, mask, weight)
        ctx.dilation = dilation
        return relu_y * mask

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        relu_a, h, relu_y, mask, weight = ctx.saved_tensors
        d_y = torch.ops.aten.threshold_backward(grad * mask, relu_y, 0)
        d_h, d_weight, d_bias = _causal_taps_backward(d_y, h, weight, ctx.dilation)
        d_mask = (grad * relu_y).addcmul_(d_h, relu_a) if ctx.needs_input_grad[1] else None
        return torch.ops.aten.threshold_backward(d_h.mul_(mask), relu_a, 0), d_mask, d_weight, d_bias, None


class Gate(nn.Module):
    """Per-frame channel decisions from the block input and the target ratio."""

    def __init__(self, width: int, hidden: int, channels: int):
        super().__init__()
        self.hidden = nn.Linear(width, hidden)
        self.logits = nn.Linear(hidden, channels)
        self.hidden_ratio = nn.Parameter(torch.zeros(hidden))
        self.logits_ratio = nn.Parameter(torch.zeros(channels))
        nn.init.constant_(self.logits.bias, 1.0)          # start with every channel on

    def forward(self, x: torch.Tensor, ratio: torch.Tensor) -> torch.Tensor:
        """x [B, T, width], ratio [B] -> logits [B, T, channels]."""
        r = ratio[:, None, None]
        h = torch.relu(self.hidden(x) + r * self.hidden_ratio)
        return self.logits(h) + r * self.logits_ratio


class Block(nn.Module):
    """Residual block: x + project(dwconv(expand(x) * m) * m), m the channel mask of the frame."""

    def __init__(self, width: int, channels: int, kernel: int, dilation: int, gate_hidden: int):
        super().__init__()
        self.kernel, self.dilation = kernel, dilation
        self.expand = nn.Linear(width, channels)
        self.dw_weight = nn.Parameter(torch.randn(channels, kernel) / kernel ** 0.5)
        self.dw_bias = nn.Parameter(torch.zeros(channels))
        self.project = nn.Linear(channels, width)
        self.gate = Gate(width, gate_hidden, channels)

    def depthwise(self, h: torch.Tensor) -> torch.Tensor:
        """Causal dilated depthwise conv over time of h [B, T, C]: tap j reads t - (kernel - 1 - j) * dilation."""
        return torch.relu(_CausalDepthwise.apply(h, self.dw_weight, self.dw_bias, self.dilation))

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        a = self.expand(x)
        if mask is None:
            y = self.depthwise(torch.relu(a))
        else:
            y = _MaskedCore.apply(a, mask, self.dw_weight, self.dw_bias, self.dilation)
        return x + self.project(y)


class FSENet(nn.Module):
    """`forward(features [B, T, 161], ratio [B]) -> (mask [B, T, 161], gates [blocks x [B, T, channels]])`.
    `ratio` None runs every channel (no gates); `static_masks` set runs the fixed subsets instead."""

    def __init__(self, width: int = 96, channels: int = 368, stacks: int = 3, dilations=(1, 2, 4, 8),
                 kernel: int = 3, gate_hidden: int = 16, temperature: float = 1.0):
        super().__init__()
        self.sizes = dict(width=width, channels=channels, stacks=stacks, dilations=list(dilations), kernel=kernel,
                          gate_hidden=gate_hidden, temperature=temperature)
        self.norm = FeatureNorm()
        self.fc_in = nn.Linear(BINS, width)
        self.blocks = nn.ModuleList(Block(width, channels, kernel, d, gate_hidden)
                                    for _ in range(stacks) for d in dilations)
        self.out = nn.Linear(width, BINS)
        with torch.no_grad():                             # residual branches start small: a stable deep stack
            for b in self.blocks:
                b.project.weight.mul_(1 / len(self.blocks) ** 0.5)
                b.project.bias.zero_()
        self.register_buffer('static_masks', torch.ones(0))

    def set_static_masks(self, masks: torch.Tensor | None):
        """Fix each block's channel subset ([blocks, channels] of 0/1), or None to go back to the gates."""
        self.static_masks = torch.ones(0) if masks is None else masks.to(torch.float32)

    @property
    def static(self) -> bool:
        return self.static_masks.numel() > 0

    def forward(self, features: torch.Tensor, ratio: torch.Tensor | None = None):
        x = self.fc_in(self.norm(features))
        gates = []
        for i, block in enumerate(self.blocks):
            if self.static:
                mask = self.static_masks[i]
            elif ratio is not None:
                mask = straight_through(block.gate(x, ratio), self.sizes['temperature'])
                gates.append(mask)
            else:
                mask = None
            x = block(x, mask)
        return torch.sigmoid(self.out(x)), gates

    def macs(self, active_share: float = 1.0, gated: bool = True) -> dict:
        """Multiply-accumulates per frame (weights only, docs/model-format.md "Dense MACs") with `active_share`
        of each block's channels running; the gate network's own cost counts when `gated`."""
        s = self.sizes
        w, c, g, k, n = s['width'], s['channels'], s['gate_hidden'], s['kernel'], len(self.blocks)
        block = (w * c + c * k + c * w) * active_share
        gate = (w * g + g * c) if gated else 0
        io = BINS * w + w * BINS
        return {'io': io, 'block': block, 'gate': gate, 'total': io + n * (block + gate)}


def ratio_loss(gates: list, ratio: torch.Tensor) -> torch.Tensor:
    """Mean over blocks of (block's active share over the batch and frames - target)^2; `ratio` is per example
    (one value per batch in training), so the mean is taken per example first."""
    shares = torch.stack([m.mean(dim=(1, 2)) for m in gates])          # [blocks, B]
    return (shares - ratio[None]).pow(2).mean()


def active_shares(gates: list) -> list:
    """Each block's share of channels that ran (over batch and frames)."""
    return [float(m.detach().mean()) for m in gates]
