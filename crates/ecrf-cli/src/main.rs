//! `ecrf`: the command-line interface over the eCRF services. The contract (arguments, value
//! encodings, JSON printed, exit codes) is in docs/cli.md.

mod args;
mod run;

use clap::Parser;
use std::process::ExitCode;

/// mimalloc: parsing and projecting events makes many small allocations, which it serves
/// faster than the system allocator (about 10 % of an import; see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = match args::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message.replace('\n', " "));
            ExitCode::from(f.code)
        }
    }
}
