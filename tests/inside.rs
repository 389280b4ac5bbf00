//! "Inside the real networks" (docs/models.md §12): which hidden units serve which task.
//! The attribution's definition (shares sum to one, one task gets everything, the modular
//! network's blocks), that it never changes a run, and the page's comparison with the
//! Resource model (`lab::inside`).

use skill_dominoes::sim::nn::{
    Attribution, Dtype, Experiment, Modular, ModularParams, Parity, ParityParams,
};

fn small_parity(p2: f64) -> ParityParams {
    ParityParams {
        samples: 600,
        width: 16,
        seed: 3,
        ..ParityParams::frequency(p2)
    }
}

/// Every defined unit's shares sum to one; the serving fractions (idle included) too.
fn assert_normalised(a: &Attribution) {
    assert_eq!(a.g.len(), a.units() * a.tasks);
    let mut defined = 0;
    for j in 0..a.units() {
        if let Some(s) = a.share(j) {
            defined += 1;
            let sum: f64 = s.iter().sum();
            assert!((sum - 1.0).abs() < 1e-12, "unit {j}: shares sum to {sum}");
            assert!(s.iter().all(|&x| (0.0..=1.0).contains(&x)));
        } else {
            let g = &a.g[j * a.tasks..(j + 1) * a.tasks];
            assert!(g.iter().sum::<f64>() == 0.0, "unit {j} idle with g = {g:?}");
        }
    }
    assert!(defined > 0, "some unit is served");
    let serving: f64 = a.serving().iter().sum();
    assert!((serving - 1.0).abs() < 1e-12, "serving sums to {serving}");
}

#[test]
fn shares_sum_to_one_per_unit_and_idle_units_are_those_no_gradient_reaches() {
    for dtype in Dtype::ALL {
        let mut p = Parity::new(ParityParams {
            dtype,
            ..small_parity(0.3)
        })
        .unwrap();
        for _ in 0..4 {
            let a = p.attribution().unwrap();
            assert_eq!((a.widths.clone(), a.tasks), (vec![16], 2));
            assert_normalised(&a);
            for _ in 0..10 {
                p.step().unwrap();
            }
        }
    }
    // by hand: an undefined share, and the idle column of `serving`
    let a = Attribution {
        widths: vec![3],
        tasks: 2,
        g: vec![1.0, 3.0, 0.0, 0.0, 2.0, 0.0],
    };
    assert_eq!(a.share(0), Some(vec![0.25, 0.75]));
    assert_eq!(a.share(1), None);
    assert_eq!(a.serving(), vec![1.25 / 3.0, 0.75 / 3.0, 1.0 / 3.0]);
}

#[test]
fn a_network_trained_on_one_task_gives_it_everything() {
    // p2 = 0: task 2 is never supervised, the objective is task 1's alone
    let mut p = Parity::new(small_parity(0.0)).unwrap();
    for _ in 0..3 {
        let a = p.attribution().unwrap();
        assert_normalised(&a);
        for j in 0..a.units() {
            if let Some(s) = a.share(j) {
                assert_eq!(s, vec![1.0, 0.0], "unit {j}");
            }
        }
        for _ in 0..20 {
            p.step().unwrap();
        }
    }
}

#[test]
fn the_modular_networks_blocks_each_serve_their_own_task() {
    let mut m = Modular::new(ModularParams {
        modular: true,
        width: 20,
        seed: 2,
        ..ModularParams::default()
    })
    .unwrap();
    for _ in 0..3 {
        let a = m.attribution().unwrap();
        assert_eq!(a.widths, vec![20, 20]);
        assert_normalised(&a);
        for j in 0..a.units() {
            // each layer: units 0..10 are block 1 (x1 ↦ x1²), 10..20 block 2 (x2 ↦ x2²)
            let task = (j % 20) / 10;
            let s = a.share(j).expect("every SiLU unit gets a gradient");
            assert_eq!(s[task], 1.0, "unit {j} serves task {task}: {s:?}");
        }
        for _ in 0..30 {
            m.step().unwrap();
        }
    }
    // the non-modular network mixes: some unit serves both tasks
    let mut m = Modular::new(ModularParams {
        width: 20,
        seed: 2,
        ..ModularParams::default()
    })
    .unwrap();
    m.step().unwrap();
    let a = m.attribution().unwrap();
    assert!((0..a.units()).any(|j| a.share(j).is_some_and(|s| s[0] > 0.01 && s[1] > 0.01)));
}

/// Bits of every loss and accuracy of `steps` steps, attributing every `every` steps
/// (0 = never), and the number of attributions taken.
fn trace(mut e: impl Experiment, steps: usize, every: usize) -> (Vec<u64>, usize) {
    let mut bits = vec![];
    let mut taken = 0;
    for t in 0..steps {
        if every > 0 && t % every == 0 {
            assert!(e.attribution().is_some());
            taken += 1;
        }
        e.step().unwrap();
        let row = [vec![e.loss()], e.task_losses(), e.accuracies()].concat();
        bits.extend(row.iter().map(|x| x.to_bits()));
    }
    (bits, taken)
}

#[test]
fn attribution_never_changes_a_run() {
    for every in [1, 3] {
        let parity = || Parity::new(small_parity(0.2)).unwrap();
        let (plain, _) = trace(parity(), 25, 0);
        let (seen, taken) = trace(parity(), 25, every);
        assert!(taken > 0);
        assert_eq!(plain, seen, "parity, attributing every {every} steps");
        let modular = || {
            Modular::new(ModularParams {
                width: 20,
                reweight: true,
                ..ModularParams::default()
            })
            .unwrap()
        };
        let (plain, _) = trace(modular(), 25, 0);
        let (seen, _) = trace(modular(), 25, every);
        assert_eq!(plain, seen, "modular, attributing every {every} steps");
    }
}

// ---- The page's comparison with the Resource model (lab::inside), against the runs ----

use skill_dominoes::lab::inside::{resource_on_axis, Comparison, ResourceAllocation};
use skill_dominoes::lab::Run;
use skill_dominoes::link::parse;

/// The page's run of `link` with the inside view open from step 0, to its end.
fn watched_run(link: &str) -> Run {
    let parsed = parse(link);
    assert!(parsed.problems.is_empty(), "{link}: {:?}", parsed.problems);
    let mut run = Run::new(&parsed.config);
    run.watch_inside(true);
    while !run.finished() {
        run.advance(u32::MAX, &|| 0.0, f64::INFINITY);
    }
    assert!(run.error.is_none(), "{link}: {:?}", run.error);
    run
}

/// The sentence the page shows for `run`, and its comparison.
fn comparison(run: &Run) -> (Comparison, String) {
    let res = ResourceAllocation::of(&run.p, run.milestones.thr).unwrap();
    let inside = run.inside.as_ref().unwrap();
    let learned = run.learned_steps();
    let c = Comparison::of(inside, &learned, &res).unwrap();
    let s = c.sentence(&run.names);
    // the Resource curve lands its first learned task where the network does
    let curve = resource_on_axis(&res, &learned, 400);
    assert!(!curve.is_empty());
    (c, s)
}

/// Fig. 2 (p2 = 0.1): before x1⊕x2 is learned, the network and the Resource model both give
/// it most of what they have; once it is learned the Resource model gives most of its
/// resource to x3⊕x4, while most of the network's units keep serving x1⊕x2. Fig. 19
/// (non-modular): the same before; after, both give the rare task less than half (the
/// Resource model wastes most of its resource on N0). The page's sentence says so with the
/// runs' numbers.
#[test]
fn network_and_resource_model_agree_before_the_first_task_and_differ_after() {
    for (link, after_agree) in [
        ("v=1&preset=fig2&p2=0.1&steps=500", false),
        ("v=1&preset=fig19&modular=0&steps=800", true),
    ] {
        let run = watched_run(link);
        let inside = run.inside.as_ref().unwrap();
        assert_eq!(inside.snapshots[0].0, 0, "{link}: recorded from step 0");
        let (c, s) = comparison(&run);
        println!("{link}: {c:?}\n  {s}");
        assert_eq!(c.first.task, 0, "{link}: the frequent task first");
        assert!(!c.first.so_far);
        assert!(c.first.network > 0.8 && c.first.resource > 0.7, "{link}");
        assert!(c.first.agree(), "{link}");
        let b = c.between.clone().unwrap();
        assert_eq!(b.task, 1);
        assert!(!b.so_far, "{link}: both tasks learned");
        assert!(
            b.network < 0.45,
            "{link}: the network keeps most units on task 1"
        );
        assert_eq!(b.agree(), after_agree, "{link}");
        assert!(s.contains("they agree, both give it most."), "{s}");
        let second = if after_agree {
            "they agree, both give it at most half."
        } else {
            "they differ, the network gives it at most half and the Resource model most."
        };
        assert!(s.ends_with(second), "{s}");
        assert!(s.contains(&format!("{:.0} %", 100.0 * b.network)), "{s}");
        assert!(s.contains(&format!("{:.0} %", 100.0 * b.resource)), "{s}");
    }
}

/// The modular network's blocks stay half and half, far from the Resource model's
/// allocation before the frequent task is learned: the sentence says they differ.
#[test]
fn the_modular_network_differs_from_the_resource_model_from_the_start() {
    let run = watched_run("v=1&preset=fig19&modular=1&steps=400");
    let (c, s) = comparison(&run);
    assert!((c.first.network - 0.5).abs() < 1e-9, "{c:?}");
    assert!(!c.first.agree());
    assert!(
        s.starts_with("Before x1² is learned, the network gives it 50 %"),
        "{s}"
    );
}

/// Closed, the inside view records nothing; open, it records every K steps and the run's
/// frames are the same as without it.
#[test]
fn the_inside_view_does_not_change_the_pages_run() {
    let link = "v=1&m=parity&samples=500&width=12&steps=60";
    let cfg = parse(link).config;
    let mut plain = Run::new(&cfg);
    while !plain.finished() {
        plain.advance(7, &|| 0.0, f64::INFINITY);
    }
    assert!(plain.inside.is_none());
    let run = watched_run(link);
    assert_eq!(plain.frames, run.frames);
    let steps: Vec<u32> = run
        .inside
        .as_ref()
        .unwrap()
        .snapshots
        .iter()
        .map(|s| s.0)
        .collect();
    assert_eq!(steps, (0..=60).step_by(10).collect::<Vec<_>>());
}
