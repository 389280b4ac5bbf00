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

/// `tour=<k>`: the page shows step k (1-based) of the guided tour (`lab::tour`).
pub const TOUR: &str = "tour";

/// The page-only keys with a value of their own.
pub const KEYS: [&str; 5] = [EMBED, UI, AUTOPLAY, THEME, TOUR];

/// A hide flag of an embed (as TensorFlow Playground's `*_hide` keys): `<name>_hide=1`
/// hides one part of the embed. The page sets the class `hide-<name>` on `<html>`
/// (style/share.css hides the part).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hide {
    /// The part's name: the key is `<name>_hide`, the class `hide-<name>`.
    pub name: &'static str,
    /// What the Share dialog calls the part.
    pub label: &'static str,
}

impl Hide {
    /// The link key, `<name>_hide`.
    pub fn key(&self) -> String {
        format!("{}_hide", self.name)
    }
}

/// Every hide flag, in the order links write them (at most 8: `PageOpts` keeps them as bits).
pub const HIDE: [Hide; 6] = [
    Hide {
        name: "title",
        label: "title",
    },
    Hide {
        name: "dominoes",
        label: "dominoes",
    },
    Hide {
        name: "chart2",
        label: "second chart",
    },
    Hide {
        name: "transport",
        label: "run controls",
    },
    Hide {
        name: "speed",
        label: "speed",
    },
    Hide {
        name: "seed",
        label: "new seed",
    },
];

/// The hide flag `key` names (`dominoes_hide` → its index in [`HIDE`]).
pub fn hide_index(key: &str) -> Option<usize> {
    let name = key.strip_suffix("_hide")?;
    HIDE.iter().position(|h| h.name == name)
}

/// Is `key` one of the page's own keys?
pub fn is_page_key(key: &str) -> bool {
    KEYS.contains(&key) || hide_index(key).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_keys_are_not_link_keys() {
        for k in KEYS {
            assert!(super::super::spec_of(k).is_none(), "{k}");
        }
        for h in HIDE {
            assert!(super::super::spec_of(&h.key()).is_none(), "{}", h.key());
            assert!(is_page_key(&h.key()));
        }
        assert!(is_page_key("theme") && !is_page_key("emb"));
        assert_eq!(hide_index("dominoes_hide"), Some(1));
        assert_eq!(hide_index("_hide"), None);
        assert_eq!(hide_index("dominoes"), None);
        assert!(HIDE.len() <= 8);
    }
}
