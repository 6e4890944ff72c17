"""The STFT convention shared with the WASM core (docs/internals.md, "STFT convention").

Frame t holds input samples [hop*t - (win-hop), hop*t + hop): the signal is left-padded with
win - hop zeros, so frame t can be computed as soon as hop t has arrived (streaming, causal).
Synthesis windows again and overlap-adds, reproducing the input delayed by win - hop samples.
"""
import torch

WIN = 320
HOP = 160
BINS = WIN // 2 + 1
EPS = 1e-12


def sqrt_hann(win: int = WIN, device=None) -> torch.Tensor:
    return torch.sqrt(torch.hann_window(win, periodic=True, dtype=torch.float64)).to(torch.float32).to(device)


def stft(x: torch.Tensor, win: int = WIN, hop: int = HOP) -> torch.Tensor:
    """x: [..., samples] (samples a multiple of hop) -> complex [..., frames, bins]."""
    x = torch.nn.functional.pad(x, (win - hop, 0))
    spec = torch.stft(x.reshape(-1, x.shape[-1]), n_fft=win, hop_length=hop, window=sqrt_hann(win, x.device),
                      center=False, return_complex=True)
    return spec.transpose(-1, -2).reshape(*x.shape[:-1], -1, win // 2 + 1)


def istft(spec: torch.Tensor, win: int = WIN, hop: int = HOP) -> torch.Tensor:
    """complex [..., frames, bins] -> [..., frames*hop] real, delayed by win - hop like the stream."""
    frames = torch.fft.irfft(spec, n=win) * sqrt_hann(win, spec.device)      # [..., T, win]
    t = frames.shape[-2]
    out = torch.zeros(*frames.shape[:-2], (t + 1) * hop, dtype=frames.dtype, device=frames.device)
    for k in range(win // hop):                                            # overlap-add, hop-sized slabs
        slab = frames[..., k * hop:(k + 1) * hop].reshape(*frames.shape[:-2], t * hop)
        out[..., k * hop:k * hop + t * hop] += slab
    return out[..., :t * hop]


def istft_aligned(spec: torch.Tensor) -> torch.Tensor:
    """`istft` with the stream delay removed: sample n lines up with input sample n (win - hop fewer samples)."""
    return istft(spec)[..., WIN - HOP:]


def log_power(spec: torch.Tensor) -> torch.Tensor:
    """The model input features: log10(|X|^2 + 1e-12)."""
    return torch.log10(spec.real ** 2 + spec.imag ** 2 + EPS)
