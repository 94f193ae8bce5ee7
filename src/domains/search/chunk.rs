//! Markdown to passages: split at headings, packed into passages of at most
//! `max_words` words, consecutive passages of a section sharing `overlap`
//! words so a sentence cut at a boundary is whole in one of them. Each passage
//! keeps the heading path above it and its position in the post.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    pub position: usize,
    /// Headings above the passage, outermost first.
    pub heading_path: Vec<String>,
    pub text: String,
    pub words: usize,
}

/// Passage size for all-MiniLM-L6-v2, which reads 256 word pieces: ~160
/// words plus the title and headings stay under that.
pub const MAX_WORDS: usize = 160;
pub const OVERLAP_WORDS: usize = 30;

struct Section {
    path: Vec<String>,
    blocks: Vec<String>,
}

pub fn chunk(markdown: &str, max_words: usize, overlap: usize) -> Vec<Chunk> {
    let overlap = overlap.min(max_words / 2);
    let mut sections = vec![Section { path: Vec::new(), blocks: Vec::new() }];
    let mut stack: Vec<(HeadingLevel, String)> = Vec::new();
    let mut heading: Option<(HeadingLevel, String)> = None;
    let mut block = String::new();

    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut block, &mut sections);
                heading = Some((level, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = heading.take() {
                    stack.retain(|(l, _)| *l < level);
                    stack.push((level, text.trim().to_owned()));
                    sections.push(Section { path: stack.iter().map(|(_, t)| t.clone()).collect(), blocks: Vec::new() });
                }
            }
            Event::Text(text) | Event::Code(text) => match &mut heading {
                Some((_, h)) => h.push_str(&text),
                None => block.push_str(&text),
            },
            Event::SoftBreak | Event::HardBreak => match &mut heading {
                Some((_, h)) => h.push(' '),
                None => block.push(' '),
            },
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::CodeBlock | TagEnd::TableCell) => {
                flush(&mut block, &mut sections)
            }
            _ => {}
        }
    }
    flush(&mut block, &mut sections);

    let mut chunks = Vec::new();
    for section in sections {
        pack(&section, max_words, overlap, &mut chunks);
    }
    chunks
}

fn flush(block: &mut String, sections: &mut [Section]) {
    let text = block.split_whitespace().collect::<Vec<_>>().join(" ");
    block.clear();
    if !text.is_empty() {
        sections.last_mut().expect("there is always a section").blocks.push(text);
    }
}

/// Greedily fills passages with whole blocks; a block longer than a passage is
/// cut into windows. A new passage starts with the previous one's last words.
fn pack(section: &Section, max_words: usize, overlap: usize, out: &mut Vec<Chunk>) {
    let mut current: Vec<&str> = Vec::new();
    let mut fresh = 0; // words in `current` not carried over from the previous passage
    let emit = |current: &mut Vec<&str>, fresh: &mut usize, out: &mut Vec<Chunk>| {
        if *fresh == 0 {
            return;
        }
        out.push(Chunk {
            position: out.len(),
            heading_path: section.path.clone(),
            text: current.join(" "),
            words: current.len(),
        });
        let keep = current.len().saturating_sub(overlap);
        current.drain(..keep);
        *fresh = 0;
    };
    for block in &section.blocks {
        let words: Vec<&str> = block.split_whitespace().collect();
        if current.len() + words.len() > max_words && fresh > 0 {
            emit(&mut current, &mut fresh, out);
        }
        for word in words {
            if current.len() == max_words {
                emit(&mut current, &mut fresh, out);
            }
            current.push(word);
            fresh += 1;
        }
    }
    emit(&mut current, &mut fresh, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_carry_their_heading_path_and_positions_run_through_the_post() {
        let md = "Intro text here.\n\n# Indexes\n\nA B-tree keeps keys sorted.\n\n## Composite\n\nColumn order matters.\n\n# Costs\n\n- writes get slower\n- storage grows\n";
        let chunks = chunk(md, 100, 10);
        let paths: Vec<_> = chunks.iter().map(|c| c.heading_path.join(" > ")).collect();
        assert_eq!(paths, ["", "Indexes", "Indexes > Composite", "Costs"]);
        assert_eq!(chunks.iter().map(|c| c.position).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert_eq!(chunks[3].text, "writes get slower storage grows");
        assert_eq!(chunks[0].text, "Intro text here.");
    }

    #[test]
    fn long_sections_split_with_overlap_and_no_passage_exceeds_the_limit() {
        let body: Vec<String> = (0..250).map(|i| format!("w{i}")).collect();
        let md = format!("# Long\n\n{}\n\nShort tail.", body.join(" "));
        let chunks = chunk(&md, 100, 20);
        assert!(chunks.iter().all(|c| c.words <= 100), "{chunks:?}");
        // Each passage after the first starts with the previous one's last 20 words.
        for pair in chunks.windows(2) {
            let prev: Vec<&str> = pair[0].text.split(' ').collect();
            let next: Vec<&str> = pair[1].text.split(' ').collect();
            assert_eq!(prev[prev.len() - 20..], next[..20]);
        }
        // Every word is in some passage, in order.
        let all: String = chunks.iter().map(|c| c.text.clone()).collect::<Vec<_>>().join(" ");
        assert!(all.contains("w0 ") && all.contains("w249") && all.ends_with("Short tail."));
    }

    #[test]
    fn code_and_inline_code_are_kept_and_empty_sections_give_nothing() {
        let md = "# Empty\n\n## Code\n\nCall `connect()` first.\n\n```rust\nlet x = 1;\n```\n";
        let chunks = chunk(md, 100, 10);
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].heading_path, ["Empty", "Code"]);
        assert_eq!(chunks[0].text, "Call connect() first. let x = 1;");
    }

    #[test]
    fn a_heading_of_the_same_level_replaces_the_previous_one() {
        let md = "# A\n\n## B\n\ntext one\n\n## C\n\ntext two\n\n# D\n\n### E\n\ntext three";
        let paths: Vec<_> = chunk(md, 100, 10).into_iter().map(|c| c.heading_path).collect();
        assert_eq!(paths, vec![vec!["A", "B"], vec!["A", "C"], vec!["D", "E"]]);
    }
}
