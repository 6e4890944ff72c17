// Real FFT of even length n = 2·M, M = 2^a·3^b·5^c. The n reals are read as M complex values
// (even samples real, odd imaginary), transformed by an in-place mixed-radix decimation-in-time
// FFT (KISS FFT's factor order, made iterative with a precomputed input permutation), and split
// into the n/2+1 bins of the real transform. All tables are built in fftPlan.

import { alloc, allocF32 } from './memory';

const MAX_STAGES = 32;

@unmanaged class FftPlan {
  n: i32;          // real length
  half: i32;       // M = n / 2 complex points
  stages: i32;     // number of radix stages
  radix: usize;    // i32[stages]: radix p of each level, outermost first
  span: usize;     // i32[stages]: sub-transform length m of each level
  perm: usize;     // i32[M]: work[j] = z[perm[j]] before the stages run
  stageTw: usize;  // complex twiddles, per level (innermost first): m·(p−1) values
  postTw: usize;   // complex e^(−2πik/n), k in [0, M]: splits the half-length transform
  work: usize;     // complex[M] scratch
}

/** Stores e^(i·angle) as an f32 (re, im) pair. */
@inline function setPhasor(ptr: usize, angle: f64): void {
  store<f32>(ptr, <f32>Math.cos(angle));
  store<f32>(ptr, <f32>Math.sin(angle), 4);
}

function fillPermutation(plan: FftPlan, level: i32, out: i32, input: i32, fstride: i32): void {
  const p = load<i32>(plan.radix + (<usize>level << 2));
  const m = load<i32>(plan.span + (<usize>level << 2));
  for (let k = 0; k < p; k++) {
    if (m == 1) store<i32>(plan.perm + (<usize>(out + k) << 2), input + k * fstride);
    else fillPermutation(plan, level + 1, out + k * m, input + k * fstride, fstride * p);
  }
}

/**
 * Plans a real FFT of length `n` (even, n/2 = 2^a·3^b·5^c, e.g. 320 or 512).
 * Returns the plan pointer, or 0 when `n` is not supported or memory ran out.
 */
export function fftPlan(n: i32): usize {
  if (n < 2 || (n & 1) != 0) return 0;
  const half = n >> 1;
  const ptr = alloc(offsetof<FftPlan>(), 16);
  if (ptr == 0) return 0;
  const plan = changetype<FftPlan>(ptr);
  plan.n = n;
  plan.half = half;
  plan.radix = alloc(MAX_STAGES << 2, 16);
  plan.span = alloc(MAX_STAGES << 2, 16);
  if (plan.radix == 0 || plan.span == 0) return 0;
  let rest = half;
  let stages = 0;
  while (rest > 1) {
    let p = 0;
    if (rest % 4 == 0) p = 4;
    else if (rest % 2 == 0) p = 2;
    else if (rest % 3 == 0) p = 3;
    else if (rest % 5 == 0) p = 5;
    else return 0;
    rest /= p;
    store<i32>(plan.radix + (<usize>stages << 2), p);
    store<i32>(plan.span + (<usize>stages << 2), rest);
    stages++;
  }
  plan.stages = stages;
  let twCount = 0;
  for (let s = 0; s < stages; s++) {
    twCount += load<i32>(plan.span + (<usize>s << 2)) * (load<i32>(plan.radix + (<usize>s << 2)) - 1);
  }
  plan.perm = alloc(half << 2, 16);
  plan.stageTw = allocF32(2 * twCount);
  plan.postTw = allocF32(2 * (half + 1));
  plan.work = allocF32(2 * half);
  if (plan.perm == 0 || plan.stageTw == 0 || plan.postTw == 0 || plan.work == 0) return 0;

  if (stages > 0) fillPermutation(plan, 0, 0, 0, 1); // else perm[0] = 0 already
  let tw = plan.stageTw;
  for (let s = stages - 1; s >= 0; s--) {
    const p = load<i32>(plan.radix + (<usize>s << 2));
    const m = load<i32>(plan.span + (<usize>s << 2));
    const fstride = half / (p * m);
    for (let u = 0; u < m; u++) {
      for (let q = 1; q < p; q++) {
        setPhasor(tw, -2 * Math.PI * <f64>((q * u * fstride) % half) / <f64>half);
        tw += 8;
      }
    }
  }
  for (let k = 0; k <= half; k++) setPhasor(plan.postTw + (<usize>k << 3), -2 * Math.PI * <f64>k / <f64>n);
  return ptr;
}

// Radix butterflies: for each u < m, the p values F[u + q·m] (q ≥ 1 twiddled by tw) become their
// p-point DFT, written back in place. Complex values are (re, im) f32 pairs, 8 bytes apart.

function butterfly2(f: usize, tw: usize, m: i32): void {
  const stride = <usize>m << 3;
  for (let u = 0; u < m; u++) {
    const p0 = f + (<usize>u << 3);
    const p1 = p0 + stride;
    const t = tw + (<usize>u << 3);
    const wr = load<f32>(t), wi = load<f32>(t, 4);
    const br = load<f32>(p1), bi = load<f32>(p1, 4);
    const xr = br * wr - bi * wi, xi = br * wi + bi * wr;
    const ar = load<f32>(p0), ai = load<f32>(p0, 4);
    store<f32>(p0, ar + xr); store<f32>(p0, ai + xi, 4);
    store<f32>(p1, ar - xr); store<f32>(p1, ai - xi, 4);
  }
}

function butterfly3(f: usize, tw: usize, m: i32): void {
  const stride = <usize>m << 3;
  const c: f32 = 0.8660254037844386; // sin(2π/3)
  for (let u = 0; u < m; u++) {
    const p0 = f + (<usize>u << 3);
    const p1 = p0 + stride, p2 = p1 + stride;
    const t = tw + <usize>u * 16;
    let wr = load<f32>(t), wi = load<f32>(t, 4);
    let xr = load<f32>(p1), xi = load<f32>(p1, 4);
    const ar1 = xr * wr - xi * wi, ai1 = xr * wi + xi * wr;
    wr = load<f32>(t, 8); wi = load<f32>(t, 12);
    xr = load<f32>(p2); xi = load<f32>(p2, 4);
    const ar2 = xr * wr - xi * wi, ai2 = xr * wi + xi * wr;
    const a0r = load<f32>(p0), a0i = load<f32>(p0, 4);
    const sr = ar1 + ar2, si = ai1 + ai2, dr = ar1 - ar2, di = ai1 - ai2;
    const mr = a0r - 0.5 * sr, mi = a0i - 0.5 * si;
    store<f32>(p0, a0r + sr); store<f32>(p0, a0i + si, 4);
    store<f32>(p1, mr + c * di); store<f32>(p1, mi - c * dr, 4);
    store<f32>(p2, mr - c * di); store<f32>(p2, mi + c * dr, 4);
  }
}

function butterfly4(f: usize, tw: usize, m: i32): void {
  const stride = <usize>m << 3;
  for (let u = 0; u < m; u++) {
    const p0 = f + (<usize>u << 3);
    const p1 = p0 + stride, p2 = p1 + stride, p3 = p2 + stride;
    const t = tw + <usize>u * 24;
    let wr = load<f32>(t), wi = load<f32>(t, 4);
    let xr = load<f32>(p1), xi = load<f32>(p1, 4);
    const a1r = xr * wr - xi * wi, a1i = xr * wi + xi * wr;
    wr = load<f32>(t, 8); wi = load<f32>(t, 12);
    xr = load<f32>(p2); xi = load<f32>(p2, 4);
    const a2r = xr * wr - xi * wi, a2i = xr * wi + xi * wr;
    wr = load<f32>(t, 16); wi = load<f32>(t, 20);
    xr = load<f32>(p3); xi = load<f32>(p3, 4);
    const a3r = xr * wr - xi * wi, a3i = xr * wi + xi * wr;
    const a0r = load<f32>(p0), a0i = load<f32>(p0, 4);
    const t0r = a0r + a2r, t0i = a0i + a2i, t1r = a0r - a2r, t1i = a0i - a2i;
    const t2r = a1r + a3r, t2i = a1i + a3i, t3r = a1r - a3r, t3i = a1i - a3i;
    store<f32>(p0, t0r + t2r); store<f32>(p0, t0i + t2i, 4);
    store<f32>(p2, t0r - t2r); store<f32>(p2, t0i - t2i, 4);
    // y1 = t1 − i·t3, y3 = t1 + i·t3
    store<f32>(p1, t1r + t3i); store<f32>(p1, t1i - t3r, 4);
    store<f32>(p3, t1r - t3i); store<f32>(p3, t1i + t3r, 4);
  }
}

function butterfly5(f: usize, tw: usize, m: i32): void {
  const stride = <usize>m << 3;
  const c1: f32 = 0.30901699437494745, s1: f32 = 0.9510565162951535; // cos, sin of 2π/5
  const c2: f32 = -0.8090169943749475, s2: f32 = 0.5877852522924731; // cos, sin of 4π/5
  for (let u = 0; u < m; u++) {
    const p0 = f + (<usize>u << 3);
    const p1 = p0 + stride, p2 = p1 + stride, p3 = p2 + stride, p4 = p3 + stride;
    const t = tw + <usize>u * 32;
    let wr = load<f32>(t), wi = load<f32>(t, 4);
    let xr = load<f32>(p1), xi = load<f32>(p1, 4);
    const a1r = xr * wr - xi * wi, a1i = xr * wi + xi * wr;
    wr = load<f32>(t, 8); wi = load<f32>(t, 12);
    xr = load<f32>(p2); xi = load<f32>(p2, 4);
    const a2r = xr * wr - xi * wi, a2i = xr * wi + xi * wr;
    wr = load<f32>(t, 16); wi = load<f32>(t, 20);
    xr = load<f32>(p3); xi = load<f32>(p3, 4);
    const a3r = xr * wr - xi * wi, a3i = xr * wi + xi * wr;
    wr = load<f32>(t, 24); wi = load<f32>(t, 28);
    xr = load<f32>(p4); xi = load<f32>(p4, 4);
    const a4r = xr * wr - xi * wi, a4i = xr * wi + xi * wr;
    const a0r = load<f32>(p0), a0i = load<f32>(p0, 4);
    const s14r = a1r + a4r, s14i = a1i + a4i, d14r = a1r - a4r, d14i = a1i - a4i;
    const s23r = a2r + a3r, s23i = a2i + a3i, d23r = a2r - a3r, d23i = a2i - a3i;
    // y1,4 = a0 + c1·s14 + c2·s23 ∓ i(s1·d14 + s2·d23); y2,3 = a0 + c2·s14 + c1·s23 ∓ i(s2·d14 − s1·d23)
    const r1r = a0r + c1 * s14r + c2 * s23r, r1i = a0i + c1 * s14i + c2 * s23i;
    const e1r = s1 * d14r + s2 * d23r, e1i = s1 * d14i + s2 * d23i;
    const r2r = a0r + c2 * s14r + c1 * s23r, r2i = a0i + c2 * s14i + c1 * s23i;
    const e2r = s2 * d14r - s1 * d23r, e2i = s2 * d14i - s1 * d23i;
    store<f32>(p0, a0r + s14r + s23r); store<f32>(p0, a0i + s14i + s23i, 4);
    store<f32>(p1, r1r + e1i); store<f32>(p1, r1i - e1r, 4);
    store<f32>(p4, r1r - e1i); store<f32>(p4, r1i + e1r, 4);
    store<f32>(p2, r2r + e2i); store<f32>(p2, r2i - e2r, 4);
    store<f32>(p3, r2r - e2i); store<f32>(p3, r2i + e2r, 4);
  }
}

/** Runs the radix stages over the permuted work buffer: forward complex FFT of length M. */
function runStages(plan: FftPlan): void {
  const half = plan.half;
  let tw = plan.stageTw;
  for (let s = plan.stages - 1; s >= 0; s--) {
    const p = load<i32>(plan.radix + (<usize>s << 2));
    const m = load<i32>(plan.span + (<usize>s << 2));
    const blocks = half / (p * m);
    const blockBytes = <usize>(p * m) << 3;
    let f = plan.work;
    for (let b = 0; b < blocks; b++) {
      if (p == 4) butterfly4(f, tw, m);
      else if (p == 2) butterfly2(f, tw, m);
      else if (p == 3) butterfly3(f, tw, m);
      else butterfly5(f, tw, m);
      f += blockBytes;
    }
    tw += <usize>(m * (p - 1)) << 3;
  }
}

/** Forward real FFT: n reals at `input` → n/2+1 complex bins (re, im) at `outComplex`, unscaled. */
export function rfft(planPtr: usize, input: usize, outComplex: usize): void {
  const plan = changetype<FftPlan>(planPtr);
  const half = plan.half;
  const work = plan.work;
  const perm = plan.perm;
  for (let j = 0; j < half; j++) {
    const q = <usize>load<i32>(perm + (<usize>j << 2));
    store<u64>(work + (<usize>j << 3), load<u64>(input + (q << 3)));
  }
  runStages(plan);
  // X[k] = Fe[k] + W^k·Fo[k], Fe = (Z[k] + Z*[M−k]) / 2, Fo = (Z[k] − Z*[M−k]) / 2i.
  const z0r = load<f32>(work), z0i = load<f32>(work, 4);
  store<f32>(outComplex, z0r + z0i); store<f32>(outComplex, 0, 4);
  const last = outComplex + (<usize>half << 3);
  store<f32>(last, z0r - z0i); store<f32>(last, 0, 4);
  for (let k = 1; k < half; k++) {
    const a = work + (<usize>k << 3);
    const b = work + (<usize>(half - k) << 3);
    const ar = load<f32>(a), ai = load<f32>(a, 4);
    const br = load<f32>(b), bi = -load<f32>(b, 4);
    const feR = (ar + br) * 0.5, feI = (ai + bi) * 0.5;
    const foR = (ai - bi) * 0.5, foI = (br - ar) * 0.5;
    const t = plan.postTw + (<usize>k << 3);
    const wr = load<f32>(t), wi = load<f32>(t, 4);
    const o = outComplex + (<usize>k << 3);
    store<f32>(o, feR + wr * foR - wi * foI);
    store<f32>(o, feI + wr * foI + wi * foR, 4);
  }
}

/**
 * Inverse real FFT: n/2+1 bins at `inComplex` → n reals at `out`, divided by n (the imaginary
 * parts of the DC and Nyquist bins are ignored, as numpy and torch do). `inComplex` is not modified.
 */
export function irfft(planPtr: usize, inComplex: usize, out: usize): void {
  const plan = changetype<FftPlan>(planPtr);
  const half = plan.half;
  const work = plan.work;
  const perm = plan.perm;
  // Z[q] = Fe + i·Fo with Fe = (X[q] + X*[M−q]) / 2, Fo = (X[q] − X*[M−q]) / (2·W^q); the
  // inverse runs as conj(FFT(conj(Z))), so conj(Z) goes into the permuted work buffer.
  for (let j = 0; j < half; j++) {
    const q = load<i32>(perm + (<usize>j << 2));
    const w = work + (<usize>j << 3);
    if (q == 0) {
      const dc = load<f32>(inComplex), ny = load<f32>(inComplex + (<usize>half << 3));
      store<f32>(w, (dc + ny) * 0.5); store<f32>(w, (ny - dc) * 0.5, 4);
      continue;
    }
    const a = inComplex + (<usize>q << 3);
    const b = inComplex + (<usize>(half - q) << 3);
    const ar = load<f32>(a), ai = load<f32>(a, 4);
    const br = load<f32>(b), bi = -load<f32>(b, 4);
    const feR = (ar + br) * 0.5, feI = (ai + bi) * 0.5;
    const dr = (ar - br) * 0.5, di = (ai - bi) * 0.5;
    const t = plan.postTw + (<usize>q << 3);
    const wr = load<f32>(t), wi = load<f32>(t, 4);
    const foR = dr * wr + di * wi, foI = di * wr - dr * wi; // d · conj(W^q)
    store<f32>(w, feR - foI); store<f32>(w, -(feI + foR), 4);
  }
  runStages(plan);
  const scale: f32 = 1.0 / <f32>half;
  for (let k = 0; k < half; k++) {
    const w = work + (<usize>k << 3);
    const o = out + (<usize>k << 3);
    store<f32>(o, load<f32>(w) * scale);
    store<f32>(o, -load<f32>(w, 4) * scale, 4);
  }
}
