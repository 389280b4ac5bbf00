//! `skills`: the native command line over the same core and the same link vocabulary as
//! the page.
//!
//! ```text
//! skills run 'v=1&m=geometry&n=10&alpha=2' [--every K] [--align]   # CSV on stdout
//! skills run 'preset=fig4&opt=sgd&p1=0.9'                            # a figure's panel
//! skills sweep 'v=1&m=resource&sweep=n0:1e-4..1:9:log' [--shard 2/8] # one row per run
//! skills sweep '<link>' --shard slurm   (or llsub, or --shard-rank R/S) # a job array's task
//! skills sweep '<link>' --resume part.csv > part2.csv                # finish an interrupted one
//! skills merge part1.csv part2.csv … [--partial]                     # join shard outputs
//! skills svg 'preset=fig4' > fig4.svg                                # the skill chart as SVG
//! skills keys | presets | cite                                       # vocabulary, figures, BibTeX
//! ```
//!
//! With `runs=K` (Fig. 19's scatter) `run` prints one summary row per seed, as `sweep` does.
//!
//! Exit codes: 0 success, 2 bad input (each problem named on stderr; a sweep link given to
//! `run`; runs missing in `merge`), 3 the run diverged (the rows up to the divergence are
//! printed, then the message) or every run of a sweep failed.
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
    use skill_dominoes::export::{csv_header, csv_row};
    use skill_dominoes::link::presets::{BIBTEX, PRESETS};
    use skill_dominoes::link::{self, num, read_when_text, SCHEMA};
    use skill_dominoes::plot::run::Theme;
    use skill_dominoes::sim::metrics::kept;
    use skill_dominoes::sim::{SimError, Simulation};
    use skill_dominoes::site::card::{chart_svg, Axis, ChartError};
    use skill_dominoes::sweep::{
        csv, exponents, merge, run_one, step_exponents, Sweep, Table, SWEEP_PRESETS,
    };
    use std::io::{self, Write};
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
        /// Draw the figures the page shows while it loads (README "First load"): the skill
        /// chart of the default run and of every toy-model preset panel, as DIR/<name>.svg.
        /// Trunk's post-build hook (Trunk.toml) calls it.
        Predraw {
            /// The built page's directory: the figures go in DIR/first/.
            #[arg(long, value_name = "DIR")]
            out: std::path::PathBuf,
            /// Also write this script (web/first.js) as DIR/first.js, with the names of the
            /// figures drawn in its `var DRAWN = [];`.
            #[arg(long, value_name = "FILE")]
            script: Option<std::path::PathBuf>,
        },
        /// Write the published site's figure pages into a built page (README "Published
        /// site"): for every preset, fig/<id>/index.html (the app with the figure's title,
        /// preview tags and oEmbed link), card.png (its preview image) and oembed.json.
        Site {
            /// The directory Trunk built (`trunk build --release --public-url <path>`).
            #[arg(long, default_value = "dist")]
            dist: std::path::PathBuf,
            /// The site's address, e.g. https://owner.github.io/skill-dominoes/ (previews need
            /// absolute URLs; its path must be the build's --public-url).
            #[arg(long)]
            base_url: String,
            /// Only these figure presets (comma-separated ids), e.g. for a quick test site.
            #[arg(long, value_delimiter = ',')]
            only: Vec<String>,
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
            /// a job array; `skills merge` joins the shards' outputs. `--shard slurm` reads a
            /// Slurm array task's SLURM_ARRAY_TASK_ID, _MIN, _MAX, _STEP, _COUNT; `--shard
            /// llsub` LLsub's LLSUB_RANK and LLSUB_SIZE.
            #[arg(long, value_parser = parse_shard, value_name = "I/K|slurm|llsub")]
            shard: Option<(usize, usize)>,
            /// Run only shard RANK of SIZE, 0-based (`--shard-rank 0/8` = `--shard 1/8`), as
            /// LLsub passes `$LLSUB_RANK $LLSUB_SIZE` to a script.
            #[arg(long, value_parser = skill_dominoes::sweep::shard::zero_based, conflicts_with = "shard", value_name = "RANK/SIZE")]
            shard_rank: Option<(usize, usize)>,
            /// Print the runs (index and link) instead of running them (with `--resume`, the
            /// runs still missing).
            #[arg(long)]
            list: bool,
            /// Complete an interrupted output of this sweep (or shard): print its rows again,
            /// then run only the runs it lacks, e.g. `skills sweep LINK --resume part.csv >
            /// part2.csv`. Its header and `# skills sweep` line must be this sweep's.
            #[arg(long, value_name = "FILE")]
            resume: Option<std::path::PathBuf>,
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
        /// Join the CSV outputs of the shards of one sweep, in run order; fails when runs are
        /// missing (named on stderr) unless `--partial`.
        Merge {
            /// Shard output files.
            #[arg(required = true)]
            files: Vec<std::path::PathBuf>,
            /// Write the runs there are even when some are missing (still named on stderr).
            #[arg(long)]
            partial: bool,
        },
    }

    /// `--shard`: `I/K`, or the scheduler's task variables (`slurm`, `llsub`).
    fn parse_shard(s: &str) -> Result<(usize, usize), String> {
        skill_dominoes::sweep::shard::parse(s, &|name| std::env::var(name).ok())
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
                    .map(|k| {
                        let when = read_when_text(k.key);
                        format!("{:8} {:6} {}{when}\n", k.key, k.symbol, k.help)
                    })
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
            Command::Site {
                dist,
                base_url,
                only,
            } => match skill_dominoes::site::build::build(&dist, &base_url, &only) {
                Ok(files) => {
                    eprintln!(
                        "skills site: wrote {} files under {}",
                        files.len(),
                        dist.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("skills site: {e}");
                    ExitCode::from(2)
                }
            },
            Command::Svg {
                query,
                width,
                height,
            } => svg(&query, width.clamp(200, 8000), height.clamp(120, 8000)),
            Command::Predraw { out, script } => predraw(&out, script.as_deref()),
            Command::Sweep {
                query,
                shard,
                shard_rank,
                list,
                resume,
            } => sweep(&query, shard.or(shard_rank), list, resume.as_deref()),
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
                        let mut out = format!("{},exponent\n", csv::field(&by));
                        for (k, e) in rows {
                            out += &format!("{},{}\n", csv::field(&k), num(e));
                        }
                        print_text(&out)
                    }
                    Err(e) => {
                        eprintln!("skills: exponents: {e}");
                        ExitCode::from(2)
                    }
                }
            }
            Command::Merge { files, partial } => merge_files(&files, partial),
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

    fn merge_files(files: &[std::path::PathBuf], partial: bool) -> ExitCode {
        let mut parts = vec![];
        for f in files {
            match std::fs::read_to_string(f) {
                Ok(t) => parts.push(t),
                Err(e) => {
                    eprintln!("skills: {}: {e}", f.display());
                    return ExitCode::from(2);
                }
            }
        }
        let m = match merge(&parts) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("skills: merge: {e}");
                return ExitCode::from(2);
            }
        };
        for n in &m.notices {
            eprintln!("skills: merge: {n}");
        }
        if !m.missing.is_empty() {
            eprintln!(
                "skills: merge: {} run(s) missing: {}; `skills sweep LINK --resume FILE` runs \
                 only those",
                m.missing.len(),
                csv::index_list(&m.missing)
            );
            if !partial {
                eprintln!("skills: merge: nothing written (--partial writes the runs there are)");
                return ExitCode::from(2);
            }
        }
        print_text(&m.csv)
    }

    /// The rows of an earlier output of this sweep (`--resume FILE`) that belong to the
    /// runs asked for, by run index; an error names why the file is not this sweep's.
    fn resumed(
        sw: &Sweep,
        file: &std::path::Path,
        wanted: &[usize],
    ) -> Result<std::collections::BTreeMap<usize, String>, String> {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let t = Table::parse(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        for n in &t.notices {
            eprintln!("skills: {}: {n}", file.display());
        }
        let mine = sw.source_line();
        if t.header.join(",") != sw.header()
            || t.source
                .as_deref()
                .map(|s| format!("# skills sweep of {s}"))
                != Some(mine)
        {
            return Err(format!(
                "{}: not an output of this sweep (its `# skills sweep` line or header differs)",
                file.display()
            ));
        }
        let wanted: std::collections::HashSet<usize> = wanted.iter().copied().collect();
        let mut done = std::collections::BTreeMap::new();
        for r in &t.rows {
            let idx = r[0]
                .parse::<usize>()
                .ok()
                .filter(|i| *i < sw.len())
                .ok_or_else(|| format!("{}: a row without a valid run index", file.display()))?;
            if !wanted.contains(&idx) {
                continue;
            }
            let line: Vec<_> = r.iter().map(|f| csv::field(f)).collect();
            if done.insert(idx, line.join(",")).is_some() {
                return Err(format!("{}: run {idx} appears twice", file.display()));
            }
        }
        Ok(done)
    }

    fn sweep(
        query: &str,
        shard: Option<(usize, usize)>,
        list: bool,
        resume: Option<&std::path::Path>,
    ) -> ExitCode {
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
        let wanted: Vec<usize> = match shard {
            Some((i, k)) => sw.shard(i, k).collect(),
            None => (0..sw.len()).collect(),
        };
        let done = match resume.map(|f| resumed(&sw, f, &wanted)).transpose() {
            Ok(d) => d.unwrap_or_default(),
            Err(e) => {
                eprintln!("skills: {e}");
                return ExitCode::from(2);
            }
        };
        let todo: Vec<usize> = wanted
            .into_iter()
            .filter(|i| !done.contains_key(i))
            .collect();
        if list {
            let text: String = todo
                .iter()
                .filter_map(|&i| sw.run(i))
                .map(|r| format!("{} {}\n", r.index, r.query))
                .collect();
            return print_text(&text);
        }
        let mut head = sw.csv_head();
        for line in done.values() {
            head += line;
            head.push('\n');
        }
        match write_flushed(&head) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("skills: cannot write the output: {e}");
                return ExitCode::from(1);
            }
        }
        if resume.is_some() {
            eprintln!(
                "skills: {} run(s) kept from the file, {} to run",
                done.len(),
                todo.len()
            );
        }
        let Outcome {
            failed,
            first_error,
            write_error,
        } = run_all(&sw, &todo);
        match write_error {
            None => {}
            // stdout closed (`| head`): nothing more to say
            Some(io::ErrorKind::BrokenPipe) => return ExitCode::SUCCESS,
            Some(_) => return ExitCode::from(1),
        }
        if failed > 0 && failed == todo.len() {
            eprintln!(
                "skills: every run failed ({}); first: {}",
                failed,
                first_error.unwrap_or_default()
            );
            return ExitCode::from(3);
        }
        if failed > 0 {
            eprintln!("skills: {failed} run(s) diverged or failed (see the error column)");
        }
        ExitCode::SUCCESS
    }

    /// Write `text` to stdout in one write and flush it.
    fn write_flushed(text: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()
    }

    /// What became of a sweep's runs.
    struct Outcome {
        failed: usize,
        first_error: Option<String>,
        /// Why the output stopped (stdout closed, a full disk), if it did.
        write_error: Option<io::ErrorKind>,
    }

    /// The runs `todo` of the sweep on every core, each built when it starts, taken in run
    /// order, with a progress bar on stderr. Each row goes to stdout as its run finishes, in
    /// one write, flushed: an interrupted sweep keeps every finished run (`--resume`
    /// completes it). Once stdout fails, the runs not started are skipped.
    fn run_all(sw: &Sweep, todo: &[usize]) -> Outcome {
        use indicatif::{ProgressBar, ProgressStyle};
        use rayon::prelude::*;
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Mutex;
        let bar = ProgressBar::new(todo.len() as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} runs, {elapsed} elapsed, about {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let failed = AtomicUsize::new(0);
        let first_error: Mutex<Option<String>> = Mutex::new(None);
        let write_error: Mutex<Option<io::ErrorKind>> = Mutex::new(None);
        let stopped = || write_error.lock().map(|e| e.is_some()).unwrap_or(true);
        // par_bridge hands the runs out in order, so rows come out nearly in run order
        todo.iter().par_bridge().for_each(|&i| {
            if stopped() {
                return;
            }
            let Some(spec) = sw.run(i) else { return };
            let res = run_one(&spec, &sw.outputs);
            if let Some(e) = &res.error {
                failed.fetch_add(1, Ordering::Relaxed);
                if let Ok(mut f) = first_error.lock() {
                    f.get_or_insert_with(|| format!("run {i}: {e}"));
                }
            }
            let mut line = res.row();
            line.push('\n');
            if let Err(e) = write_flushed(&line) {
                if let Ok(mut w) = write_error.lock() {
                    if w.is_none() && e.kind() != io::ErrorKind::BrokenPipe {
                        eprintln!("skills: cannot write the output: {e}");
                    }
                    w.get_or_insert(e.kind());
                }
            }
            bar.inc(1);
        });
        bar.finish_and_clear();
        Outcome {
            failed: failed.into_inner(),
            first_error: first_error.into_inner().ok().flatten(),
            write_error: write_error.into_inner().ok().flatten(),
        }
    }

    fn predraw(out: &std::path::Path, script: Option<&std::path::Path>) -> ExitCode {
        use skill_dominoes::predraw;
        let dir = out.join("first");
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!("skills: predraw: {}: {e}", dir.display());
            return ExitCode::from(2);
        }
        let (mut names, mut bytes) = (vec![], 0);
        for l in predraw::links() {
            let Some(name) = predraw::name_of(&l) else {
                continue;
            };
            let svg = match predraw::svg(&link::parse(&l).config) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("skills: predraw: {l}: {e}");
                    return ExitCode::from(1);
                }
            };
            let path = dir.join(format!("{name}.svg"));
            if let Err(e) = std::fs::write(&path, &svg) {
                eprintln!("skills: predraw: {}: {e}", path.display());
                return ExitCode::from(2);
            }
            bytes += svg.len();
            names.push(name);
        }
        if let Some(script) = script {
            let written = std::fs::read_to_string(script)
                .map_err(|e| format!("{}: {e}", script.display()))
                .and_then(|t| predraw::with_names(&t, &names))
                .and_then(|t| {
                    let path = out.join("first.js");
                    std::fs::write(&path, t).map_err(|e| format!("{}: {e}", path.display()))
                });
            if let Err(e) = written {
                eprintln!("skills: predraw: {e}");
                return ExitCode::from(2);
            }
        }
        eprintln!(
            "skills: predraw: {} figures, {bytes} bytes, in {}",
            names.len(),
            dir.display()
        );
        ExitCode::SUCCESS
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
        // the page's run and chart, as on a card of the published site
        match chart_svg(&parsed.config, (width, height), Theme::Light, Axis::Whole) {
            Ok(chart) => {
                if let Some(e) = &chart.stopped {
                    eprintln!("skills: {e} (the chart shows the rows before it)");
                }
                print_text(&chart.svg)
            }
            Err(e) => {
                eprintln!("skills: {e}");
                ExitCode::from(match e {
                    ChartError::Run(_) => 2,
                    ChartError::Draw(_) => 1,
                })
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
        // a sweep link is `skills sweep`'s (its grid is not expanded here); `runs=K` is Fig.
        // 19's scatter, run below as the sweep over its seeds
        if let Some(what) = skill_dominoes::sweep::sweep_marker(query) {
            eprintln!(
                "skills: this is a sweep link ({what}): run it with `skills sweep`; nothing was run"
            );
            return ExitCode::from(2);
        }
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
            return sweep(&q, None, false, None);
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
        // Whole rows only: each row is built, then written in one write (stdout's line
        // buffer passes a whole line straight through), so an interrupted run leaves no row
        // cut mid-number. The page's CSV export writes the same header and rows (export::csv).
        let mut w = io::stdout().lock();
        let mut line = String::new();
        let mut write_row = |w: &mut io::StdoutLock, f: &_| {
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
