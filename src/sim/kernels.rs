//! The two inner loops of the real-network MLPs (`mlp.rs`), written for speed in the browser:
//! a matrix product with a fixed summation order, and a branch-free `exp` for SiLU and softmax.
//!
//! # `gemm_fixed_order`: C ← A·B, every C[i][j] summed over p = 0, 1, …, k−1 in order
//!
//! Each output element is `((0 + A[i][0]·B[0][j]) + A[i][1]·B[1][j]) + …`, a multiply then an
//! add (never a fused multiply-add), exactly the naive triple loop. Blocking, packing and SIMD
//! width change which elements are computed together, never the operations on one element, so
//! the result is **bit-identical to the naive loop on every platform** (tests below, and in the
//! browser in tests/web.rs).
//!
//! Layout (GotoBLAS): B is packed into panels of `NR` columns and A into panels of `MR` rows
//! for a `KC`-deep slice of k (zero-padded at the edges, so every micro-tile is full and the
//! padding only feeds discarded outputs); an `MR × NR` tile of C accumulates in registers over
//! that slice and is stored; the next k-slice reloads it and goes on adding in order. In wasm32
//! with `simd128` the micro-kernel is written with `core::arch::wasm32` f64x2 intrinsics
//! (a 4 × 8 tile = 16 f64x2 accumulators, four B vectors, one splat A value per row; 4 × 4,
//! 6 × 4 and 8 × 4 measured slower in Chromium 156, see BENCHMARKS.md); elsewhere the same
//! loop on arrays (LLVM vectorises it, same bits). A thin C (n ≤ 4, the 2-output layers) is
//! computed as Cᵀ = Bᵀ·Aᵀ so the 8-wide tiles run along its long side.
//!
//! Why hand-written: in the browser every product ran in matrixmultiply's portable scalar
//! kernel (it has no wasm SIMD kernel), and gemm 0.19 and faer 0.24 measured no faster in wasm
//! (the table in `mlp.rs`). The fixed order also makes the product exactly testable (the naive
//! loop's bits). Natively `mlp::gemm` keeps matrixmultiply:
//! its run-time selected AVX-512/FMA kernels are faster than this SSE2-width loop (numbers in
//! BENCHMARKS.md).
//!
//! # `exp_nonpos`: e^x for x ≤ 0, bit-identical to `libm::exp`
//!
//! The same algorithm as libm (FreeBSD's e_exp.c: k = the libm choice of round(x/ln 2),
//! r = hi − lo, the degree-5 rational form, scale by 2^k) with every branch turned into a
//! select, so LLVM vectorises a loop of them (f64x2 in wasm; natively an AVX2 copy of the
//! row loops, picked at run time, as LLVM leaves the SSE2 baseline scalar); no FMA anywhere.
//! The results are the very bits of `libm::exp` on [−708, 0] (the region thresholds are
//! libm's high-word tests as float compares); outside it (x < −708, NaN) the callers fall back
//! to `libm::exp`, so nothing changes numerically — only the speed.

/// Rows of the micro-tile.
const MR: usize = 4;
/// Columns of the micro-tile (a multiple of 2: f64x2 lanes).
const NR: usize = 8;
/// Depth of one packed k-slice.
const KC: usize = 256;
/// Rows of A packed at once (a multiple of MR).
const MC: usize = 128;
/// Columns of B packed at once (a multiple of NR).
const NC: usize = 256;

thread_local! {
    /// Packing buffers (A block, B block), grown once and reused: a product allocates nothing.
    static PACK: std::cell::RefCell<(Vec<f64>, Vec<f64>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
    /// Cᵀ of a thin product, reused likewise.
    static THIN: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// C ← A·B + β·C for row-major C (m × n); A is m × k row-major, or its transpose (k × m) when
/// `ta`; B is k × n, or its transpose (n × k) when `tb`. β = 0 overwrites C (NaN included).
/// Every element is summed in k order without FMA (see the module header), then `+ β·C`.
/// Never inlined: one copy of the kernel, so that the browser's JIT optimises it once for
/// every caller (a copy inlined into a function that runs once may stay in baseline code).
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub fn gemm_fixed_order(
    m: usize,
    k: usize,
    n: usize,
    a: &[f64],
    ta: bool,
    b: &[f64],
    tb: bool,
    beta: f64,
    c: &mut [f64],
) {
    assert!(
        a.len() >= m * k && b.len() >= k * n && c.len() >= m * n,
        "gemm operands too short"
    );
    if m == 0 || n == 0 {
        return;
    }
    if beta != 0.0 {
        let old = c[..m * n].to_vec();
        gemm_fixed_order(m, k, n, a, ta, b, tb, 0.0, c);
        for (c, o) in c.iter_mut().zip(old) {
            *c += beta * o;
        }
        return;
    }
    if k == 0 {
        c[..m * n].iter_mut().for_each(|x| *x = 0.0);
        return;
    }
    if 2 * n <= NR && m > n {
        // a thin C (the 2-output layers): Cᵀ = Bᵀ·Aᵀ fills the NR-wide tiles along m instead
        // of padding n to NR; each element is the same products (b·a = a·b) in the same order
        let mut ct = THIN.with(|t| std::mem::take(&mut *t.borrow_mut()));
        ct.clear();
        ct.resize(m * n, 0.0);
        gemm_fixed_order(n, k, m, b, !tb, a, !ta, 0.0, &mut ct);
        for (j, col) in ct.chunks_exact(m).enumerate() {
            for (i, &v) in col.iter().enumerate() {
                c[i * n + j] = v;
            }
        }
        THIN.with(|t| *t.borrow_mut() = ct);
        return;
    }
    // element (i, p) of A at a[i·rsa + p·csa], (p, j) of B at b[p·rsb + j·csb]
    let (rsa, csa) = if ta { (1, m) } else { (k, 1) };
    let (rsb, csb) = if tb { (1, k) } else { (n, 1) };
    PACK.with(|cell| {
        let mut guard = cell.borrow_mut();
        let (ap, bp) = &mut *guard;
        for jc in (0..n).step_by(NC) {
            let nc = NC.min(n - jc);
            let panels_b = nc.div_ceil(NR);
            for pc in (0..k).step_by(KC) {
                let kc = KC.min(k - pc);
                pack(b, csb, rsb, jc, nc, pc, kc, NR, bp);
                for ic in (0..m).step_by(MC) {
                    let mc = MC.min(m - ic);
                    pack(a, rsa, csa, ic, mc, pc, kc, MR, ap);
                    for jp in 0..panels_b {
                        let jr = jp * NR;
                        let nr = NR.min(nc - jr);
                        let bpanel = &bp[jp * NR * kc..(jp + 1) * NR * kc];
                        for ip in 0..mc.div_ceil(MR) {
                            let ir = ip * MR;
                            let mr = MR.min(mc - ir);
                            let apanel = &ap[ip * MR * kc..(ip + 1) * MR * kc];
                            let at = (ic + ir) * n + jc + jr;
                            tile(kc, apanel, bpanel, c, at, n, mr, nr, pc > 0);
                        }
                    }
                }
            }
        }
    });
}

/// C[at + i·ldc + j] (i < mr, j < nr) ← (pc > 0: itself, else 0) + A_panel · B_panel.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn tile(
    kc: usize,
    ap: &[f64],
    bp: &[f64],
    c: &mut [f64],
    at: usize,
    ldc: usize,
    mr: usize,
    nr: usize,
    load: bool,
) {
    assert!(ap.len() >= kc * MR && bp.len() >= kc * NR);
    if mr == MR && nr == NR {
        let c = &mut c[at..at + (MR - 1) * ldc + NR];
        // SAFETY: the panels hold kc·MR and kc·NR values (assert above) and the MR × NR
        // tile at stride ldc lies inside the re-sliced C.
        unsafe { micro(kc, ap.as_ptr(), bp.as_ptr(), c.as_mut_ptr(), ldc, load) };
    } else {
        // an edge tile: through a full-size copy (the padded lanes are dropped)
        let mut t = [0.0f64; MR * NR];
        if load {
            for i in 0..mr {
                t[i * NR..i * NR + nr].copy_from_slice(&c[at + i * ldc..at + i * ldc + nr]);
            }
        }
        // SAFETY: as above, with `t` as an MR × NR tile at stride NR.
        unsafe { micro(kc, ap.as_ptr(), bp.as_ptr(), t.as_mut_ptr(), NR, true) };
        for i in 0..mr {
            c[at + i * ldc..at + i * ldc + nr].copy_from_slice(&t[i * NR..i * NR + nr]);
        }
    }
}

/// Packs rows `r0..r0+rows` × depth `p0..p0+kc` of a matrix whose element (r, p) sits at
/// `x[r·rs + p·cs]` into panels of `w` rows: panel q holds, for each p in order, the `w`
/// values of rows q·w.., zero past the last row.
#[allow(clippy::too_many_arguments)]
fn pack(
    x: &[f64],
    rs: usize,
    cs: usize,
    r0: usize,
    rows: usize,
    p0: usize,
    kc: usize,
    w: usize,
    out: &mut Vec<f64>,
) {
    let panels = rows.div_ceil(w);
    out.clear();
    out.resize(panels * w * kc, 0.0);
    for q in 0..panels {
        let dst = &mut out[q * w * kc..(q + 1) * w * kc];
        let live = w.min(rows - q * w);
        if rs == 1 && live == w {
            // the panel's w values of one p are contiguous in x
            let base = r0 + q * w + p0 * cs;
            for (p, d) in dst.chunks_exact_mut(w).enumerate() {
                d.copy_from_slice(&x[base + p * cs..base + p * cs + w]);
            }
            continue;
        }
        for r in 0..live {
            let base = (r0 + q * w + r) * rs + p0 * cs;
            if cs == 1 {
                for (p, &v) in x[base..base + kc].iter().enumerate() {
                    dst[p * w + r] = v;
                }
            } else {
                for p in 0..kc {
                    dst[p * w + r] = x[base + p * cs];
                }
            }
        }
    }
}

/// The MR × NR tile at `cp` (row stride `ldc`) ← (its values if `load`, else 0) + A·B over
/// kc steps, each element in p order (multiply, then add).
///
/// # Safety
/// `ap` must hold kc·MR values, `bp` kc·NR, and the tile at `cp` must be valid for writes.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
unsafe fn micro(kc: usize, ap: *const f64, bp: *const f64, cp: *mut f64, ldc: usize, load: bool) {
    use core::arch::wasm32::*;
    const V: usize = NR / 2;
    // SAFETY (all loads and stores): guaranteed by the caller; wasm needs no alignment.
    unsafe {
        let mut acc = [[f64x2_splat(0.0); V]; MR];
        if load {
            for (i, row) in acc.iter_mut().enumerate() {
                for (v, x) in row.iter_mut().enumerate() {
                    *x = v128_load(cp.add(i * ldc + 2 * v) as *const v128);
                }
            }
        }
        for p in 0..kc {
            let mut bv = [f64x2_splat(0.0); V];
            for (v, x) in bv.iter_mut().enumerate() {
                *x = v128_load(bp.add(p * NR + 2 * v) as *const v128);
            }
            for (i, row) in acc.iter_mut().enumerate() {
                let a = v128_load64_splat(ap.add(p * MR + i) as *const u64);
                for (x, &b) in row.iter_mut().zip(&bv) {
                    *x = f64x2_add(*x, f64x2_mul(a, b));
                }
            }
        }
        for (i, row) in acc.iter().enumerate() {
            for (v, x) in row.iter().enumerate() {
                v128_store(cp.add(i * ldc + 2 * v) as *mut v128, *x);
            }
        }
    }
}

/// The MR × NR tile at `cp` (row stride `ldc`) ← (its values if `load`, else 0) + A·B over
/// kc steps, each element in p order (multiply, then add).
///
/// # Safety
/// `ap` must hold kc·MR values, `bp` kc·NR, and the tile at `cp` must be valid for writes.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
unsafe fn micro(kc: usize, ap: *const f64, bp: *const f64, cp: *mut f64, ldc: usize, load: bool) {
    // SAFETY: guaranteed by the caller.
    let (ap, bp) = unsafe {
        (
            std::slice::from_raw_parts(ap, kc * MR),
            std::slice::from_raw_parts(bp, kc * NR),
        )
    };
    let mut acc = [[0.0f64; NR]; MR];
    if load {
        for (i, row) in acc.iter_mut().enumerate() {
            for (j, x) in row.iter_mut().enumerate() {
                // SAFETY: inside the tile.
                *x = unsafe { *cp.add(i * ldc + j) };
            }
        }
    }
    for (a, b) in ap.chunks_exact(MR).zip(bp.chunks_exact(NR)) {
        for (row, &ai) in acc.iter_mut().zip(a) {
            for (x, &bj) in row.iter_mut().zip(b) {
                *x += ai * bj;
            }
        }
    }
    for (i, row) in acc.iter().enumerate() {
        for (j, x) in row.iter().enumerate() {
            // SAFETY: inside the tile.
            unsafe { *cp.add(i * ldc + j) = *x };
        }
    }
}

// libm's e_exp.c constants, by their bits (as its comments give them).
const LN2HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const INVLN2: f64 = f64::from_bits(0x3ff7_1547_652b_82fe);
const P1: f64 = f64::from_bits(0x3fc5_5555_5555_553e);
const P2: f64 = f64::from_bits(0xbf66_c16c_16be_bd93);
const P3: f64 = f64::from_bits(0x3f11_566a_af25_de2c);
const P4: f64 = f64::from_bits(0xbebb_bd41_c5d2_6bf1);
const P5: f64 = f64::from_bits(0x3e66_3769_72be_a4d0);
/// 1.5·2⁵²: (v + S) − S rounds v to the nearest integer; bits(k + S) end in k.
const SHIFT: f64 = 6_755_399_441_055_744.0;
/// libm's "|x| > 0.5 ln 2" (high word > 0x3fd62e42) as a float compare: |x| ≥ this.
const HALF_LN2: f64 = f64::from_bits(0x3fd6_2e43_0000_0000);
/// libm's "|x| ≥ 1.5 ln 2" (high word ≥ 0x3ff0a2b2).
const THREE_HALVES_LN2: f64 = f64::from_bits(0x3ff0_a2b2_0000_0000);
/// libm's "|x| > 2⁻²⁸" (high word > 0x3e300000); below it e^x = 1 + x.
const TINY: f64 = f64::from_bits(0x3e30_0001_0000_0000);
/// Lowest argument of the branch-free path (2^k stays a normal number).
pub const EXP_MIN: f64 = -708.0;

/// e^x for EXP_MIN ≤ x ≤ 0 (other inputs: unspecified), the bits of `libm::exp(x)`.
#[inline(always)]
pub fn exp_nonpos(x: f64) -> f64 {
    let ax = -x;
    // libm's k: trunc(x/ln2 − 1/2) for |x| ≥ 1.5 ln 2 (= ceil, as it is negative), −1 for
    // 0.5 ln 2 < |x| < 1.5 ln 2, else 0
    let v = INVLN2 * x + -0.5;
    let r = (v + SHIFT) - SHIFT;
    let up = if r < v { r + 1.0 } else { r };
    let kf = if ax >= THREE_HALVES_LN2 {
        up
    } else if ax >= HALF_LN2 {
        -1.0
    } else {
        0.0
    };
    let hi = x - kf * LN2HI;
    let lo = kf * LN2LO;
    let xr = hi - lo;
    let xx = xr * xr;
    let c = xr - xx * (P1 + xx * (P2 + xx * (P3 + xx * (P4 + xx * P5))));
    let y = 1.0 + (xr * c / (2.0 - c) - lo + hi);
    // 2^k from the bits of k + SHIFT (k ≥ −1021 here, so 2^k is normal and y·2^k exact)
    let scale = f64::from_bits((kf + SHIFT).to_bits().wrapping_add(1023) << 52);
    if ax < TINY {
        1.0 + x
    } else {
        y * scale
    }
}

/// z ← z + b, s ← σ(z), a ← z·s (SiLU) over one row, with the bits of `linalg::sigmoid`.
pub fn bias_silu(z: &mut [f64], b: &[f64], s: &mut [f64], a: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2. The same IEEE operations on 4 lanes (no FMA: Rust never
        // contracts), so the same bits; LLVM's cost model leaves the SSE2 build scalar.
        return unsafe { bias_silu_avx2(z, b, s, a) };
    }
    bias_silu_lanes(z, b, s, a)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn bias_silu_avx2(z: &mut [f64], b: &[f64], s: &mut [f64], a: &mut [f64]) {
    bias_silu_lanes(z, b, s, a)
}

#[inline(always)]
fn bias_silu_lanes(z: &mut [f64], b: &[f64], s: &mut [f64], a: &mut [f64]) {
    let n = z.len();
    let (b, s, a) = (&b[..n], &mut s[..n], &mut a[..n]);
    let mut rare = 0u32;
    for j in 0..n {
        let v = z[j] + b[j];
        z[j] = v;
        let x = -v.abs();
        let ok = x >= EXP_MIN;
        rare += u32::from(!ok);
        let e = exp_nonpos(if ok { x } else { 0.0 });
        let sv = (if v >= 0.0 { 1.0 } else { e }) / (1.0 + e);
        s[j] = sv;
        a[j] = v * sv;
    }
    if rare > 0 {
        for j in 0..n {
            let ok = -z[j].abs() >= EXP_MIN;
            if !ok {
                s[j] = super::linalg::sigmoid(z[j]);
                a[j] = z[j] * s[j];
            }
        }
    }
}

/// out[j] ← e^{x[j] − m} (the bits of `libm::exp`), for x[j] ≤ m; returns Σ out in j order.
pub fn exp_shifted(x: &[f64], m: f64, out: &mut [f64]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: as in `bias_silu`.
        return unsafe { exp_shifted_avx2(x, m, out) };
    }
    exp_shifted_lanes(x, m, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn exp_shifted_avx2(x: &[f64], m: f64, out: &mut [f64]) -> f64 {
    exp_shifted_lanes(x, m, out)
}

#[inline(always)]
fn exp_shifted_lanes(x: &[f64], m: f64, out: &mut [f64]) -> f64 {
    let n = x.len();
    let out = &mut out[..n];
    let mut rare = 0u32;
    for j in 0..n {
        let d = x[j] - m;
        let ok = (EXP_MIN..=0.0).contains(&d);
        rare += u32::from(!ok);
        out[j] = exp_nonpos(if ok { d } else { 0.0 });
    }
    if rare > 0 {
        for j in 0..n {
            let d = x[j] - m;
            if !(EXP_MIN..=0.0).contains(&d) {
                out[j] = libm::exp(d);
            }
        }
    }
    let mut z = 0.0;
    for &e in out.iter() {
        z += e;
    }
    z
}

/// The definition C = op(A)·op(B) as the naive triple loop (each element summed in k order,
/// a multiply and an add): the reference that the kernels' tests, `mlp::gemm`'s tests and the
/// browser test (tests/web.rs) compare against, bit for bit where the order is the same.
/// `op(A)` is m × k (A stored k × m when `ta`), `op(B)` is k × n (B stored n × k when `tb`).
pub fn reference_gemm(
    m: usize,
    k: usize,
    n: usize,
    a: &[f64],
    ta: bool,
    b: &[f64],
    tb: bool,
) -> Vec<f64> {
    let mut c = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0;
            for p in 0..k {
                let x = if ta { a[p * m + i] } else { a[i * k + p] };
                let y = if tb { b[j * k + p] } else { b[p * n + j] };
                s += x * y;
            }
            c[i * n + j] = s;
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::geometry::rng_for;
    use rand::Rng;

    #[test]
    fn fixed_order_gemm_is_the_naive_loop_bit_for_bit() {
        // random reals (so any other summation order or an FMA would show), edge sizes 1, 2,
        // 3, odd, non-multiples of the 4 × 8 tile and of the 256-deep k-slice and 128/256 blocks
        let mut rng = rng_for(3, 9);
        let dims = [1, 2, 3, 5, 7, 17, 130, 257, 300];
        let mut shapes = vec![];
        for &m in &dims {
            for &k in &[1, 2, 3, 33, 257, 513] {
                for &n in &dims {
                    if m * k * n <= 3_000_000 {
                        shapes.push((m, k, n));
                    }
                }
            }
        }
        for (m, k, n) in shapes {
            let a: Vec<f64> = (0..m * k).map(|_| rng.random_range(-1.0..1.0)).collect();
            let b: Vec<f64> = (0..k * n).map(|_| rng.random_range(-1.0..1.0)).collect();
            for ta in [false, true] {
                for tb in [false, true] {
                    let want = reference_gemm(m, k, n, &a, ta, &b, tb);
                    let mut c = vec![f64::NAN; m * n];
                    gemm_fixed_order(m, k, n, &a, ta, &b, tb, 0.0, &mut c);
                    let same = c.iter().zip(&want).all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(same, "{m}×{k}×{n}, ta = {ta}, tb = {tb}");
                }
            }
        }
    }

    #[test]
    fn fixed_order_gemm_beta_and_empty_k() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [5.0, 6.0, 7.0, 8.0];
        let mut c = [1.0, 1.0, 1.0, 1.0];
        gemm_fixed_order(2, 2, 2, &a, false, &b, false, 2.0, &mut c);
        assert_eq!(c, [21.0, 24.0, 45.0, 52.0]);
        let mut c = [f64::NAN; 6];
        gemm_fixed_order(2, 0, 3, &a, false, &b, false, 0.0, &mut c);
        assert_eq!(c, [0.0; 6]);
    }

    #[test]
    fn exp_nonpos_is_libm_exp_bit_for_bit() {
        let check = |x: f64| {
            if !(EXP_MIN..=0.0).contains(&x) {
                return;
            }
            let (got, want) = (exp_nonpos(x), libm::exp(x));
            assert_eq!(
                got.to_bits(),
                want.to_bits(),
                "x = {x:e}: {got:e} vs {want:e}"
            );
        };
        let mut rng = rng_for(5, 1);
        for _ in 0..1_000_000 {
            check(rng.random_range(EXP_MIN..=0.0));
            check(-rng.random_range(0.0..2.0f64).powi(3));
            check(-libm::exp(rng.random_range(-80.0..6.5)));
        }
        // every region boundary of libm's branches and its neighbours
        for t in [0.0, TINY, HALF_LN2, THREE_HALVES_LN2, -EXP_MIN] {
            let mut x = -t;
            for _ in 0..1000 {
                check(x);
                check(-x.abs() * (1.0 + f64::EPSILON));
                x = f64::from_bits(x.to_bits() + 1);
            }
        }
        // around every k·ln 2 (where k changes) and its halves (ties of the rounding)
        for k in 0..1021 {
            for h in [0.0, 0.5] {
                let c = -(k as f64 + h) * std::f64::consts::LN_2;
                let mut x = c;
                for _ in 0..64 {
                    check(x);
                    x = f64::from_bits(x.to_bits().wrapping_sub(1));
                }
                let mut x = c;
                for _ in 0..64 {
                    check(x);
                    x = f64::from_bits(x.to_bits() + 1);
                }
            }
        }
        check(-0.0);
    }

    #[test]
    fn silu_and_softmax_rows_match_the_scalar_code() {
        // long rows (the vector loops and their remainders), on both natives paths
        let mut rng = rng_for(7, 2);
        for n in [1, 3, 4, 5, 59, 100, 257] {
            let z0: Vec<f64> = (0..n).map(|_| rng.random_range(-40.0..40.0)).collect();
            let b: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
            let mut z = z0.clone();
            let (mut s, mut a) = (vec![0.0; n], vec![0.0; n]);
            let mut zl = z0.clone();
            let (mut sl, mut al) = (vec![0.0; n], vec![0.0; n]);
            bias_silu(&mut z, &b, &mut s, &mut a);
            bias_silu_lanes(&mut zl, &b, &mut sl, &mut al);
            for j in 0..n {
                let v = z0[j] + b[j];
                let want = crate::sim::linalg::sigmoid(v);
                assert_eq!(s[j].to_bits(), want.to_bits(), "σ({v})");
                assert_eq!(a[j].to_bits(), (v * want).to_bits(), "SiLU({v})");
                assert_eq!(
                    (sl[j].to_bits(), al[j].to_bits()),
                    (s[j].to_bits(), a[j].to_bits())
                );
            }
            let mut out = vec![0.0; n];
            let mut outl = vec![0.0; n];
            let max = z0.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            let sum = exp_shifted(&z0, max, &mut out);
            let suml = exp_shifted_lanes(&z0, max, &mut outl);
            let mut want_sum = 0.0;
            for j in 0..n {
                let want = libm::exp(z0[j] - max);
                want_sum += want;
                assert_eq!(out[j].to_bits(), want.to_bits());
                assert_eq!(outl[j].to_bits(), want.to_bits());
            }
            assert_eq!(
                (sum.to_bits(), suml.to_bits()),
                (want_sum.to_bits(), want_sum.to_bits())
            );
        }
    }

    #[test]
    fn silu_and_softmax_exps_match_the_scalar_code_outside_the_fast_range_too() {
        let z0 = [
            0.0,
            -0.0,
            1.5,
            -1.5,
            -700.0,
            -708.5,
            -750.0,
            800.0,
            f64::NAN,
            f64::NEG_INFINITY,
            3e-9,
            -3e-9,
        ];
        let b = [0.25; 12];
        let mut z = z0;
        let (mut s, mut a) = ([0.0; 12], [0.0; 12]);
        bias_silu(&mut z, &b, &mut s, &mut a);
        for j in 0..12 {
            let v = z0[j] + 0.25;
            let want = crate::sim::linalg::sigmoid(v);
            assert_eq!(z[j].to_bits(), v.to_bits());
            assert_eq!(s[j].to_bits(), want.to_bits(), "σ({v})");
            assert_eq!(a[j].to_bits(), (v * want).to_bits(), "SiLU({v})");
        }
        let mut out = [0.0; 12];
        let sum = exp_shifted(&z0, 1.5, &mut out);
        let mut want_sum = 0.0;
        for j in 0..12 {
            let want = libm::exp(z0[j] - 1.5);
            want_sum += want;
            assert_eq!(out[j].to_bits(), want.to_bits(), "exp({} − 1.5)", z0[j]);
        }
        assert_eq!(sum.to_bits(), want_sum.to_bits());
    }
}
