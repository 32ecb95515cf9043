//! The `pounce` command: a thin clap front over the library (see `cli/`).

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
