//! The `ganscope` binary: the desktop app, or headless subcommands (train, config,
//! presets, study, figure, animate, compare, bench).

mod cli;

fn main() -> std::process::ExitCode {
    leave_a_core_for_training();
    cli::run(std::env::args_os())
}

/// Without a GPU, Mesa's software rasteriser takes every core for drawing and starves the
/// training thread (measured on 2 cores: 67 % of `ganscope bench` in the app, 91 % with this
/// limit). Keep one core for training unless the user has chosen otherwise. The variable
/// only affects Mesa's llvmpipe/lavapipe; with a hardware GPU it is ignored.
fn leave_a_core_for_training() {
    const VAR: &str = "LP_NUM_THREADS";
    if std::env::var_os(VAR).is_some() {
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let threads = cores.saturating_sub(1).max(1).to_string();
    #[expect(
        unsafe_code,
        reason = "set_var is unsafe only if another thread reads the environment concurrently"
    )]
    // SAFETY: this runs first thing in `main`, before any other thread exists.
    unsafe {
        std::env::set_var(VAR, threads);
    }
}
