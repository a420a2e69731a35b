//! A text's markup as XLIFF 2.1 inline codes, and back: emphasis and strong
//! as `<pc type="fmt" subType="xlf:i">` / `"xlf:b"`, a link as `<pc
//! type="link">` whose address stays in the unit's `<originalData>` (never in
//! the translatable text), a line break as `<ph type="fmt" subType="xlf:lb">`;
//! every code `canDelete="no"`, so a CAT tool shows it as a protected tag
//! (a link's shows its address, `dispStart`).
//! Codes are numbered in the source text's order; a translation's codes are
//! matched to the source's, so they may move and nest otherwise, but none
//! may be dropped or made up.

use crate::markup::{Node, Span};
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};

/// What a code stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Code {
    Emphasis,
    Strong,
    Link(String),
    Break,
}

impl Code {
    fn of(n: &Node) -> Option<Code> {
        match n {
            Node::Text(_) => None,
            Node::Break => Some(Code::Break),
            Node::Span { span, .. } => Some(match span {
                Span::Emphasis => Code::Emphasis,
                Span::Strong => Code::Strong,
                Span::Link(a) => Code::Link(a.clone()),
            }),
        }
    }

    /// How a translator's tool names it, in an error.
    pub(super) fn describe(&self) -> String {
        match self {
            Code::Emphasis => "emphasis".into(),
            Code::Strong => "strong".into(),
            Code::Link(a) => format!("the link to {a}"),
            Code::Break => "the line break".into(),
        }
    }
}

/// The codes of a source text, in order: code `n + 1` is `codes[n]`.
pub(super) fn source_codes(nodes: &[Node]) -> Vec<Code> {
    fn walk(nodes: &[Node], out: &mut Vec<Code>) {
        for n in nodes {
            if let Some(c) = Code::of(n) {
                out.push(c);
            }
            if let Node::Span { children, .. } = n {
                walk(children, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(nodes, &mut out);
    out
}

/// The id each code of `nodes` (a translation) takes: the source's code of
/// the same kind (and address), in order of meeting them; one with no match
/// gets an id past the source's.
fn ids_for(nodes: &[Node], source: &[Code]) -> Vec<String> {
    let mut used = vec![false; source.len()];
    let mut extra = source.len();
    source_codes(nodes)
        .into_iter()
        .map(
            |c| match (0..source.len()).find(|&i| !used[i] && source[i] == c) {
                Some(i) => {
                    used[i] = true;
                    (i + 1).to_string()
                }
                None => {
                    extra += 1;
                    extra.to_string()
                }
            },
        )
        .collect()
}

type W = quick_xml::Writer<Vec<u8>>;

fn err(e: impl std::fmt::Display) -> crate::diag::Error {
    crate::diag::Error::Usage(format!("cannot write XML: {e}"))
}

/// `<originalData>` for a source's links: data `dN` is code `N`'s address.
pub(super) fn write_original_data(w: &mut W, codes: &[Code]) -> Result<(), crate::diag::Error> {
    if !codes.iter().any(|c| matches!(c, Code::Link(_))) {
        return Ok(());
    }
    w.write_event(Event::Start(BytesStart::new("originalData")))
        .map_err(err)?;
    for (i, c) in codes.iter().enumerate() {
        if let Code::Link(address) = c {
            let mut d = BytesStart::new("data");
            d.push_attribute(("id", format!("d{}", i + 1).as_str()));
            w.write_event(Event::Start(d)).map_err(err)?;
            w.write_event(Event::Text(BytesText::new(address)))
                .map_err(err)?;
            w.write_event(Event::End(BytesEnd::new("data")))
                .map_err(err)?;
        }
    }
    w.write_event(Event::End(BytesEnd::new("originalData")))
        .map_err(err)?;
    Ok(())
}

/// Writes `nodes` as the content of a `<source>` or `<target>`, its codes
/// numbered against `source`.
pub(super) fn write(w: &mut W, nodes: &[Node], source: &[Code]) -> Result<(), crate::diag::Error> {
    let ids = ids_for(nodes, source);
    let mut next = ids.iter();

    fn go(
        w: &mut W,
        nodes: &[Node],
        ids: &mut std::slice::Iter<'_, String>,
    ) -> Result<(), crate::diag::Error> {
        for n in nodes {
            let code = Code::of(n);
            match (n, code) {
                (Node::Text(t), _) => w.write_event(Event::Text(BytesText::new(t))).map_err(err)?,
                (_, Some(Code::Break)) => {
                    let mut ph = BytesStart::new("ph");
                    ph.push_attribute(("id", ids.next().map_or("0", |s| s.as_str())));
                    ph.push_attribute(("canDelete", "no"));
                    ph.push_attribute(("type", "fmt"));
                    ph.push_attribute(("subType", "xlf:lb"));
                    w.write_event(Event::Empty(ph)).map_err(err)?;
                }
                (Node::Span { children, .. }, Some(code)) => {
                    let id = ids.next().cloned().unwrap_or_default();
                    let mut pc = BytesStart::new("pc");
                    pc.push_attribute(("id", id.as_str()));
                    pc.push_attribute(("canDelete", "no"));
                    match &code {
                        Code::Emphasis | Code::Strong => {
                            pc.push_attribute(("type", "fmt"));
                            let sub = if code == Code::Emphasis {
                                "xlf:i"
                            } else {
                                "xlf:b"
                            };
                            pc.push_attribute(("subType", sub));
                        }
                        Code::Link(address) => {
                            pc.push_attribute(("type", "link"));
                            pc.push_attribute(("dataRefStart", format!("d{id}").as_str()));
                            // What a tool shows for the tag; and the address
                            // still, where a tool loses the original data.
                            pc.push_attribute(("dispStart", address.as_str()));
                        }
                        Code::Break => {}
                    }
                    w.write_event(Event::Start(pc)).map_err(err)?;
                    go(w, children, ids)?;
                    w.write_event(Event::End(BytesEnd::new("pc")))
                        .map_err(err)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
    // Written apart and handed over as text already escaped: the file's
    // writer indents elements, and white space inside a text would change it.
    let mut inline = quick_xml::Writer::new(Vec::new());
    go(&mut inline, nodes, &mut next)?;
    let inline = String::from_utf8(inline.into_inner()).map_err(err)?;
    w.write_event(Event::Text(BytesText::from_escaped(inline)))
        .map_err(err)
}

/// An inline code read from a file: its id, and what its element says.
#[derive(Debug, Clone)]
pub(super) enum Read {
    Text(String),
    Code {
        id: String,
        /// What its attributes say it is (read from a source; a target's
        /// codes are what the source's of the same id are).
        kind: Option<Code>,
        /// `pc` with its children, or `ph`.
        children: Option<Vec<Read>>,
    },
}

/// What a code element says it is: `type`, `subType`, and for a link the
/// address its `dataRefStart` points at in `data`.
pub(super) fn kind_of(
    e: &BytesStart,
    data: &std::collections::HashMap<String, String>,
) -> Option<Code> {
    let a = |n: &[u8]| super::attr(e, n);
    match (a(b"type").as_deref(), a(b"subType").as_deref()) {
        (_, Some("xlf:i")) => Some(Code::Emphasis),
        (_, Some("xlf:b")) => Some(Code::Strong),
        (_, Some("xlf:lb")) => Some(Code::Break),
        (Some("link"), _) => a(b"dataRefStart")
            .and_then(|d| data.get(&d).cloned())
            .or_else(|| a(b"dispStart"))
            .map(Code::Link),
        _ => None,
    }
}

/// The codes of a source as read, in the order of their ids.
pub(super) fn read_codes(read: &[Read]) -> Vec<Code> {
    fn walk(read: &[Read], out: &mut Vec<(usize, Code)>) {
        for r in read {
            if let Read::Code { id, kind, children } = r {
                if let (Ok(n), Some(k)) = (id.parse::<usize>(), kind) {
                    out.push((n, k.clone()));
                }
                if let Some(c) = children {
                    walk(c, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(read, &mut out);
    out.sort_by_key(|(n, _)| *n);
    out.into_iter().map(|(_, c)| c).collect()
}

/// Reads what a `<source>` or `<target>` holds back into markup, its codes
/// resolved against the source's: the problems are codes dropped, made up
/// or used twice, each named.
pub(super) fn resolve(read: &[Read], source: &[Code]) -> Result<Vec<Node>, Vec<String>> {
    let mut seen = vec![false; source.len()];
    let mut problems = Vec::new();
    fn go(
        read: &[Read],
        source: &[Code],
        seen: &mut [bool],
        problems: &mut Vec<String>,
    ) -> Vec<Node> {
        let mut out = Vec::new();
        for r in read {
            match r {
                Read::Text(t) => match out.last_mut() {
                    Some(Node::Text(s)) => s.push_str(t),
                    _ => out.push(Node::Text(t.clone())),
                },
                Read::Code { id, children, .. } => {
                    let at = id
                        .parse::<usize>()
                        .ok()
                        .filter(|&n| n >= 1 && n <= source.len());
                    let Some(n) = at else {
                        problems.push(format!("code {id} is not in the source text"));
                        if let Some(c) = children {
                            out.extend(go(c, source, seen, problems));
                        }
                        continue;
                    };
                    if std::mem::replace(&mut seen[n - 1], true) {
                        problems.push(format!(
                            "code {id} ({}) is used twice",
                            source[n - 1].describe()
                        ));
                    }
                    let inner = children
                        .as_ref()
                        .map(|c| go(c, source, seen, problems))
                        .unwrap_or_default();
                    out.push(match &source[n - 1] {
                        Code::Break => Node::Break,
                        Code::Emphasis => Node::Span {
                            span: Span::Emphasis,
                            children: inner,
                        },
                        Code::Strong => Node::Span {
                            span: Span::Strong,
                            children: inner,
                        },
                        Code::Link(a) => Node::Span {
                            span: Span::Link(a.clone()),
                            children: inner,
                        },
                    });
                }
            }
        }
        out
    }
    let nodes = go(read, source, &mut seen, &mut problems);
    for (i, s) in seen.iter().enumerate() {
        if !s {
            problems.push(format!(
                "code {} ({}) is missing",
                i + 1,
                source[i].describe()
            ));
        }
    }
    if problems.is_empty() {
        Ok(nodes)
    } else {
        Err(problems)
    }
}
