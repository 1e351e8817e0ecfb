//! The only module that knows YAML: split a Markdown file into front matter and body, and turn the
//! front matter into [`FrontMatter`] with every problem reported by line.
