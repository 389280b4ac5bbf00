//! The page-only keys of a link: how the page shows a run, not what runs. This is the one
//! list of them: [`parse`](super::parse) skips them (they are not unknown keys), and the
//! page's options (`crate::export::PageOpts`) read and write them by these names.

/// `embed=1`: chromeless, for an iframe.
pub const EMBED: &str = "embed";
/// `ui=0`: the figure only (with `embed=1`).
pub const UI: &str = "ui";
/// `autoplay=1` / `autoplay=0`: play on load or not.
pub const AUTOPLAY: &str = "autoplay";
/// `theme=auto|light|dark`: the page's colours.
pub const THEME: &str = "theme";

/// Every page-only key.
pub const KEYS: [&str; 4] = [EMBED, UI, AUTOPLAY, THEME];

/// Is `key` one of the page's own keys?
pub fn is_page_key(key: &str) -> bool {
    KEYS.contains(&key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_keys_are_not_link_keys() {
        for k in KEYS {
            assert!(super::super::spec_of(k).is_none(), "{k}");
        }
        assert!(is_page_key("theme") && !is_page_key("emb"));
    }
}
