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
    },
    /// Serve the site locally, rebuilding and reloading open pages on every change.
    Serve {
        /// Site folder (holds site.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Port to listen on (0 picks a free port).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on; anything but loopback is reachable from other machines.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Include articles marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Open the site in a browser.
        #[arg(long)]
        open: bool,
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
                    println!(
                        "Built {} articles into {} pages in {} ms ({} files written, {} unchanged) -> {}",
                        report.articles,
                        report.pages,
                        report.elapsed.as_millis(),
                        report.write.written,
                        report.write.unchanged,
                        report.output_dir.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    eprintln!("The build stopped; the previous output was left as it was.");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Serve {
            root,
            port,
            bind,
            drafts,
            open,
        } => {
            let options = gazette::serve::ServeOptions {
                root,
                bind,
                port,
                drafts,
                open,
            };
            let report = |event: &gazette::serve::Event| match event.is_problem() {
                true => eprintln!("{event}"),
                false => println!("{event}"),
            };
            match gazette::serve::serve(options, report) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
