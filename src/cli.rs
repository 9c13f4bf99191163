//! Command-line interface: everything the simulation computes, without a display.
#![expect(
    clippy::print_stdout,
    reason = "this module is the command-line front end"
)]
#![expect(
    clippy::print_stderr,
    reason = "this module is the command-line front end"
)]

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

mod branch;
mod compare;
mod lesson;

use clap::{Parser, Subcommand, ValueEnum};
use ganscope::jobs::{MAX_JOBS, default_jobs, in_order};
use ganscope::sim::analysis::{Analysis, AnalysisOptions};
use ganscope::sim::breakpoint::{Breakpoints, Fired, Reading};
use ganscope::sim::coverage::{self, ModeMass};
use ganscope::sim::distribution::Target;
use ganscope::sim::forces::{self, MeanPush};
use ganscope::sim::ideal::IdealView;
use ganscope::sim::oracle;
use ganscope::sim::record::{self, Row};
use ganscope::sim::settings::{Preset, Settings};
use ganscope::sim::simd;
use ganscope::sim::substep::SlowIteration;
use ganscope::sim::trainer::Trainer;

/// Exit code for bad arguments, settings or files.
const EXIT_USAGE: u8 = 2;
/// Exit code for a run that diverged.
const EXIT_DIVERGED: u8 = 3;
/// Most seeds one `study` runs.
const MAX_SEEDS: u64 = 1000;

#[derive(Parser, Debug)]
#[command(
    name = "ganscope",
    version,
    about = "Watch a GAN learn a 1-D distribution"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// With no subcommand: train at full speed, then print frame CPU time (p50, p99) and
    /// training iterations per second, and close after --exit-after seconds (default 10).
    #[arg(long)]
    stats: bool,
    /// With --stats: seconds before the app closes.
    #[arg(long, value_name = "SECONDS", requires = "stats")]
    exit_after: Option<f64>,
    /// Open in presenter mode: no side panel, the figure filling the window (P toggles it,
    /// ? lists the keys).
    #[arg(long)]
    presenter: bool,
    /// The UI scale to open with, 0.75 to 2.5 (e.g. 2 on a projector); it is kept for the
    /// next launch, like the side panel's UI scale slider.
    #[arg(long, value_name = "S")]
    ui_scale: Option<f32>,
    /// Open the app in a lesson: a built-in lesson's name (`ganscope lesson --list`) or a
    /// lesson file; -> next step, <- back, R replays the step.
    #[arg(long, value_name = "NAME|FILE")]
    lesson: Option<String>,
}

/// Where settings come from: a preset, then a file, then overrides, then the seed.
#[derive(clap::Args, Debug, Clone)]
struct SettingsArgs {
    /// Preset to start from (see `ganscope presets`).
    #[arg(long, default_value = "fig1")]
    preset: String,
    /// Settings file (TOML, as printed by `ganscope config`); replaces the preset.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// A one-line settings string (as printed by `ganscope config --as-line`); replaces the
    /// preset and the file.
    #[arg(long, value_name = "STRING")]
    line: Option<String>,
    /// Override one setting, e.g. `--set training.k=3` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
    /// Seed for initialisation and sampling (overrides the settings' seed).
    #[arg(long)]
    seed: Option<u64>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
}

/// The `train` subcommand's options.
#[derive(clap::Args, Debug)]
struct TrainArgs {
    #[command(flatten)]
    settings: SettingsArgs,
    /// Iterations of Algorithm 1.
    #[arg(long, default_value_t = 20_000)]
    iters: u64,
    /// Print a row every M iterations (and always the last).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    every: u64,
    /// Output format: table, csv, or json (one object per line).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the final curves (x, p_data, p_g, D, D*) as CSV.
    #[arg(long, value_name = "FILE")]
    curves: Option<PathBuf>,
    /// Write N generator samples, one per line: `--samples N FILE`.
    #[arg(long, num_args = 2, value_names = ["N", "FILE"])]
    samples: Option<Vec<String>>,
    /// Stop when a condition first holds, e.g. `jsd<0.01,mode-lost` (whichever first):
    /// jsd<ε, mode-lost, d-saturated, grad-g<ε, iter>=N. Exit code 0 when one held, 4
    /// when --iters ran out first.
    #[arg(long, value_name = "CONDITIONS")]
    until: Option<String>,
    /// With --until: check the conditions every N iterations, default 25 (and at every
    /// printed row; iter>=N is met exactly).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    check_every: Option<u64>,
    /// Replace D by D* of the current G at every G step (Proposition 2): no D steps; G
    /// descends its loss through D* = p_data / (p_data + p_g) (minimax or non-saturating).
    #[arg(long)]
    oracle_d: bool,
    /// Write G(z) and the ideal map T*(z) = F_data⁻¹(F_z(z)) at the end, as CSV z,g,t_star.
    #[arg(long, value_name = "FILE")]
    ideal: Option<PathBuf>,
    /// Add the mean push |−∂ℓ/∂x| on G's samples (over 1000 equal-probability z) under
    /// the run's loss, the minimax and the non-saturating loss: columns push,
    /// push_minimax, push_non_saturating (§3's saturation).
    #[arg(long)]
    forces: bool,
    /// Print Algorithm 1's sub-steps (sample, G(z), loss, update) one line each, with
    /// their numbers, as the app's slow motion shows them (table format only; not with
    /// --oracle-d).
    #[arg(long)]
    sub_steps: bool,
    /// Branch at iteration J (the app's "Continue from here"): train to J, take the whole
    /// state, apply --branch-set there and go on from it; rows as without it.
    #[arg(long, value_name = "J")]
    branch_at: Option<u64>,
    /// With --branch-at: a live setting changed at the branch, e.g. `training.k=3`
    /// (repeatable; training.* settings only).
    #[arg(long = "branch-set", value_name = "KEY=VALUE", requires = "branch_at")]
    branch_set: Vec<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Train headless and print metrics as it goes.
    Train(TrainArgs),
    /// Print a preset's full settings in the settings-file format, each key with its
    /// meaning and accepted range as a comment.
    Config {
        #[command(flatten)]
        settings: SettingsArgs,
        /// Print them as one line to paste instead (read back with `--line`).
        #[arg(long = "as-line")]
        as_line: bool,
        /// Leave out the comment above each key (its meaning, accepted range, default
        /// and whether it applies live).
        #[arg(long, conflicts_with = "as_line")]
        plain: bool,
    },
    /// List the presets.
    Presets,
    /// Convergence study: train several seeds, then run the two-sample test on each.
    Study {
        #[command(flatten)]
        settings: SettingsArgs,
        /// Number of seeds, 1 to 1000.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=MAX_SEEDS))]
        seeds: u64,
        /// The first seed; seeds run from here upwards.
        #[arg(long, default_value_t = 1)]
        first_seed: u64,
        /// Iterations per seed.
        #[arg(long, default_value_t = 20_000)]
        iters: u64,
        /// Steps of the fresh discriminator in the two-sample test.
        #[arg(long, default_value_t = 2000)]
        probe_steps: u64,
        /// Seeds run on this many threads at once (default: every core); the output is
        /// the same as with one.
        #[arg(long, value_name = "N", value_parser = parse_jobs)]
        jobs: Option<usize>,
    },
    /// Figure 1 (a)–(d): run the scripted scenario and write the four-panel figure.
    Figure {
        #[command(flatten)]
        settings: SettingsArgs,
        /// Output file: .png or .svg (repeatable: `--out fig1.png --out fig1.svg`); without
        /// it only the numbers are printed.
        #[arg(long, value_name = "FILE")]
        out: Vec<PathBuf>,
        /// Replace existing files (without it an existing file is an error).
        #[arg(long)]
        force: bool,
        /// Light ink on a dark background.
        #[arg(long)]
        dark: bool,
        /// PNG size factor (1 = 1616 pixels wide; 1.2 fills a 1920-pixel slide), 0.25 to 4.
        #[arg(long, default_value_t = 1.0)]
        scale: f32,
        /// Also write each panel's numbers as CSV into this folder: a.csv … d.csv (x,
        /// p_data, p_g, D, D* on the panel's grid) and a-arrows.csv … (z, where the z line
        /// draws it in x units, G(z)).
        #[arg(long, value_name = "DIR")]
        curves: Option<PathBuf>,
        /// Check the scenario over seeds instead of drawing it, e.g. `1-20` or `2,4,10-12`
        /// (at most 1000): prints each seed's stages, met or not, and its time; exits with
        /// code 4 if any bound is missed.
        #[arg(long, value_name = "LIST", value_parser = parse_seed_list,
              conflicts_with_all = ["seed", "out", "curves"])]
        seeds: Option<SeedList>,
        /// With --seeds: seeds run on this many threads at once (default: every core);
        /// the output is the same as with one, but for the times.
        #[arg(long, value_name = "N", value_parser = parse_jobs, requires = "seeds")]
        jobs: Option<usize>,
    },
    /// Train headless and write an animated GIF of Figure 1 over the run.
    Animate {
        #[command(flatten)]
        settings: SettingsArgs,
        /// Iterations of Algorithm 1.
        #[arg(long, default_value_t = 2000)]
        iters: u64,
        /// Frames, 2 to 600, spaced by how far p_g moves between them (so each shows about
        /// as much change; each is captioned with its iteration), the run's first and last
        /// states included.
        #[arg(long, default_value_t = 60)]
        frames: usize,
        /// Frames per second, 1 to 50.
        #[arg(long, default_value_t = 12.0)]
        fps: f64,
        /// Size factor (1 = 808 pixels wide), 0.25 to 4.
        #[arg(long, default_value_t = 1.0)]
        scale: f32,
        /// Output file (.gif).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        /// Light ink on a dark background.
        #[arg(long)]
        dark: bool,
    },
    /// Runs side by side from one seed, trained in lockstep: a ready-made comparison
    /// (`--list`) or one setting varied (`--vary KEY=V1,V2`); a column group per run.
    Compare(compare::CompareArgs),
    /// Play a lesson headless, step by step, and write each step's figure (PNG, SVG) and
    /// an index.html to --out (slides without the app); --list shows the built-in ones.
    Lesson(lesson::LessonArgs),
    /// Time the reference workload (iterations per second, one thread).
    Bench {
        /// Timed iterations.
        #[arg(long, default_value_t = 5000)]
        iters: u64,
        /// Untimed warm-up iterations.
        #[arg(long, default_value_t = 200)]
        warmup: u64,
        /// Timed runs; the median and the best are reported.
        #[arg(long, default_value_t = 5)]
        repeat: u32,
        /// Hidden width of both networks (1 to 256; the reference is 32).
        #[arg(long, value_name = "W")]
        width: Option<u32>,
        /// Minibatch size m (1 to 4096; the reference is 128).
        #[arg(long, value_name = "M")]
        batch: Option<u32>,
        /// The vector path to run on: avx512, avx2 or baseline (default: the fastest this
        /// CPU has).
        #[arg(long, value_name = "PATH")]
        vector_path: Option<String>,
        /// Time only the frame's analysis (the reference and a trained fig1 frame), not
        /// the training.
        #[arg(long)]
        analysis_only: bool,
    },
}

/// A failure with its exit code; the message is one line.
struct Failure {
    code: u8,
    message: String,
}

fn usage(message: impl std::fmt::Display) -> Failure {
    Failure {
        code: EXIT_USAGE,
        message: message.to_string(),
    }
}

/// Parses `args` and runs the subcommand.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                print!("{e}");
                return ExitCode::SUCCESS;
            }
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                eprint!("{e}");
                return ExitCode::from(EXIT_USAGE);
            }
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            eprintln!("ganscope: {}", first.trim_start_matches("error: "));
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let Some(command) = cli.command else {
        if let Some(Err(e)) = cli.ui_scale.map(ganscope::app::presenter::check_ui_scale) {
            eprintln!("ganscope: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
        let lesson = match cli
            .lesson
            .as_deref()
            .map(ganscope::sim::lesson::Lesson::named_or_file)
        {
            Some(Err(e)) => {
                eprintln!("ganscope: --lesson {e}");
                return ExitCode::from(EXIT_USAGE);
            }
            Some(Ok(lesson)) => Some(lesson),
            None => None,
        };
        let options = ganscope::app::AppOptions {
            stats_exit_after: cli.stats.then(|| cli.exit_after.unwrap_or(10.0)),
            presenter: cli.presenter,
            ui_scale: cli.ui_scale,
            lesson,
        };
        return match ganscope::app::run(&options) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ganscope: cannot open the window: {e}");
                ExitCode::FAILURE
            }
        };
    };
    let result = execute(command);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure { code, message }) => {
            eprintln!("ganscope: {message}");
            ExitCode::from(code)
        }
    }
}

/// Runs one subcommand.
fn execute(command: Command) -> Result<(), Failure> {
    match command {
        Command::Train(args) => train(&args),
        Command::Config {
            settings,
            as_line,
            plain,
        } => resolve(&settings).map(|s| {
            if as_line {
                println!("{}", s.to_line());
            } else if plain {
                print!("{}", s.to_toml());
            } else {
                print!("{}", s.to_toml_commented());
            }
        }),
        Command::Presets => {
            for preset in &Preset::ALL {
                println!("{:<12} {}", preset.name, preset.lesson);
            }
            Ok(())
        }
        Command::Bench {
            iters,
            warmup,
            repeat,
            width,
            batch,
            vector_path,
            analysis_only,
        } => bench(
            iters,
            warmup,
            if analysis_only { 0 } else { repeat.max(1) },
            BenchShape { width, batch },
            vector_path.as_deref(),
        ),
        Command::Compare(args) => compare::compare(&args),
        Command::Lesson(args) => lesson::lesson(&args),
        Command::Figure {
            settings,
            out,
            force,
            dark,
            scale,
            curves,
            seeds,
            jobs,
        } => match seeds {
            Some(seeds) => figure_seeds(&settings, &seeds, jobs.unwrap_or_else(default_jobs)),
            None => figure(&settings, &out, force, dark, scale, curves.as_deref()),
        },
        Command::Animate {
            settings,
            iters,
            frames,
            fps,
            scale,
            out,
            force,
            dark,
        } => animate(&settings, iters, frames, fps, scale, &out, force, dark),
        Command::Study {
            settings,
            seeds,
            first_seed,
            iters,
            probe_steps,
            jobs,
        } => match first_seed.checked_add(seeds) {
            Some(end) => study(
                &settings,
                first_seed..end,
                (iters, probe_steps),
                jobs.unwrap_or_else(default_jobs),
            ),
            None => Err(usage(format!(
                "--first-seed {first_seed} is too large for --seeds {seeds}: \
                 the last seed must be at most {}",
                u64::MAX - 1
            ))),
        },
    }
}

/// Exit code for a figure whose stages did not all meet their bounds (or ran out of budget).
const EXIT_UNMET: u8 = 4;

/// A progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise.
struct ProgressBar {
    what: &'static str,
    terminal: bool,
    shown: i64,
}

impl ProgressBar {
    fn new(what: &'static str) -> Self {
        use std::io::IsTerminal as _;
        Self {
            what,
            terminal: std::io::stderr().is_terminal(),
            shown: -1,
        }
    }

    fn set(&mut self, fraction: f64, note: &str) {
        let percent = (fraction.clamp(0.0, 1.0) * 100.0) as i64;
        let step = if self.terminal {
            percent
        } else {
            percent / 10 * 10
        };
        if step == self.shown {
            return;
        }
        self.shown = step;
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let filled = (percent / 4) as usize;
            let _ = write!(
                err,
                "\r{} [{}{}] {percent:>3}% {note:<24}",
                self.what,
                "#".repeat(filled),
                " ".repeat(25 - filled.min(25))
            );
        } else {
            let _ = writeln!(err, "{}: {percent:>3}% {note}", self.what);
        }
        let _ = err.flush();
    }

    fn finish(&mut self) {
        if self.terminal {
            eprintln!();
        }
    }
}

/// A failure of the work itself (rendering, writing), after the arguments were accepted.
fn failed(message: impl std::fmt::Display) -> Failure {
    Failure {
        code: 1,
        message: message.to_string(),
    }
}

/// Refuses, before any work, a destination that cannot be written: no folder, not a
/// folder, a folder itself, read-only, or (without `replace`) an existing file.
fn check_destination(path: &Path, replace: bool) -> Result<(), Failure> {
    use ganscope::scene::FileError;
    ganscope::scene::check_destination(path, replace).map_err(|e| match e {
        FileError::Exists(path) => usage(format!(
            "{} already exists: choose another name or pass --force to replace it",
            path.display()
        )),
        other => usage(other),
    })
}

fn write_out(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    ganscope::scene::write_file(path, bytes, true).map_err(failed)
}

/// The files `figure --curves DIR` writes, by panel.
const CURVE_FILES: [&str; 8] = [
    "a.csv",
    "a-arrows.csv",
    "b.csv",
    "b-arrows.csv",
    "c.csv",
    "c-arrows.csv",
    "d.csv",
    "d-arrows.csv",
];

fn figure(
    args: &SettingsArgs,
    out: &[PathBuf],
    force: bool,
    dark: bool,
    scale: f32,
    curves: Option<&Path>,
) -> Result<(), Failure> {
    use ganscope::scene::{ImageFormat, Palette, StoryPicture, svg};
    use ganscope::sim::story::{Story, StoryOptions};
    let formats = out
        .iter()
        .map(|p| ImageFormat::of(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    for path in out {
        check_destination(path, force)?;
    }
    if let Some(dir) = curves {
        if !dir.is_dir() {
            return Err(usage(format!(
                "--curves {}: expected an existing folder",
                dir.display()
            )));
        }
        for name in CURVE_FILES {
            check_destination(&dir.join(name), force)?;
        }
    }
    ganscope::scene::check_scale(scale).map_err(usage)?;
    let settings = resolve(args)?;
    let mut trainer = Trainer::new(settings).map_err(usage)?;
    let mut story = Story::new(StoryOptions::default());
    let mut bar = ProgressBar::new("figure 1");
    let result = story.run(&mut trainer, |p| {
        bar.set(p.fraction, &format!("stage {}", p.stage.label()));
    });
    bar.finish();
    result.map_err(|e| Failure {
        code: match e {
            ganscope::sim::story::StoryError::Diverged(_) => EXIT_DIVERGED,
            ganscope::sim::story::StoryError::Budget { .. } => EXIT_UNMET,
        },
        message: format!("Figure 1 not made: {e}"),
    })?;
    let mut all_met = true;
    for c in story.captures() {
        println!("{} {}", c.stage.label(), c.how);
        for e in &c.evidence {
            println!("    {}", e.line());
        }
        all_met &= c.passed();
    }
    let picture = StoryPicture::new(story.captures());
    if let Some(dir) = curves {
        for (name, text) in picture.curves_csv() {
            let path = dir.join(name);
            write_out(&path, text.as_bytes())?;
            println!("wrote {}", path.display());
        }
    }
    let palette = if dark { Palette::DARK } else { Palette::LIGHT };
    let document = svg::figure_svg(&picture.figure(&palette));
    for (path, format) in out.iter().zip(formats) {
        let bytes = format.encode(&document, scale).map_err(failed)?;
        write_out(path, &bytes)?;
        println!("wrote {}", path.display());
    }
    if all_met {
        Ok(())
    } else {
        Err(Failure {
            code: EXIT_UNMET,
            message: "some stage missed its bound (marked NOT MET above)".to_owned(),
        })
    }
}

/// Seeds named on the command line (`1-20`, `2,4,10-12`), in the order given.
#[derive(Clone, Debug, PartialEq, Eq)]
struct SeedList(Vec<u64>);

/// Reads `figure --seeds`: comma-separated seeds and inclusive ranges `a-b` with a ≤ b,
/// at most [`MAX_SEEDS`] seeds in all.
fn parse_seed_list(text: &str) -> Result<SeedList, String> {
    let mut seeds = Vec::new();
    for item in text.split(',').map(str::trim) {
        let number = |s: &str| {
            s.trim().parse::<u64>().map_err(|_| {
                format!("{item:?} is not a seed or a range of seeds (expected e.g. 1-20 or 2,4)")
            })
        };
        let (first, last) = match item.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => (number(item)?, number(item)?),
        };
        if first > last {
            return Err(format!(
                "{item}: the range must run upwards (e.g. {last}-{first})"
            ));
        }
        if last - first >= MAX_SEEDS || seeds.len() as u64 + (last - first + 1) > MAX_SEEDS {
            return Err(format!("at most {MAX_SEEDS} seeds"));
        }
        seeds.extend(first..=last);
    }
    Ok(SeedList(seeds))
}

/// `figure --seeds`: the scenario for each seed, each stage met or not, and the time;
/// seeds run on `jobs` threads, printed in order.
fn figure_seeds(args: &SettingsArgs, seeds: &SeedList, jobs: usize) -> Result<(), Failure> {
    let base = resolve(args)?;
    let mut runs = Vec::new();
    for &seed in &seeds.0 {
        let mut settings = base.clone();
        settings.seed = seed;
        runs.push(Trainer::new(settings).map_err(usage)?);
    }
    let (mut met, mut times) = (0usize, Vec::new());
    let started = Instant::now();
    in_order(&runs, jobs, story_for_seed, |_, (all_met, secs, report)| {
        met += usize::from(all_met);
        times.push(secs);
        print!("{report}");
        true
    });
    let total: f64 = times.iter().sum();
    let fastest = times.iter().copied().fold(f64::INFINITY, f64::min);
    let slowest = times.iter().copied().fold(0.0, f64::max);
    let threads = jobs.clamp(1, seeds.0.len());
    println!(
        "{met} of {} seeds met every bound of (a)-(d); {total:.0} s in all \
         ({fastest:.1}-{slowest:.1} s per seed), {:.0} s on {threads} thread{}",
        seeds.0.len(),
        started.elapsed().as_secs_f64(),
        if threads == 1 { "" } else { "s" }
    );
    if met == seeds.0.len() {
        Ok(())
    } else {
        Err(Failure {
            code: EXIT_UNMET,
            message: format!(
                "{} of {} seeds missed a bound",
                seeds.0.len() - met,
                seeds.0.len()
            ),
        })
    }
}

/// One seed of `figure --seeds`: whether every bound was met, the seconds it took and its
/// report (a line, then the bounds it missed).
fn story_for_seed(trainer: &Trainer) -> (bool, f64, String) {
    use ganscope::sim::story::{Story, StoryOptions};
    let mut trainer = trainer.clone();
    let seed = trainer.settings().seed;
    let started = Instant::now();
    let mut story = Story::new(StoryOptions::default());
    let outcome = story.run(&mut trainer, |_| {});
    let secs = started.elapsed().as_secs_f64();
    let mut line = format!("seed {seed:>4}:");
    for c in story.captures() {
        let verdict = if c.passed() { "met" } else { "NOT MET" };
        line += &format!(" {} {verdict} ({} work),", c.stage.label(), c.work);
    }
    let retried = story.rejected_candidates().len();
    if retried > 0 {
        line += &format!(" (a) rejected {retried}×,");
    }
    let all_met = outcome.is_ok() && story.captures().iter().all(|c| c.passed());
    let mut report = format!("{line} {secs:.1} s\n");
    for c in story.captures() {
        for e in c.evidence.iter().filter(|e| !e.passed()) {
            report += &format!("    {} {}\n", c.stage.label(), e.line());
        }
    }
    if let Err(e) = outcome {
        report += &format!("    {e}\n");
    }
    (all_met, secs, report)
}

/// Reads `--jobs`: a whole number of threads from 1 to [`MAX_JOBS`].
fn parse_jobs(text: &str) -> Result<usize, String> {
    text.parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_JOBS).contains(n))
        .ok_or_else(|| format!("{text:?} is not a number of threads from 1 to {MAX_JOBS}"))
}

#[expect(clippy::too_many_arguments, reason = "one per command-line option")]
fn animate(
    args: &SettingsArgs,
    iters: u64,
    frames: usize,
    fps: f64,
    scale: f32,
    out: &Path,
    force: bool,
    dark: bool,
) -> Result<(), Failure> {
    use ganscope::scene::animation::{Filmstrip, check, encode_gif, frame_svg, frames_view};
    use ganscope::scene::{FileError, Palette};
    check(frames, fps).map_err(usage)?;
    ganscope::scene::check_scale(scale).map_err(usage)?;
    if iters == 0 {
        return Err(usage(
            "--iters = 0 is not accepted: an animation needs at least one iteration",
        ));
    }
    if out
        .extension()
        .and_then(|e| e.to_str())
        .is_none_or(|e| !e.eq_ignore_ascii_case("gif"))
    {
        return Err(usage(FileError::UnknownFormat {
            path: out.to_path_buf(),
            expected: ".gif",
        }));
    }
    check_destination(out, force)?;
    let settings = resolve(args)?;
    let name = args.preset.clone();
    let mut trainer = Trainer::new(settings).map_err(usage)?;
    let asked = frames;
    // The run is recorded as the app records it, then the frames are chosen where p_g moves.
    let mut bar = ProgressBar::new("training");
    let film =
        Filmstrip::record(&mut trainer, iters, |done| bar.set(done, "")).map_err(|d| Failure {
            code: EXIT_DIVERGED,
            message: format!("diverged: {d}"),
        })?;
    bar.finish();
    let states = film.pick(frames);
    let frames = states.len();
    let view = frames_view(&states);
    let palette = if dark { Palette::DARK } else { Palette::LIGHT };
    let mut bytes = Vec::new();
    let mut bar = ProgressBar::new("encoding");
    encode_gif(
        &mut bytes,
        frames,
        fps,
        scale,
        |i| frame_svg(states[i].0, &states[i].1, view, &name, &palette),
        |done, total| {
            bar.set(done as f64 / total as f64, &format!("frame {done}/{total}"));
            true
        },
    )
    .map_err(failed)?;
    bar.finish();
    write_out(out, &bytes)?;
    // A short run has fewer states than frames asked for: each state is shown once.
    let fewer = if frames < asked {
        format!(" of the {asked} asked: the run has {frames} states")
    } else {
        String::new()
    };
    println!(
        "wrote {} ({frames} frames{fewer} at {fps} fps, {} bytes)",
        out.display(),
        bytes.len()
    );
    Ok(())
}

/// The settings the arguments describe: a preset, then a file or a line, then the
/// overrides, then the seed; checked again as a whole at the end.
fn resolve(args: &SettingsArgs) -> Result<Settings, Failure> {
    let mut settings = match (&args.line, &args.config) {
        (Some(line), _) => Settings::from_line(line).map_err(usage)?,
        (None, config) => match config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
                Settings::from_toml(&text).map_err(|e| usage(format!("{}: {e}", path.display())))?
            }
            None => Settings::preset(&args.preset).map_err(usage)?,
        },
    };
    for assignment in &args.overrides {
        settings = settings.with_override(assignment).map_err(usage)?;
    }
    if let Some(seed) = args.seed {
        settings.seed = seed;
    }
    // `--seed` bypassed the checks the overrides went through.
    settings.validate().map_err(usage)?;
    Ok(settings)
}

/// Prints metrics rows in one format: the columns of the app's metrics CSV
/// ([`ganscope::sim::record::COLUMNS`]), with a header before the first row where the
/// format has one. For a mixture target the mode columns follow
/// ([`coverage::column_names`]: p_g's mass per mode, then the count of lost modes); in
/// the table they are one `modes` column (`0.49/0.51`) and `lost`.
struct RowPrinter {
    format: Format,
    header_printed: bool,
    /// The number of mixture components, or `None` for another target.
    modes: Option<usize>,
    /// Whether rows end with the mean pushes (`train --forces`).
    forces: bool,
}

/// The columns `train --forces` adds, in the order of [`push_values`].
const PUSH_COLUMNS: [&str; 3] = ["push", "push_minimax", "push_non_saturating"];

/// Noise values the mean pushes of `train --forces` are taken over.
const PUSH_SAMPLES: usize = 1000;

fn push_values(p: MeanPush) -> [f64; 3] {
    [p.current, p.minimax, p.non_saturating]
}

impl RowPrinter {
    fn new(format: Format, target: &Target) -> Self {
        Self {
            format,
            header_printed: false,
            modes: match target {
                Target::Mixture { weights, .. } => Some(weights.len()),
                _ => None,
            },
            forces: false,
        }
    }

    /// The text for `row` and its mode masses, with the header first if it is the first row.
    fn text(&mut self, row: &Row, modes: Option<&[ModeMass]>, push: Option<MeanPush>) -> String {
        let header = !self.header_printed;
        self.header_printed = true;
        let mut names = self.modes.map(coverage::column_names).unwrap_or_default();
        let mut extra = modes.map(coverage::column_values).unwrap_or_default();
        if let Some(p) = push {
            names.extend(PUSH_COLUMNS.map(str::to_owned));
            extra.extend(push_values(p));
        }
        let values = row.values();
        match self.format {
            Format::Csv => {
                let mut line = row.csv_line();
                for v in &extra {
                    line += &format!(",{v}");
                }
                if header {
                    let mut head = record::csv_header();
                    for name in &names {
                        head += &format!(",{name}");
                    }
                    format!("{head}\n{line}")
                } else {
                    line
                }
            }
            Format::Json => {
                let mut map: serde_json::Map<String, serde_json::Value> = record::COLUMNS
                    .iter()
                    .zip(values)
                    .map(|(k, v)| ((*k).to_owned(), serde_json::json!(v)))
                    .collect();
                for (name, v) in names.iter().zip(&extra) {
                    let v = if name == "lost_modes" {
                        serde_json::json!(*v as u64)
                    } else {
                        serde_json::json!(v)
                    };
                    map.insert(name.clone(), v);
                }
                serde_json::Value::Object(map).to_string()
            }
            Format::Table => {
                let mut line = self.table_line(header, &values, modes);
                if let Some(p) = push {
                    let cells = |v: [String; 3]| v.map(|c| format!("{c:>20}")).concat();
                    if header && let Some((head, rest)) = line.split_once('\n') {
                        line = format!("{head}{}\n{rest}", cells(PUSH_COLUMNS.map(str::to_owned)));
                    }
                    line += &cells(push_values(p).map(|v| format!("{v:.4e}")));
                }
                line
            }
        }
    }

    /// One table line (after the header, if `header`).
    fn table_line(&self, header: bool, values: &[f64; 12], modes: Option<&[ModeMass]>) -> String {
        let width = self.modes.map_or(0, |n| (5 * n).max(10) + 1);
        let mut s = String::new();
        if header {
            s += &record::COLUMNS
                .iter()
                .map(|c| format!("{c:>10}"))
                .collect::<String>();
            if self.modes.is_some() {
                s += &format!("{:>width$}{:>6}", "modes", "lost");
            }
            s += "\n";
        }
        let [iteration, rest @ ..] = values;
        s += &format!("{iteration:>10}");
        s += &rest
            .iter()
            .map(|v| {
                if v.is_nan() {
                    format!("{:>10}", "-")
                } else {
                    format!("{v:>10.4}")
                }
            })
            .collect::<String>();
        if let Some(modes) = modes {
            let masses: Vec<String> = modes.iter().map(|m| format!("{:.2}", m.mass)).collect();
            s += &format!(
                "{:>width$}{:>6}",
                masses.join("/"),
                coverage::lost_modes(modes)
            );
        }
        s
    }

    /// Prints the row of `trainer`'s state now; `analysis` is of its model now.
    fn print(&mut self, trainer: &Trainer, analysis: &Analysis) {
        let row = Row::measured(trainer, analysis);
        let modes = coverage::mode_masses(analysis, &trainer.settings().target);
        let push = self.forces.then(|| {
            let z = forces::quantile_noise(trainer, PUSH_SAMPLES);
            forces::forces(trainer, &z).mean_push()
        });
        let text = self.text(&row, modes.as_deref(), push);
        // A closed pipe (e.g. `| head`) is not an error worth a panic.
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }
}

/// `--samples N FILE`, checked: N in [1, 1e8].
fn parse_samples(samples: Option<&[String]>) -> Result<Option<(usize, PathBuf)>, Failure> {
    match samples {
        None => Ok(None),
        Some([n, path]) => {
            let n: usize = n
                .parse()
                .ok()
                .filter(|n| (1..=100_000_000).contains(n))
                .ok_or_else(|| {
                    usage(format!(
                        "--samples N must be an integer in [1, 1e8], not '{n}'"
                    ))
                })?;
            Ok(Some((n, PathBuf::from(path))))
        }
        Some(_) => Err(usage("--samples takes N and FILE")),
    }
}

/// Exit code for `train --until` when --iters ran out before any condition held.
const EXIT_NOT_REACHED: u8 = 4;

/// Iterations between checks of `train --until` conditions without `--check-every`.
const DEFAULT_CHECK_EVERY: u64 = 25;

/// The next iteration after `now` at which `train` stops to print or check: the next
/// multiple of `every`, of `check_every` (with conditions), an `iteration=N` of the
/// conditions, or the end.
fn next_stop(now: u64, iters: u64, every: u64, until: Option<(&Breakpoints, u64)>) -> u64 {
    let after = |step: u64| (now / step + 1).saturating_mul(step);
    let mut next = after(every).min(iters);
    if let Some((list, check_every)) = until {
        next = next.min(after(check_every));
        if let Some(n) = list.next_iteration_stop(now) {
            next = next.min(n);
        }
    }
    next
}

fn train(args: &TrainArgs) -> Result<(), Failure> {
    let &TrainArgs {
        iters,
        every,
        format,
        ..
    } = args;
    if args.until.is_none() && args.check_every.is_some() {
        return Err(usage(
            "--check-every needs --until: it says how often the conditions are checked",
        ));
    }
    let check_every = args.check_every.unwrap_or(DEFAULT_CHECK_EVERY);
    let until = args
        .until
        .as_deref()
        .map(|text| Breakpoints::parse(text).map_err(|e| usage(format!("--until: {e}"))))
        .transpose()?;
    let settings = resolve(&args.settings)?;
    if let Some(list) = &until {
        list.check_target(&settings.target)
            .map_err(|e| usage(format!("--until: {e}")))?;
    }
    check_modes(args, &settings)?;
    let branch = branch::check(args.branch_at, &args.branch_set, iters, &settings)?;
    let samples = parse_samples(args.samples.as_deref())?;
    // The files are replaced if they exist, as a rerun expects.
    let outputs = args.curves.iter().chain(&args.ideal);
    for path in outputs.chain(samples.as_ref().map(|(_, p)| p)) {
        check_destination(path, true)?;
    }
    let mut trainer = Trainer::new(settings).map_err(usage)?;
    let opts = AnalysisOptions::default();
    let mut printer = RowPrinter::new(format, &trainer.settings().target);
    printer.forces = args.forces;
    let mut outcome = Ok(());
    loop {
        let now = trainer.counters().iteration;
        if let Some(b) = branch.as_ref().filter(|b| b.at == now) {
            trainer = branch::take(&trainer, b)?;
        }
        let print_due = now.is_multiple_of(every) || now >= iters;
        let check_analysis = until.as_ref().is_some_and(Breakpoints::needs_analysis);
        let analysis =
            (print_due || check_analysis).then(|| Analysis::new(&trainer.model(), &opts));
        if print_due && let Some(a) = &analysis {
            printer.print(&trainer, a);
        }
        if let Some(list) = &until {
            if let Some(fired) = list.check(&Reading::new(&trainer, analysis.as_ref())) {
                // The moment it fired is shown, though it may fall between rows.
                if !print_due {
                    let a = analysis.unwrap_or_else(|| Analysis::new(&trainer.model(), &opts));
                    printer.print(&trainer, &a);
                }
                report_reached(&fired, format, check_every);
                break;
            }
            if now >= iters {
                outcome = Err(Failure {
                    code: EXIT_NOT_REACHED,
                    message: format!(
                        "--until {list}: no condition held by iteration {iters} \
                         (checked every {check_every} iterations)"
                    ),
                });
                break;
            }
        } else if now >= iters {
            break;
        }
        let chunk = next_stop(now, iters, every, until.as_ref().map(|l| (l, check_every))) - now;
        let chunk = branch
            .as_ref()
            .filter(|b| b.at > now)
            .map_or(chunk, |b| chunk.min(b.at - now));
        let stepped = if args.oracle_d {
            oracle::run(&mut trainer, chunk)
        } else if args.sub_steps {
            print_sub_steps(&mut trainer, chunk)
        } else {
            trainer.run(chunk)
        };
        if let Err(d) = stepped {
            outcome = Err(Failure {
                code: EXIT_DIVERGED,
                message: format!("{d}; the last finite state is kept"),
            });
            break;
        }
    }
    if let Some(path) = &args.curves {
        write_curves(&trainer, &opts, path)?;
    }
    if let Some((n, path)) = samples {
        write_samples(&trainer, n, &path)?;
    }
    if let Some(path) = &args.ideal {
        let view = IdealView::new(&trainer.model(), IDEAL_POINTS);
        write_out(path, view.to_csv().as_bytes())?;
        eprintln!("ganscope: wrote {}: {}", path.display(), view.summary());
    }
    outcome
}

/// Refuses a training mode the run's settings or the other flags exclude.
fn check_modes(args: &TrainArgs, settings: &Settings) -> Result<(), Failure> {
    if args.oracle_d {
        oracle::check(&settings.training).map_err(|e| usage(format!("--oracle-d: {e}")))?;
    }
    if args.sub_steps {
        ganscope::sim::substep::check(&settings.training)
            .map_err(|e| usage(format!("--sub-steps: {e}")))?;
    }
    if args.sub_steps && (args.oracle_d || args.format != Format::Table) {
        return Err(usage(
            "--sub-steps prints lines between the table's rows: it takes --format table and \
             shows Algorithm 1 with a trained D, so not --oracle-d",
        ));
    }
    Ok(())
}

/// Runs `n` iterations sub-step by sub-step ([`SlowIteration`]), printing each one's line.
fn print_sub_steps(trainer: &mut Trainer, n: u64) -> Result<(), ganscope::sim::Divergence> {
    let mut out = std::io::stdout().lock();
    for _ in 0..n {
        let iteration = trainer.counters().iteration + 1;
        let mut slow = SlowIteration::new(trainer);
        while let Some(step) = slow.next(trainer)? {
            // A closed pipe (`| head`) is not an error of the run.
            let _ = writeln!(out, "iteration {iteration}: {}", step.explain());
        }
    }
    Ok(())
}

/// z values in `train --ideal`'s CSV.
const IDEAL_POINTS: usize = 401;

/// Says which `--until` condition held: after the table on stdout; with CSV or JSON on
/// stderr, so stdout stays one document.
fn report_reached(fired: &Fired, format: Format, check_every: u64) {
    let line = format!("reached: {fired} (checked every {check_every} iterations)");
    if format == Format::Table {
        let _ = writeln!(std::io::stdout().lock(), "{line}");
    } else {
        eprintln!("ganscope: {line}");
    }
}

/// The final curves (x, p_data, p_g, D, D*) as CSV.
fn write_curves(trainer: &Trainer, opts: &AnalysisOptions, path: &Path) -> Result<(), Failure> {
    let a = Analysis::new(&trainer.model(), opts);
    let mut text = String::from("x,p_data,p_g,d,d_star\n");
    for j in 0..a.x.len() {
        text += &format!(
            "{},{},{},{},{}\n",
            a.x[j], a.p_data[j], a.p_g[j], a.d[j], a.d_star[j]
        );
    }
    write_out(path, text.as_bytes())
}

/// `n` samples of the generator, one per line, from a seed of their own.
fn write_samples(trainer: &Trainer, n: usize, path: &Path) -> Result<(), Failure> {
    let model = trainer.model();
    let mut rng = <ganscope::sim::trainer::SimRng as rand::SeedableRng>::seed_from_u64(
        trainer.settings().seed ^ 0x5eed,
    );
    let z: Vec<f64> = (0..n).map(|_| model.noise.sample(&mut rng)).collect();
    let x = model.generate(&z);
    let text: String = x.iter().map(|x| format!("{x}\n")).collect();
    write_out(path, text.as_bytes())
}

fn study(
    args: &SettingsArgs,
    seeds: std::ops::Range<u64>,
    (iters, probe_steps): (u64, u64),
    jobs: usize,
) -> Result<(), Failure> {
    let count = seeds.end - seeds.start;
    let base = resolve(args)?;
    // Accepted seeds form a range: checking both ends covers every run, before the first.
    for seed in [seeds.start, seeds.end.saturating_sub(1)] {
        let mut settings = base.clone();
        settings.seed = seed;
        settings.validate().map_err(usage)?;
    }
    println!(
        "{:>5} {:>9} {:>9} {:>9} {:>9} {:>11} {:>9}",
        "seed", "jsd", "w1", "p_g_mean", "p_g_std", "fresh_d_gap", "verdict"
    );
    let (mut below_01, mut below_005, mut passed) = (0, 0, 0);
    let seeds: Vec<u64> = seeds.collect();
    let mut refused = None;
    let run_seed = |&seed: &u64| -> Result<_, ganscope::sim::SettingError> {
        let mut settings = base.clone();
        settings.seed = seed;
        let mut trainer = Trainer::new(settings)?;
        let outcome = trainer.run(iters);
        let a = Analysis::new(&trainer.model(), &AnalysisOptions::default());
        let gap = match outcome {
            Ok(()) => trainer
                .fresh_discriminator_gap(1_000 + seed, probe_steps)
                .ok(),
            Err(_) => None,
        };
        Ok((seed, a.metrics, gap))
    };
    in_order(&seeds, jobs, run_seed, |_, result| {
        let (seed, m, gap) = match result {
            Ok(run) => run,
            Err(e) => {
                refused = Some(usage(e));
                return false;
            }
        };
        let converged = m.jsd < 0.01 && gap.is_some_and(|g| g < 0.1);
        below_01 += u32::from(m.jsd < 0.01);
        below_005 += u32::from(m.jsd < 0.005);
        passed += u32::from(converged);
        println!(
            "{seed:>5} {:>9.5} {:>9.4} {:>9.4} {:>9.4} {:>11} {:>9}",
            m.jsd,
            m.w1,
            m.p_g_mean,
            m.p_g_std,
            gap.map_or("diverged".to_owned(), |g| format!("{g:.4}")),
            if converged { "pass" } else { "fail" }
        );
        true
    });
    if let Some(e) = refused {
        return Err(e);
    }
    println!(
        "JSD < 0.01: {below_01}/{count}; JSD < 0.005: {below_005}/{count}; \
         JSD < 0.01 and fresh |D − 1/2| < 0.1: {passed}/{count}"
    );
    Ok(())
}

/// `bench --width W --batch M`: the reference workload at other sizes. `repeat` 0 times
/// only the analysis.
struct BenchShape {
    width: Option<u32>,
    batch: Option<u32>,
}

fn bench(
    iters: u64,
    warmup: u64,
    repeat: u32,
    shape: BenchShape,
    vector_path: Option<&str>,
) -> Result<(), Failure> {
    if let Some(name) = vector_path {
        let Some(path) = simd::VectorPath::named(name) else {
            let names: Vec<_> = simd::VectorPath::ALL.iter().map(|p| p.name()).collect();
            return Err(usage(format!(
                "--vector-path: unknown path `{name}`; expected one of {}",
                names.join(", ")
            )));
        };
        simd::select(path).map_err(usage)?;
    }
    let mut settings = Settings::reference();
    if let Some(w) = shape.width {
        for key in ["generator.width", "discriminator.width"] {
            settings = settings
                .with_override(&format!("{key}={w}"))
                .map_err(|e| usage(format!("--width: {e}")))?;
        }
    }
    if let Some(m) = shape.batch {
        settings = settings
            .with_override(&format!("training.batch_size={m}"))
            .map_err(|e| usage(format!("--batch: {e}")))?;
    }
    let (w, m) = (settings.generator.width, settings.training.batch_size);
    // Multiply-adds of the hidden w × w product per iteration, in units of w²·m: the D
    // step's G forward (1), D forward on 2m (2), D's weight and input gradients on 2m (4);
    // the G step's G and D forwards (2), D's input gradient (1), G's weight and input
    // gradients (2). Two flops each.
    let flops = 2.0 * (w * w) as f64 * m as f64 * 12.0;
    let mut trainer = Trainer::new(settings).map_err(usage)?;
    trainer.run(warmup).map_err(|d| usage(d.to_string()))?;
    let path = simd::active();
    println!("reference workload: N(4, 0.5) target, U(-1, 1) noise, G and D 1-{w}-{w}-1 tanh,");
    println!("non-saturating loss, k = 1, m = {m}, Adam 1e-3 (0.5, 0.999), f32, one thread");
    println!(
        "vector path: {path} ({}; detected: {})",
        path.description(),
        simd::VectorPath::detected()
    );
    let mut rates = Vec::new();
    for run in 1..=repeat {
        let start = Instant::now();
        trainer.run(iters).map_err(|d| usage(d.to_string()))?;
        let secs = start.elapsed().as_secs_f64();
        let ips = iters as f64 / secs;
        println!("run {run}: {iters} iterations in {secs:.3} s: {ips:.0} iterations/s");
        rates.push(ips);
    }
    rates.sort_by(f64::total_cmp);
    let median = rates.get(rates.len() / 2).copied();
    if let (Some(median), Some(&best)) = (median, rates.last()) {
        println!(
            "median {median:.0} iterations/s, best {best:.0} ({:.1} and {:.1} GFLOP/s in the hidden products, {:.2} MFLOP per iteration)",
            median * flops / 1e9,
            best * flops / 1e9,
            flops / 1e6
        );
    }

    // The core's multiply-add peak on this path, for the share of it the products reach.
    let rounds = 20_000_000;
    let start = Instant::now();
    let (peak_flops, sum) = simd::multiply_add_peak(path, rounds);
    let peak = peak_flops / start.elapsed().as_secs_f64() / 1e9;
    std::hint::black_box(sum);
    println!("one core's f32 multiply-add peak on this path (measured): {peak:.1} GFLOP/s");
    if let Some(median) = median {
        println!(
            "the hidden products at the median: {:.0} % of it",
            100.0 * median * flops / 1e9 / peak
        );
    }

    // The analysis of one frame, on the reference run and on a trained fig1 run (whose
    // Gaussianised z needs the probit warp).
    let mut fig1 = Trainer::new(Settings::preset("fig1").map_err(usage)?).map_err(usage)?;
    fig1.run(2000).map_err(|d| usage(d.to_string()))?;
    let opts = AnalysisOptions::default();
    for (name, model) in [("reference", trainer.model()), ("fig1", fig1.model())] {
        // Longer alone, for a profile of it.
        let reps = if repeat == 0 { 2000 } else { 200 };
        let start = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(Analysis::new(&model, &opts));
        }
        let ms = start.elapsed().as_secs_f64() * 1e3 / f64::from(reps);
        println!(
            "analysis of one {name} frame ({} x points, {} z cells, p_g, D, D*, V, C(G), JSD, W1): {ms:.3} ms",
            opts.grid_points, opts.z_cells
        );
    }
    Ok(())
}
