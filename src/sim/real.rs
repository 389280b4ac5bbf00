//! The element type of the trainable parameters: [`Real`] is `f32` or `f64` (sealed).
//!
//! It lives at the top of the core, not in the real-network wing (`nn`), because two modules
//! need it and neither may depend on the other: the optimizer (`optim`), which steps θ in
//! either precision with f64 state, and the networks (`nn`), whose products, activations and
//! losses run in the run's precision. What is per type here is scalar arithmetic only; the
//! per-type matrix-product kernels are `nn::gemm::Gemm`, a sub-trait.
//!
//! Determinism: `exp` and `ln` are libm's (`exp`/`expf`, `log`/`logf`), the same bits on every
//! platform, and [`Real::exp_nonpos`] is a branch-free e^x for x ≤ 0 with libm's bits (below),
//! so that the SiLU and softmax row loops (`nn::activations`) vectorise.
//!
//! # `exp_nonpos` / `expf_nonpos`: e^x for x ≤ 0, bit-identical to `libm::exp` / `libm::expf`
//!
//! The same algorithm as libm (FreeBSD's e_exp.c / e_expf.c: k = the libm choice of
//! round(x/ln 2), r = hi − lo, the rational form of degree 5 / 2, scale by 2^k) with every
//! branch turned into a select, so LLVM vectorises a loop of them; no FMA anywhere. The results
//! are the very bits of libm on [−708, 0] / [−87, 0] (the region thresholds are libm's
//! high-word tests as float compares; the f32 one is checked on every float of its domain by
//! an ignored test); outside it (x below the domain, NaN) the callers fall back to libm.

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// `f32` or `f64` (sealed): everything the generic numeric code needs of its element type.
pub trait Real:
    sealed::Sealed
    + Copy
    + Default
    + PartialEq
    + PartialOrd
    + std::fmt::Debug
    + std::fmt::Display
    + Send
    + Sync
    + 'static
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::Neg<Output = Self>
    + std::ops::AddAssign
    + std::ops::SubAssign
    + std::ops::MulAssign
    + std::ops::DivAssign
{
    const ZERO: Self;
    const ONE: Self;
    const NEG_INFINITY: Self;
    /// "f32" / "f64".
    const NAME: &'static str;
    /// Lowest argument of [`Real::exp_nonpos`] (2^k stays a normal number).
    const EXP_MIN: Self;

    /// The nearest value (round to nearest even); exact for f64.
    fn from_f64(x: f64) -> Self;
    /// Exact.
    fn to_f64(self) -> f64;
    fn abs(self) -> Self;
    /// The larger of the two, ignoring a NaN (as `f64::max`).
    fn max(self, other: Self) -> Self;
    /// `libm::exp` / `libm::expf`.
    fn exp(self) -> Self;
    /// `libm::log` / `libm::logf`.
    fn ln(self) -> Self;
    /// e^x for EXP_MIN ≤ x ≤ 0 (other inputs: unspecified), the bits of [`Real::exp`],
    /// branch-free so that loops of it vectorise.
    fn exp_nonpos(self) -> Self;

    /// The logistic σ(z) = 1/(1 + e^{−z}) with [`Real::exp`], without overflow (for f64 this
    /// is `linalg::sigmoid`).
    #[inline(always)]
    fn sigmoid(self) -> Self {
        if self >= Self::ZERO {
            Self::ONE / (Self::ONE + (-self).exp())
        } else {
            let e = self.exp();
            e / (Self::ONE + e)
        }
    }
}

/// One implementation for both types: `$t`, libm's exp and log for it, the branch-free exp
/// and its domain.
macro_rules! impl_real {
    ($t:ident, $exp:path, $log:path, $exp_nonpos:path, $exp_min:expr) => {
        impl Real for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const NEG_INFINITY: Self = $t::NEG_INFINITY;
            const NAME: &'static str = stringify!($t);
            const EXP_MIN: Self = $exp_min;

            #[inline(always)]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn abs(self) -> Self {
                $t::abs(self)
            }
            #[inline(always)]
            fn max(self, other: Self) -> Self {
                $t::max(self, other)
            }
            #[inline(always)]
            fn exp(self) -> Self {
                $exp(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                $log(self)
            }
            #[inline(always)]
            fn exp_nonpos(self) -> Self {
                $exp_nonpos(self)
            }
        }
    };
}

impl_real!(f64, libm::exp, libm::log, exp_nonpos, EXP_MIN);
impl_real!(f32, libm::expf, libm::logf, expf_nonpos, EXPF_MIN);

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

// libm's e_expf.c constants, by their bits (as its comments give them).
const F_LN2HI: f32 = f32::from_bits(0x3f31_7200);
const F_LN2LO: f32 = f32::from_bits(0x35bf_be8e);
const F_INVLN2: f32 = f32::from_bits(0x3fb8_aa3b);
const F_P1: f32 = f32::from_bits(0x3e2a_aa8f);
const F_P2: f32 = f32::from_bits(0xbb35_5215);
/// 1.5·2²³: (v + S) − S rounds v to the nearest integer; bits(k + S) end in k.
const F_SHIFT: f32 = 12_582_912.0;
/// libm's "|x| > 0.5 ln 2" (hx > 0x3eb17218); for f32 the word is the whole number, so the
/// integer compare is this float compare.
const F_HALF_LN2: f32 = f32::from_bits(0x3eb1_7218);
/// libm's "|x| > 1.5 ln 2" (hx > 0x3f851592).
const F_THREE_HALVES_LN2: f32 = f32::from_bits(0x3f85_1592);
/// libm's "|x| > 2⁻¹⁴" (hx > 0x39000000); at or below it e^x = 1 + x.
const F_TINY: f32 = f32::from_bits(0x3900_0000);
/// Lowest argument of the branch-free f32 path: k ≥ −126, so 2^k is normal, libm's scalbnf
/// is the single product y·2^k, and libm's special-case branch (|x| ≥ 87.33655) is not taken.
pub const EXPF_MIN: f32 = -87.0;

/// e^x for EXPF_MIN ≤ x ≤ 0 (other inputs: unspecified), the bits of `libm::expf(x)`: its
/// algorithm (FreeBSD's e_expf.c) with the branches turned into selects.
#[inline(always)]
pub fn expf_nonpos(x: f32) -> f32 {
    let ax = -x;
    // libm's k: (int)(x/ln2 − 1/2) for |x| > 1.5 ln 2 (truncation = ceil, as it is
    // negative), −1 for 0.5 ln 2 < |x| ≤ 1.5 ln 2, else 0
    let v = F_INVLN2 * x + -0.5;
    let r = (v + F_SHIFT) - F_SHIFT;
    let up = if r < v { r + 1.0 } else { r };
    let kf = if ax > F_THREE_HALVES_LN2 {
        up
    } else if ax > F_HALF_LN2 {
        -1.0
    } else {
        0.0
    };
    let hi = x - kf * F_LN2HI;
    let lo = kf * F_LN2LO;
    let xr = hi - lo;
    let xx = xr * xr;
    let c = xr - xx * (F_P1 + xx * F_P2);
    let y = 1.0 + (xr * c / (2.0 - c) - lo + hi);
    // 2^k from the bits of k + F_SHIFT (−126 ≤ k ≤ 0: a normal power of two)
    let scale = f32::from_bits((kf + F_SHIFT).to_bits().wrapping_add(127) << 23);
    if ax > F_TINY {
        y * scale
    } else {
        1.0 + x
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::rng_for;
    use rand::Rng;

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

    fn check_expf(x: f32) {
        if !(EXPF_MIN..=0.0).contains(&x) {
            return;
        }
        let (got, want) = (expf_nonpos(x), libm::expf(x));
        assert_eq!(
            got.to_bits(),
            want.to_bits(),
            "x = {x:e} ({:#x}): {got:e} vs {want:e}",
            x.to_bits()
        );
    }

    #[test]
    fn expf_nonpos_is_libm_expf_bit_for_bit() {
        let mut rng = rng_for(5, 2);
        for _ in 0..1_000_000 {
            check_expf(rng.random_range(EXPF_MIN..=0.0));
            check_expf(-rng.random_range(0.0..2.0f32).powi(3));
            check_expf(-libm::expf(rng.random_range(-40.0..4.4)));
        }
        // every region boundary of libm's branches and its neighbours
        for t in [0.0, F_TINY, F_HALF_LN2, F_THREE_HALVES_LN2, -EXPF_MIN] {
            let b = t.to_bits();
            for d in 0..2000u32 {
                check_expf(-f32::from_bits(b.saturating_sub(1000) + d));
            }
        }
        // around every k·ln 2 (where k changes) and its halves (ties of the rounding)
        for k in 0..126 {
            for h in [0.0, 0.5] {
                let c = (-(k as f64 + h) * std::f64::consts::LN_2) as f32;
                for d in 0..256u32 {
                    check_expf(f32::from_bits(c.to_bits().saturating_sub(128) + d));
                }
            }
        }
        check_expf(-0.0);
        check_expf(0.0);
        check_expf(EXPF_MIN);
    }

    /// Every f32 in [EXPF_MIN, 0] (≈ 1.12·10⁹ numbers): `cargo test --release -- --ignored
    /// expf_nonpos_exhaustive` (9 s in release on the 2-core Xeon of BENCHMARKS.md).
    #[test]
    #[ignore = "exhaustive: about 9 s in release, minutes in debug"]
    fn expf_nonpos_exhaustive() {
        let mut bad = 0u64;
        let mut first = None;
        let last = EXPF_MIN.to_bits();
        let mut xs = (0x8000_0000u32..=last).map(f32::from_bits).chain([0.0f32]);
        let mut got = [0.0f32; 1024];
        loop {
            let mut chunk = [0.0f32; 1024];
            let mut len = 0;
            for slot in chunk.iter_mut() {
                match xs.next() {
                    Some(x) => {
                        *slot = x;
                        len += 1;
                    }
                    None => break,
                }
            }
            if len == 0 {
                break;
            }
            for (g, &x) in got.iter_mut().zip(&chunk[..len]) {
                *g = expf_nonpos(x);
            }
            for (g, &x) in got.iter().zip(&chunk[..len]) {
                if g.to_bits() != libm::expf(x).to_bits() {
                    bad += 1;
                    first.get_or_insert(x);
                }
            }
        }
        assert_eq!(bad, 0, "{bad} mismatches, first at x = {first:?}");
    }
}
