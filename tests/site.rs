//! The published site (src/site, README "Published site"): every preset has a page at a stable
//! path with its preview tags escaped, its oEmbed document is oEmbed 1.0, its card is a
//! 1200×630 PNG with the chart drawn, and `skills site` refuses what it cannot publish.

use resvg::tiny_skia::Pixmap;
use skill_dominoes::link::presets::PRESETS;
use skill_dominoes::site::card::{card_png, options, wrap};
use skill_dominoes::site::page::{base_path, check_template, shorten};
use skill_dominoes::site::{
    base_url, figure_page, figures, home_figure, home_page, oembed_json, Figure, CARD_SIZE,
    LINK_META,
};
use std::collections::HashSet;

const BASE: &str = "https://owner.github.io/skill-dominoes/";

/// The repository's index.html with the loader Trunk writes for `--public-url /skill-dominoes/`.
fn template() -> String {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/index.html")).unwrap();
    page.replace(
        "</head>",
        "<script type=\"module\" src=\"/skill-dominoes/start.js\" data-js=\"/skill-dominoes/app-1.js\" data-wasm=\"/skill-dominoes/app-1_bg.wasm\"></script>\n<link rel=\"modulepreload\" href=\"/skill-dominoes/app-1.js\"></head>",
    )
}

fn fig(id: &str) -> Figure {
    figures().into_iter().find(|f| f.id == id).unwrap()
}

/// The `content` of the one `<meta {which}>` of `page` (panics when there is not exactly one).
fn meta(page: &str, which: &str) -> String {
    let hits: Vec<&str> = page
        .split(&format!("<meta {which} content=\""))
        .skip(1)
        .collect();
    assert_eq!(hits.len(), 1, "{which} occurs {} times", hits.len());
    hits[0].split('"').next().unwrap().to_string()
}

#[test]
fn every_preset_has_a_page_at_a_stable_path() {
    let figs = figures();
    assert_eq!(figs.len(), PRESETS.len());
    let mut paths = HashSet::new();
    for (f, p) in figs.iter().zip(PRESETS) {
        assert_eq!(f.path(), format!("fig/{}/", p.id));
        assert!(
            p.id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}: a path segment needs no escaping",
            p.id
        );
        assert!(paths.insert(f.path()), "{} twice", f.path());
        assert_eq!(f.link, format!("v=1&preset={}", p.id));
    }
    assert_eq!(fig("fig4").path(), "fig/fig4/");
}

#[test]
fn a_figure_page_carries_its_own_preview_tags() {
    let t = template();
    let f = fig("fig5");
    let page = figure_page(&t, &f, BASE).unwrap();
    let url = format!("{BASE}fig/fig5/");
    assert_eq!(meta(&page, "property=\"og:url\""), url);
    assert_eq!(
        meta(&page, "property=\"og:image\""),
        format!("{url}card.png")
    );
    assert_eq!(
        meta(&page, "name=\"twitter:image\""),
        format!("{url}card.png")
    );
    assert_eq!(meta(&page, "name=\"twitter:card\""), "summary_large_image");
    assert_eq!(
        meta(&page, "property=\"og:image:width\""),
        CARD_SIZE.0.to_string()
    );
    assert_eq!(
        meta(&page, "property=\"og:image:height\""),
        CARD_SIZE.1.to_string()
    );
    assert!(meta(&page, "property=\"og:title\"").starts_with("Fig. 5: "));
    assert_eq!(
        meta(&page, &format!("name=\"{LINK_META}\"")),
        "v=1&amp;preset=fig5"
    );
    assert_eq!(page.matches("<title>").count(), 1);
    assert!(page.contains(&format!(
        "<title>Fig. 5: {} · Skill Dominoes</title>",
        f.title
    )));
    assert!(page.contains(&format!(
        "<link rel=\"alternate\" type=\"application/json+oembed\" href=\"{url}oembed.json\""
    )));
    assert!(page.contains(&format!("<link rel=\"canonical\" href=\"{url}\"")));
    // the app's own head stays: its policy, styles, loader and preloads
    for kept in [
        "http-equiv=\"Content-Security-Policy\"",
        "data-js=\"/skill-dominoes/app-1.js\"",
        "rel=\"modulepreload\"",
        "<div id=\"loading\"",
        "og:site_name",
    ] {
        assert!(page.contains(kept), "{kept} lost");
    }
    // the template's lines keep their indentation where a tag was taken out before them
    assert!(page.contains("\n    <link rel=\"icon\""), "{page}");
    // the template's generic description is gone
    assert!(!page.contains("Watch skills fall like dominoes"));
    // applying it again changes nothing (the site can be rebuilt over itself)
    assert_eq!(figure_page(&page, &f, BASE).unwrap(), page);
}

#[test]
fn page_text_is_escaped() {
    let hostile = Figure {
        id: "x".into(),
        label: "Fig. \"1\"".into(),
        title: "<script>alert('t')</script> & \"q\"".into(),
        caption: "a \"caption\" with <b>tags</b> & 'quotes'".into(),
        link: "v=1&preset=x\"><script>".into(),
    };
    let page = figure_page(&template(), &hostile, BASE).unwrap();
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("<b>tags"));
    assert!(!page.contains("x\"><script>"));
    assert!(page.contains("&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; &amp; &quot;q&quot;"));
    let json: serde_json::Value = serde_json::from_str(&oembed_json(&hostile, BASE)).unwrap();
    assert_eq!(
        json["title"],
        format!("{}: {}", hostile.label, hostile.title)
    );
}

#[test]
fn oembed_documents_are_oembed_1_0_rich() {
    for f in figures() {
        let text = oembed_json(&f, BASE);
        let j: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", f.id));
        // required by oEmbed 1.0 §2.3.4 for every type, and for `rich`
        assert_eq!(j["version"], "1.0");
        assert_eq!(j["type"], "rich");
        let html = j["html"].as_str().unwrap();
        assert!(j["width"].as_u64().unwrap() > 0 && j["height"].as_u64().unwrap() > 0);
        // the Share dialog's snippet: the frame, the embed script that sizes it, and for hosts
        // that run no script the figure's card linking to it
        assert!(
            html.starts_with("<iframe ")
                && html.contains(&format!("<script async src=\"{BASE}embed.js\"></script>"))
                && html.contains(&format!("<img src=\"{BASE}fig/{}/card.png\"", f.id))
                && html.ends_with("</a></noscript>"),
            "{html}"
        );
        assert!(
            html.contains(&format!(
                "src=\"{BASE}?v=1&amp;preset={}&amp;embed=1\"",
                f.id
            )),
            "{html}"
        );
        // the thumbnail's three fields come together (§2.3.4)
        assert_eq!(
            j["thumbnail_url"],
            format!("{BASE}fig/{}/card.png", f.id),
            "{}",
            f.id
        );
        assert_eq!(j["thumbnail_width"], CARD_SIZE.0);
        assert_eq!(j["thumbnail_height"], CARD_SIZE.1);
        assert_eq!(j["provider_name"], "Skill Dominoes");
        assert_eq!(j["provider_url"], BASE);
    }
}

#[test]
fn the_home_page_gets_a_card_and_keeps_its_text() {
    let t = template();
    let page = home_page(&t, BASE, &format!("{BASE}card.png")).unwrap();
    assert_eq!(meta(&page, "property=\"og:url\""), BASE);
    assert_eq!(
        meta(&page, "property=\"og:image\""),
        format!("{BASE}card.png")
    );
    assert_eq!(
        meta(&page, "property=\"og:title\""),
        "Skill Dominoes: skills learned one after another, live"
    );
    assert!(page.contains("<title>Skill Dominoes</title>"));
    assert!(
        !page.contains(LINK_META),
        "the home page opens its address's link"
    );
    assert_eq!(
        home_page(&page, BASE, &format!("{BASE}card.png")).unwrap(),
        page
    );
    let home = home_figure(&t);
    assert_eq!(home.title, "Skills learned one after another, live");
    assert_eq!(home.link, "v=1");
}

#[test]
fn base_urls_and_templates_are_checked() {
    assert_eq!(
        base_url("https://o.github.io/skill-dominoes").unwrap(),
        "https://o.github.io/skill-dominoes/"
    );
    assert_eq!(
        base_url("http://127.0.0.1:8080/").unwrap(),
        "http://127.0.0.1:8080/"
    );
    for bad in [
        "o.github.io/x/",
        "ftp://o.github.io/",
        "https://",
        "https:///x/",
        "https://o.github.io/x/?a=1",
        "https://o.github.io/x/#a",
        "https://o.github.io/x\"/",
        "https://o.github.io/a b/",
        "javascript:alert(1)",
    ] {
        assert!(base_url(bad).is_err(), "{bad} accepted");
    }
    assert_eq!(base_path(BASE), "/skill-dominoes/");
    assert_eq!(base_path("http://127.0.0.1:8080/"), "/");
    let t = template();
    check_template(&t, BASE).unwrap();
    // built for the root: a page under fig/<id>/ would load nothing
    let e = check_template(&t.replace("/skill-dominoes/", "/"), BASE).unwrap_err();
    assert!(e.contains("--public-url /skill-dominoes/"), "{e}");
    assert!(check_template("<html></html>", BASE).is_err());
}

#[test]
fn descriptions_and_wrapped_lines_are_cut_at_words() {
    assert_eq!(shorten("short", 10), "short");
    let s = shorten("one two three four five six", 14);
    assert!(s.chars().count() <= 14 && s.ends_with('…'), "{s}");
    assert_eq!(s, "one two three…");
    let lines = wrap("aa bb cc dd ee ff", 2, |l| l.len() <= 6);
    assert_eq!(lines, vec!["aa bb".to_string(), "cc …".to_string()]);
    assert_eq!(
        wrap("aa bb", 2, |l| l.len() <= 6),
        vec!["aa bb".to_string()]
    );
    // a word wider than the line stays whole rather than looping
    assert_eq!(
        wrap("abcdefghij", 1, |l| l.len() <= 4),
        vec!["abcdefghij".to_string()]
    );
}

/// Pixels of the card that differ from its white background, in a box of it.
fn ink(p: &Pixmap, (x0, y0, x1, y1): (u32, u32, u32, u32)) -> usize {
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            let c = p.pixel(x, y).unwrap();
            if c.red() < 200 || c.green() < 200 || c.blue() < 200 {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn cards_are_1200_by_630_with_text_and_chart() {
    let opt = options();
    let mut seen = HashSet::new();
    for id in ["fig4", "fig5", "fig9"] {
        let png = card_png(&fig(id), &opt).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let p = Pixmap::decode_png(&png).unwrap();
        assert_eq!((p.width(), p.height()), CARD_SIZE, "{id}");
        // the site's name and title (top band), the caption, the chart's curves and axes
        assert!(ink(&p, (48, 30, 600, 125)) > 2000, "{id}: no title");
        assert!(ink(&p, (48, 135, 1152, 195)) > 2000, "{id}: no caption");
        assert!(ink(&p, (100, 215, 1150, 600)) > 10_000, "{id}: no chart");
        assert!(seen.insert(png), "{id}: the same image as another figure");
    }
}

fn skills_site(args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_skills"))
        .arg("site")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn skills_site_writes_the_pages_or_names_what_it_refuses() {
    let dist = std::env::temp_dir().join(format!("skills-site-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dist);
    std::fs::create_dir_all(&dist).unwrap();
    let d = dist.to_str().unwrap();
    // no built page yet
    let (code, err) = skills_site(&["--dist", d, "--base-url", BASE]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("index.html") && err.contains("trunk build"),
        "{err}"
    );
    std::fs::write(dist.join("index.html"), template()).unwrap();
    for (args, says) in [
        (vec!["--base-url", "ftp://x/"], "https://"),
        (
            vec!["--base-url", "https://o.github.io/other/"],
            "--public-url /other/",
        ),
        (
            vec!["--base-url", BASE, "--only", "fig4,nofig"],
            "\"nofig\"",
        ),
    ] {
        let (code, err) = skills_site(&[&["--dist", d][..], &args].concat());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!dist.join("fig").exists(), "{args:?}: nothing written");
    }
    let (code, err) = skills_site(&["--dist", d, "--base-url", BASE, "--only", "fig4"]);
    assert_eq!(code, 0, "{err}");
    for f in [
        "fig/fig4/index.html",
        "fig/fig4/card.png",
        "fig/fig4/oembed.json",
        "card.png",
    ] {
        assert!(dist.join(f).is_file(), "{f} missing");
    }
    assert!(!dist.join("fig/fig5").exists(), "--only fig4 wrote fig5");
    let home = std::fs::read_to_string(dist.join("index.html")).unwrap();
    assert!(home.contains(&format!(
        "<meta property=\"og:image\" content=\"{BASE}card.png\""
    )));
    let _ = std::fs::remove_dir_all(&dist);
}
