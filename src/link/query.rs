//! The one query-string codec of the crate: splitting `k=v&k=v` into parts and pairs, and
//! percent coding. The link parser, the page-only keys, the sweeps and the comparison
//! fragment (`#vs=…`) all split and code their text here.
//!
//! Percent coding goes through the `percent-encoding` crate; the sets below keep the bytes
//! of written links exactly as they have always been (links are compared and cited).

use percent_encoding::{percent_decode, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What a link value keeps as it is: ASCII letters and digits and `-_.,:` (lists `0.3,1,3`
/// and prerequisites `5:1-2` stay readable); every other byte is `%XX`, uppercase hex.
const LINK_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b',')
    .remove(b':');

/// What a URL fragment value keeps as it is: ASCII letters and digits and `-_.~`.
const FRAGMENT_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encode a link value (see [`LINK_VALUE`]).
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, LINK_VALUE).to_string()
}

/// Percent-decode a link key or value: `+` is a space, `%XX` a byte, a malformed `%` stays
/// as it is, and invalid UTF-8 is replaced (never a panic).
pub fn decode(s: &str) -> String {
    let plus_as_space: Vec<u8> = s
        .bytes()
        .map(|b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_decode(&plus_as_space)
        .decode_utf8_lossy()
        .into_owned()
}

/// Percent-encode a URL fragment value (see [`FRAGMENT_VALUE`]).
pub fn encode_fragment(s: &str) -> String {
    utf8_percent_encode(s, FRAGMENT_VALUE).to_string()
}

/// The inverse of [`encode_fragment`]: `%XX` is a byte (`+` stays `+`), a malformed `%`
/// stays as it is, invalid UTF-8 is replaced. Never panics.
pub fn decode_fragment(s: &str) -> String {
    percent_decode(s.as_bytes())
        .decode_utf8_lossy()
        .into_owned()
}

/// The query of a link given with or without the leading `?`, or as a whole URL: what
/// follows the first `?`, up to the fragment (`#…`).
pub fn of_link(link: &str) -> &str {
    let q = match link.find('?') {
        Some(i) => &link[i + 1..],
        None => link,
    };
    q.split('#').next().unwrap_or("")
}

/// The non-empty `&`-separated parts of a query, as they are (not decoded).
pub fn parts(q: &str) -> impl Iterator<Item = &str> {
    q.split('&').filter(|s| !s.is_empty())
}

/// A part's key and value, as they are: `k=v` → (k, v), `k` → (k, "").
pub fn pair(part: &str) -> (&str, &str) {
    part.split_once('=').unwrap_or((part, ""))
}

/// A part's key (all of it when it has no `=`).
pub fn key(part: &str) -> &str {
    pair(part).0
}

/// The (key, value) pairs of a query's non-empty parts, as they are (not decoded).
pub fn pairs(q: &str) -> impl Iterator<Item = (&str, &str)> {
    parts(q).map(pair)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written codecs these replaced, kept as the oracle: the bytes must not change.
    mod before {
        pub fn decode(s: &str) -> String {
            let b = s.as_bytes();
            let mut out = Vec::with_capacity(b.len());
            let mut i = 0;
            while i < b.len() {
                match b[i] {
                    b'+' => out.push(b' '),
                    b'%' if i + 2 < b.len() => {
                        let hex = |c: u8| (c as char).to_digit(16);
                        match (hex(b[i + 1]), hex(b[i + 2])) {
                            (Some(h), Some(l)) => {
                                out.push((h * 16 + l) as u8);
                                i += 2;
                            }
                            _ => out.push(b'%'),
                        }
                    }
                    c => out.push(c),
                }
                i += 1;
            }
            String::from_utf8_lossy(&out).into_owned()
        }

        pub fn encode(s: &str) -> String {
            let mut out = String::with_capacity(s.len());
            for ch in s.chars() {
                match ch {
                    'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_' | '.' | ',' | ':' => out.push(ch),
                    _ => {
                        let mut buf = [0u8; 4];
                        for b in ch.encode_utf8(&mut buf).bytes() {
                            out.push_str(&format!("%{b:02X}"));
                        }
                    }
                }
            }
            out
        }

        pub fn encode_fragment(s: &str) -> String {
            let mut out = String::with_capacity(s.len());
            for b in s.bytes() {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    out.push(b as char);
                } else {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            out
        }

        pub fn decode_fragment(s: &str) -> String {
            let b = s.as_bytes();
            let mut out = Vec::with_capacity(b.len());
            let mut i = 0;
            while i < b.len() {
                let hex = |c: u8| (c as char).to_digit(16);
                if b[i] == b'%' && i + 2 < b.len() {
                    if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                        out.push((h * 16 + l) as u8);
                        i += 3;
                        continue;
                    }
                }
                out.push(b[i]);
                i += 1;
            }
            String::from_utf8_lossy(&out).into_owned()
        }
    }

    #[test]
    fn decode_handles_percent_plus_and_garbage() {
        assert_eq!(decode("a%2Cb+c"), "a,b c");
        assert_eq!(decode("%2B"), "+");
        assert_eq!(decode("%"), "%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%ff"), "\u{fffd}");
        assert_eq!(decode_fragment("%41%zz%+"), "A%zz%+");
        assert_eq!(encode("a b/ü,1:2-3_4.5"), "a%20b%2F%C3%BC,1:2-3_4.5");
        assert_eq!(
            encode_fragment("opt=sgd&lr=0.03~"),
            "opt%3Dsgd%26lr%3D0.03~"
        );
    }

    /// Every string of a dense alphabet (percent signs, hex digits, `+`, the kept and the
    /// encoded punctuation, multi-byte characters) codes exactly as the hand-written codecs.
    #[test]
    fn the_crate_codes_every_byte_as_the_hand_written_codecs_did() {
        let alphabet: Vec<char> = "%+2Cfz4 aZ9-_.,:~&=#?/ü💣\u{7f}".chars().collect();
        let mut seed: u64 = 7;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        let mut samples: Vec<String> = (0..=255u8)
            .map(|b| format!("%{b:02x}%{b:02X}{}", b as char))
            .collect();
        for _ in 0..20_000 {
            let len = next(12);
            samples.push((0..len).map(|_| alphabet[next(alphabet.len())]).collect());
        }
        for s in &samples {
            assert_eq!(decode(s), before::decode(s), "decode {s:?}");
            assert_eq!(encode(s), before::encode(s), "encode {s:?}");
            assert_eq!(decode_fragment(s), before::decode_fragment(s), "{s:?}");
            assert_eq!(encode_fragment(s), before::encode_fragment(s), "{s:?}");
            assert_eq!(decode(&encode(s)), *s);
            assert_eq!(decode_fragment(&encode_fragment(s)), *s);
        }
    }

    #[test]
    fn parts_pairs_and_the_query_of_a_link() {
        assert_eq!(of_link("https://x.example/?m=domino#n=3"), "m=domino");
        assert_eq!(of_link("?a=1"), "a=1");
        assert_eq!(of_link("a=1#b"), "a=1");
        assert_eq!(parts("&a=1&&b&").collect::<Vec<_>>(), ["a=1", "b"]);
        assert_eq!(
            pairs("a=1=2&b&=c").collect::<Vec<_>>(),
            [("a", "1=2"), ("b", ""), ("", "c")]
        );
        assert_eq!((key("k=v"), key("k")), ("k", "k"));
    }
}
