//! What Tera's "Unexpected end of input" means in a template: a `{% if %}` (or `for`, `block`,
//! `filter`, `component`, block `set`) with no end tag, or a `{%`, `{{` or `{#` with no closing
//! delimiter. Tera points past the last line; a writer needs the tag that was left open.

/// The innermost construct left open in `text`, as a message naming it and its 1-based line.
pub fn unclosed(text: &str) -> Option<(usize, String)> {
    let mut open: Vec<(&str, usize)> = Vec::new();
    let mut rest = text;
    let mut line = 1;
    let mut raw = false;
    while let Some(at) = rest.find('{') {
        line += rest[..at].matches('\n').count();
        rest = &rest[at..];
        let close = match rest.get(..2) {
            Some("{%") => "%}",
            Some("{{") if !raw => "}}",
            Some("{#") if !raw => "#}",
            _ => {
                rest = &rest[1..];
                continue;
            }
        };
        let Some(end) = rest.find(close) else {
            if raw {
                break;
            }
            return Some((
                line,
                format!("`{}` opened here is never closed by `{close}`", &rest[..2]),
            ));
        };
        let inner = &rest[2..end];
        let tag_line = line;
        line += inner.matches('\n').count();
        rest = &rest[end + 2..];
        if close != "%}" {
            continue;
        }
        let words = inner.trim_matches(|c: char| c == '-' || c.is_whitespace());
        let name = words.split_whitespace().next().unwrap_or("");
        if raw {
            raw = name != "endraw";
            continue;
        }
        match name {
            "raw" => raw = true,
            "if" | "for" | "block" | "filter" | "component" => open.push((name, tag_line)),
            "set" | "set_global" if !words.contains('=') => open.push(("set", tag_line)),
            _ => {
                if let Some(opened) = name.strip_prefix("end")
                    && open.last().is_some_and(|(o, _)| *o == opened)
                {
                    open.pop();
                }
            }
        }
    }
    if raw {
        return Some((line, "`{% raw %}` is never closed by `{% endraw %}`".into()));
    }
    open.pop().map(|(name, line)| {
        (
            line,
            format!("`{{% {name} %}}` opened here is never closed: add `{{% end{name} %}}`"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::unclosed;

    #[test]
    fn the_innermost_open_tag_is_named_with_its_line() {
        let (line, message) = unclosed("<p>\n{% if x %}").unwrap();
        assert_eq!(line, 2);
        assert_eq!(
            message,
            "`{% if %}` opened here is never closed: add `{% endif %}`"
        );
        let text =
            "{% block a %}\n{% for x in y %}\n{%- if x -%}{{ x }}{% endif %}\n{% endblock a %}";
        assert_eq!(unclosed(text).unwrap().0, 2);
        assert!(unclosed(text).unwrap().1.contains("{% endfor %}"));
        let text = "{% set s %}\n{% filter upper %}x{% endfilter %}";
        assert_eq!(unclosed(text).unwrap().0, 1);
    }

    #[test]
    fn open_delimiters_raw_and_balanced_templates() {
        assert_eq!(unclosed("a\n{{ x \n").unwrap().0, 2);
        assert_eq!(
            unclosed("{# note").unwrap().1,
            "`{#` opened here is never closed by `#}`"
        );
        assert_eq!(unclosed("{% raw %}{% if %}{{").unwrap().0, 1);
        assert_eq!(
            unclosed("{% raw %}{% if %}{% endraw %}\n{% set x = 1 %}"),
            None
        );
        assert_eq!(
            unclosed("{% if a %}{% elif b %}{% else %}{% endif %} { x }"),
            None
        );
    }
}
