//! `skills site --dist DIR --base-url URL`: into a `dist/` that Trunk built for the base
//! URL's path, write one page per figure preset (`fig/<id>/index.html`), its preview image
//! (`card.png`) and its oEmbed document (`oembed.json`), and give the home page its own
//! preview image (`card.png`) and tags. The cards are drawn on every core (rayon).

use super::card::{card_png, options};
use super::page::{
    base_url, check_template, figure_page, figures, home_figure, home_page, oembed_json, Figure,
    CARD_FILE, OEMBED_FILE,
};
use rayon::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};

fn write(path: &Path, bytes: &[u8]) -> Result<PathBuf, String> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path.to_path_buf())
}

/// Write the site's figure pages into `dist` for `base` (checked by [`base_url`]): every
/// preset's, or only those of `only` (preset ids; a quick site for tests). Returns the files
/// written, or the first problem (nothing is written when the base URL, an id or the template
/// is refused).
pub fn build(dist: &Path, base: &str, only: &[String]) -> Result<Vec<PathBuf>, String> {
    let base = base_url(base)?;
    let mut figs = figures();
    if let Some(id) = only.iter().find(|id| !figs.iter().any(|f| &f.id == *id)) {
        return Err(format!(
            "no figure preset {id:?} (skills presets lists them)"
        ));
    }
    if !only.is_empty() {
        figs.retain(|f| only.contains(&f.id));
    }
    let index = dist.join("index.html");
    let template = fs::read_to_string(&index).map_err(|e| {
        format!(
            "{}: {e} (build the page first: trunk build --release --public-url …)",
            index.display()
        )
    })?;
    check_template(&template, &base)?;
    let opt = options();
    let pages: Vec<Vec<PathBuf>> = figs
        .par_iter()
        .map(|fig: &Figure| -> Result<Vec<PathBuf>, String> {
            let dir = dist.join(fig.path());
            let card = card_png(fig, &opt).map_err(|e| format!("card of {}: {e}", fig.id))?;
            Ok(vec![
                write(
                    &dir.join("index.html"),
                    figure_page(&template, fig, &base)?.as_bytes(),
                )?,
                write(&dir.join(OEMBED_FILE), oembed_json(fig, &base).as_bytes())?,
                write(&dir.join(CARD_FILE), &card)?,
            ])
        })
        .collect::<Result<_, String>>()?;
    let mut written: Vec<PathBuf> = pages.into_iter().flatten().collect();
    let home = home_figure(&template);
    let card = card_png(&home, &opt).map_err(|e| format!("card of the home page: {e}"))?;
    written.push(write(&dist.join(CARD_FILE), &card)?);
    let page = home_page(&template, &base, &format!("{base}{CARD_FILE}"))?;
    written.push(write(&index, page.as_bytes())?);
    Ok(written)
}
