//! The MLP library and the three real-network experiments (docs/models.md §2, §6.2, §7, §10 items
//! 24–27).
//!
//! * Backpropagation is the gradient: central differences `(L(θ + h e_j) − L(θ − h e_j))/2h`
//!   agree with `backward` to a relative error below 1e−6 for every activation, mask, loss and
//!   the embedding; the f32 network's `backward` agrees with the central differences of the
//!   same (widened) weights to below 2e−6 (f32 rounding: ≈ 1e−7 seen).
//! * Determinism: the same seed gives the same bits.
//! * The paper's findings, as statistics over a few seeds (medians, not one lucky seed):
//!   the Domino effect of Fig. 2, the modular speed-up and the loss re-weighting of Fig. 19.

use skill_dominoes::sim::nn::mlp::{
    mse_loss, softmax_ce, Activation, Embedding, Input, Mlp, MlpSpec, Real, Tape,
};
use skill_dominoes::sim::nn::{
    Experiment, Grokking, GrokkingParams, Modular, ModularParams, Net, NetParams, Parity,
    ParityParams,
};
use skill_dominoes::sim::rng::rng_for;
use skill_dominoes::sim::SimError;

// ------------------------------------------------------------------------------------------
// Gradient checks

/// Which loss the check differentiates.
#[derive(Clone, Copy, Debug)]
enum Loss {
    Mse,
    Ce,
}

/// Targets of a check: y and mask for the MSE, labels for the CE.
struct Data {
    input: Vec<f64>,
    tokens: Vec<u32>,
    y: Vec<f64>,
    mask: Vec<f64>,
    labels: Vec<u32>,
}

impl Data {
    fn input(&self) -> Input<'_> {
        if self.tokens.is_empty() {
            Input::Dense(&self.input)
        } else {
            Input::Tokens(&self.tokens)
        }
    }
}

fn uniform(seed: u64, len: usize, lo: f64, hi: f64) -> Vec<f64> {
    use rand::Rng;
    let mut r = rng_for(seed, 77);
    (0..len).map(|_| r.random_range(lo..hi)).collect()
}

fn loss_and_grad(net: &Mlp, d: &Data, loss: Loss, grad: Option<&mut [f64]>) -> f64 {
    let mut tape = Tape::default();
    let f = net.forward(d.input(), &mut tape).to_vec();
    let mut d_out = vec![0.0; f.len()];
    let l = match loss {
        Loss::Mse => mse_loss(&f, &d.y, &d.mask, false, &mut d_out),
        Loss::Ce => softmax_ce(&f, net.n_out(), &d.labels, Some(&mut d_out)),
    };
    if let Some(g) = grad {
        net.backward(d.input(), &mut tape, &d_out, g);
    }
    l
}

fn to<T: Real>(v: &[f64]) -> Vec<T> {
    v.iter().map(|&x| T::from_f64(x)).collect()
}

/// `loss_and_grad` of an f32 network (inputs and targets rounded to f32).
fn loss_and_grad_f32(net: &Mlp<f32>, d: &Data, loss: Loss, grad: &mut [f32]) -> f32 {
    let (x, y, mask) = (to::<f32>(&d.input), to::<f32>(&d.y), to::<f32>(&d.mask));
    let input = if d.tokens.is_empty() {
        Input::Dense(&x)
    } else {
        Input::Tokens(&d.tokens)
    };
    let mut tape = Tape::default();
    let f = net.forward(input, &mut tape).to_vec();
    let mut d_out = vec![0.0; f.len()];
    let l = match loss {
        Loss::Mse => mse_loss(&f, &y, &mask, false, &mut d_out),
        Loss::Ce => softmax_ce(&f, net.n_out(), &d.labels, Some(&mut d_out)),
    };
    net.backward(input, &mut tape, &d_out, grad);
    l
}

/// The f32 network's analytic gradient against central differences (in f64, h = 1e−5) of
/// the same function: the f64 network with the f32 weights, on the f32-rounded data.
fn check_f32(name: &str, spec: MlpSpec, d: &Data, loss: Loss) {
    let net32 = Mlp::<f32>::new(spec.clone(), &mut rng_for(11, 5)).unwrap();
    let mut g32 = vec![0.0f32; net32.n_params()];
    let l32 = loss_and_grad_f32(&net32, d, loss, &mut g32);
    let rounded = |v: &[f64]| -> Vec<f64> { v.iter().map(|&x| x as f32 as f64).collect() };
    let d64 = Data {
        input: rounded(&d.input),
        tokens: d.tokens.clone(),
        y: rounded(&d.y),
        mask: d.mask.clone(),
        labels: d.labels.clone(),
    };
    let mut net = Mlp::<f64>::new(spec, &mut rng_for(11, 5)).unwrap();
    for (t, &t32) in net.theta_mut().iter_mut().zip(net32.theta()) {
        *t = t32 as f64;
    }
    let l64 = loss_and_grad(&net, &d64, loss, None);
    assert!(
        ((l32 as f64) - l64).abs() < 1e-5 * l64.abs(),
        "{name}: f32 loss {l32} vs f64 {l64}"
    );
    let h = 1e-5;
    let mut fd = vec![0.0; net.n_params()];
    for j in 0..net.n_params() {
        let t0 = net.theta()[j];
        net.theta_mut()[j] = t0 + h;
        let up = loss_and_grad(&net, &d64, loss, None);
        net.theta_mut()[j] = t0 - h;
        let down = loss_and_grad(&net, &d64, loss, None);
        net.theta_mut()[j] = t0;
        fd[j] = (up - down) / (2.0 * h);
    }
    let g: Vec<f64> = g32.iter().map(|&x| x as f64).collect();
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let diff: Vec<f64> = g.iter().zip(&fd).map(|(a, b)| a - b).collect();
    let rel = norm(&diff) / norm(&g).max(norm(&fd));
    let worst = diff.iter().fold(0.0f64, |a, b| a.max(b.abs()));
    println!("{name} (f32): relative error {rel:e}, worst entry {worst:e}");
    assert!(norm(&g) > 1e-3, "{name} (f32): a vanishing gradient");
    assert!(
        rel < 2e-6 && worst < 5e-7,
        "{name} (f32): relative error {rel:e}, worst entry {worst:e}"
    );
    // and it is an f32 computation, not the f64 one
    assert!(rel > 0.0);
}

/// ‖g − fd‖/max(‖g‖, ‖fd‖) over all parameters, with the analytic gradient g.
fn check(name: &str, spec: MlpSpec, d: &Data, loss: Loss) -> Vec<f64> {
    check_f32(name, spec.clone(), d, loss);
    let mut net = Mlp::new(spec, &mut rng_for(11, 5)).unwrap();
    let mut g = vec![0.0; net.n_params()];
    loss_and_grad(&net, d, loss, Some(&mut g));
    let h = 1e-5;
    let mut fd = vec![0.0; net.n_params()];
    for j in 0..net.n_params() {
        let t0 = net.theta()[j];
        net.theta_mut()[j] = t0 + h;
        let up = loss_and_grad(&net, d, loss, None);
        net.theta_mut()[j] = t0 - h;
        let down = loss_and_grad(&net, d, loss, None);
        net.theta_mut()[j] = t0;
        fd[j] = (up - down) / (2.0 * h);
    }
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let diff: Vec<f64> = g.iter().zip(&fd).map(|(a, b)| a - b).collect();
    let rel = norm(&diff) / norm(&g).max(norm(&fd));
    let worst = diff.iter().fold(0.0f64, |a, b| a.max(b.abs()));
    println!("{name}: relative error {rel:e}, worst entry {worst:e}");
    assert!(
        norm(&g) > 1e-3,
        "{name}: a vanishing gradient checks nothing"
    );
    assert!(
        rel < 1e-6 && worst < 1e-8,
        "{name}: relative error {rel:e}, worst entry {worst:e}"
    );
    g
}

fn dense_data(rows: usize, d_in: usize, d_out: usize, classes: usize) -> Data {
    let mask = uniform(3, rows * d_out, 0.0, 1.0)
        .iter()
        .map(|&u| if u < 0.7 { 1.0 } else { 0.0 })
        .collect();
    Data {
        input: uniform(1, rows * d_in, -1.5, 1.5),
        tokens: vec![],
        y: uniform(2, rows * d_out, -1.0, 1.0),
        mask,
        labels: (0..rows).map(|i| ((i * 7) % classes) as u32).collect(),
    }
}

#[test]
fn backprop_matches_finite_differences_relu_and_silu_mse() {
    for act in [Activation::Relu, Activation::Silu] {
        let d = dense_data(9, 5, 3, 3);
        check(
            &format!("{act:?} 5-7-6-3 masked MSE"),
            MlpSpec::dense(vec![5, 7, 6, 3], act),
            &d,
            Loss::Mse,
        );
    }
}

#[test]
fn backprop_matches_finite_differences_cross_entropy() {
    for act in [Activation::Relu, Activation::Silu] {
        let d = dense_data(10, 4, 5, 5);
        check(
            &format!("{act:?} 4-8-5 CE"),
            MlpSpec::dense(vec![4, 8, 5], act),
            &d,
            Loss::Ce,
        );
    }
}

#[test]
fn backprop_through_block_diagonal_masks() {
    let d = dense_data(8, 4, 2, 2);
    let spec = MlpSpec::dense(vec![4, 6, 6, 2], Activation::Silu)
        .block_diagonal(2)
        .unwrap();
    let masks: Vec<Vec<f64>> = spec.masks.iter().map(|m| m.clone().unwrap()).collect();
    let g = check("modular 4-6-6-2 SiLU MSE", spec, &d, Loss::Mse);
    // masked weights get exactly zero gradient (W_l then b_l, layer by layer)
    let mut at = 0;
    for (m, (din, dout)) in masks.iter().zip([(4, 6), (6, 6), (6, 2)]) {
        for (j, &mj) in m.iter().enumerate() {
            if mj == 0.0 {
                assert_eq!(g[at + j], 0.0, "masked weight {j} of a layer at {at}");
            }
        }
        at += din * dout + dout;
    }
}

#[test]
fn block_diagonal_layers_equal_a_dense_network_with_zero_off_block_weights() {
    // The modular network's products run block by block, skipping the masked weights; the
    // same function is a dense network whose off-block weights are 0. Outputs and on-block
    // gradients agree to rounding (natively matrixmultiply groups the sums differently), and
    // the off-block gradients are exactly 0.
    let d = dense_data(40, 4, 2, 2);
    let spec = MlpSpec::dense(vec![4, 10, 10, 2], Activation::Silu)
        .block_diagonal(2)
        .unwrap();
    let masks: Vec<Vec<f64>> = spec.masks.iter().map(|m| m.clone().unwrap()).collect();
    let modular = Mlp::new(spec, &mut rng_for(6, 2)).unwrap();
    let mut dense = Mlp::new(
        MlpSpec::dense(vec![4, 10, 10, 2], Activation::Silu),
        &mut rng_for(6, 2),
    )
    .unwrap();
    let mut at = 0;
    for (m, (din, dout)) in masks.iter().zip([(4, 10), (10, 10), (10, 2)]) {
        for (j, &mj) in m.iter().enumerate() {
            dense.theta_mut()[at + j] *= mj;
        }
        at += din * dout + dout;
    }
    let mut gm = vec![0.0; modular.n_params()];
    let mut gd = vec![0.0; dense.n_params()];
    let lm = loss_and_grad(&modular, &d, Loss::Mse, Some(&mut gm));
    let ld = loss_and_grad(&dense, &d, Loss::Mse, Some(&mut gd));
    assert!((lm - ld).abs() <= 1e-14 * ld.abs(), "loss {lm} vs {ld}");
    let mut at = 0;
    let mut worst = 0.0f64;
    for (m, (din, dout)) in masks.iter().zip([(4, 10), (10, 10), (10, 2)]) {
        for (j, &mj) in m.iter().enumerate() {
            if mj == 0.0 {
                assert_eq!(gm[at + j], 0.0, "off-block weight {j} of the layer at {at}");
            } else {
                worst = worst.max((gm[at + j] - gd[at + j]).abs());
            }
        }
        for j in din * dout..din * dout + dout {
            worst = worst.max((gm[at + j] - gd[at + j]).abs());
        }
        at += din * dout + dout;
    }
    let scale = gd.iter().fold(0.0f64, |a, b| a.max(b.abs()));
    assert!(scale > 1e-3, "a vanishing gradient checks nothing");
    assert!(
        worst <= 1e-13 * scale,
        "gradients differ by {worst:e} (scale {scale:e})"
    );
}

#[test]
fn backprop_into_the_embedding() {
    // vocabulary 5, two tokens per row, repeated tokens (a = b) included: their two slots
    // must both add to the same row of E
    let tokens: Vec<u32> = vec![0, 1, 2, 2, 4, 3, 1, 1, 3, 0, 4, 4, 2, 0];
    let rows = tokens.len() / 2;
    let d = Data {
        input: vec![],
        labels: tokens
            .chunks(2)
            .map(|t| (t[0] + t[1]) % 5)
            .collect::<Vec<u32>>(),
        tokens,
        y: vec![],
        mask: vec![],
    };
    assert_eq!(d.labels.len(), rows);
    for act in [Activation::Silu, Activation::Relu] {
        let spec = MlpSpec {
            embedding: Some(Embedding {
                vocab: 5,
                dim: 3,
                tokens: 2,
            }),
            ..MlpSpec::dense(vec![6, 8, 7, 5], act)
        };
        let g = check(
            &format!("embedding + {act:?} CE"),
            spec.clone(),
            &d,
            Loss::Ce,
        );
        let e = &g[g.len() - 15..];
        assert!(e.iter().all(|x| *x != 0.0), "every token is used: {e:?}");
        // 7 rows > 5 tokens ran the first layer through the table; 3 rows < 5 run it row by
        // row (the direct path), and a masked first layer runs through either
        let few = Data {
            tokens: d.tokens[..6].to_vec(),
            labels: d.labels[..3].to_vec(),
            input: vec![],
            y: vec![],
            mask: vec![],
        };
        check(
            &format!("embedding (direct) + {act:?} CE"),
            spec.clone(),
            &few,
            Loss::Ce,
        );
        let mask0: Vec<f64> = uniform(9, 8 * 6, 0.0, 1.0)
            .iter()
            .map(|&u| if u < 0.6 { 1.0 } else { 0.0 })
            .collect();
        let masked = MlpSpec {
            masks: vec![Some(mask0), None, None],
            ..spec
        };
        for (name, data) in [("table", &d), ("direct", &few)] {
            check(
                &format!("embedding ({name}) + masked first layer + {act:?} CE"),
                masked.clone(),
                data,
                Loss::Ce,
            );
        }
    }
}

#[test]
fn embedding_table_path_equals_the_row_by_row_path_to_rounding() {
    // A batch with more rows than tokens runs the first layer through the table (one product
    // per token); a single row (fewer rows than tokens) assembles a_0 and multiplies it. The
    // outputs and the mean gradient must agree to rounding.
    let (vocab, dim) = (6usize, 5usize);
    let tokens: Vec<u32> = (0..40u32).map(|i| (i * 7 + i / 3) % vocab as u32).collect();
    let rows = tokens.len() / 2;
    let labels: Vec<u32> = (0..rows as u32).map(|i| i % 4).collect();
    let spec = MlpSpec {
        embedding: Some(Embedding {
            vocab,
            dim,
            tokens: 2,
        }),
        ..MlpSpec::dense(vec![2 * dim, 9, 7, 4], Activation::Silu)
    };
    let net = Mlp::new(spec, &mut rng_for(3, 8)).unwrap();
    let mut tape = Tape::default();
    let batch = net.forward(Input::Tokens(&tokens), &mut tape).to_vec();
    let mut d_out = vec![0.0; batch.len()];
    softmax_ce(&batch, 4, &labels, Some(&mut d_out));
    let mut g_batch = vec![0.0; net.n_params()];
    net.backward(Input::Tokens(&tokens), &mut tape, &d_out, &mut g_batch);
    let mut g_rows = vec![0.0; net.n_params()];
    let mut worst_f = 0.0f64;
    for (i, row) in tokens.chunks(2).enumerate() {
        let mut t1 = Tape::default();
        let f = net.forward(Input::Tokens(row), &mut t1).to_vec();
        for (a, b) in f.iter().zip(&batch[i * 4..(i + 1) * 4]) {
            worst_f = worst_f.max((a - b).abs() / b.abs().max(1.0));
        }
        let mut d1 = vec![0.0; 4];
        softmax_ce(&f, 4, &labels[i..i + 1], Some(&mut d1));
        let mut g = vec![0.0; net.n_params()];
        net.backward(Input::Tokens(row), &mut t1, &d1, &mut g);
        for (s, x) in g_rows.iter_mut().zip(&g) {
            *s += x / rows as f64;
        }
    }
    let scale = g_batch.iter().fold(0.0f64, |a, b| a.max(b.abs()));
    let worst_g = g_batch
        .iter()
        .zip(&g_rows)
        .fold(0.0f64, |a, (x, y)| a.max((x - y).abs()));
    println!("table vs rows: outputs {worst_f:e}, gradient {worst_g:e} of {scale:e}");
    assert!(scale > 1e-3, "a vanishing gradient checks nothing");
    assert!(worst_f < 1e-13, "outputs differ by {worst_f:e}");
    assert!(
        worst_g < 1e-13 * scale.max(1.0) * 10.0,
        "gradients differ by {worst_g:e}"
    );
}

/// `backward_segments`: each segment's gradient is, bit for bit, the gradient of a forward and
/// backward pass over that segment's rows alone (first layer on the same path), for dense
/// SiLU rows (f32 and f64), block-diagonal layers, and token rows through the embedding table
/// and row by row; an empty segment gets zeros (over a stale gradient); the segments' sum is
/// the whole batch's gradient to rounding. (The sharded step's shards, docs/models.md §13.)
#[test]
fn segment_gradients_are_each_segments_own_pass() {
    fn check<T: Real + skill_dominoes::sim::nn::gemm::Gemm>(
        name: &str,
        spec: MlpSpec,
        input: Input<T>,
        per_row: usize,
        rows: usize,
    ) {
        let net = Mlp::<T>::new(spec, &mut rng_for(5, 6)).unwrap();
        let k = net.n_out();
        let y: Vec<T> = uniform(9, rows * k, -1.0, 1.0)
            .iter()
            .map(|&x| T::from_f64(x))
            .collect();
        let ones = vec![T::ONE; rows * k];
        let cut = |s: usize| s * rows / 5;
        // 5 segments with an empty one in the middle (rows 2·n/5 .. 2·n/5)
        let segments: Vec<std::ops::Range<usize>> = vec![
            0..cut(1),
            cut(1)..cut(2),
            cut(2)..cut(2),
            cut(2)..cut(4),
            cut(4)..rows,
        ];
        let mut tape = Tape::default();
        let f = net.forward_as(input, &mut tape, rows).to_vec();
        let mut d = vec![T::ZERO; f.len()];
        mse_loss(&f, &y, &ones, false, &mut d);
        let p = net.n_params();
        let mut grads = vec![vec![T::from_f64(7.0); p]; segments.len()];
        let mut refs: Vec<&mut [T]> = grads.iter_mut().map(|g| g.as_mut_slice()).collect();
        net.backward_segments(input, &mut tape, &d, &segments, &mut refs);
        let mut whole = vec![T::ZERO; p];
        net.backward(input, &mut tape, &d, &mut whole);
        let mut sum = vec![0.0f64; p];
        for (r, g) in segments.iter().zip(&grads) {
            let alone = match input {
                Input::Dense(x) => Input::Dense(&x[r.start * per_row..r.end * per_row]),
                Input::Tokens(t) => Input::Tokens(&t[r.start * per_row..r.end * per_row]),
            };
            let mut want = vec![T::ZERO; p];
            if !r.is_empty() {
                let mut t1 = Tape::default();
                net.forward_as(alone, &mut t1, rows);
                net.backward(alone, &mut t1, &d[r.start * k..r.end * k], &mut want);
            }
            let same = g
                .iter()
                .zip(&want)
                .all(|(a, b)| a.to_f64().to_bits() == b.to_f64().to_bits());
            assert!(same, "{name}: segment {r:?} differs from its own pass");
            sum.iter_mut().zip(g).for_each(|(s, x)| *s += x.to_f64());
        }
        let scale = whole.iter().fold(0.0f64, |a, b| a.max(b.to_f64().abs()));
        let worst = whole
            .iter()
            .zip(&sum)
            .fold(0.0f64, |a, (x, y)| a.max((x.to_f64() - y).abs()));
        let tol = if std::mem::size_of::<T>() == 4 {
            1e-5
        } else {
            1e-12
        };
        assert!(
            worst <= tol * scale,
            "{name}: sum of segments {worst} off (scale {scale})"
        );
    }
    let x = uniform(3, 50 * 2, -1.0, 1.0);
    let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
    let silu = MlpSpec::dense(vec![2, 12, 12, 2], Activation::Silu);
    check::<f64>("dense f64", silu.clone(), Input::Dense(&x), 2, 50);
    check::<f32>("dense f32", silu, Input::Dense(&x32), 2, 50);
    let modular = MlpSpec::dense(vec![2, 12, 12, 2], Activation::Silu)
        .block_diagonal(2)
        .unwrap();
    check::<f32>("block-diagonal f32", modular, Input::Dense(&x32), 2, 50);
    let (vocab, dim) = (6usize, 5usize);
    let tokens: Vec<u32> = (0..80u32).map(|i| (i * 7 + i / 3) % vocab as u32).collect();
    let embedded = |widths: Vec<usize>| MlpSpec {
        embedding: Some(Embedding {
            vocab,
            dim,
            tokens: 2,
        }),
        ..MlpSpec::dense(widths, Activation::Relu)
    };
    // 40 rows > 6 tokens: the table path; 40 rows of a batch of 4 would take the direct one
    check::<f64>(
        "tokens, table",
        embedded(vec![2 * dim, 9, 4]),
        Input::Tokens(&tokens),
        2,
        40,
    );
    check::<f64>(
        "tokens, row by row",
        embedded(vec![2 * dim, 9, 4]),
        Input::Tokens(&tokens[..8]),
        2,
        4,
    );
}

#[test]
fn reweighted_mse_is_the_gradient_with_frozen_weights() {
    // L = mean(ℓ·ℓ̄/mean ℓ̄): with ℓ̄ detached, its gradient is that of the surrogate
    // S(θ) = mean(w·ℓ(θ)) with w = ℓ(θ0)/mean ℓ(θ0) frozen; check it by central differences.
    let d = dense_data(12, 2, 2, 2);
    let mut net = Mlp::new(
        MlpSpec::dense(vec![2, 6, 6, 2], Activation::Silu),
        &mut rng_for(4, 4),
    )
    .unwrap();
    let entries = |net: &Mlp| -> Vec<f64> {
        let mut tape = Tape::default();
        let f = net.forward(d.input(), &mut tape);
        f.iter()
            .zip(&d.y)
            .zip(&d.mask)
            .map(|((f, y), m)| m * (f - y) * (f - y))
            .collect()
    };
    let l0 = entries(&net);
    let mean0 = l0.iter().sum::<f64>() / l0.len() as f64;
    let w: Vec<f64> = l0.iter().map(|l| l / mean0).collect();
    let surrogate =
        |net: &Mlp| entries(net).iter().zip(&w).map(|(l, w)| l * w).sum::<f64>() / w.len() as f64;
    let mut tape = Tape::default();
    let f = net.forward(d.input(), &mut tape).to_vec();
    let mut d_out = vec![0.0; f.len()];
    let value = mse_loss(&f, &d.y, &d.mask, true, &mut d_out);
    assert!((value - surrogate(&net)).abs() < 1e-14, "L(θ0) = S(θ0)");
    let mut g = vec![0.0; net.n_params()];
    net.backward(d.input(), &mut tape, &d_out, &mut g);
    let h = 1e-5;
    let mut worst_rel = 0.0f64;
    let (mut num, mut den) = (0.0, 0.0);
    for j in 0..net.n_params() {
        let t0 = net.theta()[j];
        net.theta_mut()[j] = t0 + h;
        let up = surrogate(&net);
        net.theta_mut()[j] = t0 - h;
        let down = surrogate(&net);
        net.theta_mut()[j] = t0;
        let fd = (up - down) / (2.0 * h);
        num += (g[j] - fd) * (g[j] - fd);
        den += g[j] * g[j];
        worst_rel = worst_rel.max((g[j] - fd).abs());
    }
    let rel = (num / den).sqrt();
    assert!(
        rel < 1e-6,
        "relative error {rel:e} (worst entry {worst_rel:e})"
    );
}

// ------------------------------------------------------------------------------------------
// Determinism

fn fingerprint(net: &Net) -> Vec<u64> {
    let net = net.experiment();
    let mut v: Vec<u64> = vec![net.loss().to_bits()];
    v.extend(net.task_losses().iter().map(|x| x.to_bits()));
    v.extend(net.accuracies().iter().map(|x| x.to_bits()));
    v
}

fn trace(params: NetParams, steps: u32) -> Vec<Vec<u64>> {
    let mut net = Net::new(params).unwrap();
    let mut rows = vec![fingerprint(&net)];
    for _ in 0..steps {
        net.experiment_mut().step().unwrap();
        rows.push(fingerprint(&net));
    }
    rows
}

#[test]
fn same_seed_same_bits_other_seed_other_bits() {
    let cases = [
        NetParams::Parity(ParityParams {
            samples: 2000,
            ..ParityParams::frequency(0.1)
        }),
        NetParams::Parity(ParityParams {
            samples: 1000,
            ..ParityParams::compositional()
        }),
        NetParams::Grokking(GrokkingParams {
            modulus: 11,
            embed_dim: 16,
            hidden: vec![24, 24],
            ..GrokkingParams::signgd()
        }),
        NetParams::Modular(ModularParams {
            modular: true,
            ..ModularParams::default()
        }),
        NetParams::Modular(ModularParams {
            reweight: true,
            points: 400,
            ..ModularParams::default()
        }),
    ];
    for params in cases {
        let a = trace(params.clone(), 25);
        let b = trace(params.clone(), 25);
        assert_eq!(a, b, "{params:?}");
        let other = match params {
            NetParams::Parity(p) => NetParams::Parity(ParityParams { seed: 1, ..p }),
            NetParams::Grokking(p) => NetParams::Grokking(GrokkingParams { seed: 1, ..p }),
            NetParams::Modular(p) => NetParams::Modular(ModularParams { seed: 1, ..p }),
        };
        assert_ne!(a, trace(other, 25));
    }
}

#[test]
fn divergence_is_reported_with_its_step() {
    let mut p = Parity::new(ParityParams {
        samples: 200,
        opt: skill_dominoes::sim::optim::OptConfig::new(
            skill_dominoes::sim::optim::OptKind::Sgd,
            1e6,
        ),
        ..ParityParams::frequency(0.5)
    })
    .unwrap();
    let mut err = None;
    for _ in 0..50 {
        if let Err(e) = p.step() {
            err = Some(e);
            break;
        }
    }
    match err {
        Some(SimError::NonFinite { step }) => assert!(step >= 1 && step == p.step_count()),
        other => panic!("expected a divergence, got {other:?}"),
    }
    assert!(Parity::new(ParityParams {
        train_frac: 0.0,
        ..ParityParams::default()
    })
    .is_err());
}

// ------------------------------------------------------------------------------------------
// The paper's findings

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Fig. 2 (docs/models.md §2.2, §10 item 24), p2 = 0.1 on 10 000 samples: task 1 (x1⊕x2) reaches
/// 99 % accuracy at t1 ≈ 200 steps; the rare task 2 waits at chance until task 1 is nearly done,
/// then takes only ≈ 2 t1 in all although p1/p2 = 10.
#[test]
fn fig2_domino_rare_task_needs_about_twice_not_ten_times() {
    let (mut t1s, mut ratios) = (vec![], vec![]);
    let mut worst_early = 0.0f64;
    for seed in 0..5 {
        let mut p = Parity::new(ParityParams {
            seed,
            ..ParityParams::frequency(0.1)
        })
        .unwrap();
        let (mut t1, mut t2) = (None, None);
        while t2.is_none() && p.step_count() < 1500 {
            let a = p.accuracies();
            if a[0] < 0.95 {
                worst_early = worst_early.max(a[1]);
            }
            if t1.is_none() && a[0] >= 0.99 {
                t1 = Some(p.step_count());
            }
            if a[1] >= 0.99 {
                t2 = Some(p.step_count());
            }
            p.step().unwrap();
        }
        let (t1, t2) = (t1.unwrap() as f64, t2.expect("task 2 learned") as f64);
        println!("seed {seed}: t1 = {t1}, t2 = {t2}, t2/t1 = {:.2}", t2 / t1);
        t1s.push(t1);
        ratios.push(t2 / t1);
    }
    let (t1, ratio) = (median(t1s), median(ratios));
    assert!((150.0..=250.0).contains(&t1), "median t1 = {t1}");
    assert!((1.5..=3.0).contains(&ratio), "median t2/t1 = {ratio}");
    assert!(
        worst_early < 0.62,
        "task 2 at {worst_early} before task 1 reached 95 %"
    );
}

struct Fig19 {
    t1: Vec<f64>,
    t2: Vec<f64>,
}

impl Fig19 {
    fn ratio(&self) -> f64 {
        median(self.t1.iter().zip(&self.t2).map(|(a, b)| b / a).collect())
    }
    fn mean(v: &[f64]) -> f64 {
        v.iter().sum::<f64>() / v.len() as f64
    }
    fn mean_last(&self) -> f64 {
        Self::mean(
            &self
                .t1
                .iter()
                .zip(&self.t2)
                .map(|(a, b)| a.max(*b))
                .collect::<Vec<_>>(),
        )
    }
}

fn fig19(modular: bool, reweight: bool, seeds: u64) -> Fig19 {
    let (mut t1, mut t2) = (vec![], vec![]);
    for seed in 0..seeds {
        let mut m = Modular::new(ModularParams {
            modular,
            reweight,
            seed,
            ..ModularParams::default()
        })
        .unwrap();
        while m.step_count() < 1000 && m.learned_at().contains(&None) {
            m.step().unwrap();
        }
        let [a, b] = m.learned_at().map(|t| t.unwrap_or(1000) as f64);
        println!("modular {modular}, reweight {reweight}, seed {seed}: t1 = {a}, t2 = {b}");
        t1.push(a);
        t2.push(b);
    }
    Fig19 { t1, t2 }
}

/// Fig. 19 (docs/models.md §7, §10 items 26–27): in the fully connected MLP the rare task (1 %) waits
/// for the frequent one, t2 ≈ 2–3 t1; with two private sub-networks both are learned in
/// parallel, t2 ≈ t1 — the frequent task is slower (half the width) but the last task is done
/// sooner. Re-weighting the loss by ℓ/mean(ℓ) gets the rare task learned much sooner too.
#[test]
fn fig19_modularity_removes_the_wait_and_reweighting_shortens_it() {
    let plain = fig19(false, false, 6);
    let modular = fig19(true, false, 6);
    let (r_plain, r_mod) = (plain.ratio(), modular.ratio());
    assert!(
        (2.0..=3.6).contains(&r_plain),
        "non-modular median t2/t1 = {r_plain}"
    );
    assert!(
        (0.85..=1.45).contains(&r_mod),
        "modular median t2/t1 = {r_mod}"
    );
    assert!(
        Fig19::mean(&modular.t1) > Fig19::mean(&plain.t1),
        "the frequent task is slower in the half-width sub-network"
    );
    assert!(
        modular.mean_last() < plain.mean_last(),
        "both tasks done sooner with modularity: {} vs {}",
        modular.mean_last(),
        plain.mean_last()
    );
    let reweighted = fig19(false, true, 6);
    let (t2_plain, t2_rw) = (median(plain.t2.clone()), median(reweighted.t2.clone()));
    assert!(
        t2_rw <= 0.7 * t2_plain,
        "re-weighted median t2 = {t2_rw}, plain {t2_plain}"
    );
}

/// Grokking (Fig. 13, docs/models.md §6.2) on a small modulus (p = 23), three seeds: both
/// optimizers fit the training set within 200 steps; by step 300 SignGD (AdamW with β = (0, 0))
/// has started to generalise (median test accuracy above twice chance, 1/p) while Adam has
/// only memorised, in every seed. (The full p = 59 comparison, ≈ 3× faster with SignGD, takes
/// minutes; its numbers are in BENCHMARKS.md.)
#[test]
fn grokking_small_modulus_fits_then_signgd_generalises_first() {
    let mut signgd = vec![];
    for seed in 0..3 {
        let mut test_acc = vec![];
        for params in [GrokkingParams::signgd(), GrokkingParams::adam()] {
            let mut g = Grokking::new(GrokkingParams {
                modulus: 23,
                seed,
                ..params.clone()
            })
            .unwrap();
            let mut train_at = None;
            while g.step_count() < 300 {
                g.step().unwrap();
                if train_at.is_none() && g.accuracies()[0] == 1.0 {
                    train_at = Some(g.step_count());
                }
            }
            let acc = g.accuracies();
            println!(
                "seed {seed}, β = ({}, {}): train fitted at {train_at:?}, accuracies at 300 {acc:?}",
                params.opt.beta1, params.opt.beta2
            );
            assert!(
                train_at.is_some_and(|t| t <= 200),
                "train fitted at {train_at:?}"
            );
            assert!(
                g.task_losses()[0] < 0.01,
                "train loss {:?}",
                g.task_losses()
            );
            test_acc.push(acc[1]);
        }
        assert!(
            test_acc[0] > test_acc[1],
            "seed {seed}: test accuracy at step 300: SignGD {}, Adam {}",
            test_acc[0],
            test_acc[1]
        );
        signgd.push(test_acc[0]);
    }
    let m = median(signgd);
    assert!(
        m > 2.0 / 23.0,
        "SignGD median test accuracy at step 300: {m}"
    );
}
