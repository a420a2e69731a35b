//! Tagged PDF (ISO 32000-1, 14.7–14.8; PDF/UA-1): the structure tree made
//! from the pages' blocks, in reading order. Drawing marks each piece of
//! content with an MCID on its page (`Marked`); this pass builds `Document`
//! with its headings, paragraphs, the note, the list of messages (`L` > `LI` >
//! `Lbl` + `LBody`), figures with `/Alt` and links holding their annotations,
//! and the parent tree that leads from content back to its element.

use super::ops::text_string;
use crate::pages::{Block, BlockKind, Pages, Role};
use lopdf::{Dictionary, Object, ObjectId};

/// What a piece of marked content is part of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    /// The block's own text (a message's text, inside its `LBody`).
    Body,
    /// A message's number (`Lbl`).
    Label,
    /// The text of link `n` of the page (inside a `Link` element).
    Link(usize),
}

/// One marked-content sequence: its block and part. A page's list is
/// indexed by MCID.
#[derive(Debug, Clone, Copy)]
pub(super) struct Marked {
    pub(super) block: u32,
    pub(super) part: Part,
}

/// Each block's structure type. A heading is `H2` under a title and `H1`
/// where no title comes before it: PDF/UA allows no skipped levels.
pub(super) fn struct_types(blocks: &[Block]) -> Vec<&'static str> {
    let mut titled = false;
    blocks
        .iter()
        .map(|b| match &b.kind {
            BlockKind::Text(Role::Title) => {
                titled = true;
                "H1"
            }
            BlockKind::Text(Role::Heading) if titled => "H2",
            BlockKind::Text(Role::Heading) => "H1",
            BlockKind::Text(Role::Note) => "Note",
            BlockKind::Text(_) => "P",
            BlockKind::Message { .. } => "LBody",
            BlockKind::Figure { .. } => "Figure",
        })
        .collect()
}

/// The marked-content tag a part is drawn under.
pub(super) fn content_tag(types: &[&'static str], m: Marked) -> &'static str {
    match m.part {
        Part::Label => "Lbl",
        Part::Link(_) => "Link",
        Part::Body => types[m.block as usize],
    }
}

enum Kid {
    Elem(usize),
    Content { page: usize, mcid: usize },
    Annot { page: usize, annot: ObjectId },
}

struct Elem {
    kind: &'static str,
    parent: Option<usize>,
    kids: Vec<Kid>,
    dict: Vec<(&'static str, Object)>,
}

/// Builds the structure tree into `lo` and marks the catalog and pages:
/// `marked[p]` is page `p`'s marked content by MCID, `annots[p]` its link
/// annotations in the order of `Page::links`.
pub(super) fn build(
    lo: &mut lopdf::Document,
    pages: &Pages,
    page_ids: &[ObjectId],
    marked: &[Vec<Marked>],
    annots: &[Vec<ObjectId>],
) {
    let types = struct_types(&pages.blocks);
    // Each block's content in reading order: by page, then by MCID.
    let mut content: Vec<Vec<(usize, usize, Part)>> = vec![Vec::new(); pages.blocks.len()];
    for (page, list) in marked.iter().enumerate() {
        for (mcid, m) in list.iter().enumerate() {
            content[m.block as usize].push((page, mcid, m.part));
        }
    }
    let mut elems = vec![Elem {
        kind: "Document",
        parent: None,
        kids: Vec::new(),
        dict: Vec::new(),
    }];
    let add = |elems: &mut Vec<Elem>, kind, parent: usize, dict| {
        elems.push(Elem {
            kind,
            parent: Some(parent),
            kids: Vec::new(),
            dict,
        });
        let at = elems.len() - 1;
        elems[parent].kids.push(Kid::Elem(at));
        at
    };
    let mut list: Option<usize> = None;
    let mut notes = 0;
    for (b, block) in pages.blocks.iter().enumerate() {
        let mut dict = Vec::new();
        if let Some(lang) = &block.lang {
            dict.push(("Lang", text_string(lang)));
        }
        let (holder, label) = match &block.kind {
            BlockKind::Message { .. } => {
                let l = *list.get_or_insert_with(|| {
                    let attrs = Dictionary::from_iter(vec![
                        ("O", Object::Name(b"List".to_vec())),
                        ("ListNumbering", Object::Name(b"Decimal".to_vec())),
                    ]);
                    add(&mut elems, "L", 0, vec![("A", Object::Dictionary(attrs))])
                });
                let li = add(&mut elems, "LI", l, dict.clone());
                let lbl = add(&mut elems, "Lbl", li, Vec::new());
                (add(&mut elems, "LBody", li, Vec::new()), Some(lbl))
            }
            kind => {
                list = None;
                match kind {
                    BlockKind::Figure { alt } => dict.push(("Alt", text_string(alt))),
                    BlockKind::Text(Role::Note) => {
                        // PDF/UA-1 7.9: a note carries an identifier.
                        notes += 1;
                        dict.push((
                            "ID",
                            Object::string_literal(format!("note-{notes}").into_bytes()),
                        ));
                    }
                    _ => {}
                }
                (add(&mut elems, types[b], 0, dict), None)
            }
        };
        // Consecutive pieces of one address are one link.
        let mut link: Option<(usize, &str)> = None;
        for &(page, mcid, part) in &content[b] {
            let target = match part {
                Part::Label => label.unwrap_or(holder),
                Part::Body => {
                    link = None;
                    holder
                }
                Part::Link(n) => {
                    let l = &pages.pages[page].links[n];
                    match link {
                        Some((e, uri)) if uri == l.uri => e,
                        _ => {
                            let e = add(&mut elems, "Link", holder, Vec::new());
                            link = Some((e, l.uri.as_str()));
                            e
                        }
                    }
                }
            };
            elems[target].kids.push(Kid::Content { page, mcid });
            if let Part::Link(n) = part
                && let Some(&annot) = annots.get(page).and_then(|a| a.get(n))
            {
                let has = elems[target]
                    .kids
                    .iter()
                    .any(|k| matches!(k, Kid::Annot { annot: a, .. } if *a == annot));
                if !has {
                    elems[target].kids.push(Kid::Annot { page, annot });
                }
            }
        }
    }

    // Object ids, then the objects, then the parent tree that points back.
    let root_id = lo.new_object_id();
    let ids: Vec<ObjectId> = elems.iter().map(|_| lo.new_object_id()).collect();
    let mut parents: Vec<Vec<Object>> =
        marked.iter().map(|l| vec![Object::Null; l.len()]).collect();
    let mut annot_parents: Vec<(ObjectId, ObjectId)> = Vec::new();
    let mut note_ids = Vec::new();
    for (i, e) in elems.iter().enumerate() {
        // An element's page is the page of its first content.
        let pg = e.kids.iter().find_map(|k| match k {
            Kid::Content { page, .. } | Kid::Annot { page, .. } => Some(*page),
            Kid::Elem(_) => None,
        });
        let kids: Vec<Object> = e
            .kids
            .iter()
            .map(|k| match *k {
                Kid::Elem(c) => Object::Reference(ids[c]),
                Kid::Content { page, mcid } => {
                    parents[page][mcid] = Object::Reference(ids[i]);
                    if Some(page) == pg {
                        Object::Integer(mcid as i64)
                    } else {
                        Object::Dictionary(Dictionary::from_iter(vec![
                            ("Type", Object::Name(b"MCR".to_vec())),
                            ("Pg", Object::Reference(page_ids[page])),
                            ("MCID", Object::Integer(mcid as i64)),
                        ]))
                    }
                }
                Kid::Annot { page, annot } => {
                    annot_parents.push((annot, ids[i]));
                    Object::Dictionary(Dictionary::from_iter(vec![
                        ("Type", Object::Name(b"OBJR".to_vec())),
                        ("Pg", Object::Reference(page_ids[page])),
                        ("Obj", Object::Reference(annot)),
                    ]))
                }
            })
            .collect();
        let mut d = Dictionary::from_iter(vec![
            ("Type", Object::Name(b"StructElem".to_vec())),
            ("S", Object::Name(e.kind.as_bytes().to_vec())),
            (
                "P",
                Object::Reference(e.parent.map(|p| ids[p]).unwrap_or(root_id)),
            ),
            ("K", Object::Array(kids)),
        ]);
        if let Some(p) = pg {
            d.set("Pg", Object::Reference(page_ids[p]));
        }
        for (k, v) in &e.dict {
            if *k == "ID"
                && let Object::String(s, _) = v
            {
                note_ids.push(Object::String(s.clone(), lopdf::StringFormat::Literal));
                note_ids.push(Object::Reference(ids[i]));
            }
            d.set(*k, v.clone());
        }
        lo.objects.insert(ids[i], Object::Dictionary(d));
    }

    let mut nums = Vec::new();
    for (p, list) in parents.into_iter().enumerate() {
        nums.push(Object::Integer(p as i64));
        nums.push(Object::Array(list));
    }
    let mut next_key = page_ids.len() as i64;
    for (annot, elem) in annot_parents {
        if let Ok(Object::Dictionary(a)) = lo.get_object_mut(annot) {
            a.set("StructParent", Object::Integer(next_key));
        }
        nums.push(Object::Integer(next_key));
        nums.push(Object::Reference(elem));
        next_key += 1;
    }
    let mut root = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"StructTreeRoot".to_vec())),
        ("K", Object::Reference(ids[0])),
        (
            "ParentTree",
            Object::Dictionary(Dictionary::from_iter(vec![("Nums", Object::Array(nums))])),
        ),
        ("ParentTreeNextKey", Object::Integer(next_key)),
    ]);
    if !note_ids.is_empty() {
        root.set(
            "IDTree",
            Dictionary::from_iter(vec![("Names", Object::Array(note_ids))]),
        );
    }
    lo.objects.insert(root_id, Object::Dictionary(root));

    for (p, id) in page_ids.iter().enumerate() {
        if let Ok(Object::Dictionary(d)) = lo.get_object_mut(*id) {
            d.set("StructParents", Object::Integer(p as i64));
            // Tab order follows the structure (PDF/UA-1 7.18.3).
            if annots.get(p).is_some_and(|a| !a.is_empty()) {
                d.set("Tabs", Object::Name(b"S".to_vec()));
            }
        }
    }
    if let Ok(root) = lo.trailer.get(b"Root").and_then(|r| r.as_reference())
        && let Ok(Object::Dictionary(cat)) = lo.get_object_mut(root)
    {
        cat.set("StructTreeRoot", Object::Reference(root_id));
        cat.set(
            "MarkInfo",
            Dictionary::from_iter(vec![("Marked", Object::Boolean(true))]),
        );
    }
}
