//! The published site (README "Published site"): one page per figure preset at a stable path,
//! `fig/<id>/`, with its own preview tags (Open Graph, Twitter card), a preview image drawn at
//! build time and an oEmbed document, so a pasted link previews or embeds the figure.
//!
//! * [`page`] (every target): the text of a figure page and of its oEmbed JSON, pure
//!   functions over the app's own `index.html`, and [`LINK_META`], the tag through which a
//!   figure page tells the app which link to open (the page reads it in `ui::location`);
//! * `card` (native only): the preview image, the page's own skill chart (`plot::run`, drawn
//!   on plotters' SVG backend as `skills svg` draws it) with the title and caption, set in an
//!   embedded DejaVu Sans and rasterised by resvg;
//! * `build` (native only): `skills site`, which writes every page, card and oEmbed file into
//!   a built `dist/`.

pub mod page;

#[cfg(not(target_arch = "wasm32"))]
pub mod build;
#[cfg(not(target_arch = "wasm32"))]
pub mod card;

pub use page::{
    base_url, figure_page, figures, home_figure, home_page, oembed_json, Figure, CARD_FILE,
    CARD_SIZE, LINK_META, OEMBED_FILE, SITE_NAME,
};
