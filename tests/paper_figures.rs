//! Statistical reproduction targets of the Geometry model (docs/models.md §10, items 10–13): our
//! random streams are not numpy's, so these check the paper's bands, not its exact curves.
//! Each band was met by seeds 0, 1 and 2 when written; the tests use seed 0.

mod common;
use common::{column, levels};
use skill_dominoes::link::parse;
use skill_dominoes::sim::metrics::first_above;
use skill_dominoes::sim::run;

fn t90s(query: &str) -> Vec<Option<usize>> {
    let lv = levels(query);
    (0..lv[0].len())
        .map(|i| first_above(&column(&lv, i), 0.9))
        .collect()
}

/// Fig. 5: skills are learned one after another in order of frequency, more sequentially for
/// larger α (N = 1000, n = 10, B = 128, SignGD 3e−4, mimic gradient).
#[test]
fn fig5_cascade_in_order_of_frequency() {
    let base = "v=1&n=10&batch=128&grad=mimic&steps=3000&seed=0";
    let t = t90s(&format!("{base}&alpha=2"));
    let t: Vec<usize> = t
        .into_iter()
        .map(|x| x.expect("every skill learned at α = 2"))
        .collect();
    assert!(t.windows(2).all(|w| w[1] + 10 >= w[0]), "order: {t:?}");
    assert!(
        (125..=160).contains(&t[0]) && (580..=760).contains(&t[9]),
        "α = 2: {t:?}"
    );
    let t1 = t90s(&format!("{base}&alpha=1"));
    let last = t1[9].expect("α = 1: skill 10 learned");
    assert!((430..=540).contains(&last), "α = 1: t90(10) = {last}");
    let t4 = t90s(&format!("{base}&alpha=4"));
    assert!(t4[..5].iter().all(Option::is_some), "α = 4: {t4:?}");
    assert!(
        t4[6..].iter().all(Option::is_none),
        "α = 4: rare skills not learned in 3000 steps: {t4:?}"
    );
}

/// Fig. 4, p1 = 0.5: both skills are learned together at ≈ 170–190 steps.
#[test]
fn fig4_equal_frequencies_learn_together() {
    let t = t90s("v=1&freq=two&p1=0.5&batch=128&grad=mimic&steps=500");
    let (a, b) = (t[0].unwrap(), t[1].unwrap());
    assert!(
        a.abs_diff(b) <= 10 && (155..=190).contains(&a) && (155..=190).contains(&b),
        "{t:?}"
    );
}

/// Fig. 4 aligned dimensions (p1 = 0.95): early, skill 1 owns ≈ all N coordinates and skill 2
/// ≈ N/2; after step 300 SignGD returns both to ≈ N/2 while SGD leaves skill 2 owning ≈ N.
#[test]
fn fig4_aligned_dimensions() {
    let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len() as f64;
    for (opt, late2) in [("opt=signgd", 500.0), ("opt=sgd&lr=0.03", 1000.0)] {
        let c = parse(&format!(
            "v=1&freq=two&p1=0.95&batch=128&grad=mimic&steps=600&{opt}"
        ))
        .config;
        let traj = run(c.spec().unwrap(), c.steps, 1, true).unwrap();
        let a = |i: usize, r: std::ops::Range<usize>| -> f64 {
            let v: Vec<f64> = traj.frames[r]
                .iter()
                .map(|f| f.align.as_ref().unwrap()[i] as f64)
                .collect();
            mean(&v)
        };
        let (e1, e2) = (a(0, 0..51), a(1, 0..51));
        assert!(
            (e1 - 970.0).abs() <= 20.0 && (e2 - 510.0).abs() <= 30.0,
            "{opt}: early {e1}, {e2}"
        );
        let (l1, l2) = (a(0, 300..601), a(1, 300..601));
        assert!(
            (l1 - 495.0).abs() <= 15.0 && (l2 - late2).abs() <= 15.0,
            "{opt}: late {l1}, {l2}"
        );
    }
}

/// Fig. 7 bottom (§4.5, §10 item 15): the best-fitting N0 grows ∝ σ with the gradient noise
/// (log-log slope 0.85–1.15 over σ ∈ [0.01, 1], N0(σ = 1) ∈ [20, 60]; the paper's notebook
/// prints 37.2). Random unit vectors, B = 128, SignGD 1e−3, autograd MSE, 1000 steps.
#[test]
fn fig7_bottom_best_n0_grows_with_noise() {
    use skill_dominoes::sweep::{run_one, Sweep};
    let s = Sweep::parse(
        "v=1&vec=unit&batch=128&lr=0.001&steps=1000&seed=2&fit=n0&sweep=noise:0.01,0.1,1",
    )
    .unwrap();
    let n0: Vec<f64> = s
        .runs()
        .collect::<Vec<_>>()
        .iter()
        .map(|r| run_one(r, &s.outputs).best_n0.unwrap())
        .collect();
    let slope = (n0[2] / n0[0]).ln() / 100f64.ln();
    assert!((0.85..=1.15).contains(&slope), "slope {slope} ({n0:?})");
    assert!((20.0..=60.0).contains(&n0[2]), "N0(σ = 1) = {}", n0[2]);
}

/// Fig. 10d (§3.6, §10 item 17), reduced: α_S = [ln L(80) − ln L(200)]/ln(200/80) of the CE
/// Geometry model (N = 100, n = 1000 random unit vectors, B = 1024, SignGD 0.01), median over
/// three seeds, is within ±0.12 of the authors' values 0.18, 0.30, 0.45, 0.62, 0.81, 1.03
/// (their plot is one seed; one seed's α_S scatters with a standard deviation of 0.02 at α = 1
/// to 0.09 at α = 2, and seeds 0–2 happen to lie high: their median is 0.67, 0.90, 1.13 at
/// α = 1.6, 1.8, 2 against 0.63, 0.84, 1.06 over 40 seeds, preset fig10s-seeds), follows the Domino line
/// α − 1 within 0.15 for α ≥ 1.2, and crosses Chinchilla's 0.28 between α = 1 and 1.4.
#[test]
fn fig10_loss_vs_steps_exponents() {
    use skill_dominoes::sweep::{run_one, step_exponents, Sweep};
    let q = "v=1&vec=unit&loss=ce&n=1000&dim=100&batch=1024&lr=0.01&steps=200&record=80,200\
             &sweep=alpha:1,1.2,1.4,1.6,1.8,2&sweep2=seed:0..2:3";
    let s = Sweep::parse(q).unwrap();
    let runs: Vec<_> = s.runs().collect();
    let rows = runs.iter().map(|r| run_one(r, &s.outputs).row());
    let csv = skill_dominoes::sweep::csv::write(&s.header(), rows);
    let ex = step_exponents(&csv, 80, 200, "alpha").unwrap();
    let paper = [0.18, 0.30, 0.45, 0.62, 0.81, 1.03];
    for ((alpha, a_s), want) in ex.iter().zip(paper) {
        assert!(
            (a_s - want).abs() <= 0.12,
            "α = {alpha}: α_S = {a_s:.3}, paper {want}"
        );
        let alpha: f64 = alpha.parse().unwrap();
        if alpha >= 1.2 {
            assert!(
                (a_s - (alpha - 1.0)).abs() <= 0.15,
                "α = {alpha}: α_S = {a_s:.3} vs α − 1"
            );
        }
    }
    assert!(
        ex[0].1 < 0.28 && ex[2].1 > 0.28,
        "Chinchilla's α_S = 0.28 crossed between α = 1 and 1.4: {ex:?}"
    );
}

/// Fig. 10b (§3.6, §10 item 17), reduced: α_N = −[ln L(N = 220) − ln L(N = 40)]/ln(220/40) of
/// the CE Geometry model (n = 1000 random unit vectors, B = 1024, SignGD 0.01), seed-median
/// final loss over seeds 0, 1, 2 after 10 000 steps, for α = 1, 1.4, 2, through the CLI's own
/// `sweep::exponents`. Bands: within ±0.06 of the authors' 0.35, 0.63, 0.96 (their plot, 4 seeds
/// × 99 000 steps, SignGD); α_N(1) in Chinchilla's [0.30, 0.40]; α_N rising with α by ≥ 0.15
/// per step of the grid (the paper: +0.28, +0.33). Why 10 000 steps and ±0.06: α_N has
/// converged to within 0.005 of its 30 000-step value for α ≤ 1.4 and to within 0.01 at α = 2
/// (seed 0: 0.974 vs 0.978; at 5 000 steps it is still 0.92) and does not move for α ≤ 1.8 up
/// to the paper's 99 000 steps, but at α = 2 SignGD's loss at N = 220 creeps up after 30 000
/// steps (4-seed median α_N 0.94 at 10 000, 0.85 at 99 000: the paper calls the SignGD α = 2
/// value sensitive to the training length), so the α = 2 band holds for this length only;
/// one seed's α_N scatters by up to 0.06 (seed 2 sits 0.04–0.06 below seeds 0 and 1), hence
/// the median of three; and the seed-median runs 0.02–0.09 below the paper's for
/// α = 1.2 … 1.8 (preset fig10n-seeds; BENCHMARKS.md, "Sweeps"), which is why α = 1.6 and 1.8
/// are not tested against it. Here:
/// 0.334, 0.594, 0.971. The 18 runs go on one thread each (≈ 0.7 s of CPU each in the test
/// profile); a gradient without the sigmoid, with σ in place of 1 − σ, with the wrong sign, or
/// with batch weights 1/B per distinct skill each fails the first band.
#[test]
fn fig10_loss_vs_dimension_exponents() {
    use skill_dominoes::sweep::{exponents, run_one, Sweep};
    let q = "v=1&vec=unit&loss=ce&n=1000&batch=1024&lr=0.01&steps=10000\
             &sweep=alpha:1,1.4,2&sweep2=dim:40,220&sweep3=seed:0..2:3";
    let s = Sweep::parse(q).unwrap();
    let runs: Vec<_> = s.runs().collect();
    let rows: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .map(|r| scope.spawn(|| run_one(r, &s.outputs).row()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let csv = skill_dominoes::sweep::csv::write(&s.header(), &rows);
    let ex = exponents(&csv, "dim", "loss", "40", "220", "alpha").unwrap();
    let paper = [("1", 0.35), ("1.4", 0.63), ("2", 0.96)];
    assert_eq!(ex.len(), paper.len(), "{ex:?}");
    for ((alpha, a_n), (want_alpha, want)) in ex.iter().zip(paper) {
        assert_eq!(alpha, want_alpha);
        assert!(
            (a_n - want).abs() <= 0.06,
            "α = {alpha}: α_N = {a_n:.3}, paper {want} ({ex:?})"
        );
    }
    assert!(
        (0.30..=0.40).contains(&ex[0].1),
        "Chinchilla's α_N = 0.34 at Zipf α = 1: {ex:?}"
    );
    assert!(
        ex.windows(2).all(|w| w[1].1 - w[0].1 >= 0.15),
        "α_N rises with α: {ex:?}"
    );
}

/// Fig. 18b (docs/models.md §3.7): with one private parameter per skill (`vec=basis`, N = 100 of
/// n = 1000 skills) the loss ends exactly on the tail mass ln 2 · Σ_{i>N} p_i of the skills
/// without a module (the paper: 0.2128 at α = 1, 0.0038 at α = 2), and the non-modular run
/// (random unit vectors, superposition) ends higher at N = 100. Runs the `fig18b` sweep preset.
#[test]
fn fig18b_modular_plateau_is_the_tail_mass() {
    let results = sweep_link("v=1&preset=fig18b&sweep=alpha:1,2");
    for (alpha, paper) in [(1.0f64, 0.2128), (2.0, 0.0038)] {
        let z: f64 = (1..=1000).map(|i| (i as f64).powf(-alpha)).sum();
        let tail: f64 = (101..=1000)
            .map(|i| (i as f64).powf(-alpha) / z)
            .sum::<f64>()
            * 2f64.ln();
        assert!(
            (tail - paper).abs() < 5e-5,
            "tail mass {tail} vs the paper's {paper}"
        );
        let a = format!("{alpha}");
        let loss = |vec: &str| {
            results
                .iter()
                .find(|r| {
                    r.point.contains(&("alpha".into(), a.clone()))
                        && r.point.contains(&("vec".into(), vec.into()))
                })
                .map(|r| r.final_loss)
                .unwrap()
        };
        let (modular, plain) = (loss("basis"), loss("unit"));
        assert!(
            (modular - tail).abs() < 1e-3 * tail,
            "α = {alpha}: modular {modular} vs tail {tail}"
        );
        assert!(
            plain > 1.5 * modular,
            "α = {alpha}: non-modular {plain} ends above modular {modular}"
        );
    }
}

/// Runs of a sweep preset, in grid order (a thread per run).
fn sweep_preset(id: &str) -> Vec<skill_dominoes::sweep::RunResult> {
    sweep_link(&format!("v=1&preset={id}"))
}

/// Runs of a sweep link, in grid order (a thread per run).
fn sweep_link(link: &str) -> Vec<skill_dominoes::sweep::RunResult> {
    use skill_dominoes::sweep::{run_one, Sweep};
    let s = Sweep::parse(link).unwrap();
    let runs: Vec<_> = s.runs().collect();
    std::thread::scope(|sc| {
        let handles: Vec<_> = runs
            .iter()
            .map(|r| sc.spawn(|| run_one(r, &s.outputs)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// (p1/p2, t2/t1) of a two-skill sweep over p1.
fn ratios(id: &str) -> Vec<(f64, f64)> {
    sweep_preset(id)
        .iter()
        .map(|r| {
            let p1: f64 = r.point[0].1.parse().unwrap();
            let (t1, t2) = (r.t_skills[0].unwrap() as f64, r.t_skills[1].unwrap() as f64);
            (p1 / (1.0 - p1), t2 / t1)
        })
        .collect()
}

/// Fig. 4 right (docs/models.md §3.2): SGD gives t2/t1 = p1/p2 exactly for orthogonal skills
/// (t_i = ln 10/(η p_i), up to the step rounding); Adam grows sublinearly, ≈ 2 at p1/p2 ≈ 5
/// and ≈ 4 at 19 in the paper.
#[test]
fn fig4_right_sgd_is_exact_and_adam_sublinear() {
    for (r, ratio) in ratios("fig4r-sgd") {
        assert!(
            (ratio / r - 1.0).abs() < 0.04,
            "SGD: t2/t1 {ratio} at p1/p2 = {r}"
        );
    }
    let adam = ratios("fig4r-adam");
    let at = |x: f64| {
        adam.iter()
            .min_by(|a, b| (a.0 - x).abs().total_cmp(&(b.0 - x).abs()))
            .unwrap()
            .1
    };
    assert!(
        (1.6..=2.4).contains(&at(5.0)),
        "Adam at p1/p2 ≈ 5: {}",
        at(5.0)
    );
    assert!(
        (3.2..=4.8).contains(&at(19.0)),
        "Adam at p1/p2 = 19: {}",
        at(19.0)
    );
    assert!(
        at(1.0) < 1.1 && at(19.0) < 19.0 / 3.0,
        "sublinear: {adam:?}"
    );
}

/// Fig. 7 bottom (docs/models.md §4.5): the best N0 falls as 1/B for small batches (halving per
/// doubling of B) and flattens for large ones.
#[test]
fn fig7_bottom_n0_falls_as_one_over_batch_then_flattens() {
    let n0: Vec<f64> = sweep_preset("fig7n0-batch")
        .iter()
        .map(|r| r.best_n0.unwrap())
        .collect();
    // B = 8, 16, 32, 64, 128, 256, 512, 1024
    for w in n0[..4].windows(2) {
        let halving = w[0] / w[1];
        assert!(
            (1.6..=2.5).contains(&halving),
            "N0 ∝ 1/B for small B: {n0:?}"
        );
    }
    assert!(n0[5] / n0[7] < 1.6, "flat for large B: {n0:?}");
}
