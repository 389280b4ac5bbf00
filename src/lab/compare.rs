//! The second configuration of a comparison ([`Compare`]): the page's own configuration with
//! some keys set differently, carried in the link's fragment `#vs=…`.

use crate::link::{query, spec_of, Config, Model, Problem};

/// At most this many differences are read from a comparison (the vocabulary has fewer keys;
/// each difference re-reads the whole configuration, so a crafted `#vs=` with thousands of
/// pairs would block the page).
pub const MAX_DIFFS: usize = 64;
/// Keys longer than this are named cut short in a problem.
const KEY_SHOWN: usize = 32;

/// The second configuration of a comparison: the first one with some keys set differently.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Compare {
    /// (key, value) in link form, applied in order.
    pub diffs: Vec<(String, String)>,
}

/// A ready-made comparison of the Compare panel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompareExample {
    pub label: &'static str,
    /// The model the comparison is about.
    pub model: Model,
    /// Keys set on A: on the run on screen when it is of `model` and the example has no
    /// setup of its own (so "SignGD vs SGD" on Fig. 4 compares Fig. 4's two skills), else
    /// on the model's defaults.
    pub a: &'static str,
    /// B's differences from A (the `#vs=` fragment).
    pub b: &'static str,
    /// A's keys are a setup of their own (the experiment the label names): A always starts
    /// from the model's defaults.
    pub own_setup: bool,
}

/// The ready-made comparisons.
pub const COMPARE_EXAMPLES: &[CompareExample] = &[
    CompareExample {
        label: "SignGD vs SGD",
        model: Model::Geometry,
        a: "opt=signgd",
        b: "opt=sgd&lr=0.03",
        own_setup: false,
    },
    CompareExample {
        label: "SignGD vs Adam",
        model: Model::Geometry,
        a: "opt=signgd",
        b: "opt=adam",
        own_setup: false,
    },
    CompareExample {
        label: "Modular vs not",
        model: Model::Geometry,
        a: "vec=unit&loss=ce&dim=20&n=40&lr=0.01&batch=1024&steps=1500",
        b: "vec=basis",
        own_setup: true,
    },
    CompareExample {
        label: "N0 = 0.001 vs 1",
        model: Model::Resource,
        a: "n0=0.001",
        b: "n0=1",
        own_setup: false,
    },
    CompareExample {
        label: "α = 1 vs 4",
        model: Model::Resource,
        a: "alpha=1",
        b: "alpha=4",
        own_setup: true,
    },
];

/// A's configuration of a ready-made comparison ([`CompareExample::first`]).
#[derive(Clone, Debug, PartialEq)]
pub struct First {
    pub config: Config,
    /// A is the run on screen with the example's keys set (its preset still applies).
    pub on_screen: bool,
}

impl CompareExample {
    /// A's configuration when the run on screen is `current` (its seed kept).
    pub fn first(&self, current: &Config) -> First {
        let on_screen = !self.own_setup && current.model == self.model;
        let base = if on_screen {
            current.clone()
        } else {
            Config {
                seed: current.seed,
                ..Config::defaults(self.model)
            }
        };
        let (config, _) = set_keys(&base, self.a);
        First { config, on_screen }
    }
}

impl Compare {
    /// Read `a=1&b=2` (the page's `#vs=` text); pairs without `=` are skipped.
    pub fn parse(text: &str) -> Compare {
        let diffs = query::parts(text)
            .filter(|kv| kv.contains('='))
            .map(query::pair)
            .filter_map(|(k, v)| {
                let k = k.trim();
                (!k.is_empty()).then(|| (k.to_string(), v.to_string()))
            })
            .collect();
        Compare { diffs }
    }

    pub fn text(&self) -> String {
        self.diffs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The second configuration: `base` with each difference set as a control would set it.
    /// Each refused difference (an unknown key, a bad value, one past [`MAX_DIFFS`]) is named
    /// and skipped; [`Applied::kept`] holds the differences that were set, each key once (its
    /// last value), so B's label and link show only what B runs.
    pub fn apply(&self, base: &Config) -> Applied {
        let mut c = base.clone();
        let mut problems = vec![];
        let mut kept: Vec<(String, String)> = vec![];
        for (i, (k, v)) in self.diffs.iter().enumerate() {
            if i == MAX_DIFFS {
                problems.push(Problem {
                    key: "vs".into(),
                    message: format!(
                        "{} differences (at most {MAX_DIFFS}); the rest are ignored",
                        self.diffs.len()
                    ),
                });
                break;
            }
            if spec_of(k).is_none() {
                let shown: String = k.chars().take(KEY_SHOWN).collect();
                let cut = if shown.len() < k.len() { "…" } else { "" };
                problems.push(Problem {
                    key: format!("{shown}{cut}"),
                    message: "not a key of the vocabulary; B ignores it".into(),
                });
                continue;
            }
            // a refused difference changes nothing (`m`, `preset` and `v` re-read the whole
            // link, so their result with problems is not B's configuration either)
            let (next, p) = c.with(k, v);
            if p.is_empty() {
                c = next;
                kept.retain(|(kk, _)| kk != k);
                kept.push((k.clone(), v.clone()));
            }
            problems.extend(p);
        }
        Applied {
            config: c,
            problems,
            kept: Compare { diffs: kept },
        }
    }

    /// This comparison with `key` set to `value` in B: the key's earlier differences are
    /// dropped and the new one goes last (differences apply in order, so a key B's editor
    /// writes after another, as `or` after `and` in a switch AND → OR, is read after it).
    pub fn with_diff(&self, key: &str, value: &str) -> Compare {
        let mut diffs = self.diffs.clone();
        diffs.retain(|(k, _)| k != key);
        diffs.push((key.to_string(), value.to_string()));
        Compare { diffs }
    }

    /// A short description: "opt = sgd, lr = 0.03".
    pub fn describe(&self) -> String {
        self.diffs
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// B's label: the differences B runs, then how many differences of `#vs=` B ignored (each is
/// named in the page's notice and beside the Compare form, never in the label, which shows
/// only what B runs): "opt = sgd (2 ignored)", short enough for the chart's heading.
pub fn label_b(kept: Option<&Compare>, problems: &[Problem]) -> String {
    let label = kept.map(|c| c.describe()).unwrap_or_default();
    match problems.len() {
        0 => label,
        k if label.is_empty() => format!("{k} ignored"),
        k => format!("{label} ({k} ignored)"),
    }
}

/// A comparison applied to a configuration ([`Compare::apply`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    /// B's configuration.
    pub config: Config,
    /// Each refused difference, named.
    pub problems: Vec<Problem>,
    /// The differences that were set.
    pub kept: Compare,
}

/// Set keys of a `k=v&…` text on a configuration (a compare example's first half).
pub fn set_keys(base: &Config, text: &str) -> (Config, Vec<Problem>) {
    let a = Compare::parse(text).apply(base);
    (a.config, a.problems)
}

/// Percent-encoding for a URL fragment: everything but ASCII letters, digits and `-_.~`.
pub fn percent_encode(s: &str) -> String {
    query::encode_fragment(s)
}

/// The inverse of [`percent_encode`]; malformed escapes are kept as they are, invalid UTF-8
/// is replaced. Never panics.
pub fn percent_decode(s: &str) -> String {
    query::decode_fragment(s)
}

/// The comparison named by a URL fragment `#vs=<percent-encoded k=v&…>` (None if absent).
pub fn compare_from_hash(hash: &str) -> Option<Compare> {
    let h = hash.trim_start_matches('#');
    query::parts(h)
        .find_map(|part| part.strip_prefix("vs="))
        .map(|v| Compare::parse(&percent_decode(v)))
}

/// The URL fragment of a comparison ("" for none).
pub fn compare_hash(c: Option<&Compare>) -> String {
    match c {
        Some(c) => format!("#vs={}", percent_encode(&c.text())),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::parse;

    #[test]
    fn compare_applies_differences_and_names_bad_ones() {
        let base = parse("m=geometry&n=4&dim=50&steps=20").config;
        let c = Compare::parse("opt=sgd&lr=0.03&zzz&n=abc");
        assert_eq!(c.diffs.len(), 3);
        let Applied {
            config: b,
            problems,
            kept,
        } = c.apply(&base);
        assert_eq!(b.get("opt"), "sgd");
        assert_eq!(b.get("lr"), "0.03");
        assert_eq!(b.n, 4, "bad n kept the old value");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(b.seed, base.seed);
        assert_eq!(c.describe(), "opt = sgd, lr = 0.03, n = abc");
        assert_eq!(
            kept.describe(),
            "opt = sgd, lr = 0.03",
            "B's label: what was set"
        );
        for ex in COMPARE_EXAMPLES {
            let (a, p) = set_keys(&Config::defaults(ex.model), ex.a);
            assert!(p.is_empty(), "{}: {p:?}", ex.label);
            let applied = Compare::parse(ex.b).apply(&a);
            assert!(
                applied.problems.is_empty(),
                "{}: {:?}",
                ex.label,
                applied.problems
            );
            assert_eq!(applied.kept, Compare::parse(ex.b), "{}", ex.label);
        }
    }

    fn example(label: &str) -> &'static CompareExample {
        COMPARE_EXAMPLES.iter().find(|e| e.label == label).unwrap()
    }

    #[test]
    fn a_compare_example_keeps_the_run_on_screen_as_a() {
        // the issue: "SignGD vs SGD" on Fig. 4 replaced A with the default 10-skill model
        let fig4 = parse("preset=fig4&opt=signgd&p1=0.9").config;
        let first = example("SignGD vs SGD").first(&fig4);
        assert!(first.on_screen);
        assert_eq!(first.config, fig4, "A is Fig. 4's run as it was");
        assert_eq!(first.config.skills(), 2);
        let b = Compare::parse(example("SignGD vs SGD").b).apply(&first.config);
        assert_eq!((b.config.skills(), b.config.get("opt")), (2, "sgd".into()));
        // on an Adam run, A becomes SignGD: the label's first half
        let adam = parse("preset=fig4&opt=adam").config;
        let first = example("SignGD vs Adam").first(&adam);
        assert_eq!(first.config.get("opt"), "signgd");
        assert_eq!(first.config.p1, adam.p1);
        // another model, or an example with a setup of its own: the model's defaults, same seed
        let res = parse("m=resource&seed=7&n0=0.01").config;
        let first = example("SignGD vs SGD").first(&res);
        assert!(!first.on_screen);
        assert_eq!(
            (first.config.model, first.config.seed),
            (Model::Geometry, 7)
        );
        let first = example("N0 = 0.001 vs 1").first(&res);
        assert!(first.on_screen && first.config.n0 == 0.001 && first.config.seed == 7);
        let first = example("α = 1 vs 4").first(&res);
        assert!(!first.on_screen);
        assert_eq!(first.config.alpha, 1.0, "the label's α = 1");
        let first = example("Modular vs not").first(&fig4);
        assert_eq!((first.config.n, first.config.dim), (40, 20));
    }

    #[test]
    fn unknown_keys_in_a_comparison_are_named_and_left_out_of_its_label() {
        let base = parse("m=geometry&n=4&dim=50&steps=20").config;
        let long = "k".repeat(5000);
        let text = format!("bogus=1&opt=sgd&embed=1&{long}=2&opt=adam&n=0");
        let a = Compare::parse(&text).apply(&base);
        let keys: Vec<&str> = a.problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys.len(), 4, "{:?}", a.problems);
        assert_eq!(&keys[..2], ["bogus", "embed"]);
        assert!(keys[2].len() < 40 && keys[2].ends_with('…'), "{}", keys[2]);
        assert_eq!(keys[3], "n");
        assert_eq!(
            a.kept.describe(),
            "opt = adam",
            "each key once, its last value"
        );
        assert_eq!(a.config.get("opt"), "adam");
        assert_eq!(a.config.n, 4);
        // a refused model or preset changes nothing either (a link with a bad `m` runs the
        // default model, but B is A with the refused difference left out)
        let resource = parse("m=resource&n=4&steps=20").config;
        for bad in ["m=nonsense", "preset=nonsense", "v=2"] {
            let a = Compare::parse(bad).apply(&resource);
            assert_eq!(a.problems.len(), 1, "{bad}: {:?}", a.problems);
            assert_eq!(a.config, resource, "{bad}");
            assert!(a.kept.diffs.is_empty(), "{bad}");
        }
        // a flood of pairs is cut at MAX_DIFFS, with a problem saying so
        let flood = vec!["lr=0.01"; 10 * MAX_DIFFS].join("&");
        let a = Compare::parse(&flood).apply(&base);
        assert_eq!(a.problems.len(), 1, "{:?}", a.problems);
        assert_eq!(a.problems[0].key, "vs");
        assert_eq!(a.kept.describe(), "lr = 0.01");
    }

    #[test]
    fn b_edited_on_its_dominoes_keeps_its_other_differences() {
        // the issue: B's dominoes could not be edited; an edit of B's graph sets B's `and` /
        // `or` in #vs= (A unchanged) and keeps B's other differences
        let a = parse("preset=fig17and").config;
        let c = Compare::parse("and=5:1-2,7:5-6&seed=3&or=6:3-4");
        // skill 7 switched from AND to OR: `and` loses it before `or` gains it
        let edited = c.with_diff("and", "5:1-2").with_diff("or", "6:3-4,7:5-6");
        assert_eq!(edited.text(), "seed=3&and=5:1-2&or=6:3-4,7:5-6");
        let b = edited.apply(&a);
        assert!(b.problems.is_empty(), "{:?}", b.problems);
        assert_eq!(
            (b.config.get("and"), b.config.get("or")),
            ("5:1-2".into(), "6:3-4,7:5-6".into())
        );
        assert_eq!(b.config.seed, 3);
        // written in the other order, 7 would be in both lists when `or` is read: refused
        let wrong = Compare::parse("or=6:3-4,7:5-6&and=5:1-2").apply(&a);
        assert!(!wrong.problems.is_empty());
        // a p list written for B implies freq=list there too
        let r = parse("m=resource&n=3").config;
        let b = Compare::default().with_diff("p", "0.5,0.3,0.2").apply(&r);
        assert!(b.problems.is_empty(), "{:?}", b.problems);
        assert_eq!(b.config.freqs(), vec![0.5, 0.3, 0.2]);
        assert_ne!(r.freqs(), b.config.freqs());
    }

    #[test]
    fn b_label_names_what_b_ignored() {
        // the issue: bad keys in #vs= were ignored without a notice while B's label showed them
        let base = parse("m=geometry&n=4&dim=50&steps=20").config;
        let a = Compare::parse("bogus=1&opt=sgd&n=abc").apply(&base);
        assert_eq!(label_b(Some(&a.kept), &a.problems), "opt = sgd (2 ignored)");
        assert_eq!(label_b(None, &a.problems[..1]), "1 ignored");
        assert_eq!(label_b(Some(&a.kept), &[]), "opt = sgd");
    }

    #[test]
    fn compare_round_trips_through_the_fragment() {
        let c = Compare::parse("and=5:1-2,7:5-6&p=0.5,0.3&sw=1:0.5:0.1");
        let h = compare_hash(Some(&c));
        assert!(!h[4..].contains(['&', '=', ':', ',']), "{h}");
        assert_eq!(compare_from_hash(&h), Some(c));
        assert_eq!(compare_from_hash(""), None);
        assert_eq!(compare_hash(None), "");
        // Garbage never panics.
        for s in ["#vs=%", "#vs=%4", "#vs=%zz&x", "#vs=%FF%FE", "vs=a=b=c"] {
            let _ = compare_from_hash(s);
        }
        assert_eq!(percent_decode("%41%zz%"), "A%zz%");
    }
}
