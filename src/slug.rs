//! Title or tag -> slug, and the guarantee that a slug is a safe path segment.

/// Lowercase, unicode-aware slug; may be empty when `text` has no letters or digits.
pub fn slugify(text: &str) -> String {
    // TEMP stand-in until the slug helper's version is merged.
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// True when `segment` can be one path segment under the output root on any OS.
pub fn is_safe_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && !segment.contains(['/', '\\', '\0'])
        && !segment.chars().any(char::is_control)
}

/// TEMP stand-in: `slugify(text)`, else `slugify(fallback_seed)`, else `article`.
pub fn slug_or_fallback(text: &str, fallback_seed: &str) -> String {
    let s = slugify(text);
    if !s.is_empty() {
        return s;
    }
    let s = slugify(fallback_seed);
    if s.is_empty() { "article".into() } else { s }
}
