"""Pilot for the loss choice: trains a small GRU mask model (161-128-GRU128-161) for N steps with the
compressed spectral loss alone ('spec') or plus 0.01 x SI-SDR ('sisdr'), printing validation SI-SDR
improvement every 100 steps. Usage: python3 training/pilot_loss.py spec|sisdr LR STEPS BATCH CROP_S
(run from training/). Results are in training/README.md, "Loss"."""
import sys, time, torch, numpy as np
sys.path.insert(0, str(__import__('pathlib').Path(__file__).parent))
torch.set_num_threads(1)
from data import Mixer
import stft
from loss import si_sdr, SpectralTarget
mode = sys.argv[1]; lr = float(sys.argv[2]); steps = int(sys.argv[3]); B = int(sys.argv[4]); crop = float(sys.argv[5])
torch.manual_seed(0)
tr = Mixer('train', 1, crop); va = Mixer('valid', 12345, 4.0); vn, vc = va.batch(32)
class M(torch.nn.Module):
    def __init__(s):
        super().__init__(); s.fc = torch.nn.Linear(161, 128); s.gru = torch.nn.GRU(128, 128, batch_first=True); s.out = torch.nn.Linear(128, 161)
        s.register_buffer('mu', torch.zeros(161)); s.register_buffer('sd', torch.ones(161))
    def forward(s, f):
        h, _ = s.gru(torch.relu(s.fc((f - s.mu) / s.sd))); return torch.sigmoid(s.out(h))
m = M()
f = torch.cat([stft.log_power(stft.stft(tr.batch(16)[0])).reshape(-1, 161) for _ in range(4)])
m.mu.copy_(f.mean(0)); m.sd.copy_(f.std(0))
opt = torch.optim.Adam(m.parameters(), lr=lr)
def val():
    with torch.no_grad():
        x = stft.stft(vn); e = stft.istft_aligned(m(stft.log_power(x)) * x)
        return (si_sdr(e, vc[:, :e.shape[1]]) - si_sdr(vn, vc)).mean().item()
t0 = time.time()
for i in range(steps + 1):
    if i % 100 == 0: print(mode, i, f'{time.time()-t0:.0f}s', f'{val():.2f}', flush=True)
    n, c = tr.batch(B); x, s = stft.stft(n), stft.stft(c)
    mask = m(stft.log_power(x))
    loss = SpectralTarget(x, s).loss(mask)
    if mode == 'sisdr':
        e = stft.istft_aligned(mask * x)
        loss = loss - 0.01 * si_sdr(e, c[:, :e.shape[1]]).mean()
    opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(m.parameters(), 3.0); opt.step()
