//! The picture a job shows: the audience's own, else the content's, else the
//! brand's, with its alternative text and credit in the job's language, and
//! its file read; a picture that cannot be used fails the job, located.

use crate::content::{Audience, Content};
use crate::picture::{Picture, PictureSpec, unit};
use crate::project::{PictureFrom, Project};
use crate::source::SourceFile;
use std::sync::Arc;

/// A job's picture: its file, and its texts as the job prints them.
pub(super) struct Chosen<'c> {
    pub(super) picture: Arc<Picture>,
    pub(super) spec: &'c PictureSpec,
    /// The translation unit of its texts (`image` or `audience.ID.image`);
    /// empty for the brand's, which is not translated.
    pub(super) unit: String,
}

/// Whether layout `l` shows a picture or its credit anywhere: only then is
/// the picture read (and can fail the job).
pub(super) fn shown(l: &crate::layout::Layout) -> bool {
    use crate::layout::Show;
    let panels = l.sides.iter().flat_map(|s| &s.panels);
    l.flows
        .values()
        .flat_map(|f| &f.blocks)
        .chain(panels.flat_map(|p| p.content.iter().chain(&p.bottom)))
        .chain(&l.content)
        .chain(&l.footer)
        .any(|b| matches!(b.show, Some(Show::Image | Show::ImageCredit)))
}

/// The picture of `audience` (from `c`, the content in the job's language),
/// read; `sources` are where the content's lines are looked for.
pub(super) fn choose<'c>(
    p: &'c Project,
    c: &'c Content,
    audience: &'c Audience,
    sources: &[&SourceFile],
) -> Result<Option<Chosen<'c>>, String> {
    let (spec, from, unit_of, src): (_, _, Option<&str>, Vec<&SourceFile>) =
        if let Some(s) = &audience.image {
            (
                s,
                PictureFrom::Content,
                Some(audience.id.as_str()),
                sources.to_vec(),
            )
        } else if let Some(s) = &c.image {
            (s, PictureFrom::Content, None, sources.to_vec())
        } else if let Some(s) = &p.brand.image {
            (s, PictureFrom::Brand, None, vec![&p.brand_src])
        } else {
            return Ok(None);
        };
    let picture = p.picture(spec, from).map_err(|e| {
        let at = src
            .iter()
            .find_map(|s| crate::project::picture_place(spec, s).map(|span| (s, span)));
        let place = match at {
            Some((s, span)) => format!("{}:{}:{}: ", s.path.display(), span.line, span.column),
            None => String::new(),
        };
        format!("{place}{e}; export the picture again, or correct `file:`")
    })?;
    let unit = match from {
        PictureFrom::Brand => String::new(),
        PictureFrom::Content => unit(unit_of),
    };
    Ok(Some(Chosen {
        picture,
        spec,
        unit,
    }))
}

impl Chosen<'_> {
    /// The paragraph block `b` (`show: image`) makes of the picture.
    pub(super) fn para(&self, b: &crate::layout::Block) -> super::Para {
        let alt = match &self.spec.alt {
            Some(alt) if !b.decorative => alt.clone(),
            _ => String::new(),
        };
        super::Para::Picture {
            picture: self.picture.clone(),
            unit: match alt.is_empty() || self.unit.is_empty() {
                true => String::new(),
                false => format!("{}.alt", self.unit),
            },
            alt,
            height: b.height.map(|h| h.0),
            fit: b.fit.unwrap_or_default(),
            focus: b.focus.map_or((0.5, 0.5), |f| (f.0, f.1)),
            bleed: b.bleed,
        }
    }

    /// The credit, if any, and its translation unit (none for the brand's).
    pub(super) fn credit(&self) -> Option<(&str, String)> {
        let credit = self.spec.credit.as_deref()?;
        let unit = if self.unit.is_empty() {
            String::new()
        } else {
            format!("{}.credit", self.unit)
        };
        Some((credit, unit))
    }
}
