//! What the page does that is not the DOM, tested natively (no web crate here: the clock is
//! passed in). `run.rs`: a [`Run`] stepped a slice at a time that keeps every recorded frame
//! (so redrawing, scrubbing and reset never recompute a different result); `theory.rs`: the
//! overlays ([`domino_ramps`], [`two_skill`], the best-N0 [`Fit`]); `compare.rs`: the second
//! configuration of a comparison ([`Compare`]) and its link fragment; `controls.rs`: how a
//! key of the schema maps onto a slider ([`Slider`]); `interactive.rs`: the page's own budget
//! ([`interactive`]: the sizes reduced until a step and the set-up are quick in the tab);
//! `playback.rs`: the speeds and the frame-time statistics; `format.rs`: the one number format
//! of the page's readouts; `view.rs`: how the page frames a run (the time axis that follows
//! the cascade, the tiles' tipping); `tour.rs`: the guided tour's steps and its position in the
//! address; `graph.rs`: the skill graph a reader edits on the dominoes (prerequisites, a
//! frequency bar's drag); `inside.rs`: which hidden units serve which task
//! ([`inside::Inside`]) beside the Resource model's allocation; `parallel.rs`: the rounds of
//! one network trained across Web Workers ([`parallel::Rounds`]).

pub mod compare;
pub mod controls;
pub mod format;
pub mod graph;
pub mod inside;
pub mod interactive;
pub mod parallel;
pub mod playback;
pub mod run;
pub mod theory;
pub mod tour;
pub mod view;

pub use compare::{
    compare_from_hash, compare_hash, label_b, percent_decode, percent_encode, set_keys, Applied,
    Compare, CompareExample, First, COMPARE_EXAMPLES,
};
pub use controls::{
    auto_value, nice, range_text, round_sig, set_by_control, shown_value, Slider, PER_DECADE,
};
pub use graph::{
    bar_height, cross_arc, dragged_freq, freq_draggable, graph_editable, lane_arc, p_with,
    stepped_freq, Edge, Gate, Graph, RowSpan,
};
pub use interactive::{
    interactive, sample_runs, sweep_tab_seconds, FrameCost, Interactive, SWEEP_AUTOSTART_S,
    TABLE_ROWS,
};
pub use playback::{default_speed, FrameStats, Pacing, SPEEDS};
pub use run::{record_every, skill_freqs, Run};
pub use theory::{domino_ramps, has_theory, two_skill, Fit, Fitted, TwoSkill};
