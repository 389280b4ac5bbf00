//! Reading a link: [`parse`] turns any string into a valid [`Config`] and the list of what
//! it could not use, and [`Config::with`] sets one key as a link would.

use super::budget::{fit, Budget, MAX_VALUE_LEN};
use super::names::{FreqKind, Model, Named};
use super::page;
use super::presets::{self, Preset};
use super::query;
use super::schema::{set, spec_of, Config};
use super::value::short;
use crate::sim::geometry::VecKind;
use crate::sim::nn::modular::task_points;
use std::fmt;

/// One problem with the input, named by its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub key: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

fn problem(key: &str, message: String) -> Problem {
    Problem {
        key: key.to_string(),
        message,
    }
}

/// The result of reading a link.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// Always valid and within budget.
    pub config: Config,
    /// One entry per problem; each bad value fell back to its default. The CLI runs nothing
    /// when there is one; the page runs the repaired configuration and shows them.
    pub problems: Vec<Problem>,
    /// What was read in a way the link may not have meant but that needs no repair: a key
    /// given more than once (the last value is used). The CLI and the page both run the
    /// link and say so.
    pub notices: Vec<Problem>,
    /// Keys that are not in the vocabulary (ignored).
    pub unknown: Vec<String>,
    /// The preset the link named, if any (its keys were the defaults).
    pub preset: Option<&'static Preset>,
}

impl Parsed {
    /// Every line worth showing a reader about the link: its problems, its notices and its
    /// unknown keys (empty when the link was read as it is).
    pub fn notes(&self) -> Vec<String> {
        let mut notes: Vec<String> = self.problems.iter().map(|p| p.to_string()).collect();
        notes.extend(self.notices.iter().map(|p| p.to_string()));
        notes.extend(
            self.unknown
                .iter()
                .map(|k| format!("{k}: unknown key, ignored")),
        );
        notes
    }
}

/// A link's keys and values, decoded, each key once (its last value).
struct Pairs {
    pairs: Vec<(String, String)>,
    problems: Vec<Problem>,
    notices: Vec<Problem>,
    unknown: Vec<String>,
}

/// Split and decode a link's query; unknown keys (but the page's own) are listed.
fn read_pairs(q: &str) -> Pairs {
    let mut out = Pairs {
        pairs: vec![],
        problems: vec![],
        notices: vec![],
        unknown: vec![],
    };
    for (k, v) in query::pairs(q) {
        let k = query::decode(k);
        if k.len() > 32 {
            out.unknown
                .push(format!("{}…", k.chars().take(32).collect::<String>()));
            continue;
        }
        if spec_of(&k).is_none() {
            if !page::is_page_key(&k) {
                out.unknown.push(k);
            }
            continue;
        }
        if v.len() > MAX_VALUE_LEN {
            let msg = format!(
                "value is {} characters long (at most {MAX_VALUE_LEN})",
                v.len()
            );
            out.problems.push(problem(&k, msg));
            continue;
        }
        let v = query::decode(v);
        // A repeated key is read the usual way, as the last value wins: the run goes ahead
        // (on the page and in the CLI alike), with a notice, since `…&seed=3` appended to a
        // link is a common way to change one value.
        if let Some(i) = out.pairs.iter().position(|(pk, _)| *pk == k) {
            let msg = "given more than once; the last value is used".to_string();
            out.notices.push(problem(&k, msg));
            out.pairs.remove(i);
        }
        out.pairs.push((k, v));
    }
    out
}

/// Read a query string (with or without the leading `?`, or a whole URL), within the
/// default budget ([`Budget::DEFAULT`]).
pub fn parse(query: &str) -> Parsed {
    parse_within(query, &Budget::DEFAULT)
}

/// [`parse`] within another budget (the CLI's `--budget`, `--no-budget`).
pub fn parse_within(query: &str, budget: &Budget) -> Parsed {
    let Pairs {
        mut pairs,
        mut problems,
        notices,
        unknown,
    } = read_pairs(query::of_link(query));
    // A preset supplies defaults (its base, then the variants whose conditions the link's
    // own values meet); the link's keys override them.
    let mut preset = None;
    if let Some(i) = pairs.iter().position(|(k, _)| k == "preset") {
        let (_, id) = pairs.remove(i);
        match presets::find(&id) {
            Some(p) => preset = Some(p),
            None => problems.push(problem(
                "preset",
                format!(
                    "unknown preset {:?}; the link's own keys are used",
                    short(&id)
                ),
            )),
        }
    }
    let base: Vec<(String, String)> = match preset {
        Some(p) => p.defaults(|k| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone())),
        None => vec![],
    };
    // The model comes first: it picks the defaults of everything else.
    let mut model = base
        .iter()
        .find(|(k, _)| k == "m")
        .and_then(|(_, v)| Model::from_name(v))
        .unwrap_or(Model::Geometry);
    if let Some((_, v)) = pairs.iter().find(|(k, _)| k == "m") {
        match Model::from_name(v) {
            Some(m) => model = m,
            None => problems.push(problem(
                "m",
                format!(
                    "unknown model {:?}; expected one of {}",
                    short(v),
                    Model::choices()
                ),
            )),
        }
    }
    let mut c = Config::defaults(model);
    for (k, v) in base.iter().filter(|(k, _)| k != "m") {
        if let Err(msg) = set(&mut c, k, v) {
            problems.push(problem(
                k,
                format!("the preset's value is invalid ({msg}); please report this"),
            ));
        }
    }
    // A bad value leaves the default in place: `set` changes nothing when it fails.
    let defaults = c.clone();
    let mut n_given = base.iter().any(|(k, _)| k == "n");
    for (k, v) in &pairs {
        if k == "m" {
            continue;
        }
        if k == "n" {
            n_given = true;
        }
        if let Err(msg) = set(&mut c, k, v) {
            problems.push(problem(k, format!("{msg}; using the default")));
        }
    }
    let all: Vec<(String, String)> = base.into_iter().chain(pairs).collect();
    cross_check(&mut c, &defaults, &all, n_given, &mut problems);
    // The budget: shrink what was asked for, and say what was reduced.
    if let Some((key, message)) = fit(&mut c, &defaults, budget) {
        problems.push(problem(&key, message));
    }
    Parsed {
        config: c,
        problems,
        notices,
        unknown,
        preset,
    }
}

/// A cycle of prerequisites (1-based skills, `k` needs each of `pre` in `and`, one of them in
/// `or`), as the path from a skill back to itself, e.g. `[1, 2, 1]` for "1 needs 2, 2 needs 1";
/// `None` when the graph has none. Even through an OR gate a cycle is a trap: a skill of the
/// cycle can only start once another one of it has.
fn prerequisite_cycle(
    and: &[(usize, Vec<usize>)],
    or: &[(usize, Vec<usize>)],
) -> Option<Vec<usize>> {
    let needs = |k: usize| {
        and.iter()
            .chain(or)
            .filter(move |(t, _)| *t == k)
            .flat_map(|(_, pre)| pre.iter().copied())
    };
    // depth-first from every skill with prerequisites, without recursion (a link may chain
    // thousands): `path` holds the skills on the way and, for each, its prerequisites left
    let mut done = std::collections::HashSet::new();
    for (start, _) in and.iter().chain(or) {
        if done.contains(start) {
            continue;
        }
        let mut path: Vec<(usize, Vec<usize>)> = vec![(*start, needs(*start).collect())];
        while let Some((k, left)) = path.last_mut() {
            let k = *k;
            match left.pop() {
                Some(p) if path.iter().any(|(x, _)| *x == p) => {
                    let from = path.iter().position(|(x, _)| *x == p).unwrap_or(0);
                    let mut cycle: Vec<usize> = path[from..].iter().map(|(x, _)| *x).collect();
                    cycle.push(p);
                    return Some(cycle);
                }
                Some(p) if !done.contains(&p) => path.push((p, needs(p).collect())),
                Some(_) => {}
                None => {
                    done.insert(k);
                    path.pop();
                }
            }
        }
    }
    None
}

/// Rules between keys, and the size budget. Each repair is reported.
fn cross_check(
    c: &mut Config,
    d: &Config,
    pairs: &[(String, String)],
    n_given: bool,
    problems: &mut Vec<Problem>,
) {
    let given = |k: &str| pairs.iter().any(|(pk, _)| pk == k);
    check_frequencies(c, d, given("freq"), n_given, problems);
    let n = c.skills();
    // Prerequisites must name skills 1..n, and not the skill itself.
    for (key, list) in [("and", &mut c.and), ("or", &mut c.or)] {
        let bad = list
            .iter()
            .any(|(k, pre)| *k > n || pre.iter().any(|x| *x > n || x == k));
        if bad {
            problems.push(problem(
                key,
                format!("names a skill outside 1…{n} or a skill as its own prerequisite; ignored"),
            ));
            list.clear();
        }
    }
    let targets: Vec<usize> = c.and.iter().chain(c.or.iter()).map(|(k, _)| *k).collect();
    if (1..targets.len()).any(|i| targets[..i].contains(&targets[i])) {
        problems.push(problem(
            "and",
            "a skill has more than one prerequisite list; ignoring and/or".into(),
        ));
        c.and.clear();
        c.or.clear();
    }
    if let Some(cycle) = prerequisite_cycle(&c.and, &c.or) {
        let path: Vec<String> = cycle.iter().map(|k| k.to_string()).collect();
        problems.push(problem(
            if c.and.is_empty() { "or" } else { "and" },
            format!(
                "the prerequisites go round in a cycle ({}: each waits for the next, so none \
                 could ever be learned); ignoring and/or",
                path.join(" → ")
            ),
        ));
        c.and.clear();
        c.or.clear();
    }
    if let Some((k, _, _)) = c.switch {
        if k > n {
            problems.push(problem(
                "sw",
                format!("names skill {k}, outside 1…{n}; ignored"),
            ));
            c.switch = None;
        }
    }
    if c.model == Model::Geometry && c.vec == VecKind::Ortho && n > c.dim {
        problems.push(problem(
            "vec",
            format!(
                "vec=ortho needs n ≤ dim (n = {n}, dim = {}); using vec=unit",
                c.dim
            ),
        ));
        c.vec = VecKind::Unit;
    }
    check_networks(c, d, problems);
}

/// The real networks' data and shapes must make a run: Fig. 19's two tasks both need a point,
/// its modular network two equal halves.
fn check_networks(c: &mut Config, d: &Config, problems: &mut Vec<Problem>) {
    if c.model != Model::Modular {
        return;
    }
    if task_points(c.samples, c.p1).is_none() {
        // the least number of points that gives each task one (≤ 1001 for p1 in the range)
        let min = (1..=100_000).find(|&s| task_points(s, c.p1).is_some());
        let min = min.unwrap_or(d.samples);
        let using = if task_points(d.samples, c.p1).is_some() {
            d.samples.max(min)
        } else {
            min
        };
        problems.push(problem(
            "samples",
            format!(
                "{} points with p1 = {} leave a task without a point: at least {min} are needed; using {using}",
                c.samples, c.p1
            ),
        ));
        c.samples = using;
    }
    if c.modular && !c.width.is_multiple_of(2) {
        problems.push(problem(
            "width",
            format!(
                "the modular network splits the width into two halves: {} is odd; using {}",
                c.width,
                c.width + 1
            ),
        ));
        c.width += 1;
    }
}

/// `p` implies freq=list; freq=list needs p; `n` is the number of frequencies given.
fn check_frequencies(
    c: &mut Config,
    d: &Config,
    freq_given: bool,
    n_given: bool,
    problems: &mut Vec<Problem>,
) {
    if !c.p.is_empty() && !freq_given {
        c.freq = FreqKind::List;
    }
    if c.freq == FreqKind::List && c.p.is_empty() {
        problems.push(problem(
            "freq",
            "freq=list needs a list p=…; using zipf".into(),
        ));
        c.freq = FreqKind::Zipf;
    }
    if c.freq != FreqKind::List && !c.p.is_empty() {
        problems.push(problem("p", format!("ignored with freq={}", c.freq.name())));
        c.p.clear();
    }
    let n_eff = c.freqs().len();
    if n_given && matches!(c.freq, FreqKind::Two | FreqKind::List) && c.n != n_eff {
        problems.push(problem(
            "n",
            format!(
                "is {n_eff} here (the number of frequencies given); n={} ignored",
                c.n
            ),
        ));
    }
    if matches!(c.freq, FreqKind::Two | FreqKind::List) {
        c.n = d.n;
    }
}

impl Config {
    /// This configuration with one key set as a link would set it (a control of the page):
    /// validated, cross-checked and within budget. On a problem the old value stays and the
    /// problem is returned.
    pub fn with(&self, key: &str, value: &str) -> (Config, Vec<Problem>) {
        if matches!(key, "m" | "preset" | "v") {
            // these pick defaults: read as a link with the other keys kept
            let link = self.to_query();
            let mut parts: Vec<String> = query::parts(&link)
                .filter(|p| query::key(p) != key)
                .map(str::to_string)
                .collect();
            parts.push(format!("{key}={}", query::encode(value)));
            let parsed = parse(&parts.join("&"));
            return (parsed.config, parsed.problems);
        }
        let mut c = self.clone();
        if let Err(msg) = set(&mut c, key, value) {
            return (self.clone(), vec![problem(key, msg)]);
        }
        if key == "freq" && c.freq == FreqKind::List && c.p.is_empty() {
            return (
                self.clone(),
                vec![problem("freq", "freq=list needs a list p=…".into())],
            );
        }
        if key == "p" && !c.p.is_empty() {
            c.freq = FreqKind::List;
        }
        // the cross-field rules and the budget, exactly as a link is read
        let reparsed = parse(&c.to_query());
        if reparsed.problems.is_empty() {
            (reparsed.config, vec![])
        } else {
            (self.clone(), reparsed.problems)
        }
    }
}
