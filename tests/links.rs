//! The link is the configuration: parsing, validation with named problems, write-back,
//! determinism.

use skill_dominoes::link::{parse, query, Config, Model, Problem};
use skill_dominoes::sim::run;

/// One `check` helper for the table: each broken link names each bad key, with a phrase of
/// its message, and still yields a valid, runnable configuration.
fn check(query: &str, expected: &[(&str, &str)]) {
    let parsed = parse(query);
    for (key, phrase) in expected {
        let hit = parsed.problems.iter().find(|p| p.key == *key);
        let p = hit.unwrap_or_else(|| {
            panic!(
                "{query:?}: no problem named {key:?}; got {:?}",
                parsed.problems
            )
        });
        assert!(
            p.message.contains(phrase),
            "{query:?}: {key}: {:?} does not contain {phrase:?}",
            p.message
        );
    }
    assert_eq!(
        parsed.problems.len(),
        expected.len(),
        "{query:?}: {:?}",
        parsed.problems
    );
    // whatever came in, what comes out runs (a few steps) and reads back to itself
    let c = parsed.config;
    let mut short = c.clone();
    short.steps = short.steps.min(3);
    let traj = run(short.spec().expect("valid spec"), short.steps, 1, false).expect("runs");
    assert!(traj.frames.iter().all(|f| f.is_finite()));
    assert_eq!(
        parse(&c.to_query()).config,
        c,
        "{query:?} does not round-trip"
    );
}

#[test]
fn broken_links_name_each_problem() {
    check("n=abc", &[("n", "not a whole number")]);
    check("m=nope", &[("m", "unknown model")]);
    check("m=geometry&lr=-1", &[("lr", "outside")]);
    check("lr=0", &[("lr", "greater than 0")]);
    check("lr=NaN", &[("lr", "not a finite number")]);
    check("alpha=inf", &[("alpha", "not a finite number")]);
    check("steps=0", &[("steps", "outside 1")]);
    check("steps=1e9", &[("steps", "not a whole number")]);
    check(
        "steps=99999999999999999999999",
        &[("steps", "not a whole number")],
    );
    check("n=-5", &[("n", "not a whole number")]);
    check("n=100000", &[("n", "outside")]);
    check("opt=rmsprop", &[("opt", "not one of sgd")]);
    check(
        "loss=hinge&grad=x&vec=y",
        &[("loss", "mse, ce"), ("grad", "mimic"), ("vec", "ortho")],
    );
    check("v=2", &[("v", "version 2")]);
    check("freq=list", &[("freq", "needs a list")]);
    check("p=0.5,abc", &[("p", "entry 2")]);
    check("p=0.5,0", &[("p", "must be > 0")]);
    check("freq=zipf&p=0.5,0.5", &[("p", "ignored")]);
    check("freq=two&n=5", &[("n", "is 2 here")]);
    check("m=resource&and=5:1-2&n=3", &[("and", "outside 1…3")]);
    check("m=resource&and=2:2", &[("and", "own prerequisite")]);
    check("m=resource&and=x", &[("and", "skill:prerequisites")]);
    // a cycle is a trap (none of its skills could start): named, and/or ignored
    check("m=resource&and=2:1&or=1:2", &[("and", "cycle (2 → 1 → 2")]);
    check("m=resource&or=3:2,2:1,1:3", &[("or", "cycle (")]);
    check("m=resource&and=4:3,3:2,2:1", &[]);
    check("m=resource&sw=3:0.5", &[("sw", "k:u:p")]);
    check("m=resource&sw=30:0.5:0.1", &[("sw", "outside 1…10")]);
    check("n=2000&dim=1000", &[("vec", "n ≤ dim")]);
    check("thr=1", &[("thr", "strictly between")]);
    check("rot=2", &[("rot", "not 0 or 1")]);
    // the budget (tests/budget.rs): time, then memory, then CSV; the first key reduced
    check(
        "dim=100000&n=200&steps=1000000&vec=unit",
        &[("steps", "reference machine exceeds")],
    );
    check("m=resource&n=10000&steps=1000000", &[("steps", "exceeds")]);
    check("dim=100000&n=10000&vec=unit", &[("dim", "exceeds")]);
}

/// A repeated key is read as its last value, and the run goes ahead on the page and in the
/// CLI alike (tests/cli.rs), with a notice that says so: appending `&seed=3` to a link is a
/// common way to change one value.
#[test]
fn a_repeated_key_is_read_as_its_last_value_with_a_notice() {
    let parsed = parse("v=1&seed=1&m=resource&seed=2&seed=3&zz=1&n=abc");
    let notice = "given more than once; the last value is used";
    let repeated = Problem {
        key: "seed".into(),
        message: notice.into(),
    };
    assert_eq!(parsed.notices, [repeated.clone(), repeated]);
    assert_eq!(parsed.problems.len(), 1, "{:?}", parsed.problems);
    assert_eq!(parsed.config, parse("m=resource&seed=3").config);
    // the page's notice lists problems, notices and unknown keys
    assert_eq!(
        parsed.notes(),
        [
            "n: \"abc\" is not a whole number; using the default".to_string(),
            format!("seed: {notice}"),
            format!("seed: {notice}"),
            "zz: unknown key, ignored".to_string(),
        ]
    );
    let clean = parse("v=1&seed=1&seed=2");
    assert!(clean.problems.is_empty() && clean.notes().len() == 1);
    assert_eq!(clean.config.seed, 2);
}

/// The model's choices, help and message name every model (they come from one table).
#[test]
fn every_model_is_named_where_a_model_is_asked_for() {
    let spec = skill_dominoes::link::spec_of("m").unwrap();
    let bad = parse("m=nope");
    for m in Model::ALL {
        let name = m.name();
        assert!(spec.help.contains(name), "{name}");
        assert!(bad.problems[0].message.contains(name), "{name}");
        assert_eq!(parse(&format!("m={name}")).config.model, m);
        assert!(matches!(spec.kind, skill_dominoes::link::Kind::Choice(c) if c.contains(&name)));
    }
}

#[test]
fn hostile_links_never_panic_and_are_never_echoed_unbounded() {
    let huge = "9".repeat(300_000);
    for q in [
        "<script>alert(1)</script>",
        "m=<script>alert(1)</script>",
        "%%%%&&&===&=&",
        "?v=1&m=geometry#frag&n=3",
        "n=%F0%9F%92%A3",
        &format!("p={huge}"),
        &format!("{huge}=1"),
        &format!("m={}", "x".repeat(10_000)),
    ] {
        let parsed = parse(q);
        for p in &parsed.problems {
            assert!(p.message.len() < 300, "{} chars", p.message.len());
        }
        for k in &parsed.unknown {
            assert!(k.len() < 300);
        }
    }
    // a whole URL works too, and the fragment is not part of the query
    assert_eq!(
        parse("https://x.example/?m=domino#n=3").config.model,
        Model::Domino
    );
    assert_eq!(parse("https://x.example/?m=domino#n=3").config.n, 10);
}

#[test]
fn unknown_keys_are_listed_and_ignored() {
    let parsed = parse("v=1&zz=1&m=resource&foo");
    assert!(parsed.problems.is_empty());
    assert_eq!(parsed.unknown, vec!["zz".to_string(), "foo".to_string()]);
    assert_eq!(parsed.config.model, Model::Resource);
}

#[test]
fn links_write_only_what_differs_and_read_back() {
    for q in [
        "v=1",
        "v=1&m=resource&n0=0.01&alpha=1.5",
        "v=1&freq=two&p1=0.95&grad=mimic&batch=128&steps=3000&seed=2",
        "v=1&m=resource&p=0.3,1,3&and=2:1,3:2&gate_a=0.0001&n0=0.001&eta_eff=0.001&steps=5000",
        "v=1&m=resource&p=0.3333,0.3333,0.0045&sw=3:0.5:0.08&n0=0.1",
        "v=1&m=quadratic&rot=0&opt=sgd&lr=0.01",
        "v=1&opt=adam&beta1=0.9&beta2=0.95&noise=0.2&vec=scaled&dim=10&loss=ce",
        "v=1&m=domino&t0=100&steps=1100",
    ] {
        let c = parse(q).config;
        assert!(parse(q).problems.is_empty(), "{q}: {:?}", parse(q).problems);
        let written = c.to_query();
        assert_eq!(parse(&written).config, c, "{q} → {written}");
        // nothing default is written
        let d = Config::defaults(c.model);
        for part in query::parts(&written).skip(1) {
            let k = query::key(part);
            if k != "m" {
                let without = parse(&written.replace(&format!("&{part}"), "")).config;
                assert_ne!(
                    without, c,
                    "{k} was written although it is the default ({d:?})"
                );
            }
        }
    }
}

/// One link, two runs: bit-identical trajectories (mini-batches, noise and random vectors
/// included), and a different seed gives a different run.
#[test]
fn same_link_same_bits() {
    let q =
        "v=1&n=5&dim=64&batch=32&noise=0.01&vec=unit&steps=300&seed=11&opt=adam&lr=0.01&loss=ce";
    let c = parse(q).config;
    let a = run(c.spec().unwrap(), c.steps, 1, true).unwrap();
    let b = run(c.spec().unwrap(), c.steps, 1, true).unwrap();
    let bits = |t: &skill_dominoes::sim::Trajectory| -> Vec<u64> {
        t.frames
            .iter()
            .flat_map(|f| f.levels.iter().chain([&f.loss]).map(|x| x.to_bits()))
            .collect()
    };
    assert_eq!(bits(&a), bits(&b));
    assert_eq!(
        a.frames.last().unwrap().align,
        b.frames.last().unwrap().align
    );
    let c2 = parse(&q.replace("seed=11", "seed=12")).config;
    let other = run(c2.spec().unwrap(), c2.steps, 1, false).unwrap();
    assert_ne!(bits(&a), bits(&other));
}
