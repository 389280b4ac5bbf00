//! Which shard of a sweep a job runs (`skills sweep LINK --shard …`), from the command line or
//! from the scheduler's own task variables, so a job-array script needs no arithmetic:
//!
//! * `I/K`: shard I of K, 1-based (`--shard 3/8`);
//! * `slurm`: a Slurm job array task (`sbatch --array=…`). Slurm sets `SLURM_ARRAY_TASK_ID`
//!   (this task's index), `SLURM_ARRAY_TASK_MIN` and `SLURM_ARRAY_TASK_MAX` (the lowest and
//!   highest index), `SLURM_ARRAY_TASK_STEP` (the step of `--array=1-7:2`) and
//!   `SLURM_ARRAY_TASK_COUNT` (the number of tasks). The shard is the task's place in the
//!   array, (ID − MIN)/STEP, of COUNT; an array given as a list with gaps
//!   (`--array=1,4,9`) has no such place and is refused (use `--shard I/K` there);
//! * `llsub`: an LLsub triple-mode task (MIT SuperCloud, as the paper's authors ran their
//!   grids): `LLSUB_RANK` (0-based) of `LLSUB_SIZE` tasks;
//! * `--shard-rank R/S` takes the same 0-based rank and size as arguments, for a script that
//!   passes `$LLSUB_RANK $LLSUB_SIZE` on (as LLsub's examples do).
//!
//! Each function returns the shard as (0-based index, count), the form of
//! [`super::Sweep::shard`]; a missing or bad variable is named in the message.

/// The most shards (job-array tasks) a sweep is split into: far above any scheduler's array
/// limit, and below any run count's overflow.
pub const MAX_SHARDS: usize = 1_000_000;

/// A whole number from an argument or a variable, named in the message when it is not one.
fn whole(name: &str, text: &str) -> Result<usize, String> {
    let t = text.trim();
    t.parse::<usize>().map_err(|_| {
        let shown: String = t.chars().take(40).collect();
        format!("{name} is {shown:?}, not a whole number ≥ 0")
    })
}

fn count_ok(k: usize, what: &str) -> Result<usize, String> {
    if k == 0 || k > MAX_SHARDS {
        return Err(format!("{what} must be 1 … {MAX_SHARDS}, not {k}"));
    }
    Ok(k)
}

/// `I/K`, 1-based (1 ≤ I ≤ K).
pub fn one_based(s: &str) -> Result<(usize, usize), String> {
    let (i, k) = s
        .split_once('/')
        .ok_or("expected I/K (e.g. 2/8), slurm or llsub")?;
    let (i, k) = (whole("I", i)?, count_ok(whole("K", k)?, "K")?);
    if i == 0 || i > k {
        return Err(format!("shard {i}/{k}: need 1 ≤ I ≤ K"));
    }
    Ok((i - 1, k))
}

/// `R/S`, 0-based (0 ≤ R < S): LLsub's rank and size as arguments.
pub fn zero_based(s: &str) -> Result<(usize, usize), String> {
    let (r, n) = s
        .split_once('/')
        .ok_or("expected RANK/SIZE, 0-based (e.g. 0/8)")?;
    let (r, n) = (whole("RANK", r)?, count_ok(whole("SIZE", n)?, "SIZE")?);
    if r >= n {
        return Err(format!("rank {r} of {n}: need 0 ≤ RANK < SIZE"));
    }
    Ok((r, n))
}

/// A variable that must be set and whole.
fn var(env: &dyn Fn(&str) -> Option<String>, name: &str, hint: &str) -> Result<usize, String> {
    match env(name) {
        None => Err(format!("{name} is not set{hint}")),
        Some(v) => whole(name, &v),
    }
}

/// The shard of a Slurm job array task, from its variables (`env` reads one).
pub fn slurm(env: &dyn Fn(&str) -> Option<String>) -> Result<(usize, usize), String> {
    let hint =
        " (--shard slurm reads a Slurm job array's variables: run it under sbatch --array=…)";
    let id = var(env, "SLURM_ARRAY_TASK_ID", hint)?;
    let min = var(env, "SLURM_ARRAY_TASK_MIN", hint)?;
    let step = match env("SLURM_ARRAY_TASK_STEP") {
        None => 1,
        Some(v) => whole("SLURM_ARRAY_TASK_STEP", &v)?,
    };
    if step == 0 {
        return Err("SLURM_ARRAY_TASK_STEP is 0".into());
    }
    let from_max = match env("SLURM_ARRAY_TASK_MAX") {
        None => None,
        Some(v) => {
            let max = whole("SLURM_ARRAY_TASK_MAX", &v)?;
            if max < min {
                return Err(format!(
                    "SLURM_ARRAY_TASK_MAX ({max}) is below SLURM_ARRAY_TASK_MIN ({min})"
                ));
            }
            Some((max - min) / step + 1)
        }
    };
    let count = match env("SLURM_ARRAY_TASK_COUNT") {
        Some(v) => Some(whole("SLURM_ARRAY_TASK_COUNT", &v)?),
        None => None,
    };
    let k = match (count, from_max) {
        (Some(c), Some(m)) if c != m => {
            return Err(format!(
                "SLURM_ARRAY_TASK_COUNT is {c} but MIN … MAX in steps of {step} holds {m} tasks: an array with gaps (--array=1,4,9) has no shard order; use --shard I/K"
            ))
        }
        (Some(c), _) => c,
        (None, Some(m)) => m,
        (None, None) => {
            return Err(format!(
                "neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX is set{hint}"
            ))
        }
    };
    let k = count_ok(k, "the array's task count")?;
    if id < min || (id - min) % step != 0 {
        return Err(format!(
            "SLURM_ARRAY_TASK_ID {id} is not in the array {min}, {}, … (MIN {min}, STEP {step})",
            min + step
        ));
    }
    let i = (id - min) / step;
    if i >= k {
        return Err(format!(
            "SLURM_ARRAY_TASK_ID {id} is past the array's {k} tasks from {min} in steps of {step}"
        ));
    }
    Ok((i, k))
}

/// The shard of an LLsub triple-mode task: `LLSUB_RANK` of `LLSUB_SIZE`.
pub fn llsub(env: &dyn Fn(&str) -> Option<String>) -> Result<(usize, usize), String> {
    let hint = " (--shard llsub reads LLsub's task variables: run it under LLsub in triple mode, or pass them as --shard-rank RANK/SIZE)";
    let rank = var(env, "LLSUB_RANK", hint)?;
    let size = count_ok(var(env, "LLSUB_SIZE", hint)?, "LLSUB_SIZE")?;
    if rank >= size {
        return Err(format!(
            "LLSUB_RANK ({rank}) must be below LLSUB_SIZE ({size})"
        ));
    }
    Ok((rank, size))
}

/// `--shard`'s value: `I/K`, `slurm` or `llsub` (the variables read through `env`).
pub fn parse(s: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<(usize, usize), String> {
    match s.trim() {
        "slurm" => slurm(env),
        "llsub" => llsub(env),
        other => one_based(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn slurm_arrays_from_one_from_zero_and_with_steps() {
        // --array=1-16: task 1 is shard 0 of 16, task 16 shard 15
        let a = |id: &str| {
            slurm(&env(&[
                ("SLURM_ARRAY_TASK_ID", id),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "16"),
                ("SLURM_ARRAY_TASK_COUNT", "16"),
                ("SLURM_ARRAY_TASK_STEP", "1"),
            ]))
        };
        assert_eq!(a("1"), Ok((0, 16)));
        assert_eq!(a("16"), Ok((15, 16)));
        assert!(a("17").unwrap_err().contains("past"));
        assert!(a("0").unwrap_err().contains("not in the array"));
        assert!(a("x").unwrap_err().contains("SLURM_ARRAY_TASK_ID is \"x\""));
        // --array=0-7, no COUNT (older Slurm): K from MAX
        let e = env(&[
            ("SLURM_ARRAY_TASK_ID", "0"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "7"),
        ]);
        assert_eq!(slurm(&e), Ok((0, 8)));
        // --array=1-7:2 → tasks 1, 3, 5, 7
        let e = env(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "7"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(slurm(&e), Ok((2, 4)));
        // --array=1,4,9: COUNT 3 but MIN … MAX holds 9
        let e = env(&[
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "9"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ]);
        assert!(slurm(&e).unwrap_err().contains("gaps"));
        // not in an array
        assert!(slurm(&env(&[]))
            .unwrap_err()
            .starts_with("SLURM_ARRAY_TASK_ID is not set"));
        let e = env(&[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "1")]);
        assert!(slurm(&e).unwrap_err().contains("SLURM_ARRAY_TASK_COUNT"));
    }

    #[test]
    fn llsub_and_rank_size() {
        let e = env(&[("LLSUB_RANK", "0"), ("LLSUB_SIZE", "4")]);
        assert_eq!(parse("llsub", &e), Ok((0, 4)));
        let e = env(&[("LLSUB_RANK", "4"), ("LLSUB_SIZE", "4")]);
        assert!(llsub(&e).unwrap_err().contains("below LLSUB_SIZE"));
        assert!(llsub(&env(&[("LLSUB_RANK", "1")]))
            .unwrap_err()
            .starts_with("LLSUB_SIZE is not set"));
        let e = env(&[("LLSUB_RANK", "0"), ("LLSUB_SIZE", "0")]);
        assert!(llsub(&e).unwrap_err().contains("LLSUB_SIZE must be"));
        assert_eq!(zero_based("3/4"), Ok((3, 4)));
        assert!(zero_based("4/4").is_err() && zero_based("4").is_err());
        assert_eq!(parse("2/8", &env(&[])), Ok((1, 8)));
        assert!(parse("0/8", &env(&[])).is_err() && parse("9/8", &env(&[])).is_err());
        assert!(parse("1/0", &env(&[])).unwrap_err().contains("K must be"));
        assert!(parse("SLURM", &env(&[]))
            .unwrap_err()
            .contains("slurm or llsub"));
    }
}
