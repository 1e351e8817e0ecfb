//! The `gazette` command line: parse arguments, call the library, print, set the exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "gazette",
    version,
    about = "A static site generator for news digests"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (default `public/`).
    Build {
        /// Site folder (holds site.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder (default: `output_dir` from site.toml, else `public`).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Base URL, replacing `base_url` from site.toml.
        #[arg(long)]
        base_url: Option<String>,
        /// Include articles marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// After the summary, list the files a deploy must upload (new or changed) and, prefixed
        /// `deleted `, those to remove; one per line, relative to the output folder.
        #[arg(long)]
        list_changed: bool,
        /// Print no summary line (with --list-changed, print only the list).
        #[arg(short, long)]
        quiet: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            list_changed,
            quiet,
        } => {
            let options = gazette::BuildOptions {
                root,
                output,
                base_url,
                drafts,
            };
            match gazette::build(&options) {
                Ok(report) => {
                    for warning in &report.warnings {
                        eprintln!("warning: {warning}");
                    }
                    if !quiet {
                        println!(
                            "Built {} articles into {} pages in {} ms ({} files written, {} unchanged; search index {}) -> {}",
                            report.articles,
                            report.pages,
                            report.elapsed.as_millis(),
                            report.write.written,
                            report.write.unchanged,
                            human_size(report.search_index_bytes),
                            report.output_dir.display()
                        );
                    }
                    if list_changed {
                        for path in &report.write.changed {
                            println!("{path}");
                        }
                        for path in &report.write.removed {
                            println!("deleted {path}");
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    eprintln!("The build stopped; the previous output was left as it was.");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// `950 B`, `9.5 KB`, `3.2 MB` (units of 1024).
fn human_size(bytes: usize) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.1} KB", b / KB)
    } else {
        format!("{:.1} MB", b / (KB * KB))
    }
}
