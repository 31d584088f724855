//! Full-string wildcard patterns: `.` matches any one character, `*` repeats the preceding
//! element zero or more times, `\` makes the next character literal; every other character
//! matches itself. Matching is a dynamic program over (text position, pattern element) in
//! O(|s|·|p|) time and O(|p|) memory, so no input can make it backtrack exponentially.

use crate::error::{DesignError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Atom {
    Any,
    Char(char),
}

impl Atom {
    fn accepts(self, c: char) -> bool {
        match self {
            Atom::Any => true,
            Atom::Char(want) => want == c,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Element {
    atom: Atom,
    repeated: bool,
}

/// A validated wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    source: String,
    elements: Vec<Element>,
}

impl Pattern {
    /// Parses `pattern`; a `*` with nothing to repeat (leading, or right after another `*`) and
    /// a trailing lone `\` are errors.
    pub fn new(pattern: &str) -> Result<Pattern> {
        let fail = |position: usize, reason: &str| DesignError::InvalidPattern {
            pattern: pattern.to_string(),
            position,
            reason: reason.to_string(),
        };
        let mut elements: Vec<Element> = Vec::new();
        let mut chars = pattern.chars().enumerate();
        while let Some((i, c)) = chars.next() {
            let atom = match c {
                '*' => {
                    match elements.last_mut() {
                        Some(last) if !last.repeated => last.repeated = true,
                        Some(_) => return Err(fail(i, "'*' cannot follow another '*'")),
                        None => return Err(fail(i, "'*' has no preceding element to repeat")),
                    }
                    continue;
                }
                '.' => Atom::Any,
                '\\' => match chars.next() {
                    Some((_, escaped)) => Atom::Char(escaped),
                    None => return Err(fail(i, "'\\' at the end escapes nothing")),
                },
                other => Atom::Char(other),
            };
            elements.push(Element {
                atom,
                repeated: false,
            });
        }
        Ok(Pattern {
            source: pattern.to_string(),
            elements,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True when the whole of `text` matches the pattern.
    pub fn matches(&self, text: &str) -> bool {
        let n = self.elements.len();
        // reach[j]: the first j elements match the text read so far.
        let mut reach = vec![false; n + 1];
        let mut next = vec![false; n + 1];
        reach[0] = true;
        for j in 1..=n {
            reach[j] = reach[j - 1] && self.elements[j - 1].repeated;
        }
        for c in text.chars() {
            next[0] = false;
            for j in 1..=n {
                let e = self.elements[j - 1];
                next[j] = if e.repeated {
                    next[j - 1] || (reach[j] && e.atom.accepts(c))
                } else {
                    reach[j - 1] && e.atom.accepts(c)
                };
            }
            if !next.iter().any(|&r| r) {
                return false;
            }
            std::mem::swap(&mut reach, &mut next);
        }
        reach[n]
    }
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Pattern::new(p).unwrap().matches(s)
    }

    #[test]
    fn basic_matches() {
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(m("a*", ""));
        assert!(m("a*", "aaa"));
        assert!(!m("a", "aa"));
        assert!(m(".*", "anything"));
        assert!(m("c*a*b", "aab"));
        assert!(!m("mis*is*p*.", "mississippi"));
        assert!(m("mis*is*ip*.", "mississippi"));
        assert!(m("tv.*", "tv-living-room"));
        assert!(!m("tv.*", "a-tv"));
        assert!(m(r"a\.b", "a.b"));
        assert!(!m(r"a\.b", "axb"));
        assert!(m(r"\**", "***"));
        assert!(m("é.", "éx"));
    }

    #[test]
    fn invalid_patterns_are_errors() {
        for (p, pos) in [("*a", 0), ("a**", 2), ("ab\\", 2), (".***", 2)] {
            match Pattern::new(p) {
                Err(DesignError::InvalidPattern { position, .. }) => {
                    assert_eq!(position, pos, "{p}")
                }
                other => panic!("{p}: {other:?}"),
            }
        }
    }

    #[test]
    fn pathological_input_is_fast() {
        let text = "a".repeat(5000);
        let pattern = Pattern::new(&"a*".repeat(200)).unwrap();
        assert!(pattern.matches(&text));
        let pattern = Pattern::new(&format!("{}b", "a*".repeat(200))).unwrap();
        assert!(!pattern.matches(&text));
    }
}
