//! Presets: every figure panel is a valid link that runs; preset keys are defaults that the
//! link's own keys override; links written relative to a preset read back to the same run.

use skill_dominoes::link::presets::{find, PRESETS};
use skill_dominoes::link::{parse, Model};
use skill_dominoes::sim::run;

#[test]
fn every_panel_of_every_preset_parses_cleanly_runs_and_round_trips() {
    for p in PRESETS {
        assert!(
            p.figure.starts_with("Fig. ") && p.caption().len() > 100 && !p.title.is_empty(),
            "{}",
            p.id
        );
        assert!(!p.panels.is_empty(), "{}", p.id);
        for (label, extra) in p.panels {
            let link = p.panel_link(extra);
            let parsed = parse(&link);
            assert!(
                parsed.problems.is_empty(),
                "{} / {label}: {:?}",
                p.id,
                parsed.problems
            );
            assert!(
                parsed.unknown.is_empty(),
                "{} / {label}: {:?}",
                p.id,
                parsed.unknown
            );
            assert_eq!(parsed.preset.map(|x| x.id), Some(p.id));
            let c = parsed.config;
            let traj = run(c.spec().unwrap(), 5, 1, true).unwrap();
            assert!(
                traj.error.is_none() && traj.frames.len() == 6,
                "{} / {label}",
                p.id
            );
            // written relative to the preset, and written out in full: both read back
            let rel = c.link(Some(p));
            assert_eq!(parse(&rel).config, c, "{} / {label}: {rel}", p.id);
            assert_eq!(parse(&c.to_query()).config, c, "{} / {label}", p.id);
            assert!(rel.len() <= link.len() + 12, "{rel} longer than {link}");
        }
    }
}

#[test]
fn preset_keys_are_defaults_and_link_keys_override_them() {
    let c = parse("preset=fig4&opt=sgd&p1=0.9").config;
    assert_eq!(
        (c.opt.name(), c.lr, c.p1, c.batch, c.seed),
        ("sgd", 0.03, 0.9, 128, 2)
    );
    assert_eq!(
        parse("preset=fig4&opt=sgd&lr=0.05").config.lr,
        0.05,
        "the link's lr wins"
    );
    assert_eq!(
        parse("preset=fig4").config.lr,
        3e-4,
        "SignGD keeps the default lr"
    );
    // a bad value falls back to the preset's value, not the model's
    let parsed = parse("preset=fig4&opt=sgd&lr=-1");
    assert_eq!(parsed.config.lr, 0.03);
    assert_eq!(parsed.problems.len(), 1);
    let parsed = parse("preset=fig9&steps=abc");
    assert_eq!(parsed.config.steps, 1100);
    // switching model keeps the preset's other keys (Fig. 6: experiment → theory)
    let c = parse("preset=fig6&m=resource&n0=0.01").config;
    assert_eq!((c.model, c.n0, c.n), (Model::Resource, 0.01, 10));
    // a preset's key can be cleared: Fig. 16's dashed curve has no switch
    assert!(parse("preset=fig16b&sw=0").config.switch.is_none());
    let parsed = parse("preset=nope&n=3");
    assert_eq!(parsed.problems[0].key, "preset");
    assert_eq!(parsed.config.n, 3);
}

#[test]
fn relative_links_are_short() {
    let p = find("fig4").unwrap();
    let c = parse("preset=fig4&opt=sgd&p1=0.9").config;
    assert_eq!(c.link(Some(p)), "v=1&preset=fig4&p1=0.9&opt=sgd");
    assert_eq!(
        parse("preset=fig12").config.link(find("fig12")),
        "v=1&preset=fig12"
    );
}
