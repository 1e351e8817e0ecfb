//! The warnings a rebuild reports about body links: to `.md` files that are no article, or to
//! articles that are not published. An incremental rebuild looks at the saved files' links only.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::content::{self, BodyLink};
use crate::error::Diagnostic;
use crate::site::Site;

/// What a build says about body links (to `.md` files that are no article, or to articles not
/// published), for every article or only those in `files`.
pub fn link_warnings(
    site: &Site,
    links: &crate::content::ByFile<Vec<BodyLink>>,
    files: Option<&[PathBuf]>,
) -> Vec<Diagnostic> {
    let Some(files) = files else {
        let mut warnings = content::broken_markdown_links(links);
        warnings.extend(crate::check::links_to_unpublished(site, links));
        return warnings;
    };
    // Only the links of `files` are looked at: every article's would cost several milliseconds
    // at 10,000 articles, on every save.
    let theirs: content::ByFile<Vec<BodyLink>> = files
        .iter()
        .filter_map(|f| {
            Some((
                f.clone().into_os_string(),
                links.get(f.as_os_str())?.clone(),
            ))
        })
        .collect();
    let mut warnings = content::broken_markdown_links(&theirs);
    // Which of these files, and of the files they link to, are published: one walk over the
    // articles, comparing bytes (hashing 10,000 paths costs more).
    let mut asked: Vec<&std::ffi::OsStr> = files.iter().map(|f| f.as_os_str()).collect();
    for one in theirs.values().flatten() {
        if let content::Target::Article { file, .. } = &one.target {
            asked.push(file.as_os_str());
        }
    }
    asked.sort_unstable();
    asked.dedup();
    let published: HashSet<&std::ffi::OsStr> = site
        .articles
        .iter()
        .map(|a| a.file.as_os_str())
        .filter(|f| asked.binary_search(f).is_ok())
        .collect();
    let mut unpublished = Vec::new();
    for file in files.iter().filter(|f| published.contains(f.as_os_str())) {
        let links = theirs.get(file.as_os_str()).map_or(&[][..], Vec::as_slice);
        unpublished.extend(crate::check::unpublished_targets(file, links, |t| {
            published.contains(t.as_os_str())
        }));
    }
    unpublished.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    warnings.extend(unpublished);
    warnings
}
