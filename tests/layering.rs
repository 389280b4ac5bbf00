//! The layering rules of the crate, checked on its source text (ARCHITECTURE.md, "Invariants"):
//!
//! * the simulation core (`src/sim`) names no web or drawing crate: not `leptos`, `web_sys` /
//!   `web-sys`, `wasm_bindgen` / `wasm-bindgen`, `js_sys` / `js-sys` or `plotters`, anywhere in
//!   its files, comments included (strict and simple: a comment naming one is a violation too);
//! * `unsafe` code appears only in the kernel modules ([`UNSAFE_ALLOWED`]), the ones that
//!   `#[allow(unsafe_code)]` under the crate-wide `#![deny(unsafe_code)]`;
//! * no circle of `use`s between files: each file of the library is a node, and a path it
//!   names (`use crate::…`, `use super::…`, `use self::…`, a child module, or such a path
//!   inline in code) is an edge to the file of the longest module prefix of that path, so
//!   `use super::Thing` points at the parent's `mod.rs` when `Thing` is defined (or re-exported)
//!   there. Test modules (`#[cfg(test)] mod tests`) are left out. A circle touching a
//!   directory of [`STRICT_DIRS`] fails the test; circles elsewhere are printed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Directories (relative to the crate root) in which a `use` circle fails the test: all of
/// `src/` (circles elsewhere would only be printed).
const STRICT_DIRS: &[&str] = &["src"];

/// The only files allowed to contain `unsafe` code (the kernel modules).
const UNSAFE_ALLOWED: &[&str] = &["src/sim/nn/gemm/", "src/sim/nn/activations.rs"];

/// Crates the simulation core must never name.
const WEB_NAMES: &[&str] = &[
    "leptos",
    "web_sys",
    "web-sys",
    "wasm_bindgen",
    "wasm-bindgen",
    "js_sys",
    "js-sys",
    "plotters",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, as paths relative to the crate root with `/` separators.
fn rust_files(dir: &str) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(base).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = vec![];
    walk(&root(), &root().join(dir), &mut out);
    out.sort();
    out
}

fn read(rel: &str) -> String {
    fs::read_to_string(root().join(rel)).unwrap()
}

/// The text with `//` comments (doc comments included) and `/* */` comments blanked out and
/// string literals emptied, so that only code is left.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'"' && (i == 0 || b[i - 1] != b'\'') {
            // a string literal (raw strings of this crate hold no quote): skip to its end
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The text before the file's test module (`#[cfg(test)]` followed by `mod tests`, of any
/// visibility).
fn without_tests(text: &str) -> &str {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("#[cfg(test)]") {
            let rest = text[at + line.len()..].trim_start();
            let rest = ["pub(super) ", "pub(crate) ", "pub "]
                .iter()
                .find_map(|v| rest.strip_prefix(v))
                .unwrap_or(rest);
            if rest.starts_with("mod tests") {
                return &text[..at];
            }
        }
        at += line.len();
    }
    text
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `word` occurs in `text` as a whole word (not inside a longer identifier).
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

#[test]
fn the_simulation_core_names_no_web_or_drawing_crate() {
    let mut bad = vec![];
    for file in rust_files("src/sim") {
        let text = read(&file);
        for (n, line) in text.lines().enumerate() {
            for name in WEB_NAMES {
                if line.contains(name) {
                    bad.push(format!("{file}:{}: names `{name}`: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "src/sim must not name a web or drawing crate:\n{}",
        bad.join("\n")
    );
}

#[test]
fn unsafe_code_only_in_the_kernel_modules() {
    let mut bad = vec![];
    for file in rust_files("src") {
        if UNSAFE_ALLOWED.iter().any(|a| file.starts_with(a)) {
            continue;
        }
        let code = code_only(&read(&file));
        for (n, line) in code.lines().enumerate() {
            if has_word(line, "unsafe") {
                bad.push(format!("{file}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "`unsafe` outside the kernel modules {UNSAFE_ALLOWED:?}:\n{}",
        bad.join("\n")
    );
    // and the crate-wide deny is in place (the library and the native CLI; src/main.rs, the
    // wasm entry point, is left to wasm-bindgen's generated exports)
    for root in ["src/lib.rs", "src/bin/skills.rs"] {
        assert!(read(root).contains("#![deny(unsafe_code)]"), "{root}");
    }
}

// ------------------------------------------------------------------------------------------
// The file graph

/// The library's modules: module path (e.g. ["sim", "nn", "mlp"]) → file.
fn modules() -> BTreeMap<Vec<String>, String> {
    let mut m = BTreeMap::new();
    m.insert(vec![], "src/lib.rs".to_string());
    for file in rust_files("src") {
        let rel = file.strip_prefix("src/").unwrap();
        if rel == "lib.rs" || rel == "main.rs" || rel.starts_with("bin/") {
            continue;
        }
        let mut segs: Vec<String> = rel
            .trim_end_matches(".rs")
            .split('/')
            .map(String::from)
            .collect();
        if segs.last().is_some_and(|s| s == "mod") {
            segs.pop();
        }
        m.insert(segs, file);
    }
    m
}

/// The `use` trees of `code` flattened into paths: `use a::{b, c::{d, e as f}, *};` gives
/// a::b, a::c::d, a::c::e, a. Returns the paths and the code with the use statements removed.
fn use_paths(code: &str) -> (Vec<Vec<String>>, String) {
    fn expand(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
        let tree = tree.trim();
        if tree.is_empty() {
            return;
        }
        if let Some(open) = tree.find('{') {
            let head: Vec<String> = tree[..open]
                .split("::")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            let mut p = prefix.to_vec();
            p.extend(head);
            let inner = &tree[open + 1..tree.rfind('}').unwrap()];
            // split at top-level commas
            let (mut depth, mut start) = (0, 0);
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(&p, &inner[start..i], out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            expand(&p, &inner[start..], out);
        } else {
            let tree = tree.split(" as ").next().unwrap();
            let mut p = prefix.to_vec();
            p.extend(
                tree.split("::")
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty() && s != "*" && s != "self"),
            );
            out.push(p);
        }
    }
    let mut paths = vec![];
    let mut rest = String::new();
    let mut i = 0;
    while let Some(found) = code[i..].find("use ") {
        let at = i + found;
        let before = code[..at].chars().next_back();
        let is_stmt = !before.is_some_and(is_ident);
        let Some(end) = code[at..].find(';') else {
            break;
        };
        if is_stmt
            && code[at + 4..at + end]
                .chars()
                .next()
                .is_some_and(|c| c != '(')
        {
            rest.push_str(&code[i..at]);
            expand(&[], &code[at + 4..at + end], &mut paths);
            i = at + end + 1;
        } else {
            rest.push_str(&code[i..at + 4]);
            i = at + 4;
        }
    }
    rest.push_str(&code[i..]);
    (paths, rest)
}

/// Paths written inline in code that start with `crate`, `super`, `self` or one of `children`
/// (the current module's child modules): `crate::sim::linalg::sigmoid(…)`, `nn::Net::new(…)`.
fn inline_paths(code: &str, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    while i < chars.len() {
        let start_ok = i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == ':');
        if start_ok && is_ident(chars[i]) {
            // read ident(::ident)*
            let mut segs = vec![];
            let mut j = i;
            loop {
                let s = j;
                while j < chars.len() && is_ident(chars[j]) {
                    j += 1;
                }
                segs.push(chars[s..j].iter().collect::<String>());
                if j + 2 < chars.len()
                    && chars[j] == ':'
                    && chars[j + 1] == ':'
                    && is_ident(chars[j + 2])
                {
                    j += 2;
                } else {
                    break;
                }
            }
            // (`$crate::…` in a macro reads as `crate::…`: the `$` is not part of the path)
            let first = segs[0].as_str();
            if segs.len() > 1
                && (first == "crate"
                    || first == "super"
                    || first == "self"
                    || children.contains(first))
            {
                out.push(segs);
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// The file of the longest module prefix of `path` written in module `here`, if it is a path
/// of this crate.
fn resolve(
    path: &[String],
    here: &[String],
    mods: &BTreeMap<Vec<String>, String>,
) -> Option<String> {
    let mut abs: Vec<String>;
    let mut rest = path;
    match path.first()?.as_str() {
        "crate" => {
            abs = vec![];
            rest = &path[1..];
        }
        "self" => {
            abs = here.to_vec();
            rest = &path[1..];
        }
        "super" => {
            abs = here.to_vec();
            while rest.first().is_some_and(|s| s == "super") {
                abs.pop()?;
                rest = &rest[1..];
            }
        }
        first => {
            let mut child = here.to_vec();
            child.push(first.to_string());
            if !mods.contains_key(&child) {
                return None; // another crate
            }
            abs = here.to_vec();
        }
    }
    abs.extend(rest.iter().cloned());
    (0..=abs.len())
        .rev()
        .find_map(|k| mods.get(&abs[..k]).cloned())
}

/// The code outside the inline modules (`mod name { … }`) of `code`, and each inline module's
/// name and body.
fn split_inline_modules(code: &str) -> (String, Vec<(String, String)>) {
    let mut outer = String::new();
    let mut inner = vec![];
    let mut i = 0;
    while let Some(found) = code[i..].find("mod ") {
        let at = i + found;
        let before = code[..at].chars().next_back();
        let after = &code[at + 4..];
        let name: String = after.chars().take_while(|&c| is_ident(c)).collect();
        let tail = after[name.len()..].trim_start();
        if before.is_some_and(is_ident) || name.is_empty() || !tail.starts_with('{') {
            outer.push_str(&code[i..at + 4]);
            i = at + 4;
            continue;
        }
        let open = at + 4 + name.len() + (after.len() - name.len() - tail.len());
        let mut depth = 0;
        let mut close = code.len();
        for (j, c) in code[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + j;
                        break;
                    }
                }
                _ => {}
            }
        }
        outer.push_str(&code[i..at]);
        inner.push((name, code[open + 1..close.min(code.len())].to_string()));
        i = (close + 1).min(code.len());
    }
    outer.push_str(&code[i..]);
    (outer, inner)
}

/// The paths named by `code` of module `here` (and of its inline modules), resolved to files.
fn named_files(
    code: &str,
    here: &[String],
    mods: &BTreeMap<Vec<String>, String>,
    out: &mut BTreeSet<String>,
) {
    let (outer, inline_mods) = split_inline_modules(code);
    let (mut paths, rest) = use_paths(&outer);
    let children: BTreeSet<String> = mods
        .keys()
        .filter(|k| k.len() == here.len() + 1 && k.starts_with(here))
        .map(|k| k[here.len()].clone())
        .chain(inline_mods.iter().map(|(n, _)| n.clone()))
        .collect();
    paths.extend(inline_paths(&rest, &children));
    out.extend(paths.iter().filter_map(|p| resolve(p, here, mods)));
    for (name, body) in inline_mods {
        let mut inner = here.to_vec();
        inner.push(name);
        named_files(&body, &inner, mods, out);
    }
}

/// file → the files it names.
fn file_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules();
    let mut graph = BTreeMap::new();
    for (here, file) in &mods {
        let code = code_only(without_tests(&read(file)));
        let mut targets = BTreeSet::new();
        named_files(&code, here, &mods, &mut targets);
        targets.remove(file);
        graph.insert(file.clone(), targets);
    }
    graph
}

/// The strongly connected components with more than one file (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Tarjan<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, v: &'a str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if self.on_stack.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut comp = vec![];
                loop {
                    let w = self.stack.pop().unwrap();
                    self.on_stack.remove(w);
                    comp.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if comp.len() > 1 {
                    comp.sort();
                    self.out.push(comp);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: vec![],
        on_stack: BTreeSet::new(),
        out: vec![],
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out
}

#[test]
fn no_use_circle_between_files() {
    let graph = file_graph();
    let mut strict = vec![];
    for comp in cycles(&graph) {
        let edges: Vec<String> = comp
            .iter()
            .flat_map(|a| {
                graph[a]
                    .iter()
                    .filter(|b| comp.contains(b))
                    .map(move |b| format!("{a} → {b}"))
            })
            .collect();
        let msg = format!("circle among {comp:?}:\n    {}", edges.join("\n    "));
        if comp
            .iter()
            .any(|f| STRICT_DIRS.iter().any(|d| f.starts_with(&format!("{d}/"))))
        {
            strict.push(msg);
        } else {
            println!("(not checked strictly) {msg}");
        }
    }
    assert!(
        strict.is_empty(),
        "use circles between files in {STRICT_DIRS:?}:\n{}",
        strict.join("\n")
    );
}

/// The parsing above on known snippets, so that a silent parser cannot pass the check above.
#[test]
fn the_file_graph_sees_uses_and_inline_paths() {
    let (paths, rest) =
        use_paths("use a::{b, c::{d, e as f}, *};\npub use super::g::H;\nfn x() { use_it(); }");
    let s: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(s, ["a::b", "a::c::d", "a::c::e", "a", "super::g::H"]);
    assert!(rest.contains("use_it()"));
    let children = BTreeSet::from(["nn".to_string()]);
    let inline: Vec<String> = inline_paths(
        "let x = crate::sim::linalg::sigmoid(v); nn::Net::new(p); a::b(); Self::X",
        &children,
    )
    .iter()
    .map(|p| p.join("::"))
    .collect();
    assert_eq!(inline, ["crate::sim::linalg::sigmoid", "nn::Net::new"]);
    assert_eq!(code_only("a // b\n/* c */ d \"e // f\" g"), "a \n d \"\" g");
    let graph = file_graph();
    // known edges of the tree: a child module, an item of a parent, an inline crate path
    assert!(graph["src/sim/mod.rs"].contains("src/sim/nn/mod.rs"));
    assert!(graph["src/sim/nn/parity.rs"].contains("src/sim/nn/engine.rs"));
    assert!(graph["src/sim/nn/mlp.rs"].contains("src/sim/real.rs"));
    // SimError lives in error.rs, so the models do not point at sim/mod.rs
    assert!(!graph["src/sim/geometry.rs"].contains("src/sim/mod.rs"));
    // and a circle is found when there is one
    let toy = BTreeMap::from([
        ("a".to_string(), BTreeSet::from(["b".to_string()])),
        ("b".to_string(), BTreeSet::from(["c".to_string()])),
        ("c".to_string(), BTreeSet::from(["a".to_string()])),
        ("d".to_string(), BTreeSet::from(["a".to_string()])),
    ]);
    assert_eq!(cycles(&toy), [["a", "b", "c"]]);
}
