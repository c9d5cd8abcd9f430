//! The excerpt shown for a hit, cut around the first match and split into plain and matched
//! parts. Done here rather than by each database (FTS5 `snippet()`, `ts_headline`) so the three
//! answer alike, and as parts rather than markup so no client ever renders stored text as HTML.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Characters of context kept before the first match.
const BEFORE: usize = 40;
/// Characters in an excerpt (more when one match is longer).
const WINDOW: usize = 160;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SnippetPart {
    pub text: String,
    /// One of the query's words, as it occurs in the text.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hit: bool,
}

/// One character case-folded, keeping positions one to one with the text.
fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Where the words occur in `text` (character ranges, merged, in order).
fn matches(text: &[char], words: &[String]) -> Vec<(usize, usize)> {
    let folded: Vec<char> = text.iter().copied().map(fold).collect();
    let mut found: Vec<(usize, usize)> = Vec::new();
    for word in words {
        let w: Vec<char> = word.chars().map(fold).collect();
        if w.is_empty() || w.len() > folded.len() {
            continue;
        }
        let mut i = 0;
        while i + w.len() <= folded.len() {
            if folded[i..i + w.len()] == w[..] {
                found.push((i, i + w.len()));
                i += w.len();
            } else {
                i += 1;
            }
        }
    }
    found.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in found {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// The excerpt of `text` for `words`: the first match with some context, every match inside
/// it marked. A text with no visible match (a database that matched accents the way its
/// collation does) is excerpted from its start, unmarked.
pub fn snippet(text: &str, words: &[String]) -> Vec<SnippetPart> {
    let chars: Vec<char> = text.chars().collect();
    let found = matches(&chars, words);
    let (start, end) = match found.first() {
        Some(&(s, e)) => {
            let start = s.saturating_sub(BEFORE);
            (start, (start + WINDOW).max(e).min(chars.len()))
        }
        None => (0, WINDOW.min(chars.len())),
    };
    let mut parts: Vec<SnippetPart> = Vec::new();
    let mut push = |from: usize, to: usize, hit: bool| {
        if from < to {
            parts.push(SnippetPart {
                text: chars[from..to].iter().collect(),
                hit,
            });
        }
    };
    let mut at = start;
    for &(s, e) in found.iter().filter(|(s, e)| *e > start && *s < end) {
        let (s, e) = (s.max(start), e.min(end));
        push(at, s, false);
        push(s, e, true);
        at = e;
    }
    push(at, end, false);
    if start > 0 {
        parts.insert(
            0,
            SnippetPart {
                text: "…".into(),
                hit: false,
            },
        );
    }
    if end < chars.len() {
        parts.push(SnippetPart {
            text: "…".into(),
            hit: false,
        });
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(parts: &[SnippetPart]) -> String {
        parts
            .iter()
            .map(|p| {
                if p.hit {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect()
    }

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn matches_are_marked_case_insensitively_as_written() {
        let parts = snippet("Your INVOICE and the invoice copy", &words(&["voic"]));
        assert_eq!(shown(&parts), "Your IN[VOIC]E and the in[voic]e copy");
    }

    #[test]
    fn cjk_and_several_words_are_marked() {
        let parts = snippet("请把发票和請求書寄给我", &words(&["发票", "請求書"]));
        assert_eq!(shown(&parts), "请把[发票]和[請求書]寄给我");
        let parts = snippet("청구서를 보내주세요", &words(&["청구"]));
        assert_eq!(shown(&parts), "[청구]서를 보내주세요");
    }

    #[test]
    fn overlapping_matches_merge_and_syntax_characters_are_text() {
        let parts = snippet(
            "50% off_now \"NEAR\" a:b",
            &words(&["0%", "% o", "_", "\"near\""]),
        );
        assert_eq!(shown(&parts), "5[0% o]ff[_]now [\"NEAR\"] a:b");
    }

    #[test]
    fn long_texts_are_cut_around_the_first_match() {
        let text = format!("{}needle{}", "a".repeat(500), "b".repeat(500));
        let parts = snippet(&text, &words(&["needle"]));
        let s = shown(&parts);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert_eq!(s.matches('a').count(), BEFORE);
        assert!(s.contains("[needle]"));
        assert_eq!(
            s.chars().count(),
            WINDOW + 2 + 2,
            "window, brackets, ellipses"
        );
    }

    #[test]
    fn no_visible_match_shows_the_start() {
        let parts = snippet("École", &words(&["ecole"]));
        assert_eq!(shown(&parts), "École");
        assert!(snippet("", &words(&["x"])).is_empty());
    }
}
