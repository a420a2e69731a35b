//! Marked-up text written back from pieces or a tree: the inverse of
//! parsing, for translations that come back from Word or a CAT tool with
//! their styling.

use super::{ESCAPABLE, Node, Piece, Span, parse};

/// Writes `pieces` back as marked-up text: the inverse of [`parse`], for
/// translations that come back from a CAT tool or Word with their styling.
/// White space at a styled stretch's edge goes outside its markers (a
/// marker hugs its text); characters that would read as markers are escaped.
pub fn write(pieces: &[Piece]) -> String {
    // Escaped only where it must be: a lone `*` reads as itself unescaped.
    let bare = write_with(pieces, false);
    let escaped = write_with(pieces, true);
    if bare != escaped && parse(&bare).ok() == parse(&escaped).ok() {
        bare
    } else {
        escaped
    }
}

fn write_with(pieces: &[Piece], escaping: bool) -> String {
    // Styled stretches without their edge spaces, the spaces as plain text.
    let mut flat: Vec<Piece> = Vec::new();
    for p in pieces {
        match p {
            Piece::Text {
                text,
                emphasis,
                strong,
                link,
            } if *emphasis || *strong => {
                let core = text.trim();
                let lead = &text[..text.len() - text.trim_start().len()];
                let trail = &text[text.trim_end().len()..];
                // Still in the link, if the stretch is.
                let plain = |s: &str| Piece::Text {
                    text: s.to_string(),
                    emphasis: false,
                    strong: false,
                    link: link.clone(),
                };
                if !lead.is_empty() {
                    flat.push(plain(lead));
                }
                if !core.is_empty() {
                    flat.push(Piece::Text {
                        text: core.to_string(),
                        emphasis: *emphasis,
                        strong: *strong,
                        link: link.clone(),
                    });
                }
                if !trail.is_empty() {
                    flat.push(plain(trail));
                }
            }
            other => flat.push(other.clone()),
        }
    }
    let escape = |s: &str| {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if escaping && ESCAPABLE.contains(&c) {
                out.push('\\');
            }
            out.push(c);
        }
        out
    };
    let mut out = String::new();
    let (mut em, mut st, mut link): (bool, bool, Option<&str>) = (false, false, None);
    let close = |out: &mut String, em: &mut bool, st: &mut bool| {
        if *em {
            out.push('*');
            *em = false;
        }
        if *st {
            out.push_str("**");
            *st = false;
        }
    };
    for p in &flat {
        match p {
            Piece::Break => {
                close(&mut out, &mut em, &mut st);
                out.push_str("<br>");
            }
            Piece::Text {
                text,
                emphasis,
                strong,
                link: l,
            } => {
                let l = l.as_deref();
                if l != link || *emphasis != em || *strong != st {
                    close(&mut out, &mut em, &mut st);
                }
                if l != link {
                    if let Some(address) = link {
                        out.push_str(&format!("]({address})"));
                    }
                    if l.is_some() {
                        out.push('[');
                    }
                    link = l;
                }
                if *strong && !st {
                    out.push_str("**");
                    st = true;
                }
                if *emphasis && !em {
                    out.push('*');
                    em = true;
                }
                out.push_str(&escape(text));
            }
        }
    }
    close(&mut out, &mut em, &mut st);
    if let Some(address) = link {
        out.push_str(&format!("]({address})"));
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
