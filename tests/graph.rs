//! The skill graph edited on the dominoes (`lab::graph`): the `and=` / `or=` keys read into a
//! graph and written back, edits that refuse cycles and self-edges with a message naming them,
//! the link an edit writes parses cleanly and its run's model has the edge, and a frequency
//! bar's drag writes a `p=` list of nice values.

use skill_dominoes::lab::{
    dragged_freq, freq_draggable, graph_editable, p_with, set_by_control, stepped_freq, Edge, Graph,
};
use skill_dominoes::link::presets::find;
use skill_dominoes::link::{parse, Config, FreqKind, Model};
use skill_dominoes::sim::resource::Gate as SimGate;
use skill_dominoes::sim::ModelSpec;

fn preset(id: &str) -> Config {
    let p = find(id).unwrap();
    let parsed = parse(&p.panel_link(""));
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    parsed.config
}

/// The model's gates of a configuration (0-based, as the simulation holds them).
fn sim_gates(c: &Config) -> Vec<Option<SimGate>> {
    match c.spec().unwrap() {
        ModelSpec::Resource(p) => p.gates,
        other => panic!("not the Resource model: {other:?}"),
    }
}

/// Apply a graph as the page does and check the link it writes reads back cleanly.
fn applied(g: &Graph, c: &Config) -> Config {
    let (next, problems) = g.apply(c);
    assert!(problems.is_empty(), "{problems:?}");
    let link = next.to_query();
    let reparsed = parse(&link);
    assert!(
        reparsed.problems.is_empty(),
        "{link}: {:?}",
        reparsed.problems
    );
    assert_eq!(reparsed.config, next, "{link}");
    assert_eq!(Graph::of(&next), *g, "{link}");
    next
}

#[test]
fn the_keys_of_every_prerequisite_preset_round_trip_through_the_graph() {
    for id in ["fig16", "fig17", "fig17and", "fig17or"] {
        let c = preset(id);
        assert!(graph_editable(&c), "{id}");
        let g = Graph::of(&c);
        assert!(!g.edges().is_empty(), "{id}");
        let [and, or] = g.lists();
        assert_eq!((and, or), (c.and.clone(), c.or.clone()), "{id}");
        assert!(
            g.changes(&c).is_empty(),
            "{id}: an unchanged graph writes nothing"
        );
    }
    let g = Graph::of(&preset("fig17or"));
    // T1 & T2 → T5, T3 | T4 → T6, T5 | T6 → T7 (0-based here)
    let e = |from, to, all| Edge { from, to, all };
    assert_eq!(
        g.edges(),
        [
            e(0, 4, true),
            e(1, 4, true),
            e(2, 5, false),
            e(3, 5, false),
            e(4, 6, false),
            e(5, 6, false)
        ]
    );
}

#[test]
fn an_added_edge_is_written_to_the_link_and_reaches_the_model() {
    let c = preset("fig17");
    // the chain 1 → 2 → 3; skill 3 also needs 1 now
    let g = Graph::of(&c).add(0, 2).unwrap();
    assert_eq!(g.changes(&c), [("and", "2:1,3:2-1".to_string())]);
    let next = applied(&g, &c);
    assert_eq!(next.and, [(2, vec![1]), (3, vec![2, 1])]);
    assert_eq!(sim_gates(&next)[2], Some(SimGate::And(vec![1, 0])));

    // a new composite skill gets an AND gate
    let c = preset("fig17and");
    let g = Graph::of(&c).add(1, 3).unwrap();
    let next = applied(&g, &c);
    assert_eq!(sim_gates(&next)[3], Some(SimGate::And(vec![1])));
    assert!(next.to_query().contains("and=4:2,5:1-2,6:3-4,7:5-6"));
}

#[test]
fn switching_and_or_moves_the_skill_between_the_keys_and_each_step_is_valid() {
    let c = preset("fig17or");
    // skill 5 (AND of 1, 2) becomes OR: it leaves `and` (now empty) before it enters `or`
    let g = Graph::of(&c).toggle(4).unwrap();
    assert_eq!(
        g.changes(&c),
        [
            ("and", String::new()),
            ("or", "5:1-2,6:3-4,7:5-6".to_string())
        ]
    );
    let next = applied(&g, &c);
    assert_eq!(sim_gates(&next)[4], Some(SimGate::Or(vec![0, 1])));
    // and back: OR → AND leaves `or` first
    let back = Graph::of(&next).toggle(4).unwrap();
    assert_eq!(back.changes(&next)[0].0, "or");
    let again = applied(&back, &next);
    assert_eq!((again.and, again.or), (c.and.clone(), c.or.clone()));
    assert!(
        Graph::of(&c)
            .toggle(0)
            .unwrap_err()
            .contains("skill 1 has no prerequisites"),
        "a skill without a gate has nothing to switch"
    );
}

#[test]
fn removing_the_last_prerequisite_removes_the_gate() {
    let c = preset("fig17");
    let g = Graph::of(&c).remove(1, 2).unwrap();
    let next = applied(&g, &c);
    assert_eq!(next.and, [(2, vec![1])]);
    assert_eq!(sim_gates(&next)[2], None);
    assert_eq!(
        Graph::of(&c).remove(2, 1).unwrap_err(),
        "there is no edge 3 → 2"
    );
    // every edge removed: the link no longer names the preset's prerequisites
    let g = Graph::of(&next).remove(0, 1).unwrap();
    let none = applied(&g, &next);
    assert!(none.and.is_empty() && sim_gates(&none).iter().all(Option::is_none));
}

#[test]
fn cycles_are_refused_with_the_cycle_named_and_nothing_changes() {
    let c = preset("fig17");
    let g = Graph::of(&c);
    // 1 → 2 → 3: 3 → 1 closes 1 → 2 → 3 → 1
    assert_eq!(
        g.add(2, 0).unwrap_err(),
        "3 → 1 would close the cycle 1 → 2 → 3 → 1"
    );
    assert_eq!(
        g.add(1, 0).unwrap_err(),
        "2 → 1 would close the cycle 1 → 2 → 1"
    );
    // an OR edge closes a cycle too
    let c = preset("fig17or");
    assert_eq!(
        Graph::of(&c).add(6, 2).unwrap_err(),
        "7 → 3 would close the cycle 3 → 6 → 7 → 3"
    );
    assert_eq!(Graph::of(&c), Graph::of(&preset("fig17or")));
}

#[test]
fn self_edges_duplicates_and_unknown_skills_are_refused() {
    let g = Graph::of(&preset("fig17"));
    assert_eq!(
        g.add(1, 1).unwrap_err(),
        "2 → 2: a skill cannot be its own prerequisite"
    );
    assert_eq!(g.add(0, 1).unwrap_err(), "1 → 2 is already there");
    assert_eq!(g.add(0, 3).unwrap_err(), "skill 4 is outside 1…3");
    assert_eq!(g.toggle(7).unwrap_err(), "skill 8 is outside 1…3");
}

#[test]
fn only_the_resource_model_offers_the_graph() {
    let geo = parse("m=geometry&n=5").config;
    assert!(!graph_editable(&geo));
    assert!(Graph::of(&geo).edges().is_empty());
    // a Geometry link with `and` keeps no graph (the key is not read)
    let res = parse("m=resource&n=4&and=3:1").config;
    assert!(graph_editable(&res));
    assert_eq!(Graph::of(&res).edges().len(), 1);
    assert!(!graph_editable(&parse("m=parity").config));
    assert!(!graph_editable(&parse("m=domino").config));
}

#[test]
fn a_frequency_drag_writes_a_p_list_of_nice_values() {
    // Zipf: the list is written with three significant digits, the dragged skill nice
    let c = parse("m=resource&n=4&alpha=2").config;
    assert!(freq_draggable(&c));
    let p3 = c.freqs()[2];
    let up = dragged_freq(p3, 40.0).unwrap();
    assert_eq!(up, 0.25, "p3 ≈ 0.0780 × √10 = 0.247 → 0.25");
    let text = p_with(&c, 2, up).unwrap();
    assert_eq!(text, "0.702,0.176,0.25,0.0439");
    let (next, problems) = set_by_control(&c, "p", &text);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(next.freq, FreqKind::List);
    assert_eq!(next.freqs(), [0.702, 0.176, 0.25, 0.0439]);
    match next.spec().unwrap() {
        ModelSpec::Resource(r) => assert_eq!(r.p[2], 0.25),
        other => panic!("{other:?}"),
    }
    // an explicit list keeps its other values as they are
    let c = preset("fig17");
    assert_eq!(
        p_with(&c, 0, stepped_freq(0.3, true).unwrap()).unwrap(),
        "0.4,1,3"
    );
    assert_eq!(p_with(&c, 3, 1.0), None, "no skill 4");
    // every model that reads p offers the drag; the others do not
    for (m, yes) in [
        (Model::Geometry, true),
        (Model::Domino, true),
        (Model::Parallel, true),
        (Model::Quadratic, false),
        (Model::Parity, false),
    ] {
        let c = Config::defaults(m);
        assert_eq!(freq_draggable(&c), yes, "{m:?}");
    }
}
