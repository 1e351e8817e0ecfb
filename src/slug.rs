//! Title or tag -> slug, and the guarantee that a slug is a safe path segment.

/// Lowercase, unicode-aware slug; may be empty when `text` has no letters or digits.
pub fn slugify(text: &str) -> String {
    let _ = text;
    todo!("slugify")
}

/// True when `segment` can be one path segment under the output root on any OS.
pub fn is_safe_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && !segment.contains(['/', '\\', '\0'])
        && !segment.chars().any(char::is_control)
}

/// `slugify(text)`, else `slugify(fallback_seed)`, else a hash-based slug: never empty.
pub fn slug_or_fallback(text: &str, fallback_seed: &str) -> String {
    let _ = (text, fallback_seed);
    todo!("slug_or_fallback")
}
