//! `ganscope compare`: runs side by side from one seed, trained in lockstep, printed as a
//! table with a column group per run, and optionally drawn as one panel per run on
//! shared axes.

use std::io::Write as _;
use std::path::PathBuf;

use ganscope::jobs::default_jobs;
use ganscope::sim::analysis::{Analysis, AnalysisOptions};
use ganscope::sim::compare::{ALIASES, Comparison, ComparisonSpec, READY_MADE};
use ganscope::sim::coverage::{self, ModeMass};
use ganscope::sim::distribution::Target;
use ganscope::sim::record::Row;
use ganscope::sim::settings::{Preset, Settings};

use super::{EXIT_DIVERGED, Failure, check_destination, failed, parse_jobs, usage, write_out};

/// The `compare` subcommand's options.
#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// A ready-made comparison (`--list` shows them).
    #[arg(value_name = "NAME", conflicts_with_all = ["vary", "preset"])]
    name: Option<String>,
    /// List the ready-made comparisons and what each shows.
    #[arg(long, exclusive = true)]
    list: bool,
    /// An ad-hoc comparison: one run per value of one setting, e.g.
    /// `--vary training.loss=minimax,non-saturating` (2 to 4 values).
    #[arg(long, value_name = "KEY=V1,V2")]
    vary: Option<String>,
    /// With --vary: the preset every run starts from (default fig1).
    #[arg(long, requires = "vary")]
    preset: Option<String>,
    /// Change the base of every run, e.g. `--set training.lr_g=0.001` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
    /// The seed of every run (default: the preset's, 1).
    #[arg(long)]
    seed: Option<u64>,
    /// Iterations of Algorithm 1, the same for every run.
    #[arg(long, default_value_t = 1000)]
    iters: u64,
    /// Print a row every M iterations (and always the last).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    every: u64,
    /// Runs step on this many threads at once (default: every core); the numbers are the
    /// same as with one.
    #[arg(long, value_name = "N", value_parser = parse_jobs)]
    jobs: Option<usize>,
    /// Write the runs' last state as a figure, one panel per run on shared axes: .png or
    /// .svg (repeatable).
    #[arg(long, value_name = "FILE")]
    out: Vec<PathBuf>,
    /// Replace existing files.
    #[arg(long)]
    force: bool,
    /// Draw the push on each generated sample (as the app's X) in the figure, on one scale
    /// for all runs.
    #[arg(long)]
    forces: bool,
    /// Light ink on a dark background.
    #[arg(long)]
    dark: bool,
    /// PNG size factor, 0.25 to 4.
    #[arg(long, default_value_t = 1.0)]
    scale: f32,
}

/// Runs `compare`.
pub fn compare(args: &CompareArgs) -> Result<(), Failure> {
    if args.list {
        list();
        return Ok(());
    }
    let formats = args
        .out
        .iter()
        .map(|p| ganscope::scene::ImageFormat::of(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    for path in &args.out {
        check_destination(path, args.force)?;
    }
    ganscope::scene::check_scale(args.scale).map_err(usage)?;
    let spec = spec(args)?;
    let mut comparison = Comparison::new(spec).map_err(usage)?;
    let jobs = args.jobs.unwrap_or_else(default_jobs);
    let diverged = train_and_print(&mut comparison, args.iters, args.every, jobs);
    if !args.out.is_empty() {
        let document = figure_svg(&comparison, args.forces, args.dark);
        for (path, format) in args.out.iter().zip(formats) {
            let bytes = format.encode(&document, args.scale).map_err(failed)?;
            write_out(path, &bytes)?;
            println!("wrote {}", path.display());
        }
    }
    if diverged.is_empty() {
        Ok(())
    } else {
        Err(Failure {
            code: EXIT_DIVERGED,
            message: format!(
                "{} diverged (the other runs went on); each keeps its last finite state",
                diverged.join(", ")
            ),
        })
    }
}

fn list() {
    for ready in &READY_MADE {
        let runs: Vec<&str> = ready.runs.iter().map(|(label, _)| *label).collect();
        println!(
            "{:<11} {} on {}: {}",
            ready.name,
            runs.join(" vs "),
            ready.preset,
            ready.watch
        );
    }
    for (alias, own) in ALIASES {
        println!("{alias:<11} = {own} (the name on its preset)");
    }
}

/// The comparison the arguments describe, checked whole before any work.
fn spec(args: &CompareArgs) -> Result<ComparisonSpec, Failure> {
    let mut spec = match (&args.name, &args.vary) {
        (Some(name), _) => ComparisonSpec::named(name).map_err(usage)?,
        (None, Some(vary)) => {
            let preset = Preset::named(args.preset.as_deref().unwrap_or("fig1")).map_err(usage)?;
            let mut spec = ComparisonSpec::varying(preset.settings(), vary, preset.pace)
                .map_err(|e| usage(format!("--vary: {e}")))?;
            spec.preset = Some(preset.name.to_owned());
            spec
        }
        (None, None) => {
            return Err(usage(
                "name a comparison (one of `ganscope compare --list`) or give --vary KEY=V1,V2",
            ));
        }
    };
    let mut base: Settings = spec.base.clone();
    for assignment in &args.overrides {
        base = base.with_override(assignment).map_err(usage)?;
    }
    if let Some(seed) = args.seed {
        base.seed = seed;
    }
    spec.base = base;
    spec.run_settings().map_err(usage)?;
    Ok(spec)
}

/// Width of one number's column.
const CELL: usize = 10;

/// The columns of each run's group.
const RUN_COLUMNS: [&str; 6] = ["jsd", "c_g", "p_g_mean", "p_g_std", "d_gap", "g_grad"];

/// One run's cells in its group: the numbers, and the mode masses for a mixture.
fn run_cells(row: &Row, modes: Option<&[ModeMass]>) -> String {
    let mut s: String = [
        row.jsd,
        row.c_g,
        row.p_g_mean,
        row.p_g_std,
        row.d_gap,
        row.g_grad,
    ]
    .iter()
    .map(|v| {
        if v.is_nan() {
            format!("{:>CELL$}", "-")
        } else {
            format!("{v:>CELL$.4}")
        }
    })
    .collect();
    if let Some(modes) = modes {
        let masses: Vec<String> = modes.iter().map(|m| format!("{:.2}", m.mass)).collect();
        s += &format!("{:>CELL$}", masses.join("/"));
    }
    s
}

/// The table's two header lines: each run's label over its group, then the columns.
fn header(comparison: &Comparison) -> String {
    let mut labels = format!("{:>CELL$}", "");
    let mut names = format!("{:>CELL$}", "iteration");
    for run in comparison.runs() {
        let mixture = matches!(run.trainer().settings().target, Target::Mixture { .. });
        let mut columns: Vec<&str> = RUN_COLUMNS.to_vec();
        if mixture {
            columns.push("modes");
        }
        let width = CELL * columns.len();
        let label: String = run.label().chars().take(width - 4).collect();
        labels += &format!(" |{:^width$}", format!("[{label}]"));
        names += " |";
        names += &columns
            .iter()
            .map(|c| format!("{c:>CELL$}"))
            .collect::<String>();
    }
    format!("{labels}\n{names}")
}

/// One table line at the comparison's iteration now.
fn line(comparison: &Comparison) -> String {
    let options = AnalysisOptions::default();
    let mut s = format!("{:>CELL$}", comparison.iteration());
    for run in comparison.runs() {
        s += " |";
        let trainer = run.trainer();
        if let Some(d) = run.divergence() {
            s += &format!("  diverged in iteration {}", d.iteration);
            continue;
        }
        let analysis = Analysis::new(&trainer.model(), &options);
        let row = Row::measured(trainer, &analysis);
        let modes = coverage::mode_masses(&analysis, &trainer.settings().target);
        s += &run_cells(&row, modes.as_deref());
    }
    s
}

/// Trains every run to `iters` in lockstep, printing a line every `every` iterations;
/// returns the labels of the runs that diverged (each reported on stderr when it does).
fn train_and_print(
    comparison: &mut Comparison,
    iters: u64,
    every: u64,
    jobs: usize,
) -> Vec<String> {
    let mut out = std::io::stdout().lock();
    let spec = comparison.spec();
    let on = spec
        .preset
        .as_ref()
        .map_or(String::new(), |p| format!(" on {p}"));
    // A closed pipe (e.g. `| head`) is not an error worth a panic.
    let _ = writeln!(
        out,
        "# {}{on}, seed {}: {}",
        spec.name, spec.base.seed, spec.watch
    );
    let _ = writeln!(out, "{}", header(comparison));
    let mut diverged = Vec::new();
    loop {
        let now = comparison.iteration();
        let _ = writeln!(out, "{}", line(comparison));
        if now >= iters || comparison.all_diverged() {
            break;
        }
        let next = ((now / every + 1) * every).min(iters);
        for i in comparison.run(next - now, jobs) {
            let run = &comparison.runs()[i];
            if let Some(d) = run.divergence() {
                eprintln!("ganscope: run '{}' {d}", run.label());
                diverged.push(format!("run '{}'", run.label()));
            }
        }
    }
    diverged
}

/// The runs' last states, one panel per run on shared axes, as SVG.
fn figure_svg(comparison: &Comparison, forces: bool, dark: bool) -> String {
    use ganscope::scene::{Palette, comparison_figure, svg};
    let palette = if dark { Palette::DARK } else { Palette::LIGHT };
    svg::figure_svg(&comparison_figure(comparison, forces, &palette))
}
