//! The query string, parsed: the words to find. There is no syntax to get wrong: words are
//! separated by white space (and control characters, which no stored text is searched for),
//! and every other character stands for itself.

use crate::error::{AppError, AppResult};

/// Longest query accepted, in characters (longer: 400 `validation_failed` on `q`).
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words in a query.
pub const MAX_TERMS: usize = 8;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms(Vec<String>);

impl Terms {
    pub fn parse(raw: &str) -> AppResult<Terms> {
        if raw.chars().count() > MAX_QUERY_CHARS {
            return Err(AppError::field(
                "q",
                format!("at most {MAX_QUERY_CHARS} characters"),
            ));
        }
        let mut words: Vec<String> = Vec::new();
        for word in raw.split(|c: char| c.is_whitespace() || c.is_control()) {
            if word.is_empty() {
                continue;
            }
            // The same word twice finds nothing more (and would count twice in the score).
            if !words
                .iter()
                .any(|w| w.to_lowercase() == word.to_lowercase())
            {
                words.push(word.to_string());
            }
        }
        if words.is_empty() {
            return Err(AppError::field("q", "required: the words to find"));
        }
        if words.len() > MAX_TERMS {
            return Err(AppError::field("q", format!("at most {MAX_TERMS} words")));
        }
        Ok(Terms(words))
    }

    pub fn words(&self) -> &[String] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(raw: &str) -> Vec<String> {
        Terms::parse(raw).expect(raw).words().to_vec()
    }

    #[test]
    fn words_are_split_on_white_space_and_kept_verbatim() {
        assert_eq!(words("  voic  March\t2026 "), ["voic", "March", "2026"]);
        assert_eq!(words("請求書"), ["請求書"]);
        for literal in [
            "\"quoted\"",
            "100%",
            "a_b",
            "pre*",
            "NEAR(a",
            "subject:x",
            "';--",
        ] {
            assert_eq!(words(literal), [literal], "searched for as typed");
        }
    }

    #[test]
    fn repeated_words_count_once_and_control_characters_separate() {
        assert_eq!(words("Invoice invoice INVOICE"), ["Invoice"]);
        assert_eq!(words("a\0b\u{7}c"), ["a", "b", "c"]);
    }

    #[test]
    fn empty_long_or_wordy_queries_are_refused_on_q() {
        for bad in [
            String::new(),
            "   ".into(),
            "\0".into(),
            "x".repeat(MAX_QUERY_CHARS + 1),
            "x".repeat(10_000),
            "a b c d e f g h i".into(),
        ] {
            match Terms::parse(&bad) {
                Err(AppError::Validation(fields)) => assert!(fields.contains_key("q")),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        assert!(Terms::parse(&"x".repeat(MAX_QUERY_CHARS)).is_ok());
        assert!(Terms::parse("a b c d e f g h").is_ok());
    }
}
