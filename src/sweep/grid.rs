//! A sweep link: a base link plus one to three swept keys (`sweep`, `sweep2`, `sweep3`), the
//! outputs each run reports (`record=`, `fit=n0`), and its grid of ordinary links in order.

use super::presets::SWEEP_PRESETS;
use crate::link::{num, parse, query, Problem};

/// At most this many runs in one sweep.
pub const MAX_RUNS: usize = 100_000;

/// One swept key and its values (as link text).
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub key: String,
    pub values: Vec<String>,
}

/// A parsed sweep link.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// The link without the sweep keys.
    pub base: String,
    pub axes: Vec<Axis>,
    pub outputs: Outputs,
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
                        Ok(x) => self.record.push(x),
                        Err(_) => problems.push(Problem {
                            key: k.into(),
                            message: format!("{s:?} is not a step"),
                        }),
                    }
                }
            }
            "fit" if v == "n0" => self.fit_n0 = true,
            "fit" => problems.push(Problem {
                key: k.into(),
                message: format!("{v:?}: the only fit is n0"),
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

/// The sweep a link asks for, as a sweep link: the link itself when it has `sweep=` keys or
/// names a sweep preset, and a link with `runs=K` (Fig. 19's t1–t2 scatter) as the sweep over
/// its K seeds `seed … seed+K−1` (`t_skills` = t1;t2 per run). `None` for an ordinary run.
/// The page and `skills run` both go through here.
pub fn as_sweep(query: &str) -> Option<String> {
    let q = query::of_link(query);
    let parts: Vec<&str> = query::parts(q).collect();
    let key = |p: &&str| query::key(p).to_string();
    let is_sweep = parts.iter().any(|p| {
        matches!(key(p).as_str(), "sweep" | "sweep2" | "sweep3")
            || p.strip_prefix("preset=")
                .is_some_and(|id| SWEEP_PRESETS.iter().any(|s| s.id == id))
    });
    if is_sweep {
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

/// One grid point.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    pub index: usize,
    /// (key, value) per axis.
    pub point: Vec<(String, String)>,
    pub query: String,
}

fn axis(text: &str) -> Result<Axis, String> {
    let (key, spec) = text
        .split_once(':')
        .ok_or_else(|| format!("{text:?} is not key:values"))?;
    if matches!(
        key,
        "sweep" | "sweep2" | "sweep3" | "record" | "fit" | "preset" | ""
    ) {
        return Err(format!("cannot sweep {key:?}"));
    }
    let values: Vec<String> = if let Some((a, rest)) = spec.split_once("..") {
        let mut it = rest.split(':');
        let b = it.next().unwrap_or("");
        let count: usize = it
            .next()
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| format!("{spec:?}: a range needs a count, as in 20..1000:50"))?;
        let log = match it.next() {
            None => false,
            Some("log") => true,
            Some(other) => return Err(format!("{other:?}: only `log` may follow the count")),
        };
        let (a, b): (f64, f64) = (
            a.parse().map_err(|_| format!("{a:?} is not a number"))?,
            b.parse().map_err(|_| format!("{b:?} is not a number"))?,
        );
        if !(1..=MAX_RUNS).contains(&count) || !a.is_finite() || !b.is_finite() {
            return Err(format!(
                "{spec:?}: count must be 1…{MAX_RUNS} and the ends finite"
            ));
        }
        if log && (a <= 0.0 || b <= 0.0) {
            return Err(format!("{spec:?}: a log range needs positive ends"));
        }
        let integer = a.fract() == 0.0 && b.fract() == 0.0 && !log;
        (0..count)
            .map(|i| {
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
                    a + f * (b - a)
                };
                if integer {
                    format!("{}", x.round() as i64)
                } else {
                    num(x)
                }
            })
            .collect()
    } else {
        spec.split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    if values.is_empty() {
        return Err(format!("{text:?} has no values"));
    }
    Ok(Axis {
        key: key.to_string(),
        values,
    })
}

impl Sweep {
    /// Read a sweep link. Every grid point must be a valid link: each problem is named with
    /// the grid point it comes from.
    pub fn parse(query: &str) -> Result<Sweep, Vec<Problem>> {
        let q = query.split_once('?').map(|(_, q)| q).unwrap_or(query);
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
                    message: format!("no sweep or figure preset {id:?}"),
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
                "sweep" | "sweep2" | "sweep3" => match axis(v) {
                    Ok(a) => {
                        axes.push(a);
                        axis_keys.push(k);
                    }
                    Err(m) => problems.push(Problem {
                        key: k.into(),
                        message: m,
                    }),
                },
                "record" | "fit" => {
                    if let Err(p) = outputs.read(k, v) {
                        problems.extend(p)
                    }
                }
                _ => base.push(part.to_string()),
            }
        }
        if axes.is_empty() {
            problems.push(Problem {
                key: "sweep".into(),
                message: "a sweep needs sweep=key:values".into(),
            });
        }
        for (j, b) in axes.iter().enumerate() {
            if let Some(i) = axes[..j].iter().position(|a| a.key == b.key) {
                problems.push(Problem {
                    key: axis_keys[j].into(),
                    message: format!("sweeps the same key as {}", axis_keys[i]),
                });
            }
        }
        let total: usize = axes.iter().map(|a| a.values.len()).product();
        if total > MAX_RUNS {
            problems.push(Problem {
                key: "sweep".into(),
                message: format!("{total} runs (at most {MAX_RUNS})"),
            });
        }
        let sweep = Sweep {
            base: base.join("&"),
            axes,
            outputs,
        };
        if problems.is_empty() {
            // every grid point must be valid on its own
            for run in sweep.runs() {
                let parsed = parse(&run.query);
                for p in parsed.problems {
                    let at: Vec<String> =
                        run.point.iter().map(|(k, v)| format!("{k}={v}")).collect();
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

    /// Every grid point, in order (the first axis varies slowest).
    pub fn runs(&self) -> Vec<RunSpec> {
        let mut points: Vec<Vec<(String, String)>> = vec![vec![]];
        for a in &self.axes {
            points = points
                .into_iter()
                .flat_map(|p| {
                    a.values.iter().map(move |v| {
                        let mut q = p.clone();
                        q.push((a.key.clone(), v.clone()));
                        q
                    })
                })
                .collect();
        }
        points
            .into_iter()
            .enumerate()
            .map(|(index, point)| {
                let extra: Vec<String> = point.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let query = if self.base.is_empty() {
                    extra.join("&")
                } else {
                    format!("{}&{}", self.base, extra.join("&"))
                };
                RunSpec {
                    index,
                    point,
                    query,
                }
            })
            .collect()
    }

    /// The runs of shard `i` of `k` (0-based): every k-th run starting at i, so shards are
    /// balanced even when run cost grows along an axis.
    pub fn shard(&self, i: usize, k: usize) -> Vec<RunSpec> {
        self.runs()
            .into_iter()
            .filter(|r| k > 0 && r.index % k == i)
            .collect()
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
        assert_eq!(sw.runs().len(), 4);
        assert!(sw.runs()[3].query.ends_with("seed=6"));
    }

    #[test]
    fn a_sweep_preset_link_runs_its_query() {
        // `preset=<sweep id>` must run exactly the grid its query spells out (fig19scatter's
        // query starts from the figure preset fig19: the link's own preset= once dropped it,
        // and the scatter ran the default Geometry model)
        for p in SWEEP_PRESETS {
            let by_id = Sweep::parse(&format!("v=1&preset={}", p.id)).unwrap();
            let by_query = Sweep::parse(&format!("v=1&{}", p.query)).unwrap();
            let (a, b) = (by_id.runs(), by_query.runs());
            assert_eq!(a.len(), b.len(), "{}", p.id);
            for (x, y) in a.iter().zip(&b) {
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
            assert_eq!(Some(s.runs().len()), want, "{}", p.id);
            assert!(!p.caption.is_empty() && !p.cost.is_empty());
        }
        let s = Sweep::parse("v=1&preset=fig10s&sweep2=seed:5..5:1").unwrap();
        assert_eq!(s.runs().len(), 6);
        assert!(
            s.runs()[0].query.ends_with("alpha=1&seed=5"),
            "{}",
            s.runs()[0].query
        );
        assert_eq!(
            Sweep::parse("v=1&preset=nope&sweep=n:1,2").unwrap_err()[0].key,
            "preset"
        );
        // a figure preset is a base like any other key
        assert_eq!(
            Sweep::parse("v=1&preset=fig4&sweep=p1:0.5,0.9")
                .unwrap()
                .runs()
                .len(),
            2
        );
    }

    #[test]
    fn bad_sweeps_are_named() {
        let e = Sweep::parse("v=1&sweep=lr:-1,0.1").unwrap_err();
        assert!(e[0].message.contains("at lr=-1"), "{e:?}");
        assert_eq!(Sweep::parse("v=1").unwrap_err()[0].key, "sweep");
        assert!(Sweep::parse("v=1&sweep=n:1..100000:100000&sweep2=seed:0..9:10").is_err());
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
