//! Golden tests: whole curves against the paper's own code (tests/data, see PROVENANCE.md).
//!
//! Set `GOLDEN_REPORT=1` to print the worst deviation of each comparison.

mod common;
use common::read_csv;
use skill_dominoes::sim::domino::{Domino, Schedule};
use skill_dominoes::sim::geometry::{Geometry, GeometryParams, LossForm};
use skill_dominoes::sim::resource::{Resource, ResourceParams};

fn report(what: &str, worst: f64, at: (usize, usize)) {
    if std::env::var_os("GOLDEN_REPORT").is_some() {
        eprintln!(
            "{what}: worst |Δ| = {worst:.3e} at row {}, column {}",
            at.0, at.1
        );
    }
}

/// The notebook's full-batch SignGD run replayed with its exported task vectors.
fn geometry_golden(loss: LossForm, file: &str, tol: f64) {
    let (_, tv) = read_csv("geometry_task_vectors_seed0.csv");
    let (_, prob) = read_csv("prob_alpha2_n10.csv");
    let p: Vec<f64> = prob.iter().map(|r| r[0]).collect();
    assert_eq!((tv.len(), tv[0].len(), p.len()), (10, 1000, 10));
    let t: Vec<f64> = tv.concat();
    let params = GeometryParams {
        loss,
        p: p.clone(),
        ..GeometryParams::default()
    };
    let mut g = Geometry::with_vectors(params, t).unwrap();
    let (header, rows) = read_csv(file);
    assert_eq!(header[0], "step");
    assert_eq!(
        rows.len(),
        1000,
        "rows 0..999: the state before each of the 1000 updates"
    );
    let (mut worst, mut at) = (0.0f64, (0, 0));
    let mut worst_loss = 0.0f64;
    for (t, row) in rows.iter().enumerate() {
        assert_eq!(row[0] as u32, g.step_count());
        let s = g.skills();
        for i in 0..10 {
            let d = (s[i] - row[1 + i]).abs();
            if d > worst {
                (worst, at) = (d, (t, i + 1));
            }
        }
        // the notebook logs (1/n) Σ p_i ℓ_i (6 significant digits); late in the run the loss
        // is small and float32 rounding there dominates, hence the absolute floor
        let coded = g.loss() / 10.0;
        let d = (coded - row[11]).abs();
        worst_loss = worst_loss.max(d / row[11].abs().max(1e-4));
        assert!(
            d <= 1e-5 * row[11].abs() + 1e-7,
            "row {t}: loss {coded} vs {}",
            row[11]
        );
        g.step().unwrap();
    }
    report(file, worst, at);
    report(
        &format!("{file} loss (relative, floor 1e-4)"),
        worst_loss,
        (0, 0),
    );
    assert!(
        worst < tol,
        "{file}: worst |Δs| = {worst:e} at row {}, skill {} (tolerance {tol:e})",
        at.0,
        at.1
    );
}

#[test]
fn geometry_mse_matches_the_notebook() {
    geometry_golden(LossForm::Mse, "geometry_mse_skills.csv", 1e-4);
}

#[test]
fn geometry_ce_matches_the_notebook() {
    geometry_golden(LossForm::Ce, "geometry_ce_skills.csv", 1e-5);
}

fn resource_golden(form: LossForm, file: &str) {
    let mut r = Resource::new(ResourceParams {
        form,
        ..ResourceParams::default()
    })
    .unwrap();
    let (header, rows) = read_csv(file);
    assert_eq!(header[0], "step_after_update");
    assert_eq!(rows.len(), 1000);
    let (mut worst, mut at) = (0.0f64, (0, 0));
    for row in &rows {
        r.step().unwrap();
        // the notebook logs after the update: its row k is our state after k updates
        assert_eq!(row[0] as u32, r.step_count());
        let s = r.skills();
        for i in 0..10 {
            let d = (s[i] - row[1 + i]).abs();
            if d > worst {
                (worst, at) = (d, (r.step_count() as usize, i + 1));
            }
        }
        assert!(
            (r.loss() - row[11]).abs() < 1e-9,
            "step {}: loss {} vs {}",
            row[0],
            r.loss(),
            row[11]
        );
    }
    report(file, worst, at);
    assert!(
        worst < 1e-9,
        "{file}: worst |Δs| = {worst:e} at step {}, skill {}",
        at.0,
        at.1
    );
}

#[test]
fn resource_mse_matches_the_notebook() {
    resource_golden(LossForm::Mse, "resource_mse_skills.csv");
}

#[test]
fn resource_ce_matches_the_notebook() {
    resource_golden(LossForm::Ce, "resource_ce_skills.csv");
}

#[test]
fn domino_matches_the_notebook() {
    let t0 = 1.0 / (2.0 * 3e-4 * 1000f64.sqrt());
    let mut d = Domino::new(Schedule::Domino { t0 }, vec![0.1; 10]);
    let (_, rows) = read_csv("domino_skills.csv");
    assert_eq!(rows.len(), 1000);
    let mut worst = 0.0f64;
    for row in &rows {
        assert_eq!(row[0] as u32, d.step_count());
        for (i, s) in d.skills().iter().enumerate() {
            worst = worst.max((s - row[1 + i]).abs());
        }
        d.step();
    }
    report("domino_skills.csv", worst, (0, 0));
    assert!(worst < 1e-9, "worst |Δs| = {worst:e}");
}

/// The same runs through the link vocabulary (what the page and the CLI use).
#[test]
fn the_default_links_are_the_notebook_runs() {
    let res = common::levels("v=1&m=resource");
    let (_, rows) = read_csv("resource_mse_skills.csv");
    for k in [1usize, 100, 500, 1000] {
        for i in 0..10 {
            assert!((res[k][i] - rows[k - 1][1 + i]).abs() < 1e-9);
        }
    }
    let dom = common::levels("v=1&m=domino");
    let (_, drows) = read_csv("domino_skills.csv");
    for k in [0usize, 53, 400, 999] {
        for i in 0..10 {
            assert!((dom[k][i] - drows[k][1 + i]).abs() < 1e-9);
        }
    }
}
