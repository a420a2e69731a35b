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

/// A piece of plain text, a link to `link` if given.
fn piece(text: &str, link: Option<String>) -> crate::markup::Piece {
    crate::markup::Piece::Text {
        text: text.to_string(),
        emphasis: false,
        strong: false,
        link,
    }
}

/// `text` as a link to `to`, in markup (its characters escaped).
pub(super) fn linked(text: &str, to: &str) -> String {
    crate::markup::write(&[piece(text, Some(to.to_string()))])
}

/// The organisation's e-mail (a link), telephone and postal address, those
/// it has, a line each (an address's own lines kept), in markup.
pub(super) fn contact_markup(o: &crate::content::Organisation) -> String {
    let email = o
        .email
        .iter()
        .map(|e| piece(e, Some(format!("mailto:{e}"))));
    let phone = o.phone.iter().map(|p| piece(p, None));
    let address = o.address.iter().flat_map(|a| {
        a.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| piece(l, None))
    });
    let pieces: Vec<crate::markup::Piece> = email
        .chain(phone)
        .chain(address)
        .enumerate()
        .flat_map(|(i, l)| {
            (i > 0)
                .then_some(crate::markup::Piece::Break)
                .into_iter()
                .chain([l])
        })
        .collect();
    crate::markup::write(&pieces)
}
