//! The transport: play, step, reset, new seed, speed, the stop condition, the step and loss
//! readout, the timeline scrubber, the status line and the milestone announcer.
//!
//! The readout changes every frame, so it is not a live region (a screen reader would read
//! every step); the [`Announcer`] is the page's one polite live region for the run, and it
//! changes only at milestones (`Run::announcement`).

use super::state::LabState;
use super::state::Runs;
use crate::lab::{format, SPEEDS};
use leptos::prelude::*;

#[component]
pub fn Transport(lab: LabState) -> impl IntoView {
    let (setup, runs, p) = (lab.setup, lab.runs, lab.playback);
    let total = move || {
        let a = setup.config.with(|c| c.steps);
        let b = setup
            .config_b
            .with(|c| c.as_ref().map(|c| c.steps).unwrap_or(0));
        a.max(b)
    };
    let shown_step = move || {
        runs.version.track();
        let s = p.shown();
        runs.a
            .with_value(|r| r.frame_at(s).map(|f| f.step).unwrap_or(0))
    };
    let shown_loss = move || {
        runs.version.track();
        let s = p.shown();
        runs.a.with_value(|r| {
            r.frame_at(s)
                .map(|f| format::sig(f.loss, 3))
                .unwrap_or_default()
        })
    };
    let latest = move || {
        runs.version.track();
        runs.latest_step()
    };
    view! {
        <section class="transport" aria-label="Run controls">
            <div class="buttons">
                <button
                    class="primary"
                    data-testid="play"
                    aria-keyshortcuts="Space"
                    on:click=move |_| lab.toggle()
                >
                    {move || if p.playing.get() { "Pause" } else { "Play" }}
                </button>
                <button data-testid="stepbtn" aria-keyshortcuts="ArrowRight" title="One step (→)" on:click=move |_| lab.step()>
                    "Step"
                </button>
                <button data-testid="reset" aria-keyshortcuts="R" title="The same run again from step 0 (R)" on:click=move |_| {
                    lab.pause();
                    lab.reset();
                }>"Reset"</button>
                <button data-testid="newseed" title="A new random seed: a different draw of the same model" on:click=move |_| lab.new_seed()>
                    "New seed"
                </button>
            </div>
            <label class="speed">
                <span>"Speed"</span>
                <input
                    type="range"
                    data-testid="speed"
                    min="0"
                    max=SPEEDS.len() - 1
                    step="1"
                    prop:value=move || p.speed.get().to_string()
                    on:input=move |e| {
                        let v = event_target_value(&e).parse().unwrap_or(0usize);
                        p.speed.set(v.min(SPEEDS.len() - 1));
                    }
                    aria-valuetext=move || format!("{} steps per frame", SPEEDS[p.speed.get()])
                />
                <span class="speed-value">{move || format!("{} steps/frame", SPEEDS[p.speed.get()])}</span>
            </label>
            <label class="check" title="Pause as soon as every skill is above the threshold">
                <input
                    type="checkbox"
                    data-testid="stoplearned"
                    prop:checked=move || p.stop_learned.get()
                    on:change=move |e| p.stop_learned.set(event_target_checked(&e))
                />
                <span>"Stop when all are learned"</span>
            </label>
            <p class="readout-line">
                "step " <span class="num" data-testid="step">{shown_step}</span> " / " {total}
                <span class="sep">" · "</span> "loss " <span class="num" data-testid="loss">{shown_loss}</span>
            </p>
            <div class="timeline">
                <label for="scrub">"Timeline"</label>
                <input
                    type="range"
                    id="scrub"
                    data-testid="scrub"
                    min="0"
                    step="1"
                    prop:max=move || latest().to_string()
                    prop:value=move || {
                        runs.version.track();
                        p.scrubbed.get().unwrap_or_else(|| runs.latest_step()).to_string()
                    }
                    aria-valuetext=move || format!("step {}", shown_step())
                    on:input=move |e| {
                        if let Ok(v) = event_target_value(&e).parse::<u32>() {
                            lab.scrub(v);
                        }
                    }
                />
                <span class="timeline-note" data-testid="timeline-note">
                    {move || match p.scrubbed.get() {
                        Some(_) => format!("scrubbed back: {} steps computed", latest()),
                        None => "following the run".to_string(),
                    }}
                </span>
            </div>
            <p class="status" role="status" aria-live="polite" data-testid="status">{move || setup.status.get()}</p>
            <Announcer runs=runs />
        </section>
    }
}

/// The milestones of the run(s), for screen readers only: "skill 3 learned at step 240",
/// "all 10 skills learned by step 571", "run stopped: …" (B's prefixed when comparing).
#[component]
fn Announcer(runs: Runs) -> impl IntoView {
    let text = Memo::new(move |_| {
        runs.slow.track();
        let a = runs.a.with_value(|r| r.announcement());
        match runs.b.with_value(|r| r.as_ref().map(|r| r.announcement())) {
            None => a,
            Some(b) => [("A", a), ("B", b)]
                .into_iter()
                .filter(|(_, t)| !t.is_empty())
                .map(|(side, t)| format!("{side}: {t}"))
                .collect::<Vec<_>>()
                .join(". "),
        }
    });
    view! {
        <p class="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="announce">
            {move || text.get()}
        </p>
    }
}
