use skill_dominoes::plot::sweep::{self as sp, Table};
use skill_dominoes::plot::ChartOpts;
use std::time::Duration;
fn hangs(text: &str) -> bool {
    let t = text.to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        if let Ok(tb) = Table::parse(&t) {
            for v in sp::views(&tb) {
                let p = sp::plot(&tb, v);
                let _ = sp::svg(&p, (640, 360), &ChartOpts::default());
            }
        }
        let _ = tx.send(());
    });
    rx.recv_timeout(Duration::from_secs(2)).is_err()
}
#[test]
fn shrink() {
    let text = std::fs::read_to_string(std::env::var("F").unwrap()).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    assert!(hangs(&lines.join("\n")));
    let mut i = 1;
    while i < lines.len() {
        let mut l = lines.clone();
        l.remove(i);
        if hangs(&l.join("\n")) {
            lines = l;
        } else {
            i += 1;
        }
    }
    for r in 1..lines.len() {
        let mut f: Vec<String> = lines[r].split(',').map(String::from).collect();
        for c in 0..f.len() {
            for cand in ["0", "1", "2", ""] {
                let old = f[c].clone();
                if old == cand {
                    break;
                }
                f[c] = cand.into();
                let mut l = lines.clone();
                l[r] = f.join(",");
                if hangs(&l.join("\n")) {
                    lines = l;
                    break;
                } else {
                    f[c] = old;
                }
            }
        }
    }
    eprintln!("MIN:\n{}", lines.join("\n"));
}
