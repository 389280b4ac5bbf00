//! Fuzzing the `skills` command line: the built binary is spawned with generated hostile
//! arguments and files for each of `run`, `sweep`, `merge`, `exponents` and `svg` (mutated
//! links, sweep links with huge or broken axes, CSVs with huge, NaN, infinite and ±1e308
//! values, multi-byte text, formula-like cells, missing and extra fields, many series, long
//! lines, binary junk, empty files, bad flags). Each child runs
//!
//! * under a memory cap: `prlimit --as=<CAP>` (util-linux) when it is installed, so an
//!   allocation past the cap aborts the child instead of the machine; its peak resident memory
//!   is read from `/proc/<pid>/status` (`VmHWM`) while it runs (polled every 2 ms, so a child
//!   that lives under 2 ms may report less than its true peak);
//! * under a wall-clock bound: past it the child is killed and reported as a hang.
//!
//! An exit by signal or with code 101 (Rust's panic) is a crash, a kill at the time bound a
//! hang, anything else (0, 2 for bad input, 3 for a diverged run) is fine. Every failing input
//! is shrunk (link parts, CSV lines and long values dropped while the failure stays) and all
//! findings are listed before the test fails.
//!
//! Inputs that the library itself rates as heavy (a run's work estimate above [`WORK_LIMIT`],
//! a sweep of more than [`SWEEP_RUNS_LIMIT`] runs) are not run: `sweep` gets `--list`
//! (parsing and the grid only) and `run`/`svg` are counted as skipped; `tests/fuzz_links.rs`
//! and the budget's tests cover those. The regular test run executes a short pass (FUZZ_ITERS,
//! default 300 inputs). A long run:
//!
//! ```sh
//! cargo build --release --bin skills
//! FUZZ_ITERS=20000 FUZZ_SEED=7 cargo test --release --test fuzz_cli -- --nocapture
//! ```

mod common;

use common::hostile::{base_links, csv_bytes, mutate, pick, shape, shape_of, sweep_csv, VALUES};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use skill_dominoes::link::{parse, SCHEMA};
use skill_dominoes::sweep::{Sweep, SWEEP_PRESETS};
use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A child's address space may not grow past this (`prlimit --as`). Rayon's threads and
/// glibc's per-thread arenas reserve address space they never touch, so this is well above
/// the resident bound below.
const AS_CAP: u64 = 4 << 30;
/// A child's peak resident memory may not exceed this.
const RSS_BOUND: u64 = 1 << 30;
/// A child still running after this is a hang (debug builds are ~30× slower than release).
const TIME_BOUND: Duration = Duration::from_secs(30);
/// Links whose estimated work (`Config::work`) exceeds this are not run.
const WORK_LIMIT: f64 = 2e7;
/// Sweeps with more runs than this get `--list` instead of running.
const SWEEP_RUNS_LIMIT: usize = 6;

/// A link that runs few steps most of the time (the last `steps=` wins).
fn short_link(rng: &mut Pcg64, bases: &[String]) -> String {
    let base = &bases[rng.random_range(0..bases.len() as u32) as usize];
    // a third of the links are a preset's or a plain one, undamaged
    let mut q = if rng.random_range(0..3u32) == 0 {
        base.clone()
    } else {
        mutate(rng, base)
    };
    if rng.random_range(0..10u32) < 8 {
        q += &format!("&steps={}", rng.random_range(1..6u32));
    }
    q
}

/// A sweep axis: a list, a range with a count (possibly huge), a log range, or junk.
fn axis(rng: &mut Pcg64) -> String {
    let key = match rng.random_range(0..10u32) {
        0 => pick(rng, &["sweep", "preset", "", "zzz", "record", "é"]).to_string(),
        1..=3 => pick(rng, &["alpha", "seed", "dim", "lr", "n", "p1", "n0"]).to_string(),
        _ => SCHEMA[rng.random_range(0..SCHEMA.len() as u32) as usize]
            .key
            .to_string(),
    };
    let counts = [
        "0",
        "1",
        "2",
        "3",
        "100000",
        "100001",
        "1e9",
        "4294967297",
        "18446744073709551615",
        "-1",
        "",
    ];
    let values = match rng.random_range(0..11u32) {
        0 | 1 => (0..rng.random_range(1..4u32))
            .map(|_| pick(rng, VALUES).to_string())
            .collect::<Vec<_>>()
            .join(","),
        2 | 3 => format!(
            "{}..{}:{}",
            pick(rng, VALUES),
            pick(rng, VALUES),
            pick(rng, &counts)
        ),
        4 => format!(
            "{}..{}:{}:{}",
            pick(rng, &["1e-300", "1e-5", "0", "-1", "1", "1e308"]),
            pick(rng, &["1e300", "0.1", "1e308", "inf", "1"]),
            pick(rng, &counts),
            pick(rng, &["log", "lin", "", "log:log"])
        ),
        5 => pick(rng, VALUES).repeat(rng.random_range(1..200u32) as usize),
        // plausible values, so that the grid is often valid and runs
        _ => pick(
            rng,
            &[
                "1,2",
                "0..2:3",
                "1..2:2",
                "0.5,0.9",
                "1e-3..1e-1:3:log",
                "4",
            ],
        )
        .into(),
    };
    format!("{key}:{values}")
}

/// A sweep link: a small base, one to three axes (some repeated or huge), outputs.
fn sweep_link(rng: &mut Pcg64, bases: &[String]) -> String {
    let mut parts = vec![];
    if rng.random_range(0..6u32) == 0 {
        let p = &SWEEP_PRESETS[rng.random_range(0..SWEEP_PRESETS.len() as u32) as usize];
        parts.push(format!("preset={}", p.id));
    } else if rng.random::<bool>() {
        let base = &bases[rng.random_range(0..bases.len() as u32) as usize];
        parts.push(format!("{base}&steps={}", rng.random_range(1..6u32)));
    } else {
        parts.push(short_link(rng, bases));
    }
    for name in ["sweep", "sweep2", "sweep3"] {
        if name == "sweep" || rng.random_range(0..3u32) == 0 {
            parts.push(format!("{name}={}", axis(rng)));
        }
    }
    if rng.random_range(0..3u32) == 0 {
        let rec = (0..rng.random_range(1..4u32))
            .map(|_| {
                pick(
                    rng,
                    &["80", "200", "0", "-1", "4294967296", "abc", "1e308", ""],
                )
            })
            .collect::<Vec<_>>()
            .join(",");
        parts.push(format!("record={rec}"));
    }
    if rng.random_range(0..5u32) == 0 {
        parts.push(format!("fit={}", pick(rng, &["n0", "x", ""])));
    }
    if rng.random_range(0..4u32) == 0 {
        parts.push(format!("steps={}", rng.random_range(1..6u32)));
    }
    parts.join("&")
}

/// One generated invocation: the arguments and the files it reads.
#[derive(Clone, Debug)]
struct Case {
    args: Vec<String>,
    /// (file name in the scratch directory, contents); arguments name them as `@name`.
    files: Vec<(String, Vec<u8>)>,
}

fn bad_flag(rng: &mut Pcg64) -> Vec<String> {
    let f = pick(
        rng,
        &[
            "--bogus",
            "--every",
            "--every=0",
            "--every=-1",
            "--every=99999999999",
            "--shard",
            "--shard=0/0",
            "--shard=1/0",
            "--shard=3/2",
            "--shard=1/18446744073709551615",
            "--shard=a/b",
            "--width=0",
            "--width=4294967296",
            "--height=-3",
            "--at",
            "--at=1",
            "--x=",
            "--by=",
            "-",
            "--",
            "--help",
            "--version",
        ],
    );
    vec![f.to_string()]
}

fn case(rng: &mut Pcg64, bases: &[String], command: &str) -> Case {
    let mut args = vec![command.to_string()];
    let mut files = vec![];
    match command {
        "run" => {
            args.push(short_link(rng, bases));
            if rng.random_range(0..3u32) == 0 {
                args.push("--every".into());
                args.push(pick(rng, &["1", "3", "0", "4294967295", "x"]).into());
            }
            if rng.random_range(0..3u32) == 0 {
                args.push("--align".into());
            }
        }
        "svg" => {
            args.push(short_link(rng, bases));
            if rng.random_range(0..3u32) == 0 {
                args.push(format!(
                    "--width={}",
                    pick(rng, &["1", "200", "960", "8000", "4294967295"])
                ));
                args.push(format!(
                    "--height={}",
                    pick(rng, &["1", "120", "420", "8000", "4294967295"])
                ));
            }
        }
        "sweep" => {
            args.push(sweep_link(rng, bases));
            if rng.random_range(0..3u32) == 0 {
                args.push(format!(
                    "--shard={}",
                    pick(
                        rng,
                        &["1/1", "2/3", "1/100000", "7/8", "1/18446744073709551615"]
                    )
                ));
            }
        }
        "merge" => {
            // shards of one sweep (one shape, runs numbered on), each more or less damaged;
            // sometimes another shape or the same runs twice
            let s = shape(rng);
            let mut first = 0;
            for i in 0..rng.random_range(1..5u32) {
                let name = format!("part{i}.csv");
                let bytes = match rng.random_range(0..8u32) {
                    0 => csv_bytes(rng),
                    1 => sweep_csv(rng, &s, 0, 1),
                    k => sweep_csv(rng, &s, first, (k == 2) as u32),
                };
                first += 5000;
                files.push((name.clone(), bytes));
                args.push(format!("@{name}"));
            }
            if rng.random_range(0..10u32) == 0 {
                args.push(pick(rng, &["@missing.csv", "@."]).into());
            }
            if rng.random_range(0..8u32) == 0 && args.len() > 2 {
                let again = args[1].clone();
                args.push(again);
            }
        }
        _ => {
            // mostly the α_N / α_S sweeps the command is for
            let s = if rng.random_range(0..4u32) == 0 {
                shape(rng)
            } else {
                shape_of(&["alpha", "dim", "seed"], rng.random())
            };
            let damage = pick(rng, &["0", "0", "1", "2"]).parse().unwrap_or(0);
            files.push(("table.csv".into(), sweep_csv(rng, &s, 0, damage)));
            args.push("@table.csv".into());
            let (x, at) = if rng.random_range(0..4u32) == 0 {
                (
                    pick(rng, &["dim", "steps", "seed", "alpha", "loss", "", "zzz"]),
                    pick(
                        rng,
                        &[
                            "40",
                            "40,220,1000",
                            "1e308,NaN",
                            "-1,0",
                            "0,0",
                            "220,40",
                            "4294967296,1",
                            "x,y",
                            ",",
                        ],
                    ),
                )
            } else if s.header.iter().any(|h| h == "loss@80") && rng.random::<bool>() {
                ("steps", "80,200")
            } else {
                ("dim", "40,220")
            };
            args.push(format!("--x={x}"));
            args.push(format!("--at={at}"));
            if rng.random_range(0..4u32) == 0 {
                let by = pick(
                    rng,
                    &["alpha", "dim", "seed", "", "loss@80", "zzz", "run", "p1"],
                );
                args.push(format!("--by={by}"));
            } else if !s.axes.contains(&"alpha") && s.axes.contains(&"p1") {
                args.push("--by=p1".into());
            }
        }
    }
    if rng.random_range(0..12u32) == 0 {
        args.extend(bad_flag(rng));
    }
    if rng.random_range(0..25u32) == 0 {
        args.truncate(1); // the command alone
    }
    Case { args, files }
}

/// True if the library rates the case too heavy to run in a fuzz pass; a heavy sweep is
/// turned into `--list`. A library panic here is itself a finding, reported by the child.
fn tame(case: &mut Case) -> bool {
    let Some(q) = case.args.get(1).cloned() else {
        return false;
    };
    let command = case.args[0].clone();
    let heavy = std::panic::catch_unwind(|| match command.as_str() {
        "run" | "svg" => {
            let c = parse(&q).config;
            if let Some(sw) = skill_dominoes::sweep::as_sweep(&q) {
                return sweep_heavy(&sw);
            }
            c.work() > WORK_LIMIT
        }
        "sweep" => sweep_heavy(&q),
        _ => false,
    });
    match (case.args[0].as_str(), heavy) {
        ("sweep", Ok(true)) | ("sweep", Err(_)) => {
            case.args.push("--list".into());
            false
        }
        (_, Ok(h)) => h,
        (_, Err(_)) => false,
    }
}

fn sweep_heavy(q: &str) -> bool {
    match Sweep::parse(q) {
        Ok(sw) => {
            sw.len() > SWEEP_RUNS_LIMIT
                || sw
                    .runs()
                    .any(|r| parse(&r.query).config.work() > WORK_LIMIT)
        }
        Err(_) => false,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Ok,
    Panic,
    Crash,
    Hang,
    Memory,
}

struct Outcome {
    class: Class,
    code: Option<i32>,
    time: Duration,
    /// Peak resident memory in bytes (`VmHWM`, polled).
    rss: u64,
    stderr: String,
}

fn vm_hwm(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn prlimit() -> Option<&'static str> {
    ["/usr/bin/prlimit", "/bin/prlimit"]
        .into_iter()
        .find(|p| Path::new(p).exists())
}

/// Run one case in `dir` (its files written there first).
fn execute(case: &Case, dir: &Path) -> Outcome {
    for (name, bytes) in &case.files {
        std::fs::write(dir.join(name), bytes).expect("scratch file");
    }
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| match a.strip_prefix('@') {
            Some(name) => dir.join(name).to_string_lossy().into_owned(),
            // an argument cannot hold a NUL byte (the OS takes C strings)
            None => a.replace('\0', "%00"),
        })
        .collect();
    let bin = env!("CARGO_BIN_EXE_skills");
    // prlimit sets the limit and execs the binary: the same process id
    let mut cmd = match prlimit() {
        Some(p) => {
            let mut c = Command::new(p);
            c.arg(format!("--as={AS_CAP}")).arg(bin);
            c
        }
        None => Command::new(bin),
    };
    let err_path = dir.join("stderr.txt");
    let err_file = std::fs::File::create(&err_path).expect("stderr file");
    let t0 = Instant::now();
    let mut child = cmd
        .args(&args)
        .env("RAYON_NUM_THREADS", "2")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err_file)
        .spawn()
        .expect("spawn skills");
    let pid = child.id();
    let mut rss = 0;
    let status = loop {
        if let Some(m) = vm_hwm(pid) {
            rss = rss.max(m);
        }
        match child.try_wait().expect("wait") {
            Some(s) => break Some(s),
            None if t0.elapsed() > TIME_BOUND => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(2)),
        }
    };
    let time = t0.elapsed();
    let stderr = String::from_utf8_lossy(&std::fs::read(&err_path).unwrap_or_default())
        .chars()
        .take(2000)
        .collect::<String>();
    let (class, code) = match status {
        None => (Class::Hang, None),
        Some(s) => match (s.code(), s.signal()) {
            (Some(101), _) => (Class::Panic, Some(101)),
            (Some(c), _) => (Class::Ok, Some(c)),
            (None, sig) => {
                // an allocation refused under the cap aborts (SIGABRT) with this message
                let oom = stderr.contains("memory allocation") && stderr.contains("failed");
                (if oom { Class::Memory } else { Class::Crash }, sig)
            }
        },
    };
    let class = if class == Class::Ok && rss > RSS_BOUND {
        Class::Memory
    } else {
        class
    };
    Outcome {
        class,
        code,
        time,
        rss,
        stderr,
    }
}

/// The first line of a panic's message (`panicked at src/…:line:col:` and the message), to
/// tell findings apart.
fn signature(o: &Outcome) -> String {
    let mut lines = o.stderr.lines();
    let at = lines.clone().find(|l| l.contains("panicked at")).map(|l| {
        let at = l.split("panicked at").nth(1).unwrap_or("").trim();
        let msg = lines
            .find(|m| m.contains("panicked at"))
            .and_then(|_| lines.next())
            .unwrap_or("");
        format!("{at} {msg}")
    });
    at.unwrap_or_else(|| format!("{:?}", o.class))
}

/// Shrink a failing case: drop link parts, CSV lines, and halve long arguments, as long as
/// the class and signature stay (at most `budget` runs).
fn shrink(case: &Case, class: Class, sig: &str, dir: &Path, budget: usize) -> Case {
    let mut best = case.clone();
    let mut tries = 0;
    let still = |c: &Case, tries: &mut usize| {
        *tries += 1;
        let o = execute(c, dir);
        o.class == class && signature(&o) == sig
    };
    let mut progress = true;
    while progress && tries < budget {
        progress = false;
        // link parts of the second argument
        if best.args.len() > 1 && !best.args[1].starts_with('@') {
            let parts: Vec<String> = best.args[1].split('&').map(str::to_string).collect();
            for i in (0..parts.len()).rev() {
                if tries >= budget || parts.len() < 2 {
                    break;
                }
                let mut p = parts.clone();
                p.remove(i);
                let mut c = best.clone();
                c.args[1] = p.join("&");
                if still(&c, &mut tries) {
                    best = c;
                    progress = true;
                    break;
                }
            }
        }
        // trailing arguments
        for i in (2..best.args.len()).rev() {
            if tries >= budget {
                break;
            }
            let mut c = best.clone();
            let gone = c.args.remove(i);
            if let Some(name) = gone.strip_prefix('@') {
                c.files.retain(|(n, _)| n != name);
            }
            if still(&c, &mut tries) {
                best = c;
                progress = true;
                break;
            }
        }
        // lines of each file: halves, then single lines
        for f in 0..best.files.len() {
            let lines: Vec<&[u8]> = best.files[f].1.split(|b| *b == b'\n').collect();
            if lines.len() < 2 || tries >= budget {
                continue;
            }
            let keep_half = |first: bool| {
                let h = lines.len().div_ceil(2);
                let mut out: Vec<&[u8]> = vec![lines[0]];
                if first {
                    out.extend(&lines[1..h.max(1)]);
                } else {
                    out.extend(&lines[h.max(1)..]);
                }
                out.join(&b'\n')
            };
            for first in [true, false] {
                let mut c = best.clone();
                c.files[f].1 = keep_half(first);
                if c.files[f].1.len() < best.files[f].1.len() && still(&c, &mut tries) {
                    best = c;
                    progress = true;
                    break;
                }
            }
        }
        // long arguments
        for i in 1..best.args.len() {
            if best.args[i].len() > 64 && tries < budget {
                let half: String = best.args[i]
                    .chars()
                    .take(best.args[i].chars().count() / 2)
                    .collect();
                let mut c = best.clone();
                c.args[i] = half;
                if still(&c, &mut tries) {
                    best = c;
                    progress = true;
                }
            }
        }
    }
    best
}

fn describe(case: &Case) -> String {
    let mut s = format!("skills {:?}", case.args);
    for (name, bytes) in &case.files {
        let text = String::from_utf8_lossy(bytes);
        let short: String = text.chars().take(600).collect();
        s += &format!(
            "\n    {name} ({} bytes): {short:?}{}",
            bytes.len(),
            if short.len() < text.len() { "…" } else { "" }
        );
    }
    s
}

#[derive(Default)]
struct Stats {
    inputs: usize,
    skipped: usize,
    worst_time: Duration,
    worst_time_args: String,
    worst_rss: u64,
    worst_rss_args: String,
    codes: BTreeMap<String, usize>,
}

#[test]
fn fuzz_cli() {
    let iters: usize = std::env::var("FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("fuzz_cli_{seed}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let mut rng = Pcg64::seed_from_u64(seed);
    let bases = base_links();
    let commands = ["run", "sweep", "merge", "exponents", "svg"];
    let mut stats: BTreeMap<&str, Stats> = BTreeMap::new();
    let mut findings: BTreeMap<(Class, String), (Case, Outcome, usize)> = BTreeMap::new();
    let t_all = Instant::now();
    for i in 0..iters {
        let command = commands[i % commands.len()];
        let mut c = case(&mut rng, &bases, command);
        let st = stats.entry(command).or_default();
        st.inputs += 1;
        if tame(&mut c) {
            st.skipped += 1;
            continue;
        }
        let o = execute(&c, &dir);
        let label = match o.class {
            Class::Ok => format!("exit {}", o.code.unwrap_or(-1)),
            other => format!("{other:?}"),
        };
        if std::env::var_os("FUZZ_VERBOSE").is_some() {
            let first = o.stderr.lines().next().unwrap_or("");
            eprintln!("{label}: {:.160} -> {first:.160}", format!("{:?}", c.args));
        }
        *st.codes.entry(label).or_default() += 1;
        if o.time > st.worst_time {
            st.worst_time = o.time;
            st.worst_time_args = format!("{:?}", c.args).chars().take(160).collect();
        }
        if o.rss > st.worst_rss {
            st.worst_rss = o.rss;
            st.worst_rss_args = format!("{:?}", c.args).chars().take(160).collect();
        }
        if o.class != Class::Ok {
            let sig = signature(&o);
            findings
                .entry((o.class, format!("{command}: {sig}")))
                .and_modify(|f| f.2 += 1)
                .or_insert((c, o, 1));
        }
    }
    eprintln!(
        "fuzz_cli: {iters} inputs (seed {seed}) in {:.1} s; memory cap {}",
        t_all.elapsed().as_secs_f64(),
        match prlimit() {
            Some(_) => format!("prlimit --as={} GiB, peak RSS from VmHWM", AS_CAP >> 30),
            None => "none (no prlimit), peak RSS from VmHWM".into(),
        }
    );
    for (cmd, s) in &stats {
        eprintln!(
            "  {cmd:9} {:5} inputs, {:4} heavy skipped, worst time {:.2} s ({}), worst peak {:.1} MB ({}), outcomes {:?}",
            s.inputs,
            s.skipped,
            s.worst_time.as_secs_f64(),
            s.worst_time_args,
            s.worst_rss as f64 / 1e6,
            s.worst_rss_args,
            s.codes
        );
    }
    let mut report = String::new();
    for ((class, sig), (c, o, count)) in &findings {
        let small = shrink(c, *class, &signature(o), &dir, 80);
        report += &format!(
            "\n{class:?} ×{count} [{sig}] after {:.2} s, peak {:.1} MB\n  {}\n  stderr: {}\n",
            o.time.as_secs_f64(),
            o.rss as f64 / 1e6,
            describe(&small),
            o.stderr.lines().take(4).collect::<Vec<_>>().join(" | ")
        );
    }
    assert!(
        findings.is_empty(),
        "{} distinct failures:{report}",
        findings.len()
    );
}
