//! Fuzzing what reaches the page, natively, through the functions the page itself calls:
//!
//! * the comparison fragment `#vs=…` ([`compare_from_hash`], then [`Compare::apply`] on a
//!   link's configuration, as `ui/state` does on load);
//! * an opened sweep CSV ([`Table::parse`], then every view the sweep page offers for it,
//!   planned and drawn by the page's own drawing code onto plotters' SVG backend, and the
//!   exponents the page lists under the chart);
//! * a worker's reply: the row fields (`tail`) a sweep worker posts back, joined into the
//!   results CSV as `ui/sweep/state.rs` does ([`csv::row`], [`csv::write`]) and read again.
//!
//! Each input runs on a helper thread with a wall-clock bound (a hang fails the test instead
//! of blocking it) under a counting allocator (its peak above what was live before).
//! Nothing may panic, hang or allocate past the bounds; a refused input must say why in a
//! message of reasonable length. The regular run is a short pass (FUZZ_ITERS, default 600);
//! a long run:
//!
//! ```sh
//! FUZZ_ITERS=100000 FUZZ_SEED=7 cargo test --release --test fuzz_page -- --nocapture
//! ```

mod common;

use common::hostile::{base_links, csv_bytes, mutate, pick, CELLS, VALUES};
use counting::{LIVE, PEAK};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use skill_dominoes::lab::{compare_from_hash, compare_hash, percent_encode};
use skill_dominoes::link::{parse, spec_of, Config, SCHEMA};
use skill_dominoes::plot::sweep::{self as sweep_plot, Table};
use skill_dominoes::plot::ChartOpts;
use skill_dominoes::sweep::{csv, Sweep};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[path = "common/counting.rs"]
mod counting;

#[global_allocator]
static ALLOC: counting::Counting = counting::Counting;

/// Peak memory one input may use above what was live before it (the largest generated CSV
/// is a few MB; its table, plot and SVG a few times that).
const MEMORY_BOUND: usize = 256 << 20;
/// An input still running after this is a hang (debug builds are slow; typical inputs take
/// milliseconds).
const TIME_BOUND: Duration = Duration::from_secs(20);
/// The longest message a refusal may show.
const MESSAGE_BOUND: usize = 400;

/// A `#vs=` fragment: differences from the vocabulary with awkward values, unknown and page
/// keys, repeated keys, floods, broken percent escapes, raw garbage.
fn vs_fragment(rng: &mut Pcg64) -> String {
    let mut diffs = vec![];
    for _ in 0..rng.random_range(0..6u32) {
        let key = match rng.random_range(0..8u32) {
            0 => pick(
                rng,
                &[
                    "zzz", "embed", "ui", "sweep", "vs", "", "é", "m", "preset", "v",
                ],
            )
            .to_string(),
            1 => "k".repeat(rng.random_range(1..3000u32) as usize),
            _ => SCHEMA[rng.random_range(0..SCHEMA.len() as u32) as usize]
                .key
                .to_string(),
        };
        let value = match rng.random_range(0..6u32) {
            0 => pick(rng, VALUES).repeat(rng.random_range(1..3000u32) as usize),
            1 => format!(
                "{}",
                rng.random::<f64>() * 10f64.powi(rng.random_range(-12..13i32))
            ),
            _ => pick(rng, VALUES).to_string(),
        };
        diffs.push(format!("{key}={value}"));
    }
    if rng.random_range(0..20u32) == 0 {
        // a flood of differences
        // (at most ~2 MB: the longest address Chromium opens)
        let one = diffs.first().cloned().unwrap_or_else(|| "lr=0.01".into());
        let most = (2_000_000 / (one.len() + 1)).max(1);
        diffs = vec![one; (rng.random_range(100..20_000u32) as usize).min(most)];
    }
    let text = diffs.join("&");
    let body = match rng.random_range(0..8u32) {
        0 => text,
        1 => {
            pick(
                rng,
                &["%", "%4", "%zz", "%FF%FE", "%00", "%E2%80%AE", "%26%3D"],
            )
            .to_string()
                + &text
        }
        2 => (0..rng.random_range(0..80u32))
            .map(|_| char::from(rng.random_range(32..127u8)))
            .collect(),
        _ => percent_encode(&text),
    };
    let mut hash = format!("#vs={body}");
    if rng.random_range(0..8u32) == 0 {
        hash = format!("#{}&{hash}&vs=opt=sgd", pick(rng, &["x=1", "", "vs", "=="]));
    }
    hash
}

/// The page's comparison handling: read the fragment, apply it to A, and check what B shows.
fn check_vs(hash: &str, base: &Config) -> Result<String, String> {
    let Some(c) = compare_from_hash(hash) else {
        return Ok("no comparison".into());
    };
    let a = c.apply(base);
    for p in &a.problems {
        if p.to_string().len() > MESSAGE_BOUND {
            return Err(format!("a problem of {} characters", p.to_string().len()));
        }
    }
    // B's label and link show only differences B uses, each key once, all of the vocabulary
    let mut seen = vec![];
    for (k, _) in &a.kept.diffs {
        if spec_of(k).is_none() {
            return Err(format!(
                "B's label shows {k:?}, not a key of the vocabulary"
            ));
        }
        if seen.contains(k) {
            return Err(format!("B's label shows {k:?} twice"));
        }
        seen.push(k.clone());
    }
    // what B shows is what B runs: the kept differences alone give the same configuration,
    // without problems, and survive the round trip through the fragment
    let again = a.kept.apply(base);
    if again.config != a.config || !again.problems.is_empty() {
        return Err(format!(
            "the kept differences {:?} give another B ({:?})",
            a.kept.describe(),
            again.problems
        ));
    }
    let back = compare_from_hash(&compare_hash(Some(&a.kept)));
    if back.as_ref() != Some(&a.kept) && !a.kept.diffs.is_empty() {
        return Err(format!(
            "{:?} does not survive the fragment",
            a.kept.describe()
        ));
    }
    Ok(format!(
        "{} kept, {} refused",
        a.kept.diffs.len(),
        a.problems.len()
    ))
}

/// The sweep page on a table: every view it offers, planned and drawn, and the exponents.
fn show_table(text: &str) -> Result<String, String> {
    let t = match Table::parse(text) {
        Ok(t) => t,
        Err(m) if m.len() > MESSAGE_BOUND => {
            return Err(format!("a refusal of {} characters", m.len()))
        }
        Err(m) => return Ok(format!("refused: {m}")),
    };
    let views = sweep_plot::views(&t);
    if views.is_empty() {
        return Err("no view".into());
    }
    for v in &views {
        let plot = sweep_plot::plot(&t, *v);
        sweep_plot::svg(&plot, (640, 360), &ChartOpts::default())
            .map_err(|e| format!("{v:?} could not be drawn: {e}"))?;
    }
    let _ = sweep_plot::exponents(&t);
    Ok(format!("{} rows, {} views", t.rows.len(), views.len()))
}

/// A worker's reply: hostile row fields after a few good ones, joined as the page does.
fn worker_rows(rng: &mut Pcg64) -> String {
    let sweep = Sweep::parse("v=1&m=resource&steps=5&sweep=alpha:1,2,3&record=2").expect("valid");
    let header = sweep.header();
    let good = "5,0.1,2,10,1,4,1;2;;;;;;;;,0.2,";
    let mut rows = vec![];
    for r in sweep.runs() {
        let tail = if rng.random_range(0..3u32) == 0 {
            match rng.random_range(0..6u32) {
                0 => String::new(),
                1 => pick(rng, CELLS).to_string(),
                2 => format!("{good},{}", pick(rng, CELLS)),
                3 => format!("{good}\n{}", pick(rng, CELLS)),
                4 => "9".repeat(rng.random_range(1..200_000u32) as usize),
                _ => (0..rng.random_range(1..12u32))
                    .map(|_| pick(rng, CELLS))
                    .collect::<Vec<_>>()
                    .join(","),
            }
        } else {
            good.to_string()
        };
        // the page keeps a reply only once `check_tail` accepts it; a refused one marks its
        // run failed (src/ui/sweep/state.rs)
        let tail = csv::check_tail(&sweep, &tail)
            .unwrap_or_else(|why| csv::failed_tail(&header, &r, &format!("refused: {why}")));
        rows.push(csv::row(r.index, &r.point, &tail));
    }
    csv::write(&sweep.csv_head(), rows)
}

/// Run `f` on a helper thread within the time bound, measuring its peak allocation.
fn bounded(
    input: String,
    what: String,
    f: impl FnOnce() -> Result<String, String> + Send + 'static,
) -> Stat {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let t0 = Instant::now();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = tx.send(r);
    });
    let mut note = String::new();
    let outcome = match rx.recv_timeout(TIME_BOUND) {
        Ok(Ok(Ok(n))) => {
            note = n;
            None
        }
        Ok(Ok(Err(m))) => Some(format!("wrong: {m}")),
        Ok(Err(p)) => Some(format!(
            "panic: {}",
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        )),
        // the thread is left spinning; the test fails and its process ends
        Err(_) => Some(format!("hang: still running after {TIME_BOUND:?}")),
    };
    let time = t0.elapsed();
    let mem = PEAK.load(Relaxed).saturating_sub(before);
    let failure = outcome.or_else(|| (mem > MEMORY_BOUND).then(|| format!("memory: {mem} bytes")));
    Stat {
        input,
        time,
        mem,
        note,
        failure: failure.map(|f| format!("{f}\n    input: {what}")),
    }
}

struct Stat {
    /// The whole input (the link and the fragment, or the CSV text).
    input: String,
    time: Duration,
    mem: usize,
    /// What the page made of the input ("refused: …", "3 rows, 2 views").
    note: String,
    failure: Option<String>,
}

fn short(s: &str) -> String {
    let c: String = s.chars().take(300).collect();
    if c.len() < s.len() {
        format!("{c:?}… ({} bytes)", s.len())
    } else {
        format!("{c:?}")
    }
}

#[test]
fn fuzz_page_inputs() {
    let iters: usize = std::env::var("FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut rng = Pcg64::seed_from_u64(seed);
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz_page");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let bases = base_links();
    let kinds = ["#vs=", "opened CSV", "worker reply"];
    let mut worst = [(Duration::ZERO, 0usize); 3];
    let mut refused = [0usize; 3];
    let mut failures: Vec<String> = vec![];
    for i in 0..iters {
        let k = i % kinds.len();
        let st = match k {
            0 => {
                let base = &bases[rng.random_range(0..bases.len() as u32) as usize];
                let link = mutate(&mut rng, base);
                let hash = vs_fragment(&mut rng);
                let what = format!("?{} {}", short(&link), short(&hash));
                let input = format!("?{link}{hash}");
                bounded(input, what, move || check_vs(&hash, &parse(&link).config))
            }
            1 => {
                let text = String::from_utf8_lossy(&csv_bytes(&mut rng)).into_owned();
                bounded(text.clone(), short(&text), move || show_table(&text))
            }
            _ => {
                let text = worker_rows(&mut rng);
                bounded(text.clone(), short(&text), move || show_table(&text))
            }
        };
        worst[k].0 = worst[k].0.max(st.time);
        worst[k].1 = worst[k].1.max(st.mem);
        refused[k] += st.note.starts_with("refused") as usize;
        if let Some(f) = st.failure {
            let hang = f.contains("hang: ");
            // the whole input, to reproduce it
            let file = dir.join(format!("input-{i}.txt"));
            let _ = std::fs::write(&file, &st.input);
            failures.push(format!("{} input {i} ({}): {f}", kinds[k], file.display()));
            if hang {
                break; // a spinning thread would slow every later input
            }
        }
    }
    eprintln!("fuzz_page: {iters} inputs (seed {seed})");
    for ((k, (t, m)), r) in kinds.iter().zip(worst).zip(refused) {
        eprintln!(
            "  {k:12} worst time {:.3} s, worst peak {:.1} MB, {r} refused as a whole",
            t.as_secs_f64(),
            m as f64 / 1e6
        );
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}
