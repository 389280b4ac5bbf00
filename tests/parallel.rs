//! Real networks on every core (docs/models.md §13): the sharded step of `sim::nn::shard`.
//! Its bits do not depend on how many workers compute it (simulated here natively: a leader
//! and W copies of the run, each answering the leader's order for the shards it owns), it
//! equals the unsharded step to rounding, a run may move between workers and one thread
//! mid-run without changing a bit, and a bad reply is refused without changing the run.

use skill_dominoes::sim::nn::shard::{blocks, is_block, ownership, SHARDS};
use skill_dominoes::sim::nn::{
    Dtype, GrokkingParams, ModularParams, Net, NetParams, ParityParams, RoundOrder, ShardReply,
    Sharded,
};

fn parity() -> NetParams {
    NetParams::Parity(ParityParams {
        samples: 1000,
        width: 16,
        seed: 3,
        ..ParityParams::frequency(0.2)
    })
}

fn parity_bernoulli() -> NetParams {
    NetParams::Parity(ParityParams {
        samples: 300,
        width: 12,
        seed: 5,
        supervision: skill_dominoes::sim::nn::Supervision::Bernoulli,
        ..ParityParams::frequency(0.3)
    })
}

fn grokking() -> NetParams {
    NetParams::Grokking(GrokkingParams {
        modulus: 13,
        embed_dim: 8,
        hidden: vec![16, 16],
        seed: 3,
        ..GrokkingParams::signgd()
    })
}

fn modular(reweight: bool, dtype: Dtype) -> NetParams {
    NetParams::Modular(ModularParams {
        points: 300,
        width: 20,
        modular: true,
        reweight,
        dtype,
        seed: 3,
        ..ModularParams::default()
    })
}

fn all_cases() -> Vec<(&'static str, NetParams)> {
    vec![
        ("parity", parity()),
        ("parity-bernoulli", parity_bernoulli()),
        ("grokking", grokking()),
        ("modular", modular(false, Dtype::F32)),
        ("modular-reweight", modular(true, Dtype::F32)),
        ("modular-reweight-f64", modular(true, Dtype::F64)),
    ]
}

/// One row: the step, losses and accuracies as bits.
fn row(net: &Net) -> Vec<u64> {
    let e = net.experiment();
    let mut v = vec![e.step_count() as u64, e.loss().to_bits()];
    v.extend(e.task_losses().iter().map(|x| x.to_bits()));
    v.extend(e.accuracies().iter().map(|x| x.to_bits()));
    v
}

/// A leader with `workers` copies of its run: one round per step, each worker answering for
/// the shards `ownership` gives it (replies in reverse order, as they may arrive). Returns
/// the rows and the orders (θ_t of every step).
fn with_workers(
    params: &NetParams,
    workers: usize,
    steps: usize,
) -> (Vec<Vec<u64>>, Vec<RoundOrder>) {
    let mut leader = Net::new(params.clone()).unwrap();
    let mut copies: Vec<Net> = (0..workers)
        .map(|_| Net::new(params.clone()).unwrap())
        .collect();
    let owned = ownership(workers);
    let (mut rows, mut orders) = (vec![], vec![]);
    for _ in 0..=steps {
        let order = leader.experiment_mut().round_order();
        let mut replies: Vec<ShardReply> = owned
            .iter()
            .zip(&mut copies)
            .map(|(r, w)| w.experiment_mut().shard_work(&order, r.clone()).unwrap())
            .collect();
        replies.reverse();
        leader
            .experiment_mut()
            .finish_round(&order, &replies)
            .unwrap();
        rows.push(row(&leader));
        orders.push(order);
    }
    (rows, orders)
}

/// The same run on one thread: `Net::shard`, then `Net::step`.
fn one_thread(params: &NetParams, steps: usize) -> (Vec<Vec<u64>>, ()) {
    let mut net = Net::new(params.clone()).unwrap();
    net.shard().unwrap();
    let mut rows = vec![row(&net)];
    for _ in 0..steps {
        net.step().unwrap();
        rows.push(row(&net));
    }
    (rows, ())
}

#[test]
fn the_tree_blocks_tile_any_range_with_aligned_nodes() {
    assert_eq!(blocks(0..16), vec![0..16]);
    assert_eq!(blocks(6..11), vec![6..8, 8..10, 10..11]);
    assert_eq!(blocks(0..6), vec![0..4, 4..6]);
    for w in 1..=SHARDS + 3 {
        let owned = ownership(w);
        assert_eq!(owned.first().unwrap().start, 0);
        assert_eq!(owned.last().unwrap().end, SHARDS);
        for pair in owned.windows(2) {
            assert_eq!(pair[0].end, pair[1].start, "{w} workers: contiguous");
            assert!(pair[0].end > pair[0].start);
        }
        for r in owned {
            let bs = blocks(r.clone());
            assert!(bs.iter().all(is_block), "{w} workers: {bs:?}");
            assert_eq!(bs.first().unwrap().start, r.start);
            assert_eq!(bs.last().unwrap().end, r.end);
        }
    }
}

/// 1, 2, 3, 4, 8 and 16 workers and the one-thread path: the same bits at every step, θ
/// included, for every experiment (dense, token and block-diagonal networks, MSE, re-weighted
/// MSE and cross-entropy, a mask drawn per step).
#[test]
fn every_worker_count_gives_the_same_bits() {
    let steps = 12;
    for (name, params) in all_cases() {
        let (base_rows, base_orders) = with_workers(&params, 1, steps);
        let (local_rows, _) = one_thread(&params, steps);
        assert_eq!(local_rows, base_rows, "{name}: one thread vs one worker");
        for w in [2, 3, 4, 8, 16] {
            let (rows, orders) = with_workers(&params, w, steps);
            assert_eq!(rows, base_rows, "{name}: {w} workers, rows");
            let bits = |o: &[RoundOrder]| -> Vec<Vec<u64>> {
                o.iter()
                    .map(|o| o.theta.iter().map(|x| x.to_bits()).collect())
                    .collect()
            };
            assert_eq!(bits(&orders), bits(&base_orders), "{name}: {w} workers, θ");
        }
    }
}

/// The sharded run tracks the unsharded run (`Experiment::step`, the CLI's) to rounding: only
/// the order of the sums over rows differs (and, re-weighted, where 1/mean ℓ is applied). The
/// tolerance is relative, per observable, over 60 steps: 1e−10 for the f64 runs and 1e−5 for
/// the f32 runs (measured: ≤ 5e−12 in f64, grokking's cross-entropy the largest; ≤ 2e−8 in
/// f32; Adam normalises each coordinate's step, so a rounding difference in a small gradient
/// component grows to more than an ulp of the loss). The two paths do differ (not the same
/// code twice).
#[test]
fn sharded_steps_equal_the_unsharded_steps_to_rounding() {
    let steps = 60;
    for (name, params) in all_cases() {
        let f32_run = matches!(&params, NetParams::Modular(m) if m.dtype == Dtype::F32);
        let tol = if f32_run { 1e-5 } else { 1e-10 };
        let mut plain = Net::new(params.clone()).unwrap();
        let mut sharded = Net::new(params.clone()).unwrap();
        sharded.shard().unwrap();
        let mut worst = 0.0f64;
        for step in 0..=steps {
            if step > 0 {
                plain.step().unwrap();
                sharded.step().unwrap();
            }
            let (a, b) = (plain.experiment(), sharded.experiment());
            assert_eq!(a.step_count(), b.step_count());
            let va: Vec<f64> = [a.loss()].into_iter().chain(a.task_losses()).collect();
            let vb: Vec<f64> = [b.loss()].into_iter().chain(b.task_losses()).collect();
            for (x, y) in va.iter().zip(&vb) {
                worst = worst.max((x - y).abs() / x.abs().max(1e-12));
            }
        }
        println!("{name}: worst relative loss difference over {steps} steps {worst:e}");
        assert!(worst < tol, "{name}: {worst:e} ≥ {tol:e}");
        assert!(worst > 0.0, "{name}: the sharded step is a different sum");
    }
}

/// Workers for a while, then one thread (an embed whose workers failed), then workers again:
/// the same bits as one thread all along; and a `Net` entering the sharded step mid-run is
/// sharded from there on.
/// A cross-entropy reply (Fig. 13) carries two numbers per row — the row's loss term and
/// whether its arg-max is its label — for its training rows and then for its test rows, not
/// the p logits of each row; the leader's observables from them are those of the unsharded
/// step to rounding (the accuracies and the test loss exactly), with the test pairs observed
/// by the workers.
#[test]
fn a_cross_entropy_reply_carries_two_numbers_per_training_and_test_row() {
    let params = grokking();
    let mut leader = Net::new(params.clone()).unwrap();
    let plain = Net::new(params.clone()).unwrap();
    let mut worker = Net::new(params.clone()).unwrap();
    let order = leader.experiment_mut().round_order();
    let (train, test) = (13 * 13 * 4 / 5, 13 * 13 - 13 * 13 * 4 / 5);
    let owned = ownership(3);
    let mut replies = vec![];
    let (mut rows_seen, mut test_seen) = (0, 0);
    for shards in &owned {
        let reply = worker
            .experiment_mut()
            .shard_work(&order, shards.clone())
            .unwrap();
        let span = |n: usize| {
            shards
                .clone()
                .map(|s| (s + 1) * n / 16 - s * n / 16)
                .sum::<usize>()
        };
        let (a, b) = (span(train), span(test));
        assert_eq!(reply.outputs.len(), 2 * (a + b), "shards {shards:?}");
        assert!(reply
            .outputs
            .chunks_exact(2)
            .all(|r| r[0].is_finite() && (r[1] == 0.0 || r[1] == 1.0)));
        rows_seen += a;
        test_seen += b;
        replies.push(reply);
    }
    assert_eq!((rows_seen, test_seen), (train, test), "every row once");
    leader
        .experiment_mut()
        .finish_round(&order, &replies)
        .unwrap();
    let (l, p) = (leader.experiment(), plain.experiment());
    assert_eq!(l.accuracies(), p.accuracies());
    // the test rows take the first-layer path of the whole test set: the one-pass test loss,
    // bit for bit (the training shards may take another path than the whole batch: rounding)
    assert_eq!(l.task_losses()[1].to_bits(), p.task_losses()[1].to_bits());
    for (a, b) in l.task_losses().iter().zip(p.task_losses()) {
        assert!((a - b).abs() <= 1e-12 * b.abs(), "{a} vs {b}");
    }
    // a reply one row short is refused by name
    let mut cut = replies.clone();
    let short = cut[1].outputs.len() - 2;
    cut[1].outputs.truncate(short);
    let e = leader.experiment().check_replies(&order, &cut).unwrap_err();
    assert!(e.contains("outputs"), "{e}");
}

#[test]
fn moving_between_workers_and_one_thread_changes_no_bit() {
    let steps = 15;
    for (name, params) in all_cases() {
        let (want, _) = one_thread(&params, steps);
        let mut leader = Net::new(params.clone()).unwrap();
        let mut copies: Vec<Net> = (0..3).map(|_| Net::new(params.clone()).unwrap()).collect();
        let owned = ownership(3);
        let mut rows = vec![];
        for t in 0..=steps {
            if (5..10).contains(&t) {
                leader.step().unwrap();
                rows.push(row(&leader));
                continue;
            }
            let order = leader.experiment_mut().round_order();
            let replies: Vec<ShardReply> = owned
                .iter()
                .zip(&mut copies)
                .map(|(r, w)| w.experiment_mut().shard_work(&order, r.clone()).unwrap())
                .collect();
            leader
                .experiment_mut()
                .finish_round(&order, &replies)
                .unwrap();
            rows.push(row(&leader));
        }
        assert_eq!(rows, want, "{name}");
    }
}

/// A reply for another step, a missing or doubled shard, or a reply of the wrong size is
/// refused by name; the run then re-does the same round on one thread and keeps its bits.
#[test]
fn bad_replies_are_refused_and_the_round_is_redone_locally() {
    let params = parity();
    let (want, _) = one_thread(&params, 3);
    let mut leader = Net::new(params.clone()).unwrap();
    let mut worker = Net::new(params).unwrap();
    let mut rows = vec![];
    for _ in 0..=3 {
        let order = leader.experiment_mut().round_order();
        let good: Vec<ShardReply> = ownership(2)
            .into_iter()
            .map(|r| worker.experiment_mut().shard_work(&order, r).unwrap())
            .collect();
        let mut stale = good.clone();
        stale[0].step += 1;
        let mut short = good.clone();
        short[1].grads.pop();
        let mut cut = good.clone();
        cut[1].outputs.truncate(10);
        let doubled = vec![good[0].clone(), good[0].clone()];
        let missing = vec![good[0].clone()];
        for (what, bad, says) in [
            ("stale", stale, "came to the round"),
            ("short", short, "gradient numbers"),
            ("cut", cut, "outputs"),
            ("doubled", doubled, "do not continue"),
            ("missing", missing, "missing"),
        ] {
            let e = leader.experiment().check_replies(&order, &bad).unwrap_err();
            assert!(e.contains(says), "{what}: {e}");
            assert!(leader.experiment_mut().finish_round(&order, &bad).is_err());
        }
        leader.experiment_mut().local_round(&order).unwrap();
        rows.push(row(&leader));
    }
    assert_eq!(rows, want);
    // a worker refuses an order that does not fit its run
    let mut w = Net::new(grokking()).unwrap();
    let order = RoundOrder {
        step: 0,
        theta: vec![0.0; 3],
        mask: None,
    };
    assert!(w.experiment_mut().shard_work(&order, 0..4).is_err());
    let mut l = Net::new(grokking()).unwrap();
    let order = l.experiment_mut().round_order();
    assert!(w.experiment_mut().shard_work(&order, 4..4).is_err());
    assert!(w.experiment_mut().shard_work(&order, 12..17).is_err());
}

/// The inside view's attribution on a sharded run runs its own full forward pass: taking it
/// every few steps changes no bit of the run.
#[test]
fn attribution_never_changes_a_sharded_run() {
    for params in [parity(), modular(true, Dtype::F32)] {
        let (want, _) = one_thread(&params, 10);
        let mut net = Net::new(params).unwrap();
        net.shard().unwrap();
        let mut rows = vec![row(&net)];
        for t in 0..10 {
            if t % 3 == 0 {
                let a = net.experiment_mut().attribution().unwrap();
                assert!(a.g.iter().all(|x| x.is_finite()));
            }
            net.step().unwrap();
            rows.push(row(&net));
        }
        assert_eq!(rows, want);
    }
}

mod page {
    //! The page's rounds (`lab::parallel::Rounds`) driving a `lab::Run` with simulated workers.
    use skill_dominoes::lab::parallel::{Received, Rounds};
    use skill_dominoes::lab::Run;
    use skill_dominoes::link::parse;
    use skill_dominoes::sim::nn::{Net, ShardReply, Sharded};
    use skill_dominoes::sim::ModelSpec;

    fn run_and_workers(query: &str, workers: usize) -> (Run, Vec<Net>) {
        let parsed = parse(query);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let mut run = Run::new(&parsed.config);
        run.shard();
        let Ok(ModelSpec::Net(p)) = parsed.config.spec() else {
            panic!("not a network: {query}");
        };
        (
            run,
            (0..workers).map(|_| Net::new(p.clone()).unwrap()).collect(),
        )
    }

    fn frame_bits(run: &Run) -> Vec<Vec<u64>> {
        run.frames
            .iter()
            .map(|f| {
                let mut v = vec![f.step as u64, f.loss.to_bits()];
                v.extend(f.values.iter().chain(&f.levels).map(|x| x.to_bits()));
                v
            })
            .collect()
    }

    const QUERIES: [&str; 3] = [
        "v=1&m=parity&samples=300&width=8&steps=40",
        "v=1&m=grokking&modulus=7&emb=4&width=8&steps=25",
        "v=1&m=modular&samples=120&width=8&steps=30",
    ];

    /// Rounds across 1, 2 and 5 workers record the frames of the run stepped on the page's
    /// thread (`Run::advance` after `Run::shard`), bit for bit, up to its end step.
    #[test]
    fn rounds_across_workers_record_the_one_thread_frames() {
        for q in QUERIES {
            let (mut alone, _) = run_and_workers(q, 0);
            while !alone.finished() {
                alone.advance(u32::MAX, &|| 0.0, f64::INFINITY);
            }
            assert!(alone.error.is_none(), "{q}: {:?}", alone.error);
            for w in [1, 2, 5] {
                let (mut run, mut workers) = run_and_workers(q, w);
                let mut rounds = Rounds::new(w);
                while let Some((generation, order)) = rounds.begin(&mut run) {
                    let order = order.clone();
                    // a round out (its update taken, its frame not in): the run is not over,
                    // even at its last step, so the page does not stop before the frame
                    assert!(!run.finished(), "{q}: step {} is out", order.step);
                    let owned = rounds.owned().to_vec();
                    let mut last = Received::Waiting;
                    for (i, (shards, net)) in owned.into_iter().zip(&mut workers).enumerate().rev()
                    {
                        let reply = net.experiment_mut().shard_work(&order, shards).unwrap();
                        last = rounds.receive(&mut run, generation, i, reply);
                    }
                    assert!(matches!(last, Received::Recorded(_)), "{q}: {last:?}");
                }
                assert_eq!(frame_bits(&run), frame_bits(&alone), "{q}: {w} workers");
                assert!(run.finished());
            }
        }
    }

    /// As the page runs them: its own thread computes participant 0's share
    /// (`Rounds::share`, right after the orders go out) and 1 or 3 workers the rest; the
    /// frames are the one-thread frames, bit for bit.
    #[test]
    fn the_pages_own_share_beside_its_workers_records_the_one_thread_frames() {
        for q in QUERIES {
            let (mut alone, _) = run_and_workers(q, 0);
            while !alone.finished() {
                alone.advance(u32::MAX, &|| 0.0, f64::INFINITY);
            }
            for w in [1, 3] {
                let (mut run, mut workers) = run_and_workers(q, w);
                let mut rounds = Rounds::new(w + 1);
                let mut rounds_done = 0;
                while let Some((generation, order)) = rounds.begin(&mut run) {
                    let order = order.clone();
                    let owned = rounds.owned().to_vec();
                    assert_eq!(rounds.share(&mut run), Received::Waiting, "{q}");
                    let mut last = Received::Waiting;
                    for (i, net) in workers.iter_mut().enumerate() {
                        let reply = net
                            .experiment_mut()
                            .shard_work(&order, owned[i + 1].clone())
                            .unwrap();
                        last = rounds.receive(&mut run, generation, i + 1, reply);
                    }
                    assert!(matches!(last, Received::Recorded(_)), "{q}: {last:?}");
                    rounds_done += 1;
                }
                assert!(rounds_done > 0);
                assert_eq!(
                    frame_bits(&run),
                    frame_bits(&alone),
                    "{q}: the page and {w} workers"
                );
                // no round out: the share has nothing to answer
                assert_eq!(rounds.share(&mut run), Received::Stale);
            }
        }
    }

    /// A reply of an earlier generation is ignored; a reply for the wrong shards is refused,
    /// and the round is then done on the page's thread: the frames stay those of one thread.
    #[test]
    fn stale_and_bad_replies_change_nothing() {
        let q = QUERIES[0];
        let (mut alone, _) = run_and_workers(q, 0);
        while !alone.finished() {
            alone.advance(u32::MAX, &|| 0.0, f64::INFINITY);
        }
        let (mut run, mut workers) = run_and_workers(q, 2);
        let mut rounds = Rounds::new(2);
        let mut t = 0;
        let mut kept_stale: Option<(u32, ShardReply)> = None;
        while let Some((generation, order)) = rounds.begin(&mut run) {
            let order = order.clone();
            let owned = rounds.owned().to_vec();
            let replies: Vec<ShardReply> = owned
                .iter()
                .zip(&mut workers)
                .map(|(s, n)| n.experiment_mut().shard_work(&order, s.clone()).unwrap())
                .collect();
            t += 1;
            if t == 5 {
                // worker 1 answers for worker 0's shards: refused, then done on one thread
                let r = rounds.receive(&mut run, generation, 1, replies[0].clone());
                assert!(
                    matches!(&r, Received::Refused(m) if m.contains("answered for shards")),
                    "{r:?}"
                );
                assert!(rounds.busy());
                rounds.fail(&mut run);
                assert!(!rounds.busy());
                kept_stale = Some((generation, replies[1].clone()));
                continue;
            }
            if t == 9 {
                // a cut reply completes the set: the run refuses it by name
                let mut cut = replies[1].clone();
                cut.outputs.pop();
                assert_eq!(
                    rounds.receive(&mut run, generation, 0, replies[0].clone()),
                    Received::Waiting
                );
                let r = rounds.receive(&mut run, generation, 1, cut);
                assert!(
                    matches!(&r, Received::Refused(m) if m.contains("outputs")),
                    "{r:?}"
                );
                rounds.fail(&mut run);
                continue;
            }
            for (i, reply) in replies.into_iter().enumerate() {
                rounds.receive(&mut run, generation, i, reply);
            }
        }
        assert_eq!(frame_bits(&run), frame_bits(&alone));
        // after a restart the old generation's replies are stale
        let (generation, reply) = kept_stale.unwrap();
        rounds.restart();
        assert_eq!(
            rounds.receive(&mut run, generation, 1, reply),
            Received::Stale
        );
    }
}
