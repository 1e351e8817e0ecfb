//! Error types for every stage. Each error names the input it came from (file and, where known,
//! line) so `main.rs` can print it as-is; a build collects every input problem into one report.

use std::fmt;
use std::path::PathBuf;

/// One problem (or warning) with one input file: `path:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The input file, as the user would type it (relative to the site root where possible).
    pub path: PathBuf,
    /// 1-based line in `path`, where known.
    pub line: Option<usize>,
    /// What is wrong and, where we can tell, what to do about it.
    pub message: String,
}

impl Diagnostic {
    /// A problem with a whole file.
    pub fn new(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line: None,
            message: message.into(),
        }
    }

    /// A problem at one line of a file.
    pub fn at(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line: Some(line),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems with the site's input (config, content, templates), all of them at once.
    #[error("{}", list(.0))]
    Problems(Vec<Diagnostic>),
    /// A file-system operation failed on `path`.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder the operation was on.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A template failed to render one page.
    #[error("template {template} (rendering {page}): {message}")]
    Render {
        /// Template name, e.g. `article.html`.
        template: String,
        /// Site path of the page being rendered, e.g. `/2024/11/27/x/`.
        page: String,
        /// Tera's report, with line and column.
        message: String,
    },
    /// Gazette refused to touch the output (e.g. a folder it did not create).
    #[error("{}: {message}", path.display())]
    Output {
        /// The output path concerned.
        path: PathBuf,
        /// Why, and what to do.
        message: String,
    },
}

impl Error {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A single input problem.
    pub fn problem(diagnostic: Diagnostic) -> Self {
        Error::Problems(vec![diagnostic])
    }
}

fn list(problems: &[Diagnostic]) -> String {
    let lines: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
    lines.join("\n")
}

/// Result with Gazette's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
