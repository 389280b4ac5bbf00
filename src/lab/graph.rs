//! The skill graph a reader edits on the dominoes, without the DOM: the prerequisites of the
//! Resource model (`and=` / `or=`, docs/models.md §4) as a [`Graph`] of gates, edits that
//! keep it acyclic ([`Graph::add`], [`Graph::remove`], [`Graph::toggle`]), the keys an edit
//! writes ([`Graph::changes`], through the link's own writer), and a skill's frequency set by
//! dragging its tile's bar ([`dragged_freq`], [`p_with`], writing `p=`).
//!
//! Skills are 0-based here and 1-based in every message, as in the link. An edge `a → b`
//! means "b needs a": the arc runs from the prerequisite to the skill that waits for it.

use super::controls::{nice, round_sig, set_by_control};
use crate::link::{spec_of, Config, FreqKind, Problem};

/// A composite skill's prerequisites (0-based) and whether it needs all (AND) or any one (OR).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gate {
    pub parents: Vec<usize>,
    pub all: bool,
}

/// One prerequisite: `to` needs `from`, through an AND (`all`) or an OR gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub all: bool,
}

/// The prerequisites of a run: one optional gate per skill.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Graph {
    gates: Vec<Option<Gate>>,
}

/// The graph of a run can be edited: its model reads `and` / `or` (the Resource model).
pub fn graph_editable(c: &Config) -> bool {
    spec_of("and").is_some_and(|s| s.is_read_by(c))
}

/// A skill's frequency can be set by dragging: the model reads an explicit list `p` (writing
/// one switches the frequencies to `freq=list`).
pub fn freq_draggable(c: &Config) -> bool {
    let mut listed = c.clone();
    listed.freq = FreqKind::List;
    spec_of("p").is_some_and(|s| s.is_read_by(&listed)) && !c.skill_freqs().is_empty()
}

impl Graph {
    /// The graph of `c`'s `and` / `or` keys (empty where the model reads neither). Entries
    /// naming a skill outside 1…n are skipped (the parser has already refused them).
    pub fn of(c: &Config) -> Graph {
        let n = c.skills();
        let mut gates = vec![None; n];
        if !graph_editable(c) {
            return Graph { gates };
        }
        for (list, all) in [(&c.and, true), (&c.or, false)] {
            for (k, pre) in list {
                if let Some(slot) = gates.get_mut(k.wrapping_sub(1)) {
                    let parents = pre
                        .iter()
                        .map(|p| p.wrapping_sub(1))
                        .filter(|&p| p < n)
                        .collect();
                    *slot = Some(Gate { parents, all });
                }
            }
        }
        Graph { gates }
    }

    /// Number of skills.
    pub fn len(&self) -> usize {
        self.gates.len()
    }

    /// No skills.
    pub fn is_empty(&self) -> bool {
        self.gates.is_empty()
    }

    /// The gate of skill `i`, if it has prerequisites.
    pub fn gate(&self, i: usize) -> Option<&Gate> {
        self.gates.get(i).and_then(Option::as_ref)
    }

    /// Every edge, by composite skill and then in its list's order.
    pub fn edges(&self) -> Vec<Edge> {
        self.gates
            .iter()
            .enumerate()
            .flat_map(|(to, g)| {
                g.iter().flat_map(move |g| {
                    g.parents.iter().map(move |&from| Edge {
                        from,
                        to,
                        all: g.all,
                    })
                })
            })
            .collect()
    }

    /// The skills that need `i` directly.
    fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.gates
            .iter()
            .enumerate()
            .filter(move |(_, g)| g.as_ref().is_some_and(|g| g.parents.contains(&i)))
            .map(|(k, _)| k)
    }

    /// A path `start → … → goal` along the edges (breadth first, so a shortest one).
    fn path(&self, start: usize, goal: usize) -> Option<Vec<usize>> {
        let n = self.len();
        let mut came = vec![usize::MAX; n];
        let mut queue = std::collections::VecDeque::from([start]);
        came[start] = start;
        while let Some(x) = queue.pop_front() {
            if x == goal {
                let mut path = vec![goal];
                let mut at = goal;
                while at != start {
                    at = came[at];
                    path.push(at);
                }
                path.reverse();
                return Some(path);
            }
            for c in self.children(x) {
                if came[c] == usize::MAX {
                    came[c] = x;
                    queue.push_back(c);
                }
            }
        }
        None
    }

    fn check(&self, i: usize) -> Result<(), String> {
        if i < self.len() {
            Ok(())
        } else {
            Err(format!("skill {} is outside 1…{}", i + 1, self.len()))
        }
    }

    /// This graph with "`to` needs `from`" added (a new gate is AND). Refused, with the
    /// reason: a skill outside the run, a skill as its own prerequisite, an edge already
    /// there, an edge that would close a cycle (named, e.g. "5 → 3 would close the cycle
    /// 3 → 5 → 3").
    pub fn add(&self, from: usize, to: usize) -> Result<Graph, String> {
        self.check(from)?;
        self.check(to)?;
        let (a, b) = (from + 1, to + 1);
        if from == to {
            return Err(format!("{a} → {b}: a skill cannot be its own prerequisite"));
        }
        if self.gate(to).is_some_and(|g| g.parents.contains(&from)) {
            return Err(format!("{a} → {b} is already there"));
        }
        if let Some(path) = self.path(to, from) {
            let cycle: Vec<String> = path
                .iter()
                .chain(std::iter::once(&to))
                .map(|x| (x + 1).to_string())
                .collect();
            return Err(format!(
                "{a} → {b} would close the cycle {}",
                cycle.join(" → ")
            ));
        }
        let mut next = self.clone();
        match &mut next.gates[to] {
            Some(g) => g.parents.push(from),
            slot => {
                *slot = Some(Gate {
                    parents: vec![from],
                    all: true,
                })
            }
        }
        Ok(next)
    }

    /// This graph without "`to` needs `from`"; a gate left with no prerequisite goes.
    pub fn remove(&self, from: usize, to: usize) -> Result<Graph, String> {
        self.check(from)?;
        self.check(to)?;
        let mut next = self.clone();
        let slot = &mut next.gates[to];
        let Some(g) = slot.as_mut().filter(|g| g.parents.contains(&from)) else {
            return Err(format!("there is no edge {} → {}", from + 1, to + 1));
        };
        g.parents.retain(|&p| p != from);
        if g.parents.is_empty() {
            *slot = None;
        }
        Ok(next)
    }

    /// This graph with skill `i`'s gate switched between AND and OR.
    pub fn toggle(&self, i: usize) -> Result<Graph, String> {
        self.check(i)?;
        let mut next = self.clone();
        match &mut next.gates[i] {
            Some(g) => {
                g.all = !g.all;
                Ok(next)
            }
            None => Err(format!(
                "skill {} has no prerequisites to switch between AND and OR",
                i + 1
            )),
        }
    }

    /// The `and` and `or` lists (1-based, by composite skill), as `Config` holds them.
    pub fn lists(&self) -> [Vec<(usize, Vec<usize>)>; 2] {
        let list = |all: bool| {
            self.gates
                .iter()
                .enumerate()
                .filter_map(|(k, g)| {
                    g.as_ref()
                        .filter(|g| g.all == all)
                        .map(|g| (k + 1, g.parents.iter().map(|p| p + 1).collect()))
                })
                .collect()
        };
        [list(true), list(false)]
    }

    /// The keys (`and`, `or`) whose link text this graph changes from `c`'s, each with its
    /// new text (written by the link's own writer), in an order in which every prefix is a
    /// valid link: a key that loses a composite skill comes before one that gains it (a
    /// skill switched from AND to OR leaves `and` before it enters `or`).
    pub fn changes(&self, c: &Config) -> Vec<(&'static str, String)> {
        let [and, or] = self.lists();
        let mut next = c.clone();
        next.and = and;
        next.or = or;
        let targets = |l: &[(usize, Vec<usize>)]| l.len();
        let mut out: Vec<(&'static str, String, bool)> = [
            ("and", targets(&next.and) < targets(&c.and)),
            ("or", targets(&next.or) < targets(&c.or)),
        ]
        .into_iter()
        .filter(|(k, _)| next.get(k) != c.get(k))
        .map(|(k, shrinks)| (k, next.get(k), shrinks))
        .collect();
        out.sort_by_key(|(_, _, shrinks)| !shrinks);
        out.into_iter().map(|(k, v, _)| (k, v)).collect()
    }

    /// `c` with this graph, set key by key as the page's controls set them (validated as a
    /// link is); the problems of the first key refused, if any.
    pub fn apply(&self, c: &Config) -> (Config, Vec<Problem>) {
        let mut out = c.clone();
        for (key, value) in self.changes(c) {
            let (next, problems) = set_by_control(&out, key, &value);
            if !problems.is_empty() {
                return (c.clone(), problems);
            }
            out = next;
        }
        (out, vec![])
    }
}

/// Pixels of vertical drag on a frequency bar per factor of ten in frequency.
pub const PX_PER_DECADE: f64 = 80.0;
/// The range of frequencies a drag sets (the `p` key allows (0, 1e6]).
pub const FREQ_RANGE: (f64, f64) = (1e-5, 1e5);
/// Decades below the largest frequency a bar can show (a bar's height is on a log scale).
pub const BAR_DECADES: f64 = 3.0;

/// The frequency after dragging a bar `up` pixels (down is negative) from `p0`: ×10 per
/// [`PX_PER_DECADE`], a nice value (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × a power of ten)
/// within [`FREQ_RANGE`]. `None` for a start value or drag that is not a finite number.
pub fn dragged_freq(p0: f64, up: f64) -> Option<f64> {
    if !(p0 > 0.0 && p0.is_finite() && up.is_finite()) {
        return None;
    }
    let x = p0 * 10f64.powf(up / PX_PER_DECADE);
    Some(nice(x.clamp(FREQ_RANGE.0, FREQ_RANGE.1)))
}

/// The next nice frequency above (`up`) or below `p0`: one keyboard step of a bar.
pub fn stepped_freq(p0: f64, up: bool) -> Option<f64> {
    let step = PX_PER_DECADE / 10.0 * if up { 1.0 } else { -1.0 };
    let first = dragged_freq(p0, step)?;
    // a value already nice and rounding back to itself moves on by a second step
    if first == nice(p0) {
        dragged_freq(p0, 2.0 * step)
    } else {
        Some(first)
    }
}

/// The height of skill `i`'s bar, 0…1: its frequency on a log scale over the [`BAR_DECADES`]
/// below the largest one (at least a sliver, so every bar can be grabbed).
pub fn bar_height(freqs: &[f64], i: usize) -> f64 {
    let max = freqs.iter().copied().fold(0.0, f64::max);
    match freqs.get(i) {
        Some(&p) if p > 0.0 && max > 0.0 => {
            (1.0 + (p / max).log10() / BAR_DECADES).clamp(0.06, 1.0)
        }
        _ => 0.0,
    }
}

/// The `p=` text with skill `i`'s frequency set to `value`: the run's other frequencies as
/// they are in a `p` list already, else rounded to three significant digits (a Zipf list
/// would otherwise be written with seventeen). `None` where the model reads no `p` or `i`
/// is not a skill of the run.
pub fn p_with(c: &Config, i: usize, value: f64) -> Option<String> {
    if !freq_draggable(c) {
        return None;
    }
    let mut p = c.freqs();
    if c.freq != FreqKind::List {
        p.iter_mut().for_each(|x| *x = round_sig(*x, 3));
    }
    *p.get_mut(i)? = value;
    let mut next = c.clone();
    next.p = p;
    Some(next.get("p"))
}

/// Where a row of tiles sits in the domino rows: CSS pixels from the rows' top to the row's
/// top and bottom (measured in the page; the rows' heights depend on fonts and labels).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowSpan {
    pub top: f64,
    pub bottom: f64,
}

/// The centre of tile `i`'s column, in column units, when rows hold `cols` tiles (the rows
/// are grids of equal columns spanning the same width, so this is exact at any width).
fn column_x(i: usize, cols: usize) -> f64 {
    (i % cols.max(1)) as f64 + 0.5
}

/// The arc (an SVG path) between two tiles of one row, in the lane above that row: a box
/// `cols` units wide (one per column) and one unit high, the row's top at y = 1. Longer arcs
/// rise higher, so they do not overlap.
pub fn lane_arc(from: usize, to: usize, cols: usize) -> String {
    let (x1, x2) = (column_x(from, cols), column_x(to, cols));
    // a cubic from y = 1 with both control points at `top` peaks at 1 − ¾(1 − top)
    let peak = (0.75 - 0.15 * (x1 - x2).abs()).max(0.06);
    let top = 1.0 - (1.0 - peak) / 0.75;
    format!("M {x1} 1 C {x1} {top:.3} {x2} {top:.3} {x2} 1")
}

/// The arc (an SVG path) between tiles on different rows, over all the rows: a box `cols`
/// units wide and CSS pixels high (`rows`: each row's span). It leaves the prerequisite's row
/// on the side facing the other tile (its bottom when the skill that needs it is on a later
/// row, its top when on an earlier one) at the prerequisite's column and ends on the facing
/// side of the other tile's row, at that tile's column. `None` for tiles on one row (see
/// [`lane_arc`]) or a row not in `rows`.
pub fn cross_arc(from: usize, to: usize, cols: usize, rows: &[RowSpan]) -> Option<String> {
    let cols = cols.max(1);
    let (rf, rt) = (from / cols, to / cols);
    if rf == rt {
        return None;
    }
    let (a, b) = (rows.get(rf)?, rows.get(rt)?);
    let (y1, y2) = if rf < rt {
        (a.bottom, b.top)
    } else {
        (a.top, b.bottom)
    };
    let (x1, x2) = (column_x(from, cols), column_x(to, cols));
    let bend = (y2 - y1) / 2.0;
    Some(format!(
        "M {x1} {y1:.1} C {x1} {:.1} {x2} {:.1} {x2} {y2:.1}",
        y1 + bend,
        y2 - bend
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drag_moves_a_decade_per_step_and_lands_on_nice_values() {
        assert_eq!(dragged_freq(0.1, 0.0), Some(0.1));
        assert_eq!(dragged_freq(0.1, PX_PER_DECADE), Some(1.0));
        assert_eq!(dragged_freq(0.1, -PX_PER_DECADE), Some(0.01));
        assert_eq!(dragged_freq(0.1, 1e9), Some(FREQ_RANGE.1));
        assert_eq!(dragged_freq(0.0, 10.0), None);
        assert_eq!(dragged_freq(f64::NAN, 10.0), None);
        assert_eq!(stepped_freq(1.0, true), Some(1.2));
        assert_eq!(stepped_freq(1.0, false), Some(0.8));
    }

    #[test]
    fn bars_are_log_scaled_to_the_largest_frequency() {
        let f = [1.0, 0.1, 1e-9];
        assert_eq!(bar_height(&f, 0), 1.0);
        assert!((bar_height(&f, 1) - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(bar_height(&f, 2), 0.06);
        assert_eq!(bar_height(&f, 3), 0.0);
    }

    /// The numbers of a path's `d`: start point, control points, end point.
    fn points(d: &str) -> Vec<f64> {
        d.split([' ', 'M', 'C'])
            .filter_map(|t| t.parse().ok())
            .collect()
    }

    #[test]
    fn an_arc_between_rows_ends_at_both_tiles() {
        // the defect: skill 3's arc to skill 13 (10 to a row) began above skill 11, in the
        // lane of the second row; it must leave the first row below skill 3's column
        let rows = [
            RowSpan {
                top: 44.0,
                bottom: 120.0,
            },
            RowSpan {
                top: 170.0,
                bottom: 250.0,
            },
        ];
        let p = points(&cross_arc(2, 12, 10, &rows).unwrap());
        assert_eq!((p[0], p[1]), (2.5, 120.0), "from below skill 3");
        assert_eq!((p[6], p[7]), (2.5, 170.0), "to the top of skill 13's row");
        // a prerequisite on a later row: from its row's top to the earlier row's bottom
        let p = points(&cross_arc(17, 4, 10, &rows).unwrap());
        assert_eq!((p[0], p[1]), (7.5, 170.0));
        assert_eq!((p[6], p[7]), (4.5, 120.0));
        // one row: the lane's arc instead; a row that was not measured: none
        assert_eq!(cross_arc(1, 4, 10, &rows), None);
        assert_eq!(cross_arc(1, 24, 10, &rows), None);
        let p = points(&lane_arc(1, 4, 10));
        assert_eq!((p[0], p[1], p[6], p[7]), (1.5, 1.0, 4.5, 1.0));
    }
}
