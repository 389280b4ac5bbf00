//! The one parameter vocabulary. A run is described by the query string of a share link
//! (`v=1&m=geometry&n=10&alpha=2…`); the page, the CLI and the presets all parse it here.
//!
//! Parse, don't validate: [`parse`] turns any string into a typed [`Config`] plus a list of
//! [`Problem`]s, one per bad key (type, range, allowed values, cross-field rules and the size
//! budget). A bad value falls back to its default; unknown keys are listed and ignored.
//! Nothing after this module unwraps user data. [`Config::to_query`] writes the link back,
//! with only the values that differ from the model's defaults.
//!
//! Files, each using only those listed before it:
//! * `query.rs`: splitting `k=v&…` and percent coding (the crate's one codec);
//! * `page.rs`: the page-only keys (`embed`, `ui`, `autoplay`, `theme`);
//! * `presets.rs`: one link per figure panel of the paper;
//! * `names.rs`: the (value, name) table of each enumerated key ([`Model`], [`FreqKind`],
//!   and the simulation's enums);
//! * `value.rs`: how each value type reads and writes its text ([`Kind`], [`num`]);
//! * `schema.rs`: one declaration per key, generating [`Config`], its defaults and [`SCHEMA`];
//! * `config.rs`: what a configuration implies (frequencies, skills, the simulation) and
//!   the link that writes it back;
//! * `budget.rs`: the budget (seconds on the reference machine, bytes) and each link's
//!   estimated cost;
//! * `parse.rs`: reading a link ([`parse`], [`Config::with`]).

mod budget;
mod config;
mod names;
pub mod page;
mod parse;
pub mod presets;
pub mod query;
mod schema;
mod value;

pub use budget::{bytes, duration, largest, ns, Budget, Cost, Term, MAX_VALUE_LEN};
pub use names::{FreqKind, Model, Named};
pub use parse::{parse, parse_within, Parsed, Problem};
pub use schema::{read_when, read_when_text, spec_of, Config, Group, KeySpec, SCHEMA, VERSION};
pub use value::{num, Kind};

#[cfg(test)]
mod tests {
    use super::schema::{set, writers};
    use super::*;
    use crate::sim::optim::OptKind;

    #[test]
    fn schema_and_writers_cover_the_same_keys() {
        for (k, _) in writers() {
            assert!(spec_of(k).is_some(), "{k} is written but not in SCHEMA");
        }
        for spec in SCHEMA {
            let written = writers().iter().any(|(k, _)| *k == spec.key);
            assert!(
                written || matches!(spec.key, "v" | "preset"),
                "{} is never written",
                spec.key
            );
            assert!(!spec.help.is_empty() && !spec.label.is_empty() && !spec.models.is_empty());
        }
    }

    /// A value of the key that differs from `d`'s (for the round trips).
    fn other_value(spec: &KeySpec, d: &Config) -> String {
        let candidates: Vec<&str> = match spec.key {
            "p" => vec!["0.5,0.25"],
            "and" => vec!["2:1"],
            "or" => vec!["3:1-2"],
            "sw" => vec!["2:0.5:0.1"],
            _ => match spec.kind {
                Kind::Int { .. } => vec!["7", "1", "10", "20"],
                Kind::Float { .. } => vec!["0.375", "0.5"],
                Kind::Flag => vec!["0", "1"],
                Kind::Choice(c) => c.to_vec(),
                Kind::Text => vec![],
            },
        };
        let differs = |v: &&str| {
            let mut c = d.clone();
            set(&mut c, spec.key, v).is_ok() && c != *d
        };
        let v = candidates.into_iter().find(differs);
        v.unwrap_or_else(|| panic!("no other value of {}", spec.key))
            .to_string()
    }

    /// For every key: the schema's choices are what the parser accepts (and nothing else),
    /// every model's default round-trips through writer and parser, and the help of an
    /// enumerated key names every choice.
    #[test]
    fn every_key_reads_what_the_schema_says_and_writes_what_it_reads() {
        for spec in SCHEMA {
            if let Kind::Choice(choices) = spec.kind {
                for word in choices {
                    let mut c = Config::default();
                    assert_eq!(set(&mut c, spec.key, word), Ok(()), "{}={word}", spec.key);
                    // (`list` is written as `p=…` alone: `freq=list` is never written)
                    let back = if *word == "list" { "zipf" } else { word };
                    assert_eq!(c.get(spec.key), back, "{} reads {word} back", spec.key);
                    assert!(
                        spec.help.contains(word),
                        "the help of {} does not name {word}: {}",
                        spec.key,
                        spec.help
                    );
                    let upper = word.to_uppercase();
                    assert!(set(&mut c, spec.key, &upper).is_err(), "{upper}");
                }
                let msg = set(&mut Config::default(), spec.key, "nope").unwrap_err();
                assert!(msg.ends_with(&choices.join(", ")), "{}: {msg}", spec.key);
                // the link's message names every choice too
                let problems = parse(&format!("{}=nope", spec.key)).problems;
                assert_eq!(problems.len(), 1, "{}: {problems:?}", spec.key);
                for word in choices {
                    assert!(problems[0].message.contains(word), "{problems:?}");
                }
            }
            let Some(write) = spec.write else {
                assert!(matches!(spec.key, "v" | "preset"), "{}", spec.key);
                continue;
            };
            for model in Model::ALL {
                let d = Config::defaults(model);
                let text = write(&d);
                let mut c = Config::defaults(model);
                set(&mut c, spec.key, &other_value(spec, &d)).unwrap();
                assert_eq!(set(&mut c, spec.key, &text), Ok(()), "{}={text}", spec.key);
                assert_eq!(c, d, "{}={text} for {model:?}", spec.key);
            }
        }
        for model in Model::ALL {
            let c = Config::defaults(model);
            assert_eq!(parse(&c.to_query()).config, c, "{model:?}");
        }
    }

    #[test]
    fn with_sets_one_key_like_a_link_and_get_reads_it_back() {
        let c = Config::defaults(Model::Resource);
        let (c2, problems) = c.with("n0", "0.01");
        assert!(problems.is_empty());
        assert_eq!((c2.n0, c2.get("n0").as_str()), (0.01, "0.01"));
        let (c3, problems) = c2.with("n0", "-1");
        assert_eq!(problems.len(), 1);
        assert_eq!(c3.n0, 0.01, "a bad value leaves the old one");
        for cfg in [
            Config::default(),
            Config::defaults(Model::Quadratic),
            parse("m=resource&p=1,2&and=2:1&sw=2:0.5:3").config,
            parse("m=grokking&opt=adam").config,
        ] {
            for spec in SCHEMA.iter().filter(|s| s.key != "preset") {
                let (back, problems) = cfg.with(spec.key, &cfg.get(spec.key));
                assert!(problems.is_empty(), "{}: {problems:?}", spec.key);
                assert_eq!(back, cfg, "{} = {:?}", spec.key, cfg.get(spec.key));
            }
        }
    }

    #[test]
    fn grokking_zero_betas_go_with_its_default_optimizer_only() {
        let betas = |q: &str| {
            let o = parse(q).config.opt_config();
            (o.kind, o.beta1, o.beta2)
        };
        assert_eq!(betas("m=grokking"), (OptKind::AdamW, 0.0, 0.0));
        assert_eq!(betas("m=grokking&opt=adam"), (OptKind::Adam, 0.9, 0.999));
        assert_eq!(betas("m=grokking&opt=lion"), (OptKind::Lion, 0.9, 0.99));
        assert_eq!(
            betas("m=grokking&opt=adam&beta1=0.5"),
            (OptKind::Adam, 0.5, 0.999)
        );
        // Fig. 13's two columns, as the preset writes them
        assert_eq!(betas("preset=fig13"), (OptKind::AdamW, 0.0, 0.0));
        assert_eq!(
            betas("preset=fig13&beta1=0.9&beta2=0.999"),
            (OptKind::AdamW, 0.9, 0.999)
        );
        // the page's control: switching the optimizer reads like the link
        let (c, problems) = parse("m=grokking").config.with("opt", "adam");
        assert!(problems.is_empty());
        assert_eq!((c.beta1, c.beta2), (None, None));
        assert_eq!(parse(&c.to_query()).config, c);
    }

    #[test]
    fn defaults_round_trip_to_a_bare_link() {
        assert_eq!(Config::default().to_query(), "v=1");
        assert_eq!(parse("v=1").config, Config::default());
        assert_eq!(
            Config::defaults(Model::Resource).to_query(),
            "v=1&m=resource"
        );
    }

    #[test]
    fn dtype_defaults_to_the_papers_and_round_trips() {
        use crate::sim::nn::Dtype;
        for (m, want) in [
            (Model::Parity, Dtype::F64),
            (Model::Grokking, Dtype::F64),
            (Model::Modular, Dtype::F32),
        ] {
            let c = Config::defaults(m);
            assert_eq!(c.dtype, want, "{m:?}");
            let q = c.to_query();
            assert!(!q.contains("dtype"), "the default is not written: {q}");
            let other = if want == Dtype::F32 { "f64" } else { "f32" };
            let p = parse(&format!("m={}&dtype={other}", m.name()));
            assert!(p.problems.is_empty(), "{:?}", p.problems);
            assert_ne!(p.config.dtype, want);
            let q = p.config.to_query();
            assert!(q.contains(&format!("dtype={other}")), "{q}");
            assert_eq!(parse(&q).config, p.config);
            // and the run's parameters carry it
            let spec = format!("{:?}", p.config.spec().unwrap());
            assert!(spec.contains(&format!("{:?}", p.config.dtype)), "{spec}");
        }
        let bad = parse("m=modular&dtype=f16");
        assert_eq!(bad.problems.len(), 1);
        assert!(format!("{:?}", bad.problems[0]).contains("f32, f64"));
        assert_eq!(
            bad.config.dtype,
            Dtype::F32,
            "a bad value keeps the default"
        );
    }
}
