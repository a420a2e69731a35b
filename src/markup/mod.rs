//! Inline markup in the content's texts: a small, forgiving syntax authors can
//! type in YAML and translators' tools can carry as protected tags.
//!
//! - `*emphasis*` and `**strong**` (nested either way);
//! - `[text](https://…)`, `[text](mailto:…)`: a link (bare addresses are found
//!   by the typesetter and the writers);
//! - `<br>`: a line break where the author wants one;
//! - a backslash before `*`, `[`, `]`, `<` or `\` writes it as it is.
//!
//! Nothing else is markup. A `*` that opens nothing that closes (a footnote
//! mark, `5 * 3`) stays a character; an unclosed `**`, an unclosed link, or
//! markers that cross (`*a **b* c**`) are errors, located in the text.

/// A piece of a text, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text in one style.
    Text {
        /// The text, markers taken out.
        text: String,
        /// Inside `*…*`.
        emphasis: bool,
        /// Inside `**…**`.
        strong: bool,
        /// Inside `[…](address)`: the address.
        link: Option<String>,
    },
    /// `<br>`: a line break.
    Break,
}

/// A mistake in a text's markup: where (a byte offset in the text), what,
/// and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Byte offset of the marker in the text.
    pub at: usize,
    /// What is wrong.
    pub message: String,
    /// What to write instead.
    pub hint: String,
}

/// The characters a backslash escapes.
const ESCAPABLE: [char; 5] = ['*', '[', ']', '<', '\\'];

/// The scheme a link's address must start with.
const SCHEMES: [&str; 3] = ["https://", "http://", "mailto:"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Emphasis,
    Strong,
    Link,
}

impl Kind {
    fn marker(self) -> &'static str {
        match self {
            Kind::Emphasis => "*",
            Kind::Strong => "**",
            Kind::Link => "[",
        }
    }
}

/// A token of the text before markers are matched.
#[derive(Debug, Clone)]
enum Token {
    Text(String),
    /// `*` or `**` at `at`, whether it may open (a non-space follows) and
    /// close (a non-space precedes).
    Star {
        at: usize,
        strong: bool,
        open: bool,
        close: bool,
    },
    /// `[` at `at`.
    LinkOpen(usize),
    /// `](address)` at `at`.
    LinkClose {
        at: usize,
        address: String,
    },
    Break,
}

/// Splits `text` into tokens; an unclosed `](` is an error.
fn tokens(text: &str) -> Result<Vec<Token>, Problem> {
    let mut out: Vec<Token> = Vec::new();
    let mut plain = String::new();
    let flush = |plain: &mut String, out: &mut Vec<Token>| {
        if !plain.is_empty() {
            out.push(Token::Text(std::mem::take(plain)));
        }
    };
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let c = rest.chars().next().unwrap_or(' ');
        if c == '\\'
            && let Some(next) = rest[1..].chars().next()
            && ESCAPABLE.contains(&next)
        {
            plain.push(next);
            i += 1 + next.len_utf8();
            continue;
        }
        if rest.starts_with("<br>") {
            flush(&mut plain, &mut out);
            out.push(Token::Break);
            i += 4;
            continue;
        }
        if c == '*' {
            // A run of stars: `*`, `**`, or `***` (both), opening when text
            // follows it and closing when text comes before it.
            let run = rest.chars().take_while(|&c| c == '*').count();
            let before = text[..i].chars().next_back();
            let after = text[i + run..].chars().next();
            let solid = |c: Option<char>| c.is_some_and(|c| !c.is_whitespace());
            let (open, close) = (solid(after), solid(before));
            flush(&mut plain, &mut out);
            let star = |at: usize, strong: bool| Token::Star {
                at,
                strong,
                open,
                close,
            };
            match run {
                1 => out.push(star(i, false)),
                2 => out.push(star(i, true)),
                // Closing (text before, none or punctuation after): `*` then `**`.
                3 if close && !after.is_some_and(char::is_alphanumeric) => {
                    out.extend([star(i, false), star(i + 1, true)])
                }
                3 => out.extend([star(i, true), star(i + 2, false)]),
                _ => plain.push_str(&rest[..run]),
            }
            i += run;
            continue;
        }
        if c == '[' {
            flush(&mut plain, &mut out);
            out.push(Token::LinkOpen(i));
            i += 1;
            continue;
        }
        if rest.starts_with("](") {
            let Some(end) = rest.find(')') else {
                return Err(Problem {
                    at: i,
                    message: "a link's address is not closed with `)`".into(),
                    hint: "write the link as [text](https://example.org)".into(),
                });
            };
            let address = rest[2..end].trim().to_string();
            if !SCHEMES.iter().any(|s| address.starts_with(s)) || address.contains(' ') {
                return Err(Problem {
                    at: i + 2,
                    message: format!("`{address}` is not a web or e-mail address"),
                    hint: "a link's address starts with https://, http:// or mailto:, as in [text](https://example.org)".into(),
                });
            }
            flush(&mut plain, &mut out);
            out.push(Token::LinkClose { at: i, address });
            i += end + 1;
            continue;
        }
        plain.push(c);
        i += c.len_utf8();
    }
    flush(&mut plain, &mut out);
    Ok(out)
}

/// The markup of `text` as a tree, or the first problem found.
pub fn tree(text: &str) -> Result<Vec<Node>, Problem> {
    let toks = tokens(text)?;
    // Which tokens are markers that open or close something: matched with a
    // stack; an opener never closed stays text (a lone `*`), except `**` and
    // `[` followed by `](`, which are errors when left open or crossed.
    // Each token's part: the kind of marker, and whether it opens.
    let mut role: Vec<Option<(Kind, bool)>> = vec![None; toks.len()];
    let mut stack: Vec<(Kind, usize, usize)> = Vec::new(); // kind, token, byte
    for (t, tok) in toks.iter().enumerate() {
        match tok {
            Token::Star {
                at,
                strong,
                open,
                close,
            } => {
                let kind = if *strong {
                    Kind::Strong
                } else {
                    Kind::Emphasis
                };
                let pos = stack.iter().rposition(|(k, ..)| *k == kind);
                if *close && let Some(p) = pos {
                    if p + 1 != stack.len() {
                        let (inner, _, inner_at) = stack[stack.len() - 1];
                        // A lone `*` inside `**…**` is a character, not a crossing.
                        if inner == Kind::Emphasis {
                            let (_, t_inner, _) = stack.pop().unwrap_or((inner, 0, 0));
                            role[t_inner] = None;
                            if let Some(q) = stack.iter().rposition(|(k, ..)| *k == kind)
                                && q + 1 == stack.len()
                            {
                                let (_, t_open, _) = stack.pop().unwrap_or((kind, 0, 0));
                                role[t_open] = Some((kind, true));
                                role[t] = Some((kind, false));
                                continue;
                            }
                        }
                        return Err(Problem {
                            at: *at,
                            message: format!(
                                "`{}` closes before the `{}` opened inside it (at character {}) is closed",
                                kind.marker(),
                                inner.marker(),
                                text[..inner_at].chars().count() + 1
                            ),
                            hint: "close markers in the reverse order they were opened, as in *a **b** c*".into(),
                        });
                    }
                    let (_, t_open, _) = stack.pop().unwrap_or((kind, 0, 0));
                    role[t_open] = Some((kind, true));
                    role[t] = Some((kind, false));
                } else if *open {
                    stack.push((kind, t, *at));
                }
            }
            Token::LinkOpen(at) => stack.push((Kind::Link, t, *at)),
            Token::LinkClose { at, .. } => {
                // Lone `*`s opened inside the link text stay characters.
                while stack.last().is_some_and(|(k, ..)| *k == Kind::Emphasis)
                    && stack.iter().any(|(k, ..)| *k == Kind::Link)
                {
                    stack.pop();
                }
                match stack.last() {
                    Some((Kind::Link, t_open, _)) => {
                        role[*t_open] = Some((Kind::Link, true));
                        role[t] = Some((Kind::Link, false));
                        stack.pop();
                    }
                    Some((inner, _, _)) if stack.iter().any(|(k, ..)| *k == Kind::Link) => {
                        return Err(Problem {
                            at: *at,
                            message: format!(
                                "the link ends before the `{}` opened inside it is closed",
                                inner.marker()
                            ),
                            hint: "close emphasis inside the link text, as in [read **this**](https://example.org)".into(),
                        });
                    }
                    _ => {
                        return Err(Problem {
                            at: *at,
                            message: "`](` ends a link that no `[` began".into(),
                            hint: "write the link as [text](https://example.org), or write \\[ and \\] for brackets".into(),
                        });
                    }
                }
            }
            Token::Text(_) | Token::Break => {}
        }
    }
    if let Some((_, _, at)) = stack.iter().find(|(k, ..)| *k == Kind::Strong) {
        return Err(Problem {
            at: *at,
            message: "`**` opens strong text that is never closed".into(),
            hint: "close it with ** after the last strong word, or write \\*\\* for two asterisks"
                .into(),
        });
    }

    // A link's address, known at its `[` from its matching `](…)`.
    let mut addresses: Vec<Option<String>> = vec![None; toks.len()];
    let mut open_links: Vec<usize> = Vec::new();
    for (t, tok) in toks.iter().enumerate() {
        match (tok, role[t]) {
            (Token::LinkOpen(_), Some((Kind::Link, _))) => open_links.push(t),
            (Token::LinkClose { address, .. }, Some((Kind::Link, _))) => {
                if let Some(o) = open_links.pop() {
                    addresses[o] = Some(address.clone());
                }
            }
            _ => {}
        }
    }
    // The tree: each matched pair of markers a span around what is between.
    let mut stack: Vec<(Option<Span>, Vec<Node>)> = vec![(None, Vec::new())];
    let text_into = |stack: &mut Vec<(Option<Span>, Vec<Node>)>, s: &str| {
        let nodes = &mut stack.last_mut().expect("the root stays").1;
        match nodes.last_mut() {
            Some(Node::Text(t)) => t.push_str(s),
            _ => nodes.push(Node::Text(s.to_string())),
        }
    };
    for (t, tok) in toks.iter().enumerate() {
        match (tok, role[t]) {
            (Token::Text(s), _) => text_into(&mut stack, s),
            (Token::Break, _) => stack
                .last_mut()
                .expect("the root stays")
                .1
                .push(Node::Break),
            (Token::Star { .. } | Token::LinkOpen(_), Some((kind, true))) => {
                let span = match kind {
                    Kind::Emphasis => Span::Emphasis,
                    Kind::Strong => Span::Strong,
                    Kind::Link => Span::Link(addresses[t].clone().unwrap_or_default()),
                };
                stack.push((Some(span), Vec::new()));
            }
            (Token::Star { .. } | Token::LinkClose { .. }, Some((_, false))) => {
                if stack.len() > 1
                    && let Some((Some(span), children)) = stack.pop()
                {
                    stack
                        .last_mut()
                        .expect("the root stays")
                        .1
                        .push(Node::Span { span, children });
                }
            }
            (Token::Star { strong: s, .. }, _) => {
                text_into(&mut stack, if *s { "**" } else { "*" })
            }
            (Token::LinkOpen(_), _) => text_into(&mut stack, "["),
            (Token::LinkClose { .. }, _) => {}
        }
    }
    // Openers never closed (a lone `*`) were dropped from the matching: their
    // frames do not exist. The root is what remains.
    while stack.len() > 1 {
        if let Some((_, children)) = stack.pop() {
            stack.last_mut().expect("the root stays").1.extend(children);
        }
    }
    Ok(stack.pop().map(|(_, n)| n).unwrap_or_default())
}

/// A span of marked-up text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    /// `*…*`
    Emphasis,
    /// `**…**`
    Strong,
    /// `[…](address)`
    Link(String),
}

/// A text's markup as a tree: spans nest as the author wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Text, markers taken out.
    Text(String),
    /// `<br>`
    Break,
    /// A span around its content.
    Span {
        /// Which.
        span: Span,
        /// What it holds.
        children: Vec<Node>,
    },
}

/// The pieces of `text`: its markup applied, or the first problem found.
pub fn parse(text: &str) -> Result<Vec<Piece>, Problem> {
    fn flatten(nodes: &[Node], em: bool, st: bool, link: &Option<String>, out: &mut Vec<Piece>) {
        for n in nodes {
            match n {
                Node::Break => out.push(Piece::Break),
                Node::Text(s) => match out.last_mut() {
                    Some(Piece::Text {
                        text,
                        emphasis,
                        strong,
                        link: l,
                    }) if *emphasis == em && *strong == st && l == link => text.push_str(s),
                    _ => out.push(Piece::Text {
                        text: s.clone(),
                        emphasis: em,
                        strong: st,
                        link: link.clone(),
                    }),
                },
                Node::Span { span, children } => match span {
                    Span::Emphasis => flatten(children, true, st, link, out),
                    Span::Strong => flatten(children, em, true, link, out),
                    Span::Link(a) => flatten(children, em, st, &Some(a.clone()), out),
                },
            }
        }
    }
    let mut out = Vec::new();
    flatten(&tree(text)?, false, false, &None, &mut out);
    out.retain(|p| !matches!(p, Piece::Text { text, .. } if text.is_empty()));
    Ok(out)
}

/// Whether `text` has any markup at all (most texts have none: they skip
/// the work).
pub fn has_markup(text: &str) -> bool {
    text.contains(['*', '[', '\\']) || text.contains("<br>")
}

/// The markup of `text` checked: a problem becomes an error naming `what`
/// (`message `self-care``), placed where the marker is in `src` when it can
/// be found there, on or after line `near` (where the text starts), else at
/// that line.
pub fn check(
    text: &str,
    what: &str,
    src: &crate::source::SourceFile,
    near: Option<usize>,
) -> Option<crate::diag::Diagnostic> {
    if !has_markup(text) {
        return None;
    }
    let p = parse(text).err()?;
    let from = near.and_then(|l| src.offset_of_line(l)).unwrap_or(0);
    // The marker and what follows it up to a space: folding joins a text's
    // lines, but never inside a word.
    let snippet: &str = text[p.at..]
        .split(char::is_whitespace)
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(&text[p.at..]);
    let span = src.text[from..]
        .find(snippet)
        .map(|i| src.span_at(from + i))
        .or_else(|| src.span_at(from).into());
    Some(
        crate::diag::Diagnostic::error(&src.path, format!("{what}: {}", p.message))
            .with_span(span)
            .with_hint(p.hint),
    )
}

mod write;
pub use write::{write, write_tree};

#[cfg(test)]
mod tests {
    use super::write::write;
    use super::{Piece, parse};

    /// The text as a reader sees it: markers taken out, a line break as `\n`.
    fn plain(text: &str) -> String {
        match parse(text) {
            Ok(pieces) => pieces
                .iter()
                .map(|p| match p {
                    Piece::Text { text, .. } => text.as_str(),
                    Piece::Break => "\n",
                })
                .collect(),
            Err(_) => text.to_string(),
        }
    }

    fn t(text: &str, emphasis: bool, strong: bool, link: Option<&str>) -> Piece {
        Piece::Text {
            text: text.into(),
            emphasis,
            strong,
            link: link.map(str::to_string),
        }
    }

    #[test]
    fn emphasis_strong_and_links() {
        assert_eq!(
            parse("a *b* **c** d").unwrap(),
            [
                t("a ", false, false, None),
                t("b", true, false, None),
                t(" ", false, false, None),
                t("c", false, true, None),
                t(" d", false, false, None),
            ]
        );
        assert_eq!(
            parse("**Join** us at [the *Alliance*](https://example.org).").unwrap(),
            [
                t("Join", false, true, None),
                t(" us at ", false, false, None),
                t("the ", false, false, Some("https://example.org")),
                t("Alliance", true, false, Some("https://example.org")),
                t(".", false, false, None),
            ]
        );
        assert_eq!(
            parse("*a **b** c*").unwrap(),
            [
                t("a ", true, false, None),
                t("b", true, true, None),
                t(" c", true, false, None),
            ]
        );
        assert_eq!(
            parse("one<br>two").unwrap(),
            [
                t("one", false, false, None),
                Piece::Break,
                t("two", false, false, None)
            ]
        );
    }

    #[test]
    fn what_is_not_markup_stays_as_written() {
        for s in [
            "5 * 3 = 15",
            "*Given the diversities across contexts, this definition may be amplified.",
            "a [bracket] and a (parenthesis)",
            "an address https://example.org/a_b*c",
        ] {
            assert_eq!(plain(s), s, "{s}");
            assert_eq!(parse(s).unwrap().len(), 1, "{s}");
        }
        assert_eq!(
            plain(r"\*not emphasis\* and \\ and \[x\]"),
            r"*not emphasis* and \ and [x]"
        );
        assert_eq!(plain("a * b *c*"), "a * b c");
        assert_eq!(plain("**a *b**"), "a *b");
        assert_eq!(plain("***a-b***, c"), "a-b, c");
        assert_eq!(
            parse("a ***b*** c").unwrap(),
            [
                t("a ", false, false, None),
                t("b", true, true, None),
                t(" c", false, false, None),
            ]
        );
        assert_eq!(parse("*a *b* c*").unwrap(), [t("a b c", true, false, None)]);
    }

    #[test]
    fn what_is_parsed_is_written_back_alike() {
        for s in [
            "**Join** us at [the *Alliance*](https://example.org).",
            "a *b* **c** ***d*** e<br>f",
            "*Given the diversities",
            "5 * 3 and [x] and a\\b",
        ] {
            let pieces = parse(s).unwrap();
            let back = write(&pieces);
            assert_eq!(parse(&back).unwrap(), pieces, "{s} -> {back}");
        }
        // Space at a styled stretch's edge moves outside its markers.
        let pieces = [t("Join ", false, true, None), t("us", false, false, None)];
        assert_eq!(write(&pieces), "**Join** us");
        assert_eq!(
            write(&parse("*Given the diversities").unwrap()),
            "*Given the diversities"
        );
    }

    #[test]
    fn mistakes_are_located() {
        let e = parse("a **b c").unwrap_err();
        assert_eq!(e.at, 2);
        assert!(e.message.contains("never closed"), "{e:?}");
        let e = parse("*a **b* c**").unwrap_err();
        assert!(e.message.contains("closes before"), "{e:?}");
        let e = parse("see [here](https://example.org").unwrap_err();
        assert_eq!(e.at, 9);
        let e = parse("see [here](example.org)").unwrap_err();
        assert!(e.message.contains("not a web or e-mail address"), "{e:?}");
        let e = parse("see here](https://example.org)").unwrap_err();
        assert!(e.message.contains("no `[` began"), "{e:?}");
    }
}
