//! Marked-up text written back from pieces or a tree: the inverse of
//! parsing, for translations that come back from Word or a CAT tool with
//! their styling.

use super::{ESCAPABLE, Node, Piece, Span, parse};

/// Writes `pieces` back as marked-up text, as [`write_tree`] writes the tree
/// they nest into: consecutive pieces in one link, then those strong, then
/// those emphasised, share a span.
pub fn write(pieces: &[Piece]) -> String {
    write_tree(&nest(pieces, 0))
}

/// `pieces` as nodes, spanned by what they share at `depth` (0 the link, 1
/// strong, 2 emphasis) and below.
fn nest(pieces: &[Piece], depth: u8) -> Vec<Node> {
    let span_of = |p: &Piece| match p {
        Piece::Text {
            link,
            strong,
            emphasis,
            ..
        } => match depth {
            0 => link.clone().map(Span::Link),
            1 => strong.then_some(Span::Strong),
            2 => emphasis.then_some(Span::Emphasis),
            _ => None,
        },
        Piece::Break => None,
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        let span = span_of(&pieces[i]);
        let run = pieces[i..]
            .iter()
            .take_while(|p| span_of(p) == span)
            .count();
        let group = &pieces[i..i + run];
        match span {
            Some(span) => out.push(Node::Span {
                span,
                children: nest(group, depth + 1),
            }),
            None if depth < 2 => out.extend(nest(group, depth + 1)),
            None => out.extend(group.iter().map(|p| match p {
                Piece::Text { text, .. } => Node::Text(text.clone()),
                Piece::Break => Node::Break,
            })),
        }
        i += run;
    }
    out
}

/// Writes a tree back as marked-up text: spans as their markers (white
/// space at a span's edge outside them), text escaped where it would read as
/// markup. The inverse of [`tree`], for translations that come back from a
/// CAT tool with their inline codes.
pub fn write_tree(nodes: &[Node]) -> String {
    fn render(nodes: &[Node], escaping: bool, out: &mut String) {
        for n in nodes {
            match n {
                Node::Break => out.push_str("<br>"),
                Node::Text(s) => {
                    for c in s.chars() {
                        if escaping && ESCAPABLE.contains(&c) {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                }
                Node::Span { span, children } => {
                    let mut inner = String::new();
                    render(children, escaping, &mut inner);
                    let core = inner.trim();
                    let lead = &inner[..inner.len() - inner.trim_start().len()];
                    let trail = &inner[inner.trim_end().len()..];
                    out.push_str(lead);
                    match span {
                        Span::Emphasis => out.push_str(&format!("*{core}*")),
                        Span::Strong => out.push_str(&format!("**{core}**")),
                        Span::Link(a) => out.push_str(&format!("[{core}]({a})")),
                    }
                    out.push_str(trail);
                }
            }
        }
    }
    let (mut bare, mut escaped) = (String::new(), String::new());
    render(nodes, false, &mut bare);
    render(nodes, true, &mut escaped);
    if bare != escaped && parse(&bare).ok() == parse(&escaped).ok() {
        bare
    } else {
        escaped
    }
}
