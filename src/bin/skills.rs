//! `skills`: the native command line over the same core and the same link vocabulary as
//! the page.
//!
//! ```text
//! skills run 'v=1&m=geometry&n=10&alpha=2' [--every K] [--align]   # CSV on stdout
//! skills run 'preset=fig4&opt=sgd&p1=0.9'                            # a figure's panel
//! skills keys | presets | cite                                       # vocabulary, figures, BibTeX
//! ```
//!
//! Exit codes: 0 success, 2 bad input (each problem named on stderr), 3 the run diverged
//! (the rows up to the divergence are printed, then the message).

use clap::{Parser, Subcommand};
use skill_dominoes::params::{self, num, KEYS};
use skill_dominoes::presets::{BIBTEX, PRESETS};
use skill_dominoes::sim::{Frame, SimError, Simulation};
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
    },
    /// List every key of the link vocabulary with its meaning.
    Keys,
    /// List the presets (one per figure of the paper) with the link of each panel.
    Presets,
    /// Print the paper's BibTeX.
    Cite,
}

fn main() -> ExitCode {
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
            let text: String = KEYS
                .iter()
                .map(|(k, help)| format!("{k:8} {help}\n"))
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
            print_text(&text)
        }
        Command::Cite => print_text(&format!("{BIBTEX}\n")),
        Command::Run {
            query,
            every,
            align,
        } => run(&query, every, align),
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

fn run(query: &str, every: u32, align: bool) -> ExitCode {
    let parsed = params::parse(query);
    for k in &parsed.unknown {
        eprintln!("skills: warning: unknown key {k:?} ignored");
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
    let result = (|| -> io::Result<Option<String>> {
        writeln!(w, "step,loss,{}", sim.columns(with_align).join(","))?;
        let first = sim.frame(with_align);
        if !first.is_finite() {
            return Ok(Some(SimError::NonFinite { step: 0 }.to_string()));
        }
        write_row(&mut w, &first)?;
        for t in 1..=cfg.steps {
            let keep = t % every == 0 || t == cfg.steps;
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
        }
        w.flush()?;
        Ok(None)
    })();
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

fn write_row(w: &mut impl Write, f: &Frame) -> io::Result<()> {
    write!(w, "{},{}", f.step, num(f.loss))?;
    for v in &f.values {
        write!(w, ",{}", num(*v))?;
    }
    if let Some(a) = &f.align {
        for v in a {
            write!(w, ",{v}")?;
        }
    }
    writeln!(w)
}
