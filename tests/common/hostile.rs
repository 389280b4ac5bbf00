//! Hostile inputs shared by the fuzzers (`tests/fuzz_cli.rs`, `tests/fuzz_page.rs`): damaged
//! links, values of every awkward kind, and sweep CSVs with hostile cells, rows and lines.

use rand::Rng;
use rand_pcg::Pcg64;
use skill_dominoes::link::presets::PRESETS;
use skill_dominoes::link::SCHEMA;

pub const VALUES: &[&str] = &[
    "",
    "0",
    "1",
    "-1",
    "2",
    "0.5",
    "1e308",
    "-1e308",
    "1e-320",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "-0",
    "99999999999999999999999",
    "18446744073709551616",
    "4294967296",
    "9007199254740993",
    "0x10",
    " 3",
    "abc",
    "=1+1",
    "@SUM(A1)",
    "<script>alert(1)</script>",
    "%00",
    "%",
    "%zz",
    "+",
    "1,2,3",
    ",,,",
    "5:1-2,7:5-6",
    "3:0.5:0.08",
    "geometry",
    "resource",
    "quadratic",
    "parity",
    "sgd",
    "adam",
    "ce",
    "unit",
    "basis",
    "two",
    "list",
    "fig4",
    "100000",
    "1000000",
    "\u{202e}",
    "é",
    "💣",
    "\u{0}",
];

/// Values of CSV cells: numbers of every kind, text that a spreadsheet would run, junk.
pub const CELLS: &[&str] = &[
    "0",
    "1",
    "2",
    "40",
    "220",
    "80",
    "200",
    "0.5",
    "1e308",
    "-1e308",
    "1e-320",
    "NaN",
    "inf",
    "-inf",
    "-0",
    "",
    " ",
    "18446744073709551616",
    "-1",
    "=1+1",
    "+1",
    "-1+2",
    "@A1",
    "=HYPERLINK(\"x\")",
    "\"quoted\"",
    "\"a,b\"",
    "α",
    "💣",
    "\u{feff}",
    "1;2;3",
    "3;",
    ";",
    "abc",
];

pub fn pick<'a>(rng: &mut Pcg64, xs: &[&'a str]) -> &'a str {
    xs[rng.random_range(0..xs.len() as u32) as usize]
}

pub fn base_links() -> Vec<String> {
    let mut v = vec![
        "v=1".to_string(),
        "v=1&m=resource".into(),
        "v=1&m=quadratic&opt=sgd".into(),
        "v=1&vec=unit&loss=ce&n=20&dim=10&batch=64".into(),
    ];
    for p in PRESETS {
        for (_, extra) in p.panels {
            v.push(p.panel_link(extra));
        }
    }
    v
}

/// A link damaged as `tests/fuzz_links.rs` does: keys with dictionary values, random numbers,
/// dropped parts, byte damage, long repeated values, garbage.
pub fn mutate(rng: &mut Pcg64, link: &str) -> String {
    let mut parts: Vec<String> = link.split('&').map(str::to_string).collect();
    for _ in 0..rng.random_range(1..4u32) {
        let key = SCHEMA[rng.random_range(0..SCHEMA.len() as u32) as usize].key;
        match rng.random_range(0..7u32) {
            0 | 1 => parts.push(format!("{key}={}", pick(rng, VALUES))),
            2 => {
                let x: f64 = rng.random::<f64>() * 10f64.powi(rng.random_range(-12..13i32));
                parts.push(format!("{key}={x}"));
            }
            3 if !parts.is_empty() => {
                let i = rng.random_range(0..parts.len() as u32) as usize;
                parts.remove(i);
            }
            4 if !parts.is_empty() => {
                let i = rng.random_range(0..parts.len() as u32) as usize;
                let mut chars: Vec<char> = parts[i].chars().collect();
                let pos = rng.random_range(0..=chars.len() as u32) as usize;
                let c = char::from_u32(rng.random_range(1..0x2FFu32)).unwrap_or('?');
                chars.insert(pos, c);
                parts[i] = chars.into_iter().collect();
            }
            5 => {
                let unit = pick(rng, VALUES);
                let n = rng.random_range(1..3000u32) as usize;
                parts.push(format!("{key}={}", unit.repeat(n)));
            }
            _ => {
                let len = rng.random_range(0..48u32);
                parts.push(
                    (0..len)
                        .map(|_| char::from(rng.random_range(32..127u8)))
                        .collect(),
                );
            }
        }
    }
    parts.join("&")
}

/// The columns of a generated sweep CSV.
#[derive(Clone, Debug)]
pub struct Shape {
    pub axes: Vec<&'static str>,
    pub header: Vec<String>,
}

/// Columns as `skills sweep` writes them (`run`, axes, the summary, `loss@S`, `best_n0`,
/// `error`), sometimes with odd axis names or a damaged first column.
pub fn shape(rng: &mut Pcg64) -> Shape {
    let axes: Vec<&'static str> = if rng.random_range(0..3u32) == 0 {
        (0..rng.random_range(0..4u32))
            .map(|_| {
                pick(
                    rng,
                    &["alpha", "dim", "seed", "p1", "lr", "=1+1", "é", "", "steps"],
                )
            })
            .collect()
    } else {
        // the shapes of the paper's sweeps (α_N, α_S, Fig. 4 right)
        pick(
            rng,
            &[
                "alpha,dim,seed",
                "alpha,seed",
                "alpha,dim",
                "p1,seed",
                "dim",
            ],
        )
        .split(',')
        .collect()
    };
    let mut header = vec!["run".to_string()];
    header.extend(axes.iter().map(|a| a.to_string()));
    header.extend(
        [
            "steps", "loss", "learned", "n", "t_first", "t_all", "t_skills",
        ]
        .map(String::from),
    );
    if rng.random::<bool>() {
        header.extend(["loss@80", "loss@200"].map(String::from));
    } else {
        for _ in 0..rng.random_range(0..3u32) {
            header.push(format!(
                "loss@{}",
                pick(rng, &["80", "200", "1e308", "NaN", "x", ""])
            ));
        }
    }
    if rng.random_range(0..4u32) == 0 {
        header.push("best_n0".into());
    }
    header.push("error".into());
    if rng.random_range(0..12u32) == 0 {
        header[0] = pick(rng, &["", "Run", "=run", "\u{feff}run"]).to_string();
    }
    Shape { axes, header }
}

/// The columns of a sweep over `axes`, with `loss@80,loss@200` if `recorded`.
pub fn shape_of(axes: &[&'static str], recorded: bool) -> Shape {
    let mut header = vec!["run".to_string()];
    header.extend(axes.iter().map(|a| a.to_string()));
    header.extend(
        [
            "steps", "loss", "learned", "n", "t_first", "t_all", "t_skills",
        ]
        .map(String::from),
    );
    if recorded {
        header.extend(["loss@80", "loss@200"].map(String::from));
    }
    header.push("error".into());
    Shape {
        axes: axes.to_vec(),
        header,
    }
}

/// A hostile sweep CSV of any shape ([`sweep_csv`] at a random damage level), or junk.
pub fn csv_bytes(rng: &mut Pcg64) -> Vec<u8> {
    match rng.random_range(0..12u32) {
        0 => return vec![],
        1 => {
            return (0..rng.random_range(1..4000u32))
                .map(|_| rng.random())
                .collect()
        }
        2 => return b"\n\n\r\n".to_vec(),
        _ => {}
    }
    let s = shape(rng);
    let damage = rng.random_range(0..3u32);
    sweep_csv(rng, &s, 0, damage)
}

/// A sweep CSV of `shape` with rows numbered from `first_run` (bytes: it may not be UTF-8).
/// `damage` 0 writes clean rows; 1 puts hostile cells (formulas, NaN, ±1e308, multi-byte text)
/// in about a quarter of the rows; 2 also breaks rows (a missing or extra field, a bad run
/// index, a 100 kB field), line ends and the encoding.
pub fn sweep_csv(rng: &mut Pcg64, shape: &Shape, first_run: u32, damage: u32) -> Vec<u8> {
    let header = &shape.header;
    let rows = match rng.random_range(0..10u32) {
        0 => 0,
        1 => rng.random_range(500..3000u32),
        _ => rng.random_range(1..40u32),
    };
    // few values per axis (so the exponents find pairs), or many (many series)
    let spread = if rng.random_range(0..4u32) == 0 {
        1000
    } else {
        3
    };
    let mut lines = vec![header.join(",")];
    for r in 0..rows {
        let mut f: Vec<String> = vec![(first_run + r).to_string()];
        for a in &shape.axes {
            f.push(match *a {
                "dim" if damage == 0 => pick(rng, &["40", "220"]).to_string(),
                "dim" => pick(rng, &["40", "220", "1e308", "0", "-1"]).to_string(),
                "seed" => rng.random_range(0..3u32).to_string(),
                _ => format!("{}", 1.0 + rng.random_range(0..spread) as f64 * 0.2),
            });
        }
        f.push(pick(rng, &["200", "80", "0", "1e308"]).into());
        f.push(format!("{}", rng.random::<f64>()));
        f.push("2".into());
        f.push(pick(rng, &["2", "2", "10", "0", "1e9", ""]).into());
        f.push(rng.random_range(0..100u32).to_string());
        f.push(rng.random_range(0..200u32).to_string());
        f.push(format!(
            "{};{}",
            rng.random_range(0..50u32),
            rng.random_range(0..90u32)
        ));
        for _ in 8 + shape.axes.len()..header.len() - 1 {
            f.push(format!("{}", rng.random::<f64>()));
        }
        f.push(String::new());
        if damage > 0 && rng.random_range(0..4u32) == 0 {
            for _ in 0..rng.random_range(1..3u32) {
                let i = rng.random_range(0..f.len() as u32) as usize;
                f[i] = pick(rng, CELLS).to_string();
            }
        }
        if damage > 1 {
            match rng.random_range(0..8u32) {
                0 => {
                    f.pop();
                }
                1 => f.push("extra".into()),
                2 => f[0] = pick(rng, &["", "-1", "1e3", "18446744073709551616", "x"]).into(),
                3 => {
                    let i = rng.random_range(0..f.len() as u32) as usize;
                    f[i] = "9".repeat(rng.random_range(1000..100_000u32) as usize);
                }
                _ => {}
            }
        }
        lines.push(f.join(","));
    }
    let crlf = damage > 0 && rng.random_range(0..6u32) == 0;
    let mut text = lines.join(if crlf { "\r\n" } else { "\n" });
    if damage == 0 || rng.random::<bool>() {
        text.push('\n');
    }
    let mut bytes = text.into_bytes();
    if damage == 2 && rng.random_range(0..5u32) == 0 && !bytes.is_empty() {
        // an invalid UTF-8 byte somewhere
        let i = rng.random_range(0..bytes.len() as u32) as usize;
        bytes[i] = 0xff;
    }
    bytes
}
