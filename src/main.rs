//! The `ganscope` binary: headless subcommands (train, config, bench, presets).

mod cli;

fn main() -> std::process::ExitCode {
    cli::run(std::env::args_os())
}
