//! `ganscope lesson`: plays a lesson headless, step by step, and writes each step's
//! figure (PNG and SVG) and a one-page index, for slides without the app.

use std::path::{Path, PathBuf};

use ganscope::scene::{ImageFormat, Palette, svg};
use ganscope::sim::lesson::{BUILT_IN, Lesson, LessonRun, StepReport};

use super::{Failure, check_destination, failed, usage, write_out};

/// The `lesson` subcommand's options.
#[derive(clap::Args, Debug)]
pub struct LessonArgs {
    /// A built-in lesson's name (`--list` shows them) or a lesson file (.toml).
    #[arg(value_name = "NAME|FILE", required_unless_present = "list")]
    lesson: Option<String>,
    /// List the built-in lessons.
    #[arg(long, exclusive = true)]
    list: bool,
    /// The folder for the slides (created if missing; its parent must exist).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The seed (unless the lesson fixes its own).
    #[arg(long)]
    seed: Option<u64>,
    /// Replace existing slides.
    #[arg(long)]
    force: bool,
    /// Light ink on a dark background.
    #[arg(long)]
    dark: bool,
    /// PNG size factor, 0.25 to 4.
    #[arg(long, default_value_t = 1.0)]
    scale: f32,
}

/// The files a lesson of `steps` steps writes.
fn file_names(steps: usize) -> Vec<String> {
    let mut names: Vec<String> = (1..=steps)
        .flat_map(|i| [format!("step-{i:02}.png"), format!("step-{i:02}.svg")])
        .collect();
    names.push("index.html".to_owned());
    names
}

/// Runs `lesson`.
pub fn lesson(args: &LessonArgs) -> Result<(), Failure> {
    if args.list {
        for (name, _) in BUILT_IN {
            match Lesson::named(name) {
                Ok(l) => println!(
                    "{name:<13} {} ({} steps): {}",
                    l.title,
                    l.steps.len(),
                    l.summary
                ),
                Err(e) => println!("{name:<13} (does not load: {e})"),
            }
        }
        return Ok(());
    }
    let what = args.lesson.as_deref().unwrap_or_default();
    let lesson = Lesson::named_or_file(what).map_err(usage)?;
    ganscope::scene::check_scale(args.scale).map_err(usage)?;
    if let Some(dir) = &args.out {
        check_folder(dir)?;
        if !dir.exists() {
            std::fs::create_dir(dir)
                .map_err(|e| usage(format!("cannot create {}: {e}", dir.display())))?;
        }
        for name in file_names(lesson.steps.len()) {
            check_destination(&dir.join(name), args.force)?;
        }
    }
    let mut run = LessonRun::new(lesson, args.seed).map_err(usage)?;
    let palette = if args.dark {
        Palette::DARK
    } else {
        Palette::LIGHT
    };
    let mut reports = Vec::new();
    while let Some(report) = run.next_step() {
        let report = report.map_err(usage)?;
        let step = &run.lesson().steps[report.index - 1];
        println!(
            "step {} ({}): {} after {} {}; {}",
            report.index,
            step.title,
            report.outcome,
            report.units,
            step.train.unit(),
            report.numbers
        );
        if let Some(dir) = &args.out {
            let figure = ganscope::scene::lesson::step_figure(
                run.lesson(),
                &report,
                run.trainer(),
                run.comparison(),
                &palette,
            );
            let document = svg::figure_svg(&figure);
            for ext in ["png", "svg"] {
                let path = dir.join(format!("step-{:02}.{ext}", report.index));
                let format = ImageFormat::of(&path).map_err(usage)?;
                let bytes = format.encode(&document, args.scale).map_err(failed)?;
                write_out(&path, &bytes)?;
            }
        }
        reports.push(report);
    }
    if let Some(dir) = &args.out {
        let path = dir.join("index.html");
        write_out(
            &path,
            index_html(run.lesson(), &reports, args.seed).as_bytes(),
        )?;
        println!("wrote {} slides and {}", reports.len(), path.display());
    }
    Ok(())
}

/// Refuses an `--out` that is a file, or whose parent folder does not exist.
fn check_folder(dir: &Path) -> Result<(), Failure> {
    if dir.exists() && !dir.is_dir() {
        return Err(usage(format!("--out {}: not a folder", dir.display())));
    }
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty());
    if !dir.exists() && parent.is_some_and(|p| !p.is_dir()) {
        return Err(usage(format!(
            "--out {}: its parent folder does not exist",
            dir.display()
        )));
    }
    Ok(())
}

/// `text` with the characters HTML gives meaning to escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The one-page index: the title, the summary, and each step with its caption, figure
/// and the numbers at its end.
fn index_html(lesson: &Lesson, reports: &[StepReport], seed: Option<u64>) -> String {
    let seed = lesson.start_on(seed).seed;
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.45}}\
         img{{max-width:100%;border:1px solid #ccc}}.numbers{{color:#444;font-size:0.9em}}\
         section{{margin-bottom:3em}}</style></head><body>\n<h1>{title}</h1>\n<p>{summary}</p>\n\
         <p class=\"numbers\">Lesson <code>{name}</code>, seed {seed}; made with \
         <code>ganscope lesson {name} --out DIR</code>.</p>\n",
        title = escape(&lesson.title),
        summary = escape(&lesson.summary),
        name = escape(&lesson.name),
    );
    for r in reports {
        let step = &lesson.steps[r.index - 1];
        html += &format!(
            "<section>\n<h2>Step {i}: {title}</h2>\n<p>{caption}</p>\n\
             <img src=\"step-{i:02}.png\" alt=\"{title}\">\n\
             <p class=\"numbers\">{outcome} after {units} {unit}. {numbers}.</p>\n</section>\n",
            i = r.index,
            title = escape(&step.title),
            caption = escape(&step.caption),
            outcome = escape(&r.outcome.to_string()),
            units = r.units,
            unit = step.train.unit(),
            numbers = escape(&r.numbers.to_string()),
        );
    }
    html += "</body></html>\n";
    html
}
