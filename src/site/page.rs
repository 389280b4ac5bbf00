//! The text of the published site's pages: each figure page is the app's own `index.html`
//! (as Trunk built it, so its scripts, styles and workers are the app's) with the figure's
//! title, description, preview tags, oEmbed discovery link and [`LINK_META`]; the app's home
//! page gets its preview image. Pure functions of the template, the base URL and the presets.

use crate::export::{embed_code, escape_attr, json_string, PageOpts};
use crate::link::presets::{Preset, PRESETS};

/// `<meta name="skill-dominoes:link" content="v=1&preset=fig4">`: the link a figure page opens
/// when its address has no query (a page cannot carry inline script under the app's
/// Content-Security-Policy, and its path, not a query, is what gets shared).
pub const LINK_META: &str = "skill-dominoes:link";
/// The site's name, on every card and in `og:site_name`.
pub const SITE_NAME: &str = "Skill Dominoes";
/// Size of a preview image: the 1.91:1 of Open Graph and Twitter's large summary card.
pub const CARD_SIZE: (u32, u32) = (1200, 630);
/// A page's preview image and oEmbed document, next to its `index.html`.
pub const CARD_FILE: &str = "card.png";
pub const OEMBED_FILE: &str = "oembed.json";
/// Descriptions longer than this are cut at a word (previews show about 200 characters).
const DESCRIPTION_MAX: usize = 240;

/// One page of the site.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// The preset id, which names the page's directory: `fig/<id>/`.
    pub id: String,
    /// "Fig. 4" ("" for the home page's card).
    pub label: String,
    pub title: String,
    pub caption: String,
    /// The link the page opens: `v=1&preset=<id>`.
    pub link: String,
}

impl Figure {
    pub fn of(p: &Preset) -> Figure {
        Figure {
            id: p.id.into(),
            label: p.figure.into(),
            title: p.title.into(),
            caption: p.caption(),
            link: p.panel_link(""),
        }
    }

    /// The page's directory under the site's base: `fig/<id>/` (stable: preset ids are part of
    /// the link format and never change).
    pub fn path(&self) -> String {
        format!("fig/{}/", self.id)
    }

    /// "Fig. 4: Two skills: SignGD, Adam and SGD".
    pub fn heading(&self) -> String {
        format!("{}: {}", self.label, self.title)
    }

    /// The caption, cut at a word to about [`DESCRIPTION_MAX`] characters.
    pub fn description(&self) -> String {
        shorten(&self.caption, DESCRIPTION_MAX)
    }
}

/// Every figure page: one per preset of `skills presets`, in its order.
pub fn figures() -> Vec<Figure> {
    PRESETS.iter().map(Figure::of).collect()
}

/// `text` cut at a word boundary to at most `max` characters, with "…" when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let keep = max.saturating_sub(1);
    let cut: String = text.chars().take(keep).collect();
    // the cut ends a word when the next character is a space; else back to the last space
    let whole = text.chars().nth(keep).is_some_and(char::is_whitespace);
    let head = match cut.rfind(' ') {
        Some(i) if i > 0 && !whole => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", head.trim_end_matches([',', ';', ':', '.', ' ']))
}

/// The site's address as given to `skills site --base-url`: `http(s)://host/path/`, with the
/// final `/` added. Refused with a message: another scheme, no host, a query or fragment,
/// spaces, quotes or angle brackets.
pub fn base_url(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("base URL {url:?}: must start with https:// or http:// (previews need absolute URLs)")
        })?;
    if let Some(c) = url
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "\"'<>?#\\`".contains(*c))
    {
        return Err(format!("base URL {url:?}: {c:?} is not allowed"));
    }
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("base URL {url:?}: no host"));
    }
    Ok(if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    })
}

/// The path part of a base URL (`https://o.github.io/skill-dominoes/` → `/skill-dominoes/`).
pub fn base_path(base: &str) -> &str {
    let rest = base.split_once("://").map(|(_, r)| r).unwrap_or(base);
    rest.find('/').map(|i| &rest[i..]).unwrap_or("/")
}

/// Check that Trunk built `template` for `base`: its loader must load the app from `base`'s
/// path, else a page under `fig/<id>/` (or the site under a project path) finds no script.
pub fn check_template(template: &str, base: &str) -> Result<(), String> {
    let path = base_path(base);
    if !template.contains("</head>") || !template.contains("<title>") {
        return Err("index.html has no <title> or no </head>: not the app's page".into());
    }
    let js = attr_after(template, "data-js=\"")
        .ok_or("index.html has no loader (<script data-js=…>): build it with trunk first")?;
    if !js.starts_with(path) {
        return Err(format!(
            "index.html loads the app from {js:?}, not under {path}: build it with `trunk build --release --public-url {path}`"
        ));
    }
    Ok(())
}

fn attr_after<'a>(text: &'a str, marker: &str) -> Option<&'a str> {
    let i = text.find(marker)? + marker.len();
    let len = text[i..].find('"')?;
    Some(&text[i..i + len])
}

/// A tag of the head that a page writes itself, so that the template's copy goes: the title,
/// the description, Open Graph and Twitter tags, the canonical and oEmbed links, [`LINK_META`].
fn replaced(tag: &str) -> bool {
    let name = |k: &str| attr_after(tag, &format!(" {k}=\""));
    tag.starts_with("<title")
        || matches!(name("name"), Some(n) if n == "description" || n == LINK_META || n.starts_with("twitter:"))
        || matches!(name("property"), Some(p) if p.starts_with("og:"))
        || matches!(name("rel"), Some("canonical"))
        || (matches!(name("rel"), Some("alternate")) && tag.contains("json+oembed"))
}

/// The head of `template` without the tags [`replaced`] names, and the rest of the page.
fn strip_head(template: &str) -> Result<(String, &str), String> {
    let end = template
        .find("</head>")
        .ok_or("index.html has no </head>")?;
    let (head, rest) = template.split_at(end);
    let mut out = String::with_capacity(head.len());
    let mut i = 0;
    while let Some(j) = head[i..].find('<').map(|j| i + j) {
        out += &head[i..j];
        let close = if head[j..].starts_with("<title") {
            head[j..].find("</title>").map(|k| j + k + "</title>".len())
        } else if head[j..].starts_with("<!--") {
            head[j..].find("-->").map(|k| j + k + "-->".len())
        } else {
            head[j..].find('>').map(|k| j + k + 1)
        }
        .ok_or("index.html: a tag of the head is not closed")?;
        let tag = &head[j..close];
        if replaced(tag) {
            // drop the tag with its line's indentation and the line break after it
            let rest = &head[close..];
            let blank = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            i = close + blank + usize::from(rest[blank..].starts_with('\n'));
            out.truncate(out.trim_end_matches([' ', '\t']).len());
        } else {
            out += tag;
            i = close;
        }
    }
    out += &head[i..];
    Ok((out, rest))
}

/// The preview tags of a page at `url` with image `image`.
fn preview_tags(title: &str, description: &str, url: &str, image: &str, alt: &str) -> String {
    let (w, h) = CARD_SIZE;
    let [title, description, url, image, alt] =
        [title, description, url, image, alt].map(escape_attr);
    format!(
        "    <link rel=\"canonical\" href=\"{url}\" />
    <meta property=\"og:type\" content=\"website\" />
    <meta property=\"og:site_name\" content=\"{SITE_NAME}\" />
    <meta property=\"og:title\" content=\"{title}\" />
    <meta property=\"og:description\" content=\"{description}\" />
    <meta property=\"og:url\" content=\"{url}\" />
    <meta property=\"og:image\" content=\"{image}\" />
    <meta property=\"og:image:type\" content=\"image/png\" />
    <meta property=\"og:image:width\" content=\"{w}\" />
    <meta property=\"og:image:height\" content=\"{h}\" />
    <meta property=\"og:image:alt\" content=\"{alt}\" />
    <meta name=\"twitter:card\" content=\"summary_large_image\" />
    <meta name=\"twitter:title\" content=\"{title}\" />
    <meta name=\"twitter:description\" content=\"{description}\" />
    <meta name=\"twitter:image\" content=\"{image}\" />
    <meta name=\"twitter:image:alt\" content=\"{alt}\" />
"
    )
}

/// What a card shows, for `og:image:alt`.
fn card_alt(heading: &str) -> String {
    format!("{SITE_NAME}, {heading}: the skill levels s_i against the step, drawn by the app")
}

/// A figure's page: `template` (the app's built `index.html`) with the figure's title,
/// description, [`LINK_META`], canonical URL, oEmbed discovery link and preview tags in
/// place of the template's own. `base` is a [`base_url`].
pub fn figure_page(template: &str, fig: &Figure, base: &str) -> Result<String, String> {
    let (head, rest) = strip_head(template)?;
    let url = format!("{base}{}", fig.path());
    let heading = fig.heading();
    let description = fig.description();
    let mut tags = format!(
        "    <title>{} · {SITE_NAME}</title>
    <meta name=\"description\" content=\"{}\" />
    <meta name=\"{LINK_META}\" content=\"{}\" />
    <link rel=\"alternate\" type=\"application/json+oembed\" href=\"{}\" title=\"{}\" />
",
        escape_attr(&heading),
        escape_attr(&description),
        escape_attr(&fig.link),
        escape_attr(&format!("{url}{OEMBED_FILE}")),
        escape_attr(&heading),
    );
    tags += &preview_tags(
        &heading,
        &description,
        &url,
        &format!("{url}{CARD_FILE}"),
        &card_alt(&heading),
    );
    Ok(format!("{}\n{tags}  {rest}", head.trim_end()))
}

/// The app's home page (`template` itself) with a preview image (`card`, a URL) and its URL;
/// its own title and description stay (`og:title`, `og:description` from the template).
pub fn home_page(template: &str, base: &str, card: &str) -> Result<String, String> {
    let title = meta_content(template, "property=\"og:title\"").unwrap_or(SITE_NAME.into());
    let description = meta_content(template, "property=\"og:description\"")
        .or_else(|| meta_content(template, "name=\"description\""))
        .unwrap_or_default();
    let title_tag = between(template, "<title>", "</title>").unwrap_or(SITE_NAME.into());
    let (head, rest) = strip_head(template)?;
    let mut tags = format!(
        "    <title>{}</title>\n    <meta name=\"description\" content=\"{}\" />\n",
        escape_attr(&title_tag),
        escape_attr(&description)
    );
    tags += &preview_tags(&title, &description, base, card, &card_alt(&title));
    Ok(format!("{}\n{tags}  {rest}", head.trim_end()))
}

/// The home page's card: the template's own title (`og:title` without the site's name) and
/// description, over the default run (`v=1`).
pub fn home_figure(template: &str) -> Figure {
    let title = meta_content(template, "property=\"og:title\"").unwrap_or_default();
    let title = title
        .strip_prefix(SITE_NAME)
        .map(|t| t.trim_start_matches([':', ' ', '-', '·']))
        .unwrap_or(&title);
    let mut chars = title.chars();
    let title = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    Figure {
        id: String::new(),
        label: String::new(),
        title,
        caption: meta_content(template, "property=\"og:description\"").unwrap_or_default(),
        link: "v=1".into(),
    }
}

fn between(text: &str, open: &str, close: &str) -> Option<String> {
    let i = text.find(open)? + open.len();
    let j = text[i..].find(close)?;
    Some(unescape(&text[i..i + j]))
}

fn meta_content(template: &str, which: &str) -> Option<String> {
    let i = template.find(which)?;
    let tag_end = template[i..].find('>')? + i;
    attr_after(&template[i..tag_end], "content=\"").map(unescape)
}

/// The entities [`escape_attr`] writes, read back (the template's own text, to write it again).
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A figure's oEmbed document (oEmbed 1.0, type `rich`): the embed snippet of the Share dialog
/// for the figure's link as `html`, its size, the card as thumbnail and the site as provider.
pub fn oembed_json(fig: &Figure, base: &str) -> String {
    let heading = fig.heading();
    let opts = PageOpts::default();
    let card = format!("{base}{}{CARD_FILE}", fig.path());
    let html = embed_code(
        base,
        &format!("?{}", fig.link),
        &opts,
        &heading,
        Some(&card),
    );
    let (w, h) = crate::export::embed_size(false);
    let (cw, ch) = CARD_SIZE;
    let s = json_string;
    format!(
        "{{\n  \"version\": \"1.0\",\n  \"type\": \"rich\",\n  \"title\": {},\n  \"provider_name\": {},\n  \"provider_url\": {},\n  \"html\": {},\n  \"width\": {w},\n  \"height\": {h},\n  \"thumbnail_url\": {},\n  \"thumbnail_width\": {cw},\n  \"thumbnail_height\": {ch}\n}}\n",
        s(&heading),
        s(SITE_NAME),
        s(base),
        s(&html),
        s(&card),
    )
}
