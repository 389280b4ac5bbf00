//! The sweeps of the paper's figures, one click (or one `preset=` key) away.

/// A sweep of the paper, one click (or one `preset=` key) away. Sweep presets are part of the
/// link format like the run presets: never change a query, add an id.
#[derive(Debug, PartialEq)]
pub struct SweepPreset {
    pub id: &'static str,
    pub figure: &'static str,
    pub caption: &'static str,
    pub query: &'static str,
    /// What it costs, measured or estimated on one core of this project's machines.
    pub cost: &'static str,
}

pub const SWEEP_PRESETS: &[SweepPreset] = &[
    SweepPreset {
        id: "fig10n",
        figure: "Fig. 10a, b (full)",
        caption: "Final loss vs dimension N for each Zipf α (CE Geometry model, n = 1000 random unit task vectors, B = 1024, SignGD 0.01, 100 000 steps, 4 seeds); α_N from N = 40 and 220 with `skills exponents --x dim --at 40,220`.",
        query: "vec=unit&loss=ce&n=1000&batch=1024&lr=0.01&steps=100000&sweep=dim:20..1000:50&sweep2=alpha:0.5,1,1.2,1.4,1.6,1.8,2&sweep3=seed:0..3:4",
        cost: "1400 runs of 2–11 s of CPU each (N = 20 … 1000), ≈ 3 CPU-hours: ≈ 1.6 h on 2 idle cores, minutes as a cluster job (use --shard; BENCHMARKS.md, Sweeps)",
    },
    SweepPreset {
        id: "fig10n-small",
        figure: "Fig. 10b (reduced)",
        caption: "α_N at N = 40 and 220 for α = 1 … 2, one seed, 30 000 steps: 0.34, 0.46, 0.60, 0.74, 0.89, 0.98 here (the paper, 4 seeds × 99 000 steps: 0.35, 0.48, 0.63, 0.79, 0.96, 0.96).",
        query: "vec=unit&loss=ce&n=1000&batch=1024&lr=0.01&steps=30000&sweep=alpha:1,1.2,1.4,1.6,1.8,2&sweep2=dim:40,220",
        cost: "12 runs, ≈ 15 s of CPU: ≈ 8 s natively on 2 cores",
    },
    SweepPreset {
        id: "fig10n-seeds",
        figure: "Fig. 10b (reduced, 4 seeds)",
        caption: "α_N at N = 40 and 220 for α = 1 … 2, seed-median over the paper's 4 seeds, 30 000 steps: 0.33, 0.45, 0.58, 0.73, 0.87, 0.93 here (the paper, 4 seeds × 99 000 steps: 0.35, 0.48, 0.63, 0.79, 0.96, 0.96): 0.02–0.09 below it for α = 1.2 … 1.8.",
        query: "vec=unit&loss=ce&n=1000&batch=1024&lr=0.01&steps=30000&sweep=alpha:1,1.2,1.4,1.6,1.8,2&sweep2=dim:40,220&sweep3=seed:0..3:4",
        cost: "48 runs, ≈ 1 minute of CPU: ≈ 30 s natively on 2 cores",
    },
    SweepPreset {
        id: "fig10s",
        figure: "Fig. 10c, d (reduced)",
        caption: "Loss at steps 80 and 200 for N = 100 and each α, 3 seeds: α_S with `skills exponents --x steps --at 80,200` (0.16, 0.28, 0.45, 0.67, 0.90, 1.13 here; the paper, one seed: 0.18 … 1.03). Seeds 0–2 happen to lie high at α ≥ 1.6: over 40 seeds (fig10s-seeds) the medians are 0.16 … 1.06.",
        query: "vec=unit&loss=ce&n=1000&dim=100&batch=1024&lr=0.01&steps=200&record=80,200&sweep=alpha:1,1.2,1.4,1.6,1.8,2&sweep2=seed:0..2:3",
        cost: "18 runs, about a second natively",
    },
    SweepPreset {
        id: "fig10s-seeds",
        figure: "Fig. 10d (reduced, 40 seeds)",
        caption: "α_S = [ln L(80) − ln L(200)]/ln 2.5 at N = 100 over seeds 0–39: medians 0.16, 0.28, 0.45, 0.63, 0.84, 1.06 for α = 1 … 2, one seed's spread (sd) 0.02 … 0.09 (`skills exponents --x steps --at 80,200`). The paper's single seed (0.18, 0.30, 0.45, 0.62, 0.81, 1.03) lies inside it.",
        query: "vec=unit&loss=ce&n=1000&dim=100&batch=1024&lr=0.01&steps=200&record=80,200&sweep=alpha:1,1.2,1.4,1.6,1.8,2&sweep2=seed:0..39:40",
        cost: "240 runs, ≈ 3 s natively on 2 cores",
    },
    SweepPreset {
        id: "fig10c",
        figure: "Fig. 10c",
        caption: "Loss vs step at N = 100, seed 0, one curve per α (CE Geometry model, n = 1000 random unit vectors, B = 1024, SignGD 0.01), log–log to 20 000 steps: each curve falls as a power law in the window 80–200 (α_S) and plateaus at an α-dependent level.",
        query: "vec=unit&loss=ce&n=1000&dim=100&batch=1024&lr=0.01&steps=20000&record=10,20,30,50,80,100,200,300,500,1000,2000,3000,5000,10000&sweep=alpha:0.5,1,1.2,1.4,1.6,1.8,2",
        cost: "7 runs of ≈ 0.9 s of CPU natively; ≈ 5 s in the tab on 2 workers",
    },
    SweepPreset {
        id: "fig18b",
        figure: "Fig. 18b",
        caption: "Loss vs step at N = 100, seed 0, modular (vec=basis: the 100 most frequent skills get a private parameter) against non-modular (random unit vectors): modular is slower early, then ends lower, on the plateau ln 2 · Σ_{i>100} p_i (0.2128 … 0.0038 for α = 1 … 2).",
        query: "loss=ce&n=1000&dim=100&batch=1024&lr=0.01&steps=20000&record=10,20,30,50,80,100,200,300,500,1000,2000,3000,5000,10000&sweep=alpha:1,1.4,2&sweep2=vec:basis,unit",
        cost: "6 runs of ≈ 0.8 s of CPU natively; ≈ 4 s in the tab on 2 workers",
    },
    SweepPreset {
        id: "fig18",
        figure: "Fig. 18a",
        caption: "Modular (t_i = e_i: one private parameter per skill) vs non-modular Geometry model: final loss vs N per α. The modular loss plateaus at ln 2 · Σ_{i>N} p_i.",
        query: "loss=ce&n=1000&batch=1024&lr=0.01&steps=100000&sweep=dim:20..1000:50&sweep2=alpha:1,1.2,1.4,1.6,1.8,2&sweep3=vec:basis,unit",
        cost: "600 runs of 2–11 s of CPU each (basis runs ≈ 5.5 s on average), ≈ 1.1 CPU-hours: ≈ 35 min on 2 idle cores, a cluster job (use --shard)",
    },
    SweepPreset {
        id: "fig4r",
        figure: "Fig. 4 (right)",
        caption: "t2/t1 vs p1/p2 for two orthonormal skills (B = 128, mimic gradient) with SignGD: it rises from 1 and levels off far below p1/p2, at ≈ 2.6 for p1/p2 = 99 (t_skills column = t1;t2; tests/captions.rs checks the number). Compare `metrics::two_skill_ratio`.",
        query: "freq=two&batch=128&grad=mimic&steps=500&seed=2&sweep=p1:0.5..0.99:50",
        cost: "50 runs, a few seconds natively",
    },
    SweepPreset {
        id: "fig4r-sgd",
        figure: "Fig. 4 (right, SGD)",
        caption: "t2/t1 vs p1/p2 for two orthonormal skills with SGD (lr 3e−2, 3000 steps, p1 = 0.5 … 0.95): t2/t1 = p1/p2 exactly, since orthogonal skills decouple and t_i = ln 10/(η p_i).",
        query: "freq=two&batch=128&grad=mimic&opt=sgd&lr=0.03&steps=3000&seed=2&sweep=p1:0.5..0.95:46",
        cost: "46 runs, a few seconds natively",
    },
    SweepPreset {
        id: "fig4r-adam",
        figure: "Fig. 4 (right, Adam)",
        caption: "t2/t1 vs p1/p2 for two orthonormal skills with Adam (lr 3e−4, 3000 steps): between SGD's straight line and SignGD's saturation near 2 (the paper: ≈ 2 at p1/p2 ≈ 5, ≈ 4 at 19).",
        query: "freq=two&batch=128&grad=mimic&opt=adam&lr=0.0003&steps=3000&seed=2&sweep=p1:0.5..0.99:50",
        cost: "50 runs, a few seconds natively",
    },
    SweepPreset {
        id: "fig7n0",
        figure: "Fig. 7 (bottom)",
        caption: "Best-fitting N0 of the Resource model vs gradient noise σ (random unit vectors, B = 128, SignGD 1e−3, 1000 steps): N0 ∝ σ, 39.8 at σ = 1 here (the notebook: 37.2).",
        query: "vec=unit&batch=128&lr=0.001&steps=1000&seed=2&fit=n0&sweep=noise:1e-3..1:10:log",
        cost: "10 runs and fits, under a second natively",
    },
    SweepPreset {
        id: "fig7n0-lr",
        figure: "Fig. 7 (bottom, learning rate)",
        caption: "Best-fitting N0 vs the learning rate η (random unit vectors, B = 128, SignGD, 1000 steps): non-monotonic, as in the paper — large for tiny η (0.60 at 1e−5), smallest near 3e−4 (0.008), then growing with η (0.012 at 1e−3, 0.14 at 1e−2, 3.6 at 0.1, faster than the paper's 2η guide).",
        query: "vec=unit&batch=128&steps=1000&seed=2&fit=n0&sweep=lr:1e-5..0.1:9:log",
        cost: "9 runs and fits, under a second natively",
    },
    SweepPreset {
        id: "fig7n0-batch",
        figure: "Fig. 7 (bottom, batch size)",
        caption: "Best-fitting N0 vs the batch size B (random unit vectors, SignGD 1e−3, 1000 steps): N0 ∝ 1/B for small B (0.151, 0.071, 0.038, 0.019 at B = 8 … 64), flattening from B ≈ 128 (0.008–0.006 at 256 … 1024); the paper: ∝ 1/B up to 256, flat beyond.",
        query: "vec=unit&lr=0.001&steps=1000&seed=2&fit=n0&sweep=batch:8,16,32,64,128,256,512,1024",
        cost: "8 runs and fits, under a second natively",
    },
    SweepPreset {
        id: "fig19scatter",
        figure: "Fig. 19 (scatter)",
        caption: "t2 against t1 over 100 seeds for the non-modular and the modular MLP 2-100-100-2 (x1² on 99 % of the points, x2² on 1 %): the non-modular network learns the rare task later, median t2/t1 = 2.9 (10–90 %: 2.2–3.9), the modular one almost at once after the frequent one, median 1.2 (0.9–1.6); the paper: ≈ 2–3 and ≈ 1 (tests/grids.rs checks the numbers against the stored grid).",
        query: "preset=fig19&sweep=modular:0,1&sweep2=seed:0..99:100",
        cost: "200 runs of ≈ 1 s natively (≈ 1.5 min on 2 cores); ≈ 2.5 s each in a browser worker (≈ 4 min on 2 workers)",
    },
];

/// The figure numbers a figure text names: "Fig. 2 (top right), Fig. 16 (top)" → [2, 16].
fn figure_numbers(figure: &str) -> Vec<u32> {
    figure
        .split("Fig. ")
        .skip(1)
        .filter_map(|t| {
            let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
            digits.parse().ok()
        })
        .collect()
}

/// The sweep presets of the same figure as a run preset (`figure` as in
/// [`crate::link::presets::Preset::figure`]): the lab links to them from its figure box.
pub fn sweeps_of_figure(figure: &str) -> Vec<&'static SweepPreset> {
    let want = figure_numbers(figure);
    SWEEP_PRESETS
        .iter()
        .filter(|p| figure_numbers(p.figure).iter().any(|n| want.contains(n)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_of_a_figure() {
        let ids = |f: &str| -> Vec<&str> { sweeps_of_figure(f).iter().map(|p| p.id).collect() };
        assert_eq!(ids("Fig. 4"), ["fig4r", "fig4r-sgd", "fig4r-adam"]);
        assert_eq!(ids("Fig. 7 (top)"), ["fig7n0", "fig7n0-lr", "fig7n0-batch"]);
        assert_eq!(ids("Fig. 19"), ["fig19scatter"]);
        assert!(ids("Fig. 1").is_empty() && ids("Fig. 12").is_empty() && ids("").is_empty());
        assert_eq!(figure_numbers("Fig. 2 (top right), Fig. 16 (top)"), [2, 16]);
    }
}
