//! `skills`: the native command line over the same core and the same link vocabulary as
//! the page.
//!
//! ```text
//! skills run 'v=1&m=geometry&n=10&alpha=2' [--every K] [--align]   # CSV on stdout
//! skills run 'preset=fig4&opt=sgd&p1=0.9'                            # a figure's panel
//! skills sweep 'v=1&m=resource&sweep=n0:1e-4..1:9:log' [--shard 2/8] # one row per run
//! skills merge part1.csv part2.csv …                                 # join shard outputs
//! skills svg 'preset=fig4' > fig4.svg                                # the skill chart as SVG
//! skills keys | presets | cite                                       # vocabulary, figures, BibTeX
//! ```
//!
//! With `runs=K` (Fig. 19's scatter) `run` prints one summary row per seed, as `sweep` does.
//!
//! Exit codes: 0 success, 2 bad input (each problem named on stderr), 3 the run diverged
//! (the rows up to the divergence are printed, then the message).
//!
//! Native only: built for wasm32 (`cargo check --target wasm32-unknown-unknown
//! --all-targets`) it is an empty program that exits with an error, and clap, rayon and
//! indicatif are not compiled.

#![deny(unsafe_code)]

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    native::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {
    // the command line is native only; the web app is the other binary (src/main.rs)
    std::process::exit(1);
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use clap::{Parser, Subcommand};
    use skill_dominoes::export::{csv_header, csv_row, skills_svg, SvgChart};
    use skill_dominoes::link::presets::{BIBTEX, PRESETS};
    use skill_dominoes::link::{self, num, SCHEMA};
    use skill_dominoes::plot::run::{Milestones, Theme};
    use skill_dominoes::sim::metrics::kept;
    use skill_dominoes::sim::{SimError, Simulation};
    use skill_dominoes::sweep::{
        csv, exponents, merge, run_one, step_exponents, Outputs, RunResult, RunSpec, Sweep,
        SWEEP_PRESETS,
    };
    use std::io::{self, BufWriter, Write};
    use std::process::ExitCode;

    #[derive(Parser)]
    #[command(
        name = "skills",
        version,
        about = "Toy models of 'Physics of Skill Learning' from a share link"
    )]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Run the model a link describes and print its trajectory as CSV:
        /// `step,loss,s1,…,sn` (the quadratic toy prints `l1,…,l4`), one row per step from 0.
        Run {
            /// The link's query string, e.g. 'v=1&m=resource&n0=0.01' (a whole URL also works).
            query: String,
            /// Print every K-th row (and always the last).
            #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
            every: u32,
            /// Append the aligned-dimension counts align1..alignn (Geometry model).
            #[arg(long)]
            align: bool,
            /// A larger budget for a large job, time and peak memory (e.g. 2h,8GB): the link
            /// is checked against it instead of the default (10 min of the reference
            /// machine, 1 GB, 4 GB of CSV).
            #[arg(long, value_parser = link::Budget::parse, conflicts_with = "no_budget")]
            budget: Option<link::Budget>,
            /// Run the link as asked, whatever its estimated cost.
            #[arg(long)]
            no_budget: bool,
        },
        /// Draw the skill chart of a link's run as SVG on stdout (the page's chart, drawn by the
        /// same function on plotters' SVG backend).
        Svg {
            query: String,
            /// Width and height in pixels.
            #[arg(long, default_value_t = 960)]
            width: u32,
            #[arg(long, default_value_t = 420)]
            height: u32,
        },
        /// List every key of the link vocabulary with its meaning.
        Keys,
        /// List the presets (one per figure of the paper) with the link of each panel.
        Presets,
        /// Print the paper's BibTeX.
        Cite,
        /// Run every grid point of a sweep link on all cores; one CSV row per run on stdout,
        /// progress on stderr. E.g. 'v=1&vec=unit&loss=ce&sweep=dim:20..1000:50&sweep2=seed:0..3:4'.
        Sweep {
            query: String,
            /// Run only shard I of K (1-based, `--shard 2/8`): every K-th run from the I-th, for
            /// a job array; `skills merge` joins the shards' outputs.
            #[arg(long, value_parser = parse_shard)]
            shard: Option<(usize, usize)>,
            /// Print the runs (index and link) instead of running them.
            #[arg(long)]
            list: bool,
        },
        /// Two-point scaling exponents from a sweep's CSV (Fig. 10): `--x dim --at 40,220` gives
        /// α_N from the seed-median final loss at N = 40 and 220, per value of `--by`;
        /// `--x steps --at 80,200` gives α_S from the `loss@80` and `loss@200` columns.
        Exponents {
            file: std::path::PathBuf,
            #[arg(long, default_value = "dim")]
            x: String,
            #[arg(long, value_delimiter = ',', required = true)]
            at: Vec<String>,
            #[arg(long, default_value = "alpha")]
            by: String,
        },
        /// Join the CSV outputs of the shards of one sweep, in run order.
        Merge {
            /// Shard output files.
            #[arg(required = true)]
            files: Vec<std::path::PathBuf>,
        },
    }

    fn parse_shard(s: &str) -> Result<(usize, usize), String> {
        let (i, k) = s.split_once('/').ok_or("expected I/K, e.g. 2/8")?;
        let (i, k): (usize, usize) = (
            i.parse().map_err(|_| "I is not a number")?,
            k.parse().map_err(|_| "K is not a number")?,
        );
        if k == 0 || i == 0 || i > k {
            return Err(format!("shard {i}/{k}: need 1 ≤ I ≤ K"));
        }
        Ok((i - 1, k))
    }

    pub fn main() -> ExitCode {
        let cli = match Cli::try_parse() {
            Ok(c) => c,
            Err(e) => {
                let code = if e.use_stderr() { 2 } else { 0 };
                let _ = e.print();
                return ExitCode::from(code);
            }
        };
        match cli.command {
            Command::Keys => {
                let text: String = SCHEMA
                    .iter()
                    .map(|k| format!("{:8} {:6} {}\n", k.key, k.symbol, k.help))
                    .collect();
                print_text(&text)
            }
            Command::Presets => {
                let mut text = String::new();
                for p in PRESETS {
                    text += &format!("{:9} {:22} {}\n", p.id, p.figure, p.title);
                    for (label, extra) in p.panels {
                        text += &format!("          {label:32} {}\n", p.panel_link(extra));
                    }
                }
                text += "\nSweeps (skills sweep 'preset=…'):\n";
                for p in SWEEP_PRESETS {
                    text += &format!("{:13} {:22} {}\n", p.id, p.figure, p.cost);
                }
                print_text(&text)
            }
            Command::Cite => print_text(&format!("{BIBTEX}\n")),
            Command::Svg {
                query,
                width,
                height,
            } => svg(&query, width.clamp(200, 8000), height.clamp(120, 8000)),
            Command::Sweep { query, shard, list } => sweep(&query, shard, list),
            Command::Exponents { file, x, at, by } => {
                if at.len() != 2 {
                    eprintln!("skills: exponents: --at takes two values, e.g. --at 40,220");
                    return ExitCode::from(2);
                }
                let text = match std::fs::read_to_string(&file) {
                    Ok(t) => t,
                    Err(e) => {
                        eprintln!("skills: {}: {e}", file.display());
                        return ExitCode::from(2);
                    }
                };
                let res = if x == "steps" {
                    match (at[0].parse::<u32>(), at[1].parse::<u32>()) {
                        (Ok(a), Ok(b)) => step_exponents(&text, a, b, &by),
                        _ => Err("--at needs two step numbers".into()),
                    }
                } else {
                    exponents(&text, &x, "loss", &at[0], &at[1], &by)
                };
                match res {
                    Ok(rows) => {
                        let mut out = format!("{by},exponent\n");
                        for (k, e) in rows {
                            out += &format!("{k},{}\n", num(e));
                        }
                        print_text(&out)
                    }
                    Err(e) => {
                        eprintln!("skills: exponents: {e}");
                        ExitCode::from(2)
                    }
                }
            }
            Command::Merge { files } => {
                let mut parts = vec![];
                for f in &files {
                    match std::fs::read_to_string(f) {
                        Ok(t) => parts.push(t),
                        Err(e) => {
                            eprintln!("skills: {}: {e}", f.display());
                            return ExitCode::from(2);
                        }
                    }
                }
                match merge(&parts) {
                    Ok(text) => print_text(&text),
                    Err(e) => {
                        eprintln!("skills: merge: {e}");
                        ExitCode::from(2)
                    }
                }
            }
            Command::Run {
                query,
                every,
                align,
                budget,
                no_budget,
            } => {
                let budget = match (budget, no_budget) {
                    (_, true) => link::Budget::NONE,
                    (Some(b), _) => b,
                    (None, false) => link::Budget::DEFAULT,
                };
                run(&query, every, align, &budget)
            }
        }
    }

    fn sweep(query: &str, shard: Option<(usize, usize)>, list: bool) -> ExitCode {
        let sw = match Sweep::parse(query) {
            Ok(s) => s,
            Err(problems) => {
                for p in &problems {
                    eprintln!("skills: {p}");
                }
                eprintln!(
                    "skills: {} problem(s) in the sweep; nothing was run",
                    problems.len()
                );
                return ExitCode::from(2);
            }
        };
        let runs = match shard {
            Some((i, k)) => sw.shard(i, k),
            None => sw.runs(),
        };
        if list {
            let text: String = runs
                .iter()
                .map(|r| format!("{} {}\n", r.index, r.query))
                .collect();
            return print_text(&text);
        }
        let rows = run_all(&runs, &sw.outputs);
        let text = csv::write(&sw.header(), rows.iter().map(RunResult::row));
        let diverged = rows.iter().filter(|r| r.error.is_some()).count();
        if diverged > 0 {
            eprintln!("skills: {diverged} run(s) diverged or failed (see the error column)");
        }
        print_text(&text)
    }

    /// All runs on every core with a progress bar on stderr; results in run order.
    fn run_all(runs: &[RunSpec], outputs: &Outputs) -> Vec<RunResult> {
        use indicatif::{ProgressBar, ProgressStyle};
        use rayon::prelude::*;
        let bar = ProgressBar::new(runs.len() as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} runs, {elapsed} elapsed, about {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let out: Vec<RunResult> = runs
            .par_iter()
            .map(|r| {
                let res = run_one(r, outputs);
                bar.inc(1);
                res
            })
            .collect();
        bar.finish_and_clear();
        out
    }

    fn svg(query: &str, width: u32, height: u32) -> ExitCode {
        let parsed = link::parse(query);
        for n in &parsed.notices {
            eprintln!("skills: warning: {n}");
        }
        if !parsed.problems.is_empty() {
            for p in &parsed.problems {
                eprintln!("skills: {p}");
            }
            return ExitCode::from(2);
        }
        let cfg = parsed.config;
        // the page keeps every `record_every`-th row; so does the SVG
        let every = skill_dominoes::lab::record_every(cfg.steps);
        let traj = match cfg
            .spec()
            .and_then(|s| skill_dominoes::sim::run(s, cfg.steps, every, false))
        {
            Ok(t) => t,
            Err(e) => {
                eprintln!("skills: {e}");
                return ExitCode::from(2);
            }
        };
        if let Some(e) = &traj.error {
            eprintln!("skills: {e} (the chart shows the rows before it)");
        }
        let freqs = cfg.skill_freqs();
        let names = cfg.skill_names();
        let milestones = Milestones::of(&traj.frames, cfg.skills(), cfg.thr);
        let chart = SvgChart {
            frames: &traj.frames,
            freqs: &freqs,
            steps: cfg.steps,
            milestones: Some(&milestones),
            overlays: &[],
            cursor: None,
            theme: Theme::Light,
            size: (width, height),
            net: cfg.model.is_net(),
            names: &names,
        };
        match skills_svg(&chart) {
            Ok(text) => print_text(&text),
            Err(e) => {
                eprintln!("skills: cannot draw the chart: {e}");
                ExitCode::from(1)
            }
        }
    }

    /// Print to stdout; a closed pipe (`| head`) ends quietly instead of panicking.
    fn print_text(text: &str) -> ExitCode {
        match io::stdout().lock().write_all(text.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("skills: cannot write the output: {e}");
                ExitCode::from(1)
            }
        }
    }

    /// Runs estimated to take this many seconds or more show their estimate and progress.
    const LONG_RUN: f64 = 10.0;

    fn run(query: &str, every: u32, align: bool, budget: &link::Budget) -> ExitCode {
        let parsed = link::parse_within(query, budget);
        for k in &parsed.unknown {
            eprintln!("skills: warning: unknown key {k:?} ignored");
        }
        for n in &parsed.notices {
            eprintln!("skills: warning: {n}");
        }
        if !parsed.problems.is_empty() {
            for p in &parsed.problems {
                eprintln!("skills: {p}");
            }
            eprintln!(
                "skills: {} problem(s) in the link; nothing was run",
                parsed.problems.len()
            );
            return ExitCode::from(2);
        }
        let cost = parsed.config.cost();
        let long = cost.seconds >= LONG_RUN;
        if long || *budget != link::Budget::DEFAULT {
            eprintln!("skills: estimate {cost}");
        }
        // Fig. 19's scatter (`runs=K`): one summary row per seed (t_skills = t1;t2), as a sweep
        if let Some(q) = skill_dominoes::sweep::as_sweep(query) {
            if link::parse(query).config.runs != parsed.config.runs {
                eprintln!("skills: runs: a scatter is a sweep, whose runs are checked against the default budget; split its seeds with `skills sweep '…&sweep=seed:…' --shard I/K`");
                return ExitCode::from(2);
            }
            return sweep(&q, None, false);
        }
        let cfg = parsed.config;
        let spec = match cfg.spec() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("skills: {e}");
                return ExitCode::from(2);
            }
        };
        let mut sim = match Simulation::new(spec) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("skills: {e}");
                return ExitCode::from(2);
            }
        };
        let with_align = align && sim.has_align();
        let out = io::stdout();
        let mut w = BufWriter::new(out.lock());
        // the page's CSV export writes the same header and rows (export::csv)
        let mut line = String::new();
        let mut write_row = |w: &mut BufWriter<_>, f: &_| {
            line.clear();
            csv_row(&mut line, f);
            w.write_all(line.as_bytes())
        };
        // progress on stderr for a run estimated to take a while
        let bar = long.then(|| {
            let bar = indicatif::ProgressBar::new(cfg.steps as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} steps, {elapsed} elapsed, about {eta} left",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        let result = (|| -> io::Result<Option<String>> {
            writeln!(w, "{}", csv_header(cfg.model, cfg.skills(), with_align))?;
            let first = sim.frame(with_align);
            if !first.is_finite() {
                return Ok(Some(SimError::NonFinite { step: 0 }.to_string()));
            }
            write_row(&mut w, &first)?;
            for t in 1..=cfg.steps {
                let keep = kept(t as usize, every as usize, cfg.steps as usize);
                let r = if keep {
                    sim.next_frame(with_align).map(Some)
                } else {
                    sim.step().map(|_| None)
                };
                match r {
                    Ok(Some(f)) => write_row(&mut w, &f)?,
                    Ok(None) => {}
                    Err(e) => return Ok(Some(e.to_string())),
                }
                if let Some(bar) = bar.as_ref().filter(|_| t % 256 == 0) {
                    bar.set_position(t as u64);
                }
            }
            w.flush()?;
            Ok(None)
        })();
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        match result {
            Ok(None) => ExitCode::SUCCESS,
            Ok(Some(msg)) => {
                let _ = w.flush();
                eprintln!("skills: {msg}");
                ExitCode::from(3)
            }
            // A closed pipe (`| head`) is not an error worth a message.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("skills: cannot write the output: {e}");
                ExitCode::from(1)
            }
        }
    }
}
