//! Query terms, passage matching and highlighted snippets: one implementation
//! for both databases, so a hit looks the same whichever engine found it.
//! Words are compared by their English (Snowball) stem.

use std::collections::HashSet;

use rust_stemmers::{Algorithm, Stemmer};

const STOP_WORDS: &[&str] = &[
    "a", "about", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from", "how", "i",
    "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "should", "so", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "to", "was", "what", "when", "where", "which", "who", "why",
    "will", "with", "you", "your",
];

/// The words of `text` with their byte ranges.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(move |w| {
        let start = w.as_ptr() as usize - text.as_ptr() as usize;
        (start, w)
    })
}

/// The distinct non-stop words of a query, lower-cased, in order (for FTS queries).
pub fn query_words(query: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    words(query)
        .map(|(_, w)| w.to_lowercase())
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .filter(|w| seen.insert(w.clone()))
        .collect()
}

/// Stems of a query's words.
pub struct Terms {
    stems: HashSet<String>,
}

impl Terms {
    pub fn new(query: &str) -> Self {
        let stemmer = Stemmer::create(Algorithm::English);
        Terms { stems: query_words(query).iter().map(|w| stemmer.stem(w).into_owned()).collect() }
    }

    pub fn is_empty(&self) -> bool {
        self.stems.is_empty()
    }

    fn matches(&self, stemmer: &Stemmer, word: &str) -> bool {
        !self.stems.is_empty() && self.stems.contains(stemmer.stem(&word.to_lowercase()).as_ref())
    }

    /// How many distinct query terms `text` contains, then how many matching words in all.
    pub fn score(&self, text: &str) -> (usize, usize) {
        let stemmer = Stemmer::create(Algorithm::English);
        let mut distinct = HashSet::new();
        let mut total = 0;
        for (_, w) in words(text) {
            let stem = stemmer.stem(&w.to_lowercase()).into_owned();
            if self.stems.contains(&stem) {
                total += 1;
                distinct.insert(stem);
            }
        }
        (distinct.len(), total)
    }

    /// A window of about `max_words` words of `text` around its densest run of
    /// matches, HTML-escaped, matches wrapped in `<mark>`, cuts shown with `…`.
    pub fn snippet(&self, text: &str, max_words: usize) -> String {
        let stemmer = Stemmer::create(Algorithm::English);
        let all: Vec<(usize, &str, bool)> = words(text).map(|(at, w)| (at, w, self.matches(&stemmer, w))).collect();
        if all.is_empty() {
            return escape(text);
        }
        let window = max_words.max(1).min(all.len());
        let (mut best, mut best_count) = (0, 0);
        let mut count = all[..window].iter().filter(|w| w.2).count();
        if count > best_count {
            best_count = count;
        }
        for start in 1..=all.len() - window {
            count += usize::from(all[start + window - 1].2);
            count -= usize::from(all[start - 1].2);
            if count > best_count {
                (best, best_count) = (start, count);
            }
        }
        // Start a few words before the window's first match, so it has context
        // and the matches after it fit too.
        if best_count > 0 {
            let first_match = (best..best + window).find(|&i| all[i].2).unwrap_or(best);
            best = first_match.saturating_sub(3).min(all.len() - window);
        }
        let from = if best == 0 { 0 } else { all[best].0 };
        let last = &all[(best + window).min(all.len()) - 1];
        let to = if best + window >= all.len() { text.len() } else { last.0 + last.1.len() };
        let mut out = String::new();
        if from > 0 {
            out.push('…');
        }
        let mut at = from;
        for &(start, word, hit) in &all[best..(best + window).min(all.len())] {
            if !hit {
                continue;
            }
            out.push_str(&escape(&text[at..start]));
            out.push_str("<mark>");
            out.push_str(&escape(word));
            out.push_str("</mark>");
            at = start + word.len();
        }
        out.push_str(&escape(&text[at..to]));
        if to < text.len() {
            out.push('…');
        }
        out
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_go_and_the_rest_is_lower_cased_once() {
        assert_eq!(query_words("How do the Indexes work, indexes?"), ["indexes", "work"]);
        assert!(query_words("how do I").is_empty());
        assert!(Terms::new("the of").is_empty());
    }

    #[test]
    fn matches_by_stem_and_escapes_html() {
        let terms = Terms::new("indexing");
        let snippet = terms.snippet("An <index> speeds reads; indexes & more", 20);
        assert_eq!(snippet, "An &lt;<mark>index</mark>&gt; speeds reads; <mark>indexes</mark> &amp; more");
        assert_eq!(terms.score("index, Indexes, indexed, table"), (1, 3));
    }

    #[test]
    fn the_window_moves_to_the_densest_matches() {
        let filler: Vec<String> = (0..50).map(|i| format!("f{i}")).collect();
        let text = format!("{} borrow checker rules {}", filler.join(" "), filler.join(" "));
        let snippet = Terms::new("borrow checker").snippet(&text, 10);
        assert!(snippet.starts_with('…') && snippet.ends_with('…'), "{snippet}");
        assert!(snippet.contains("<mark>borrow</mark> <mark>checker</mark> rules"), "{snippet}");
        assert!(snippet.contains("f47 f48 f49 <mark>borrow"), "context before the match: {snippet}");
    }

    #[test]
    fn no_match_gives_the_start_of_the_text() {
        let snippet = Terms::new("zebra").snippet("one two three four", 2);
        assert_eq!(snippet, "one two…");
    }
}
