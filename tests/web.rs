//! Browser tests (wasm32 in headless Chromium via wasm-bindgen-test-runner):
//! `cargo test --target wasm32-unknown-unknown --test web` (see scripts/browser-tests).
#![cfg(target_arch = "wasm32")]

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use skill_dominoes::link::parse;
use skill_dominoes::plot::run::{draw_skills, ChartData, ChartOpts, Milestones, Theme};
use skill_dominoes::sim::{run, Trajectory};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Same link as tests/determinism_wasm_fingerprint.rs.
const LINK: &str = "v=1&m=geometry&n=5&dim=64&batch=32&steps=200&seed=7&vec=ortho&grad=mimic";

/// The native fingerprint of LINK's run, asserted natively by
/// `tests/determinism_wasm_fingerprint.rs` (`native_fingerprint_matches_the_wasm_constant`,
/// which also prints it). Change both together, never one.
const NATIVE_FINGERPRINT: u64 = 0xd65f_648f_2c98_277e;

/// FNV-1a (64 bit) over the bits of every frame's loss and levels (same code natively).
fn fingerprint(traj: &Trajectory) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |x: f64| {
        for b in x.to_bits().to_le_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for f in &traj.frames {
        eat(f.loss);
        for &s in &f.levels {
            eat(s);
        }
    }
    h
}

#[wasm_bindgen_test]
fn same_link_same_bits_as_native() {
    let parsed = parse(LINK);
    assert!(parsed.problems.is_empty() && parsed.unknown.is_empty());
    let traj = run(parsed.config.spec().unwrap(), 200, 1, true).unwrap();
    assert_eq!(traj.frames.len(), 201);
    assert_eq!(
        fingerprint(&traj),
        NATIVE_FINGERPRINT,
        "wasm fingerprint {:#018x}",
        fingerprint(&traj)
    );
}

/// A `w × h` canvas appended to the test page's body.
fn canvas(w: u32, h: u32) -> web_sys::HtmlCanvasElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let canvas: web_sys::HtmlCanvasElement =
        doc.create_element("canvas").unwrap().dyn_into().unwrap();
    canvas.set_width(w);
    canvas.set_height(h);
    doc.body().unwrap().append_child(&canvas).unwrap();
    canvas
}

#[wasm_bindgen_test]
fn chart_draws_curves_on_a_canvas() {
    let canvas = canvas(400, 240);

    let cfg = parse("m=resource&n=5&steps=300").config;
    let traj = run(cfg.spec().unwrap(), cfg.steps, 1, false).unwrap();
    let m = Milestones::of(&traj.frames, 5, cfg.thr);
    let freqs = cfg.freqs();
    let data = ChartData {
        milestones: Some(&m),
        ..ChartData::new(&traj.frames, &freqs, cfg.steps)
    };
    let root = CanvasBackend::with_canvas_object(canvas.clone())
        .unwrap()
        .into_drawing_area();
    draw_skills(
        &root,
        &data,
        traj.frames.len(),
        &ChartOpts {
            scale: 1.0,
            theme: Theme::Light,
            cursor: None,
        },
    )
    .unwrap();

    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let px = ctx.get_image_data(0.0, 0.0, 400.0, 240.0).unwrap().data();
    let non_white = px
        .chunks(4)
        .filter(|p| p[0] < 250 || p[1] < 250 || p[2] < 250)
        .count();
    assert!(
        non_white > 2000,
        "expected axes and curves, got {non_white} non-white pixels"
    );
    // Skill 1's colour (blue, 0x4c8fd6) appears: the first curve was drawn.
    let blue = px
        .chunks(4)
        .filter(|p| p[2] > 180 && p[0] < 120 && p[1] > 110 && p[1] < 170)
        .count();
    assert!(
        blue > 50,
        "expected skill 1's blue curve, got {blue} pixels"
    );
}

/// The page's second chart and overlays on a real canvas: aligned dimensions of a Geometry
/// run, dashed Domino ramps over the skill levels, and a plot area that maps the canvas's
/// pixels back to steps.
#[wasm_bindgen_test]
fn aligned_dimensions_and_overlays_on_a_canvas() {
    use skill_dominoes::lab::domino_ramps;
    use skill_dominoes::plot::run::{draw_per_skill, Overlay, Quantity};
    let canvas = canvas(500, 260);

    let cfg = parse("m=geometry&n=3&dim=100&steps=120").config;
    let traj = run(cfg.spec().unwrap(), cfg.steps, 1, true).unwrap();
    let freqs = cfg.freqs();
    let root = || {
        CanvasBackend::with_canvas_object(canvas.clone())
            .unwrap()
            .into_drawing_area()
    };
    let data = ChartData::new(&traj.frames, &freqs, cfg.steps);
    let area = draw_per_skill(
        &root(),
        &data,
        traj.frames.len(),
        &ChartOpts::default(),
        Quantity::Align,
    )
    .unwrap();
    assert!(area.left > 0 && area.right <= 500 && area.right > area.left + 200);
    assert_eq!(area.step_at(area.right as f64), 120.0);

    let (_, ramps) = domino_ramps(&cfg);
    let overlays = [Overlay {
        label: "Domino",
        curves: &ramps,
    }];
    let with = ChartData {
        overlays: &overlays,
        ..data
    };
    let pixels = |d: &ChartData| {
        draw_skills(&root(), d, traj.frames.len(), &ChartOpts::default()).unwrap();
        let ctx: web_sys::CanvasRenderingContext2d = canvas
            .get_context("2d")
            .unwrap()
            .unwrap()
            .dyn_into()
            .unwrap();
        ctx.get_image_data(0.0, 0.0, 500.0, 260.0)
            .unwrap()
            .data()
            .to_vec()
    };
    let (plain, dashed) = (pixels(&data), pixels(&with));
    let changed = plain
        .chunks(4)
        .zip(dashed.chunks(4))
        .filter(|(a, b)| a != b)
        .count();
    assert!(changed > 100, "the dashed ramps changed {changed} pixels");
}

/// The fixed-order matrix product the MLPs use in wasm (`sim::nn::gemm::gemm_fixed_order`, the
/// SIMD micro-kernels here) and the entry point `gemm` against the naive triple loop, bit for
/// bit, on random reals, edge sizes (1, 2, 3, odd, non-multiples of the 4 × 8 tile and of the
/// 256-deep k-slice) and every transpose.
fn gemm_is_the_naive_loop<T: skill_dominoes::sim::nn::gemm::Gemm>(
    rng: &mut rand_pcg::Pcg64,
    shapes: &[(usize, usize, usize)],
) {
    use rand::Rng;
    use skill_dominoes::sim::nn::gemm::{gemm, gemm_fixed_order, reference_gemm};
    for &(m, k, n) in shapes {
        let mut draw = |len: usize| -> Vec<T> {
            (0..len)
                .map(|_| T::from_f64(rng.random_range(-1.0..1.0)))
                .collect()
        };
        let (a, b) = (draw(m * k), draw(k * n));
        let same = |c: &[T], want: &[T]| {
            c.iter()
                .zip(want)
                .all(|(x, y)| x.to_f64().to_bits() == y.to_f64().to_bits())
        };
        for ta in [false, true] {
            for tb in [false, true] {
                let want = reference_gemm(m, k, n, &a, ta, &b, tb);
                let mut c = vec![T::from_f64(f64::NAN); m * n];
                gemm_fixed_order(m, k, n, &a, ta, &b, tb, T::ZERO, &mut c);
                assert!(
                    same(&c, &want),
                    "{} {m}×{k}×{n}, ta = {ta}, tb = {tb}",
                    T::NAME
                );
                let mut c2 = vec![T::from_f64(f64::NAN); m * n];
                gemm(m, k, n, &a, ta, &b, tb, T::ZERO, &mut c2);
                assert!(
                    same(&c2, &want),
                    "gemm {} {m}×{k}×{n}, ta = {ta}, tb = {tb}",
                    T::NAME
                );
            }
        }
    }
}

#[wasm_bindgen_test]
fn block_products_match_the_naive_loop_in_wasm() {
    // the modular MLP's diagonal-block products (gemm_strided → the SIMD kernels)
    use skill_dominoes::sim::nn::gemm::{check_strided_gemm, gemm_strided};
    check_strided_gemm::<f64>(5, gemm_strided).unwrap();
    check_strided_gemm::<f32>(6, gemm_strided).unwrap();
}

#[wasm_bindgen_test]
fn mlp_kernels_match_the_naive_loop_and_libm_in_wasm() {
    use rand::{Rng, SeedableRng};
    use skill_dominoes::sim::real::{exp_nonpos, EXP_MIN};
    let mut rng = rand_pcg::Pcg64::seed_from_u64(11);
    gemm_is_the_naive_loop::<f64>(
        &mut rng,
        &[
            (1, 1, 1),
            (2, 3, 2),
            (3, 2, 3),
            (5, 7, 9),
            (17, 33, 6),
            (130, 257, 7),
            (4, 513, 131),
            (257, 3, 50),
            (50, 300, 2),
        ],
    );
    for _ in 0..200_000 {
        let x = rng.random_range(EXP_MIN..=0.0);
        assert_eq!(exp_nonpos(x).to_bits(), libm::exp(x).to_bits(), "x = {x:e}");
        let x = -rng.random_range(0.0..2.0f64).powi(3);
        assert_eq!(exp_nonpos(x).to_bits(), libm::exp(x).to_bits(), "x = {x:e}");
    }
}

/// The f32 kernel (f32x4 SIMD micro-kernel here) is the naive f32 loop bit for bit, on random
/// reals, edge sizes (non-multiples of its tile and of the k-slice, the thin 2-wide shapes of
/// Fig. 19) and every transpose; and the branch-free f32 exp is `libm::expf` bit for bit.
#[wasm_bindgen_test]
fn f32_kernels_match_the_naive_loop_and_libm_in_wasm() {
    use rand::{Rng, SeedableRng};
    use skill_dominoes::sim::real::{expf_nonpos, EXPF_MIN};
    let mut rng = rand_pcg::Pcg64::seed_from_u64(12);
    gemm_is_the_naive_loop::<f32>(
        &mut rng,
        &[
            (1, 1, 1),
            (2, 3, 2),
            (3, 2, 3),
            (5, 7, 9),
            (17, 33, 6),
            (9, 20, 17),
            (130, 257, 7),
            (4, 513, 131),
            (257, 3, 50),
            (50, 300, 2),
            (1000, 2, 100),
            (2, 1000, 100),
            (100, 1000, 2),
            (1000, 100, 2),
        ],
    );
    for _ in 0..200_000 {
        let x = rng.random_range(EXPF_MIN..=0.0);
        assert_eq!(
            expf_nonpos(x).to_bits(),
            libm::expf(x).to_bits(),
            "x = {x:e}"
        );
        let x = -rng.random_range(0.0..2.0f32).powi(3);
        assert_eq!(
            expf_nonpos(x).to_bits(),
            libm::expf(x).to_bits(),
            "x = {x:e}"
        );
    }
}
