//! The second configuration of a comparison ([`Compare`]): the page's own configuration with
//! some keys set differently, carried in the link's fragment `#vs=…`.

use crate::link::{query, Config, Problem};

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
    /// Each bad difference is named and skipped.
    pub fn apply(&self, base: &Config) -> (Config, Vec<Problem>) {
        let mut c = base.clone();
        let mut problems = vec![];
        for (k, v) in &self.diffs {
            let (next, p) = c.with(k, v);
            c = next;
            problems.extend(p);
        }
        (c, problems)
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

/// Set keys of a `k=v&…` text on a configuration (a compare example's first half).
pub fn set_keys(base: &Config, text: &str) -> (Config, Vec<Problem>) {
    Compare::parse(text).apply(base)
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
        let (b, problems) = c.apply(&base);
        assert_eq!(b.get("opt"), "sgd");
        assert_eq!(b.get("lr"), "0.03");
        assert_eq!(b.n, 4, "bad n kept the old value");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(b.seed, base.seed);
        assert_eq!(c.describe(), "opt = sgd, lr = 0.03, n = abc");
        for (label, a, bk) in COMPARE_EXAMPLES {
            let (a, p) = set_keys(&Config::default(), a);
            assert!(p.is_empty(), "{label}: {p:?}");
            let (_, p) = Compare::parse(bk).apply(&a);
            assert!(p.is_empty(), "{label}: {p:?}");
        }
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
