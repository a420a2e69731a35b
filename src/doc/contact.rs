//! The organisation's web address and contact details as texts to print:
//! written as markup, so an address is a link like any the authors write.

/// A web address as people type it: without `https://`, `http://` or a
/// closing `/`.
pub(super) fn printed_address(url: &str) -> &str {
    let bare = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    bare.strip_suffix('/').unwrap_or(bare)
}

/// `text` as a link to `to`, in markup (its characters escaped).
pub(super) fn linked(text: &str, to: &str) -> String {
    crate::markup::write(&[crate::markup::Piece::Text {
        text: text.to_string(),
        emphasis: false,
        strong: false,
        link: Some(to.to_string()),
    }])
}

/// The organisation's e-mail (a link), telephone and postal address, those
/// it has, a line each (an address's own lines kept), in markup.
pub(super) fn contact_markup(o: &crate::content::Organisation) -> String {
    use crate::markup::Piece;
    let plain = |text: &str| Piece::Text {
        text: text.to_string(),
        emphasis: false,
        strong: false,
        link: None,
    };
    let mut lines: Vec<Vec<Piece>> = Vec::new();
    if let Some(e) = &o.email {
        lines.push(vec![Piece::Text {
            text: e.clone(),
            emphasis: false,
            strong: false,
            link: Some(format!("mailto:{e}")),
        }]);
    }
    if let Some(p) = &o.phone {
        lines.push(vec![plain(p)]);
    }
    if let Some(a) = &o.address {
        lines.extend(
            a.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| vec![plain(l)]),
        );
    }
    let pieces: Vec<Piece> = lines
        .into_iter()
        .enumerate()
        .flat_map(|(i, l)| (i > 0).then_some(Piece::Break).into_iter().chain(l))
        .collect();
    crate::markup::write(&pieces)
}
