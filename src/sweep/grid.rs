//! A sweep link: a base link plus one to three swept keys (`sweep`, `sweep2`, `sweep3`), the
//! outputs each run reports (`record=`, `fit=n0`), and its grid of ordinary links in order.

use super::presets::SWEEP_PRESETS;
use crate::link::{num, parse, query, spec_of, KeySpec, Kind, Problem};

/// At most this many runs in one sweep.
pub const MAX_RUNS: usize = 100_000;

/// At most this many bytes of grid-point links are read to validate a sweep up front.
const CHECK_BUDGET: usize = 50_000_000;

/// At most this many `record=` steps.
pub const MAX_RECORD: usize = 100;

/// One swept key and its values (canonical link text: read by the key's parser, written by
/// its writer).
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub key: String,
    pub values: Vec<String>,
}

/// A parsed sweep link: the base link once, the axes' values, and the number of runs; a
/// run's link is built only when it runs ([`Sweep::run`]), so memory is O(base + runs × axes).
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// The sweep link as given (its query; the provenance line of the CSV).
    pub link: String,
    /// The link without the sweep keys.
    pub base: String,
    /// The axes in order (`sweep`, `sweep2`, `sweep3`), each value canonical.
    pub axes: Vec<Axis>,
    pub outputs: Outputs,
    len: usize,
}

/// What each run reports besides its summary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outputs {
    /// `record=80,200`: steps at which the loss is recorded (besides the last).
    pub record: Vec<u32>,
    /// `fit=n0`: the best N0 of a Resource model fitted to the run (Fig. 7 bottom): the grid
    /// 10^linspace(−4, 2, 601), same η_eff and frequencies, rows compared as the paper does.
    pub fit_n0: bool,
}

impl Outputs {
    /// Read one `record=` or `fit=` key into `self`.
    fn read(&mut self, k: &str, v: &str) -> Result<(), Vec<Problem>> {
        let mut problems = vec![];
        match k {
            "record" => {
                for s in v.split(',').filter(|s| !s.is_empty()) {
                    match s.parse::<u32>() {
                        Ok(_) if self.record.len() >= MAX_RECORD => {
                            problems.push(Problem {
                                key: k.into(),
                                message: format!("more than {MAX_RECORD} steps"),
                            });
                            break;
                        }
                        Ok(x) if self.record.contains(&x) => problems.push(Problem {
                            key: k.into(),
                            message: format!("step {x} given twice"),
                        }),
                        Ok(x) => self.record.push(x),
                        Err(_) => problems.push(Problem {
                            key: k.into(),
                            message: format!("{:?} is not a step", short(s)),
                        }),
                    }
                }
            }
            "fit" if v == "n0" => self.fit_n0 = true,
            "fit" => problems.push(Problem {
                key: k.into(),
                message: format!("{:?}: the only fit is n0", short(v)),
            }),
            _ => problems.push(Problem {
                key: k.into(),
                message: "not an output key".into(),
            }),
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The outputs as link keys (`record=80,200&fit=n0`; empty for none): what the page sends
    /// a worker with each grid point.
    pub fn query(&self) -> String {
        let mut q = vec![];
        if !self.record.is_empty() {
            let r: Vec<String> = self.record.iter().map(|s| s.to_string()).collect();
            q.push(format!("record={}", r.join(",")));
        }
        if self.fit_n0 {
            q.push("fit=n0".to_string());
        }
        q.join("&")
    }

    /// Read [`Outputs::query`]'s text back.
    pub fn from_query(q: &str) -> Result<Outputs, Vec<Problem>> {
        let mut o = Outputs::default();
        for (k, v) in query::pairs(q) {
            o.read(k, v)?;
        }
        Ok(o)
    }
}

/// What makes a link a sweep link, in words (`sweep=`, `sweep2=`, `sweep3=`, or `the sweep
/// preset ID`), or None for a link of one run (`runs=K` aside: see [`as_sweep`]).
pub fn sweep_marker(query: &str) -> Option<String> {
    query::parts(query::of_link(query)).find_map(|p| {
        let key = query::key(p);
        if matches!(key, "sweep" | "sweep2" | "sweep3") {
            return Some(format!("{key}="));
        }
        let id = p.strip_prefix("preset=")?;
        SWEEP_PRESETS
            .iter()
            .any(|s| s.id == id)
            .then(|| format!("the sweep preset {id}"))
    })
}

/// The sweep a link asks for, as a sweep link: the link itself when it has `sweep=` keys or
/// names a sweep preset, and a link with `runs=K` (Fig. 19's t1–t2 scatter) as the sweep over
/// its K seeds `seed … seed+K−1` (`t_skills` = t1;t2 per run). `None` for an ordinary run.
/// The page and `skills run` both go through here.
pub fn as_sweep(query: &str) -> Option<String> {
    let q = query::of_link(query);
    let parts: Vec<&str> = query::parts(q).collect();
    let key = |p: &&str| query::key(p).to_string();
    if sweep_marker(query).is_some() {
        return Some(parts.join("&"));
    }
    // only a link's own `runs=` asks for a scatter (presets never set it in their base), so
    // an ordinary link is not parsed here a second time
    if !parts.iter().any(|p| key(p) == "runs") {
        return None;
    }
    let parsed = parse(q);
    let c = &parsed.config;
    if c.runs <= 1 {
        return None;
    }
    let base: Vec<&str> = parts
        .iter()
        .filter(|p| !matches!(key(p).as_str(), "runs" | "seed"))
        .copied()
        .collect();
    let last = c.seed + c.runs as u64 - 1;
    Some(format!(
        "{}&sweep=seed:{}..{last}:{}",
        base.join("&"),
        c.seed,
        c.runs
    ))
}

/// One grid point, materialised from the sweep when it runs ([`Sweep::run`]).
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    pub index: usize,
    /// (key, value) per axis.
    pub point: Vec<(String, String)>,
    pub query: String,
}

/// The number of runs of axes of these lengths, computed in checked arithmetic: `None` when
/// it exceeds `max` (a product that would wrap around in `usize`, as 65 536 × 65 536 does on
/// 32-bit wasm, is `None` too).
pub fn run_count(lengths: &[usize], max: usize) -> Option<usize> {
    lengths
        .iter()
        .try_fold(1u64, |acc, &n| acc.checked_mul(n as u64))
        .filter(|&n| n <= max as u64)
        .map(|n| n as usize)
}

/// The vocabulary's declaration of a key that may be swept, or why it may not: every key of
/// [`SCHEMA`](crate::link::SCHEMA) but `v`, `preset`, `runs` (itself a sweep over seeds)
/// and the structured text keys (`p`, `and`, `or`, `sw`: their values hold the axis' own
/// separators).
pub fn sweepable(key: &str) -> Result<&'static KeySpec, String> {
    let Some(spec) = spec_of(key) else {
        return Err(format!(
            "{:?} is not a key of the link vocabulary (`skills keys` lists them)",
            short(key)
        ));
    };
    match (spec.key, spec.kind) {
        ("v" | "preset", _) => Err(format!("{key} cannot be swept")),
        ("runs", _) => {
            Err("runs cannot be swept (runs=K is a sweep over seeds: sweep seed)".into())
        }
        (_, Kind::Text) => Err(format!("{key} cannot be swept (its value is a list)")),
        _ => Ok(spec),
    }
}

/// At most 40 characters of a text, for messages.
fn short(s: &str) -> String {
    let mut t: String = s.chars().take(40).collect();
    if t.len() < s.len() {
        t.push('…');
    }
    t
}

/// One value of a swept key, read by the link's own parser (type and range) and written back
/// by the vocabulary's writer: the canonical text every grid point and CSV row uses.
fn canonical(key: &str, value: &str) -> Result<String, String> {
    let parsed = parse(&format!("{key}={}", query::encode(value)));
    match parsed.problems.iter().find(|p| p.key == key) {
        Some(p) => Err(format!(
            "{key}={}: {}",
            short(value),
            p.message.replace("; using the default", "")
        )),
        None => Ok(parsed.config.get(key)),
    }
}

/// The points of a range `a..b:count[:log]` of a key of this kind: whole numbers for a
/// whole-number key (a linear range must land on them; a log range is rounded), else the
/// shortest decimal of each point.
fn range(spec: &str, kind: Kind) -> Result<Vec<String>, String> {
    let (a, rest) = spec.split_once("..").unwrap_or((spec, ""));
    let mut it = rest.split(':');
    let b = it.next().unwrap_or("");
    let count: usize = it.next().and_then(|c| c.parse().ok()).ok_or_else(|| {
        format!(
            "{:?}: a range needs a count, as in 20..1000:50",
            short(spec)
        )
    })?;
    let log = match it.next() {
        None => false,
        Some("log") => true,
        Some(other) => {
            return Err(format!(
                "{:?}: only `log` may follow the count",
                short(other)
            ))
        }
    };
    if it.next().is_some() {
        return Err(format!("{:?}: nothing may follow `log`", short(spec)));
    }
    let (a, b): (f64, f64) = (
        a.parse()
            .map_err(|_| format!("{:?} is not a number", short(a)))?,
        b.parse()
            .map_err(|_| format!("{:?} is not a number", short(b)))?,
    );
    if !(1..=MAX_RUNS).contains(&count) || !a.is_finite() || !b.is_finite() {
        return Err(format!(
            "{:?}: count must be 1…{MAX_RUNS} and the ends finite",
            short(spec)
        ));
    }
    if log && (a <= 0.0 || b <= 0.0) {
        return Err(format!(
            "{:?}: a log range needs positive ends",
            short(spec)
        ));
    }
    let integer = matches!(kind, Kind::Int { .. });
    let mut values = Vec::with_capacity(count);
    for i in 0..count {
        let f = if count == 1 {
            0.0
        } else {
            i as f64 / (count - 1) as f64
        };
        let x = if log {
            // 12 significant digits: 1e-5, not the 9.999999999999999e-6 of 10^(−5.0…)
            crate::lab::round_sig(
                libm::pow(10.0, libm::log10(a) + f * (libm::log10(b) - libm::log10(a))),
                12,
            )
        } else {
            // a + f·(b − a) overflows for ends of opposite sign near ±f64::MAX
            a * (1.0 - f) + b * f
        };
        if !x.is_finite() {
            return Err(format!("{:?}: a point is not finite", short(spec)));
        }
        if integer {
            let r = x.round();
            if !log && (x - r).abs() > 1e-9 * r.abs().max(1.0) {
                return Err(format!(
                    "{:?} gives {} for a whole-number key; choose a count that lands on whole \
                     numbers or list the values",
                    short(spec),
                    num(x)
                ));
            }
            values.push(num(r));
        } else {
            values.push(num(x));
        }
    }
    Ok(values)
}

/// One axis `key:values` (the link's raw text): the key must be sweepable and every value
/// valid for it, canonical and given once.
fn axis(raw: &str) -> Result<Axis, String> {
    let text = query::decode(raw);
    let (key, spec) = text
        .split_once(':')
        .ok_or_else(|| format!("{:?} is not key:values", short(&text)))?;
    let ks = sweepable(key)?;
    let values: Vec<String> = if spec.contains("..") {
        range(spec, ks.kind)?
    } else {
        spec.split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    if values.is_empty() {
        return Err(format!("{key} has no values"));
    }
    if values.len() > MAX_RUNS {
        return Err(format!(
            "{key}: {} values (at most {MAX_RUNS})",
            values.len()
        ));
    }
    Ok(Axis {
        key: key.to_string(),
        values,
    })
}

impl Axis {
    /// Each value read by the key's parser and written back canonically (once the run
    /// count is known to be within [`MAX_RUNS`]), each given once.
    fn canonical(self) -> Result<Axis, String> {
        let mut seen = std::collections::HashSet::new();
        let mut values = Vec::with_capacity(self.values.len());
        for v in &self.values {
            let c = canonical(&self.key, v)?;
            if !seen.insert(c.clone()) {
                return Err(format!(
                    "{} takes the value {} twice; each grid point runs once",
                    self.key,
                    short(&c)
                ));
            }
            values.push(c);
        }
        Ok(Axis {
            key: self.key,
            values,
        })
    }
}

impl Sweep {
    /// Read a sweep link. Every grid point must be a valid link: each problem is named with
    /// the grid point it comes from.
    pub fn parse(query: &str) -> Result<Sweep, Vec<Problem>> {
        let q = query::of_link(query);
        let mut base = vec![];
        let mut axes = vec![];
        // the key each axis came from (`sweep`, `sweep2`, `sweep3`), to name a repeated key
        let mut axis_keys: Vec<&str> = vec![];
        let mut outputs = Outputs::default();
        let mut problems = vec![];
        // a sweep preset's keys come first; the link's own keys replace them
        let mut parts: Vec<&str> = vec![];
        let own: Vec<&str> = query::parts(q).collect();
        if let Some(id) = own.iter().find_map(|p| p.strip_prefix("preset=")) {
            match SWEEP_PRESETS.iter().find(|p| p.id == id) {
                Some(p) => {
                    // (the link's own `preset=` names this sweep preset: it must not drop
                    // the figure preset the sweep preset's query starts from)
                    let own_keys: Vec<&str> = own
                        .iter()
                        .map(|o| query::key(o))
                        .filter(|k| *k != "preset")
                        .collect();
                    parts.extend(
                        query::parts(p.query).filter(|kv| !own_keys.contains(&query::key(kv))),
                    );
                }
                None if crate::link::presets::find(id).is_none() => problems.push(Problem {
                    key: "preset".into(),
                    message: format!("no sweep or figure preset {:?}", short(id)),
                }),
                None => parts.push(
                    own.iter()
                        .find(|p| p.starts_with("preset="))
                        .copied()
                        .unwrap_or(""),
                ),
            }
        }
        parts.extend(own.iter().filter(|p| !p.starts_with("preset=")));
        for part in parts {
            let (k, v) = query::pair(part);
            match k {
                "sweep" | "sweep2" | "sweep3" => {
                    if axis_keys.contains(&k) {
                        problems.push(Problem {
                            key: k.into(),
                            message: "given more than once (a second axis is sweep2, a third \
                                      sweep3)"
                                .into(),
                        });
                        continue;
                    }
                    axis_keys.push(k);
                    match axis(v) {
                        Ok(a) => axes.push((k, a)),
                        Err(m) => problems.push(Problem {
                            key: k.into(),
                            message: m,
                        }),
                    }
                }
                "record" | "fit" => {
                    if let Err(p) = outputs.read(k, v) {
                        problems.extend(p)
                    }
                }
                _ => base.push(part.to_string()),
            }
        }
        if axis_keys.is_empty() {
            problems.push(Problem {
                key: "sweep".into(),
                message: "a sweep needs sweep=key:values".into(),
            });
        }
        // the axes in their keys' order (sweep, sweep2, sweep3), whatever the link's order
        axes.sort_by_key(|(k, _)| *k);
        for j in 0..axes.len() {
            if let Some(i) = axes[..j].iter().position(|a| a.1.key == axes[j].1.key) {
                problems.push(Problem {
                    key: axes[j].0.into(),
                    message: format!("sweeps the same key as {}", axes[i].0),
                });
            }
        }
        let lengths: Vec<usize> = axes.iter().map(|a| a.1.values.len()).collect();
        let len = match run_count(&lengths, MAX_RUNS) {
            Some(n) => n,
            None => {
                let total = lengths.iter().map(|&n| n as f64).product::<f64>();
                problems.push(Problem {
                    key: "sweep".into(),
                    message: format!("{total} runs (at most {MAX_RUNS})"),
                });
                0
            }
        };
        let mut canon = vec![];
        if problems.is_empty() {
            for (k, a) in axes {
                match a.canonical() {
                    Ok(a) => canon.push(a),
                    Err(m) => problems.push(Problem {
                        key: k.into(),
                        message: m,
                    }),
                }
            }
        }
        let axes = canon;
        let sweep = Sweep {
            link: q.to_string(),
            base: base.join("&"),
            axes,
            outputs,
            len,
        };
        if problems.is_empty() {
            // every grid point must be valid on its own (each is read, then dropped); past
            // CHECK_BUDGET bytes of links (a long base times many runs), an even sample of
            // them with the first and the last, and each run checks its own link as it
            // starts (`run_one`)
            let cost = sweep.len.saturating_mul(sweep.base.len() + 64);
            let stride = cost.div_ceil(CHECK_BUDGET).max(1);
            let last = sweep.len.saturating_sub(1);
            let sample = (0..sweep.len)
                .step_by(stride)
                .chain((!last.is_multiple_of(stride)).then_some(last));
            for run in sample.filter_map(|i| sweep.run(i)) {
                let parsed = parse(&run.query);
                let at: Vec<String> = run.point.iter().map(|(k, v)| format!("{k}={v}")).collect();
                // `fit=n0` adds its fit's time and memory to each run's (link::budget)
                if sweep.outputs.fit_n0 {
                    let budget = &crate::link::Budget::DEFAULT;
                    if let Some(why) = parsed.config.over_with_fit_n0(budget) {
                        problems.push(Problem {
                            key: "fit".into(),
                            message: format!("{why} (at {})", at.join(", ")),
                        });
                    }
                }
                for p in parsed.problems {
                    problems.push(Problem {
                        key: p.key,
                        message: format!(
                            "{} (at {})",
                            p.message.replace("; using the default", ""),
                            at.join(", ")
                        ),
                    });
                }
                if problems.len() >= 20 {
                    break;
                }
            }
        }
        if problems.is_empty() {
            Ok(sweep)
        } else {
            Err(problems)
        }
    }

    /// The number of runs (at most [`MAX_RUNS`]).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Grid point `index` (the first axis varies slowest), its link built from the base only
    /// now: a sweep holds its base once and each run as its index.
    pub fn run(&self, index: usize) -> Option<RunSpec> {
        if index >= self.len {
            return None;
        }
        let point = self.point(index);
        let extra: Vec<String> = point
            .iter()
            .map(|(k, v)| format!("{k}={}", query::encode(v)))
            .collect();
        let query = if self.base.is_empty() {
            extra.join("&")
        } else {
            format!("{}&{}", self.base, extra.join("&"))
        };
        Some(RunSpec {
            index,
            point,
            query,
        })
    }

    /// The (key, value) of each axis at run `index` (first axis slowest), without its link.
    pub fn point(&self, index: usize) -> Vec<(String, String)> {
        let mut rest = index;
        let mut point = vec![(String::new(), String::new()); self.axes.len()];
        for (j, a) in self.axes.iter().enumerate().rev() {
            let n = a.values.len();
            point[j] = (a.key.clone(), a.values[rest % n].clone());
            rest /= n;
        }
        point
    }

    /// Every grid point, in order, each built when the iterator reaches it.
    pub fn runs(&self) -> impl Iterator<Item = RunSpec> + '_ {
        (0..self.len).filter_map(|i| self.run(i))
    }

    /// The run indices of shard `i` of `k` (0-based): every k-th run starting at i, so shards
    /// are balanced even when run cost grows along an axis.
    pub fn shard(&self, i: usize, k: usize) -> impl Iterator<Item = usize> {
        let start = if k > 0 && i < k { i } else { self.len };
        (start..self.len).step_by(k.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_lists_ranges_and_logs() {
        assert_eq!(axis("alpha:1,1.2,1.4").unwrap().values, ["1", "1.2", "1.4"]);
        let dims = axis("dim:20..1000:50").unwrap().values;
        assert_eq!(
            (
                dims.len(),
                dims[0].as_str(),
                dims[1].as_str(),
                dims[49].as_str()
            ),
            (50, "20", "40", "1000")
        );
        let lr = axis("lr:1e-5..0.1:9:log").unwrap().values;
        assert_eq!(lr.len(), 9);
        assert_eq!(
            (lr[0].as_str(), lr[2].as_str(), lr[8].as_str()),
            ("1e-5", "0.0001", "0.1")
        );
        // values are written canonically, by the key's own writer, and decoded first
        let canon = |t: &str| axis(t).and_then(Axis::canonical).map(|a| a.values);
        assert_eq!(canon("alpha:1.50,0%2E5").unwrap(), ["1.5", "0.5"]);
        assert_eq!(canon("opt:adam,sgd").unwrap(), ["adam", "sgd"]);
        assert!((lr[4].parse::<f64>().unwrap() - 1e-3).abs() < 1e-15);
        assert!(
            axis("dim:1..2").is_err() && axis("dim").is_err() && axis("lr:0..1:3:log").is_err()
        );
    }

    #[test]
    fn sweep_links_and_scatter_links() {
        assert_eq!(as_sweep("?v=1&n=5"), None);
        assert_eq!(
            as_sweep("?v=1&preset=fig10s#x").as_deref(),
            Some("v=1&preset=fig10s")
        );
        assert_eq!(
            as_sweep("v=1&sweep=alpha:1,2").as_deref(),
            Some("v=1&sweep=alpha:1,2")
        );
        // Fig. 19's scatter: runs=K is a sweep over K seeds from the link's seed
        let s = as_sweep("v=1&preset=fig19&modular=1&seed=3&runs=4").unwrap();
        assert_eq!(s, "v=1&preset=fig19&modular=1&sweep=seed:3..6:4");
        let sw = Sweep::parse(&s).unwrap();
        assert_eq!(sw.len(), 4);
        assert!(sw.run(3).unwrap().query.ends_with("seed=6"));
    }

    #[test]
    fn a_sweep_preset_link_runs_its_query() {
        // `preset=<sweep id>` must run exactly the grid its query spells out (fig19scatter's
        // query starts from the figure preset fig19: the link's own preset= once dropped it,
        // and the scatter ran the default Geometry model)
        for p in SWEEP_PRESETS {
            let by_id = Sweep::parse(&format!("v=1&preset={}", p.id)).unwrap();
            let by_query = Sweep::parse(&format!("v=1&{}", p.query)).unwrap();
            assert_eq!(by_id.len(), by_query.len(), "{}", p.id);
            for (x, y) in by_id.runs().zip(by_query.runs()) {
                let (cx, cy) = (parse(&x.query).config, parse(&y.query).config);
                assert!(
                    cx == cy,
                    "{}: {} runs {} instead of {}",
                    p.id,
                    x.query,
                    cx.to_query(),
                    cy.to_query()
                );
            }
        }
        let s = Sweep::parse("v=1&preset=fig19scatter").unwrap();
        for r in s.runs() {
            let c = parse(&r.query).config;
            assert_eq!(c.model, crate::link::Model::Modular, "{}", r.query);
        }
    }

    #[test]
    fn sweep_presets_parse_and_can_be_overridden() {
        let counts = [
            ("fig10n", 1400),
            ("fig10n-small", 12),
            ("fig10n-seeds", 48),
            ("fig10s", 18),
            ("fig10s-seeds", 240),
            ("fig18", 600),
            ("fig10c", 7),
            ("fig18b", 6),
            ("fig4r", 50),
            ("fig7n0", 10),
            ("fig19scatter", 200),
            ("fig4r-sgd", 46),
            ("fig4r-adam", 50),
            ("fig7n0-lr", 9),
            ("fig7n0-batch", 8),
        ];
        for p in SWEEP_PRESETS {
            let s = Sweep::parse(&format!("v=1&preset={}", p.id))
                .unwrap_or_else(|e| panic!("{}: {e:?}", p.id));
            let want = counts.iter().find(|c| c.0 == p.id).map(|c| c.1);
            assert_eq!(Some(s.len()), want, "{}", p.id);
            assert!(!p.caption.is_empty() && !p.cost.is_empty());
        }
        let s = Sweep::parse("v=1&preset=fig10s&sweep2=seed:5..5:1").unwrap();
        assert_eq!(s.len(), 6);
        let q = s.run(0).unwrap().query;
        assert!(q.ends_with("alpha=1&seed=5"), "{q}");
        assert_eq!(
            Sweep::parse("v=1&preset=nope&sweep=n:1,2").unwrap_err()[0].key,
            "preset"
        );
        // a figure preset is a base like any other key
        assert_eq!(
            Sweep::parse("v=1&preset=fig4&sweep=p1:0.5,0.9")
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn bad_sweeps_are_named() {
        // a value is read by its key's parser, before any grid point
        let e = Sweep::parse("v=1&sweep=lr:-1,0.1").unwrap_err();
        assert_eq!(e[0].key, "sweep");
        assert!(e[0].message.starts_with("lr=-1: -1 is outside"), "{e:?}");
        // a grid point is named by its values when the rule is between keys
        let e = Sweep::parse("v=1&n=20&sweep=dim:10,30").unwrap_err();
        assert!(e[0].message.contains("(at dim=10)"), "{e:?}");
        assert_eq!(Sweep::parse("v=1").unwrap_err()[0].key, "sweep");
        assert!(Sweep::parse("v=1&sweep=n:1..10000:10000&sweep2=seed:0..9:10").is_err());
    }

    #[test]
    fn run_counts_never_wrap() {
        // 65 536 × 65 536 = 2^32 wraps to 0 in a 32-bit usize (the page's wasm ran it)
        assert_eq!((65_536u32).wrapping_mul(65_536), 0);
        assert_eq!(run_count(&[65_536, 65_536], MAX_RUNS), None);
        assert_eq!(run_count(&[100_000; 4], MAX_RUNS), None);
        assert_eq!(run_count(&[usize::MAX, 2], usize::MAX), None);
        assert_eq!(run_count(&[100, 1000], MAX_RUNS), Some(100_000));
        let e =
            Sweep::parse("v=1&m=domino&steps=1&sweep=seed:0..65535:65536&sweep2=alpha:0..1:65536")
                .unwrap_err();
        assert!(e[0].message.contains("4294967296 runs"), "{e:?}");
        // a repeated `sweep` key is not a fourth axis (four of them once overflowed u64)
        let e = Sweep::parse(
            "v=1&sweep=seed:0..99999:100000&sweep=alpha:0..1:100000&sweep2=n:1..10000:10000&sweep3=dim:1..100000:100000",
        )
        .unwrap_err();
        assert!(
            e.iter()
                .any(|p| p.key == "sweep" && p.message.contains("more than once")),
            "{e:?}"
        );
    }

    #[test]
    fn a_sweep_holds_its_base_once() {
        // 10 000 frequencies × 100 000 seeds (the hostile link that reached 2.7 GB): the
        // base is kept once, each run's link is built when asked for, and the up-front check
        // reads a sample of the links, not 5 GB of them
        let p: Vec<String> = (0..10_000).map(|i| format!("{}", i + 1)).collect();
        let link = format!(
            "v=1&m=resource&steps=1&p={}&sweep=seed:0..99999:100000",
            p.join(",")
        );
        let start = std::time::Instant::now();
        let s = Sweep::parse(&link).unwrap();
        assert!(
            start.elapsed().as_secs_f64() < 30.0,
            "{:?}",
            start.elapsed()
        );
        assert_eq!(s.len(), 100_000);
        // what the sweep holds: the base once and 100 000 short values (a copy of the base
        // per run was 100 000 × 50 kB = 5 GB)
        let held = s.base.len()
            + s.axes
                .iter()
                .flat_map(|a| &a.values)
                .map(|v| v.len() + 24)
                .sum::<usize>();
        assert!(held < link.len() + 100_000 * 32, "{held}");
        let r = s.run(99_999).unwrap();
        assert_eq!(r.point, [("seed".into(), "99999".into())]);
        assert!(r.query.ends_with("&seed=99999"));
        // a grid point that was not checked up front checks itself when it runs
        let bad = RunSpec {
            index: 0,
            point: vec![],
            query: "v=1&m=resource&steps=1&lr=-1".into(),
        };
        let e = crate::sweep::run_one(&bad, &Outputs::default())
            .error
            .unwrap();
        assert!(e.starts_with("invalid grid point: lr:"), "{e}");
    }

    #[test]
    fn only_known_sweepable_keys_and_valid_values() {
        for (link, key, phrase) in [
            (
                "v=1&m=resource&steps=2&sweep=x:-1e308,1e308",
                "sweep",
                "\"x\" is not a key",
            ),
            ("v=1&sweep=embed:0,1", "sweep", "not a key"),
            ("v=1&sweep=p:0.5,0.25", "sweep", "p cannot be swept"),
            ("v=1&sweep=runs:1,2", "sweep", "runs cannot be swept"),
            ("v=1&sweep=v:1", "sweep", "v cannot be swept"),
            ("v=1&sweep2=alpha:1,%3D1%2B1", "sweep2", "alpha="),
            ("v=1&sweep=opt:adam,@SUM(1)", "sweep", "opt="),
            ("v=1&sweep=alpha:1,1.0", "sweep", "twice"),
            ("v=1&sweep=lr:1e-3,20", "sweep", "lr=20"),
        ] {
            let e = Sweep::parse(link).unwrap_err();
            assert!(
                e.iter().any(|p| p.key == key && p.message.contains(phrase)),
                "{link}: {e:?}"
            );
        }
    }

    #[test]
    fn ranges_keep_the_keys_type() {
        // a float key keeps its fractions whatever the ends (this once ran 1, 1, 2, 2, 2)
        assert_eq!(
            axis("alpha:1..2:5").unwrap().values,
            ["1", "1.25", "1.5", "1.75", "2"]
        );
        // a whole-number key: a range must land on whole numbers
        assert_eq!(
            axis("seed:0..8:5").unwrap().values,
            ["0", "2", "4", "6", "8"]
        );
        let e = axis("dim:1..2:5").unwrap_err();
        assert!(e.contains("whole-number key") && e.contains("1.25"), "{e}");
        // a log range of a whole-number key is rounded; points that coincide are refused
        assert_eq!(
            axis("dim:10..1000:3:log").unwrap().values,
            ["10", "100", "1000"]
        );
        let e = axis("dim:1..2:5:log")
            .and_then(Axis::canonical)
            .unwrap_err();
        assert!(e.contains("twice"), "{e}");
        // ends of opposite sign near the largest number do not overflow (and are refused)
        assert_eq!(axis("alpha:-1e308..1e308:3").unwrap().values[1], "0");
        let e = axis("alpha:-1e308..1e308:3")
            .and_then(Axis::canonical)
            .unwrap_err();
        assert!(e.contains("alpha="), "{e}");
    }

    #[test]
    fn a_key_swept_twice_is_named_whichever_axes_repeat_it() {
        let e = Sweep::parse("v=1&sweep=alpha:1,2&sweep2=alpha:3").unwrap_err();
        assert_eq!(
            (e[0].key.as_str(), e[0].message.as_str()),
            ("sweep2", "sweeps the same key as sweep")
        );
        // the third axis repeating the first (or the second) is caught too: it used to run a
        // grid whose links gave `alpha` twice
        let e = Sweep::parse("v=1&sweep=alpha:1,2&sweep2=seed:0,1&sweep3=alpha:3").unwrap_err();
        assert_eq!(
            (e[0].key.as_str(), e[0].message.as_str()),
            ("sweep3", "sweeps the same key as sweep")
        );
        let e = Sweep::parse("v=1&sweep=seed:0,1&sweep2=alpha:1,2&sweep3=alpha:3").unwrap_err();
        assert_eq!(
            (e[0].key.as_str(), e[0].message.as_str()),
            ("sweep3", "sweeps the same key as sweep2")
        );
        assert!(
            Sweep::parse("v=1&m=resource&sweep=alpha:1,2&sweep2=seed:0,1&sweep3=n0:0,0.1").is_ok()
        );
    }
}
