//! Targeting rules on unit attributes, parsed from a small text syntax:
//!
//! ```text
//! country in [US, CA] and tenure_days >= 30 and device ~ "tv.*"
//! not (plan == free or region !~ "eu-.*")
//! ```
//!
//! Comparisons `==` (or `=`), `!=`, `<`, `<=`, `>`, `>=`; set membership `in [..]` and
//! `not in [..]`; full-string wildcard patterns `~` and `!~` (see [`crate::pattern`]); combined
//! with `and`, `or`, `not` and parentheses (`and` binds tighter than `or`). A value is a quoted
//! string or a bare word; a bare word that reads as a number compares numerically with the
//! attribute (false when the attribute is not a number), anything else compares as text.
//! Any comparison on a missing attribute value is false.

use crate::error::{DesignError, Result};
use crate::pattern::Pattern;

/// A parsed targeting rule whose attributes are referred to by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    source: String,
    root: Node<String>,
}

/// A targeting rule bound to attribute positions, ready to evaluate units.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledRule {
    root: Node<usize>,
}

#[derive(Debug, Clone, PartialEq)]
enum Node<A> {
    Or(Vec<Node<A>>),
    And(Vec<Node<A>>),
    Not(Box<Node<A>>),
    Compare {
        attr: A,
        op: CmpOp,
        value: Literal,
    },
    In {
        attr: A,
        values: Vec<Literal>,
        negated: bool,
    },
    Matches {
        attr: A,
        pattern: Pattern,
        negated: bool,
    },
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
struct Literal {
    text: String,
    number: Option<f64>,
}

impl Literal {
    fn new(text: String, quoted: bool) -> Literal {
        let number = if quoted {
            None
        } else {
            text.parse::<f64>().ok().filter(|v| v.is_finite())
        };
        Literal { text, number }
    }

    fn compare(&self, op: CmpOp, value: &str) -> bool {
        use std::cmp::Ordering;
        let ordering = match self.number {
            Some(want) => match value.trim().parse::<f64>() {
                Ok(got) => match got.partial_cmp(&want) {
                    Some(o) => o,
                    None => return false,
                },
                Err(_) => return false,
            },
            None => value.cmp(self.text.as_str()),
        };
        match op {
            CmpOp::Eq => ordering == Ordering::Equal,
            CmpOp::Ne => ordering != Ordering::Equal,
            CmpOp::Lt => ordering == Ordering::Less,
            CmpOp::Le => ordering != Ordering::Greater,
            CmpOp::Gt => ordering == Ordering::Greater,
            CmpOp::Ge => ordering != Ordering::Less,
        }
    }
}

impl<A> Node<A> {
    fn map<B>(&self, f: &mut impl FnMut(&A) -> Result<B>) -> Result<Node<B>> {
        Ok(match self {
            Node::Or(items) => Node::Or(items.iter().map(|n| n.map(f)).collect::<Result<_>>()?),
            Node::And(items) => Node::And(items.iter().map(|n| n.map(f)).collect::<Result<_>>()?),
            Node::Not(inner) => Node::Not(Box::new(inner.map(f)?)),
            Node::Compare { attr, op, value } => Node::Compare {
                attr: f(attr)?,
                op: *op,
                value: value.clone(),
            },
            Node::In {
                attr,
                values,
                negated,
            } => Node::In {
                attr: f(attr)?,
                values: values.clone(),
                negated: *negated,
            },
            Node::Matches {
                attr,
                pattern,
                negated,
            } => Node::Matches {
                attr: f(attr)?,
                pattern: pattern.clone(),
                negated: *negated,
            },
        })
    }
}

impl Rule {
    /// Parses a rule; syntax errors and invalid patterns are errors naming the position.
    pub fn parse(rule: &str) -> Result<Rule> {
        let tokens = tokenize(rule)?;
        let mut parser = Parser {
            rule,
            tokens,
            at: 0,
        };
        let root = parser.or_expr()?;
        if let Some(t) = parser.tokens.get(parser.at) {
            return Err(parser.error(t.position, "unexpected text after the rule"));
        }
        Ok(Rule {
            source: rule.to_string(),
            root,
        })
    }

    /// The rule as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The attribute names the rule refers to, in first-use order, without repeats.
    pub fn attributes(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        let mut collect = |name: &String| -> Result<()> {
            if !names.contains(name) {
                names.push(name.clone());
            }
            Ok(())
        };
        // Collecting names cannot fail.
        let _ = self.root.map(&mut collect);
        names
    }

    /// Binds the rule to `available` attribute names (the order of the values given to
    /// [`CompiledRule::matches`]); an attribute not among them is an error.
    pub fn compile(&self, available: &[&str]) -> Result<CompiledRule> {
        let root = self.root.map(&mut |name: &String| {
            available
                .iter()
                .position(|a| a == name)
                .ok_or_else(|| DesignError::UnknownAttribute {
                    name: name.clone(),
                    available: if available.is_empty() {
                        "(none)".to_string()
                    } else {
                        available.join(", ")
                    },
                })
        })?;
        Ok(CompiledRule { root })
    }
}

impl CompiledRule {
    /// True when a unit with attribute `values` (aligned with the names the rule was compiled
    /// against; `None` for missing) satisfies the rule.
    pub fn matches(&self, values: &[Option<&str>]) -> bool {
        eval(&self.root, values)
    }
}

fn eval(node: &Node<usize>, values: &[Option<&str>]) -> bool {
    let value = |i: &usize| values.get(*i).copied().flatten();
    match node {
        Node::Or(items) => items.iter().any(|n| eval(n, values)),
        Node::And(items) => items.iter().all(|n| eval(n, values)),
        Node::Not(inner) => !eval(inner, values),
        Node::Compare { attr, op, value: v } => value(attr).is_some_and(|got| v.compare(*op, got)),
        Node::In {
            attr,
            values: set,
            negated,
        } => {
            value(attr).is_some_and(|got| set.iter().any(|v| v.compare(CmpOp::Eq, got)) != *negated)
        }
        Node::Matches {
            attr,
            pattern,
            negated,
        } => value(attr).is_some_and(|got| pattern.matches(got) != *negated),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Op(&'static str),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    position: usize,
}

const OPERATORS: [&str; 14] = [
    "==", "!=", "<=", ">=", "!~", "<", ">", "=", "~", "(", ")", "[", "]", ",",
];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '+' | ':' | '/' | '@')
}

fn tokenize(rule: &str) -> Result<Vec<Token>> {
    let chars: Vec<char> = rule.chars().collect();
    let fail = |position: usize, reason: &str| DesignError::RuleSyntax {
        rule: rule.to_string(),
        position,
        reason: reason.to_string(),
    };
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c == '"' || c == '\'' {
            let mut text = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(fail(start, "unterminated string")),
                    Some(&q) if q == c => break,
                    Some('\\') if chars.get(i + 1).is_some_and(|&n| n == c) => {
                        text.push(c);
                        i += 2;
                    }
                    Some(&other) => {
                        text.push(other);
                        i += 1;
                    }
                }
            }
            i += 1;
            tokens.push(Token {
                tok: Tok::Str(text),
                position: start,
            });
            continue;
        }
        if is_word_char(c) {
            while i < chars.len() && is_word_char(chars[i]) {
                i += 1;
            }
            tokens.push(Token {
                tok: Tok::Word(chars[start..i].iter().collect()),
                position: start,
            });
            continue;
        }
        let op = OPERATORS.iter().find(|op| {
            op.chars()
                .enumerate()
                .all(|(k, oc)| chars.get(i + k) == Some(&oc))
        });
        match op {
            Some(op) => {
                i += op.chars().count();
                tokens.push(Token {
                    tok: Tok::Op(op),
                    position: start,
                });
            }
            None => return Err(fail(start, &format!("unexpected character '{c}'"))),
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    rule: &'a str,
    tokens: Vec<Token>,
    at: usize,
}

impl Parser<'_> {
    fn error(&self, position: usize, reason: &str) -> DesignError {
        DesignError::RuleSyntax {
            rule: self.rule.to_string(),
            position,
            reason: reason.to_string(),
        }
    }

    fn end_position(&self) -> usize {
        self.rule.chars().count()
    }

    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at).map(|t| &t.tok)
    }

    fn position(&self) -> usize {
        self.tokens
            .get(self.at)
            .map_or_else(|| self.end_position(), |t| t.position)
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Tok::Op(o)) if *o == op)
    }

    fn expect_op(&mut self, op: &str) -> Result<()> {
        if self.op(op) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(self.position(), &format!("expected '{op}'")))
        }
    }

    fn or_expr(&mut self) -> Result<Node<String>> {
        let mut items = vec![self.and_expr()?];
        while self.keyword("or") {
            self.at += 1;
            items.push(self.and_expr()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Node::Or(items)
        })
    }

    fn and_expr(&mut self) -> Result<Node<String>> {
        let mut items = vec![self.unary()?];
        while self.keyword("and") {
            self.at += 1;
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Node::And(items)
        })
    }

    fn unary(&mut self) -> Result<Node<String>> {
        if self.keyword("not") {
            self.at += 1;
            return Ok(Node::Not(Box::new(self.unary()?)));
        }
        if self.op("(") {
            self.at += 1;
            let inner = self.or_expr()?;
            self.expect_op(")")?;
            return Ok(inner);
        }
        self.comparison()
    }

    fn attribute(&mut self) -> Result<String> {
        let position = self.position();
        match self.peek() {
            Some(Tok::Word(w)) if !is_keyword(w) && w.parse::<f64>().is_err() => {
                let name = w.clone();
                self.at += 1;
                Ok(name)
            }
            Some(Tok::Str(s)) => {
                let name = s.clone();
                self.at += 1;
                Ok(name)
            }
            _ => Err(self.error(position, "expected an attribute name")),
        }
    }

    fn literal(&mut self) -> Result<Literal> {
        let position = self.position();
        let literal = match self.peek() {
            Some(Tok::Word(w)) if !is_keyword(w) => Literal::new(w.clone(), false),
            Some(Tok::Str(s)) => Literal::new(s.clone(), true),
            _ => return Err(self.error(position, "expected a value")),
        };
        self.at += 1;
        Ok(literal)
    }

    fn comparison(&mut self) -> Result<Node<String>> {
        let attr = self.attribute()?;
        let position = self.position();
        if self.keyword("in") {
            self.at += 1;
            let values = self.list()?;
            return Ok(Node::In {
                attr,
                values,
                negated: false,
            });
        }
        if self.keyword("not") {
            self.at += 1;
            if !self.keyword("in") {
                return Err(self.error(self.position(), "expected 'in' after 'not'"));
            }
            self.at += 1;
            let values = self.list()?;
            return Ok(Node::In {
                attr,
                values,
                negated: true,
            });
        }
        let op = match self.peek() {
            Some(Tok::Op(op)) => *op,
            _ => {
                return Err(self.error(
                    position,
                    "expected a comparison (==, !=, <, <=, >, >=, in, not in, ~, !~)",
                ));
            }
        };
        self.at += 1;
        let cmp = match op {
            "==" | "=" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            "~" | "!~" => {
                let pattern = Pattern::new(&self.literal()?.text)?;
                return Ok(Node::Matches {
                    attr,
                    pattern,
                    negated: op == "!~",
                });
            }
            _ => return Err(self.error(position, &format!("'{op}' is not a comparison"))),
        };
        let value = self.literal()?;
        Ok(Node::Compare {
            attr,
            op: cmp,
            value,
        })
    }

    fn list(&mut self) -> Result<Vec<Literal>> {
        self.expect_op("[")?;
        let mut values = Vec::new();
        if self.op("]") {
            self.at += 1;
            return Ok(values);
        }
        loop {
            values.push(self.literal()?);
            if self.op(",") {
                self.at += 1;
                continue;
            }
            self.expect_op("]")?;
            return Ok(values);
        }
    }
}

fn is_keyword(word: &str) -> bool {
    ["and", "or", "not", "in"]
        .iter()
        .any(|k| word.eq_ignore_ascii_case(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(rule: &str, names: &[&str], values: &[Option<&str>]) -> bool {
        Rule::parse(rule)
            .unwrap()
            .compile(names)
            .unwrap()
            .matches(values)
    }

    #[test]
    fn example_rule() {
        let names = ["country", "tenure_days", "device"];
        let rule = r#"country in [US, CA] and tenure_days >= 30 and device ~ "tv.*""#;
        assert!(check(
            rule,
            &names,
            &[Some("US"), Some("30"), Some("tv-sony")]
        ));
        assert!(!check(
            rule,
            &names,
            &[Some("FR"), Some("30"), Some("tv-sony")]
        ));
        assert!(!check(
            rule,
            &names,
            &[Some("CA"), Some("29.5"), Some("tv")]
        ));
        assert!(!check(
            rule,
            &names,
            &[Some("CA"), Some("31"), Some("a-tv")]
        ));
        assert!(!check(rule, &names, &[Some("CA"), None, Some("tv")]));
        assert!(!check(
            rule,
            &names,
            &[Some("CA"), Some("many"), Some("tv")]
        ));
    }

    #[test]
    fn precedence_and_negation() {
        let n = ["a", "b"];
        assert!(check(
            "a == 1 or a == 2 and b == 3",
            &n,
            &[Some("1"), Some("0")]
        ));
        assert!(!check(
            "(a == 1 or a == 2) and b == 3",
            &n,
            &[Some("1"), Some("0")]
        ));
        assert!(check("not a == 1", &n, &[Some("2"), None]));
        assert!(check("a not in [x, y]", &n, &[Some("z"), None]));
        assert!(!check("a not in [x, y]", &n, &[None, None]));
        assert!(check("a !~ \"x.*\"", &n, &[Some("yx"), None]));
        assert!(check("a = 1.0", &n, &[Some("1"), None]));
        assert!(!check("a = \"1.0\"", &n, &[Some("1"), None]));
        assert!(check("a < b2 and a >= a", &n, &[Some("b1"), None]));
        assert!(check("a in []  or b != x", &n, &[None, Some("y")]));
    }

    #[test]
    fn attributes_listed_once() {
        let r = Rule::parse("a == 1 or (b > 2 and a < 3)").unwrap();
        assert_eq!(r.attributes(), vec!["a".to_string(), "b".to_string()]);
    }

    #[test]
    fn errors() {
        for bad in [
            "",
            "a ==",
            "a in [1, 2",
            "a >> 3",
            "(a == 1",
            "a == 1 b",
            "a not 3",
            "\"unterminated",
            "a $ 3",
            "and == 1",
        ] {
            assert!(
                matches!(Rule::parse(bad), Err(DesignError::RuleSyntax { .. })),
                "{bad}: {:?}",
                Rule::parse(bad)
            );
        }
        assert!(matches!(
            Rule::parse("a ~ \"*x\""),
            Err(DesignError::InvalidPattern { .. })
        ));
        let err = Rule::parse("plan == pro")
            .unwrap()
            .compile(&["country"])
            .unwrap_err();
        assert!(matches!(err, DesignError::UnknownAttribute { .. }));
        assert!(err.to_string().contains("'plan'"), "{err}");
    }
}
