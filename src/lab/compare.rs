//! The second configuration of a comparison ([`Compare`]): the page's own configuration with
//! some keys set differently, carried in the link's fragment `#vs=…`.

use crate::link::{query, spec_of, Config, Problem};

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

/// Ready-made comparisons: (label, keys set on the first configuration, keys of the second).
pub const COMPARE_EXAMPLES: &[(&str, &str, &str)] = &[
    ("SignGD vs SGD", "m=geometry&opt=signgd", "opt=sgd&lr=0.03"),
    ("SignGD vs Adam", "m=geometry&opt=signgd", "opt=adam"),
    (
        "Modular vs not",
        "m=geometry&vec=unit&loss=ce&dim=20&n=40&lr=0.01&batch=1024&steps=1500",
        "vec=basis",
    ),
    ("N0 = 0.001 vs 1", "m=resource&n0=0.001", "n0=1"),
    ("α = 1 vs 4", "m=resource", "alpha=4"),
];

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

    /// A short description: "opt = sgd, lr = 0.03".
    pub fn describe(&self) -> String {
        self.diffs
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", ")
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
        for (label, a, bk) in COMPARE_EXAMPLES {
            let (a, p) = set_keys(&Config::default(), a);
            assert!(p.is_empty(), "{label}: {p:?}");
            let applied = Compare::parse(bk).apply(&a);
            assert!(
                applied.problems.is_empty(),
                "{label}: {:?}",
                applied.problems
            );
            assert_eq!(applied.kept, Compare::parse(bk), "{label}");
        }
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
