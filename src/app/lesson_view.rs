//! A lesson in the app: a bar above the figure with the lesson's title, step n of N, the
//! step's title and caption in readable type, and Back / Replay / Next; the "Lesson"
//! menu that opens one (built-in, or a file); and the step's views, turned on or off for
//! the step without changing the user's own choices (leaving the lesson shows the view
//! as the user had it).

use crate::sim::lesson::{BUILT_IN, Lesson, Outcome, Step};

use super::controls::ViewPrefs;
use super::worker::{Command, LessonPicture};

/// The side of a settings string that names a lesson: `lesson:NAME` or `lesson:FILE`.
pub fn lesson_string(text: &str) -> Option<&str> {
    text.trim().strip_prefix("lesson:").map(str::trim)
}

/// The commands that open `lesson` at the pace the user has chosen ("lecture": the
/// lesson's own).
pub fn open_commands(lesson: &Lesson, choice: crate::sim::pace::PaceChoice) -> [Command; 2] {
    [
        Command::Lesson(Some(Box::new(lesson.clone()))),
        Command::SetPace(choice.pace(lesson.lecture_pace)),
    ]
}

/// The "Lesson" menu's state: the file path typed, and why the last file was refused.
#[derive(Clone, Debug, Default)]
pub struct LessonMenu {
    /// A lesson file's path.
    pub path: String,
    /// Why it was refused.
    pub error: Option<String>,
}

/// The "Lesson" menu: the built-in lessons, and a lesson file by path. Returns the
/// command that opens the one chosen.
pub fn menu_ui(ui: &mut egui::Ui, menu: &mut LessonMenu, open: bool) -> Option<Command> {
    let mut out = None;
    ui.menu_button("Lesson", |ui| {
        ui.label(egui::RichText::new("Open a lesson: -> next step, <- back, R replays").strong());
        for (name, _) in BUILT_IN {
            match Lesson::named(name) {
                Ok(lesson) => {
                    if ui
                        .button(format!("{name}: {}", lesson.title))
                        .on_hover_text(&lesson.summary)
                        .clicked()
                    {
                        out = Some(Command::Lesson(Some(Box::new(lesson))));
                        ui.close();
                    }
                }
                Err(e) => {
                    ui.label(format!("{name}: does not load ({e})"));
                }
            }
        }
        ui.separator();
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut menu.path)
                    .hint_text("a lesson file (.toml)")
                    .desired_width(220.0),
            );
            if ui.button("Open file").clicked() {
                match Lesson::from_file(std::path::Path::new(menu.path.trim())) {
                    Ok(lesson) => {
                        menu.error = None;
                        out = Some(Command::Lesson(Some(Box::new(lesson))));
                        ui.close();
                    }
                    Err(e) => menu.error = Some(e),
                }
            }
        });
        if let Some(e) = &menu.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        if open && ui.button("Leave the lesson").clicked() {
            out = Some(Command::Lesson(None));
            ui.close();
        }
    });
    out
}

/// The lesson bar: where the lesson is, what to look at, and the ways on.
pub fn bar_ui(ui: &mut egui::Ui, picture: &LessonPicture, commands: &mut Vec<Command>) {
    let lesson = &picture.lesson;
    let steps = lesson.steps.len();
    let Some(step) = lesson.steps.get(picture.index) else {
        return;
    };
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            ui.label(
                egui::RichText::new(format!(
                    "Step {} of {steps}: {}",
                    picture.index + 1,
                    step.title
                ))
                .size(16.0)
                .strong(),
            );
            ui.label(egui::RichText::new(format!("Lesson: {}", lesson.title)).weak());
        });
        // Large on a big window; body size where the figure needs the height (a
        // projector at UI scale 2 has 360 points), still twice a laptop's pixels there.
        let size = if ui.ctx().content_rect().height() >= 600.0 {
            17.0
        } else {
            14.0
        };
        ui.label(egui::RichText::new(&step.caption).size(size));
        ui.horizontal_wrapped(|ui| {
            let back = ui
                .add_enabled(picture.index > 0, egui::Button::new("<- Back"))
                .on_hover_text(
                    "Back to the start of the previous step, its state restored (left arrow)",
                );
            if back.clicked() {
                commands.push(Command::LessonBack);
            }
            if ui
                .button("Replay")
                .on_hover_text("This step again from its start (R)")
                .clicked()
            {
                commands.push(Command::LessonReplay);
            }
            if ui
                .add_enabled(picture.index + 1 < steps, egui::Button::new("Next ->"))
                .on_hover_text("The next step, from the run as it is now (right arrow)")
                .clicked()
            {
                commands.push(Command::LessonNext);
            }
            status_ui(ui, picture, step);
            if ui
                .small_button("Leave lesson")
                .on_hover_text("Close the lesson: the run goes back to how it was before it")
                .clicked()
            {
                commands.push(Command::Lesson(None));
            }
        });
    });
}

/// How far the step is, or how it ended.
fn status_ui(ui: &mut egui::Ui, picture: &LessonPicture, step: &Step) {
    match &picture.outcome {
        None => {
            let what = if picture.running { "playing" } else { "paused" };
            ui.add(
                egui::ProgressBar::new(picture.fraction as f32)
                    .text(format!("{what}: until {}", step.until.text))
                    .desired_width(220.0),
            );
        }
        Some(outcome) => {
            let last = picture.index + 1 == picture.lesson.steps.len();
            let on = if last {
                "the last step: <- back, R replays"
            } else {
                "press -> for the next"
            };
            let what = match outcome {
                Outcome::Reached(_) => "step reached".to_owned(),
                other => other.to_string(),
            };
            ui.label(egui::RichText::new(format!("{what}: {on}")).strong())
                .on_hover_text(outcome.to_string());
        }
    }
}

/// The view toggles a lesson's step can turn on or off, as the app holds them.
fn slot<'a>(prefs: &'a mut ViewPrefs, metrics: &'a mut bool, name: &str) -> Option<&'a mut bool> {
    Some(match name {
        "d-star" => &mut prefs.overlays.d_star,
        "arrows" => &mut prefs.overlays.arrows,
        "forces" => &mut prefs.overlays.forces,
        "histogram" => &mut prefs.overlays.histogram,
        "real-samples" => &mut prefs.overlays.real_samples,
        "g-vs-z" => &mut prefs.g_vs_z,
        "modes" => &mut prefs.modes,
        "metrics" => metrics,
        _ => return None,
    })
}

/// The user's values of the toggles a step sets, kept while the frame is drawn with the
/// step's values.
pub struct Forced {
    /// (name, the user's value, the step's value).
    values: Vec<(&'static str, bool, bool)>,
}

/// Puts `step`'s views in force on `prefs` and `metrics` for drawing; returns the
/// user's values, for [`restore`] after the frame.
pub fn force(step: Option<&Step>, prefs: &mut ViewPrefs, metrics: &mut bool) -> Forced {
    let mut values = Vec::new();
    if let Some(step) = step {
        for name in crate::sim::lesson::SHOW_NAMES {
            if let (Some(on), Some(v)) = (step.shows(name), slot(prefs, metrics, name)) {
                values.push((name, *v, on));
                *v = on;
            }
        }
    }
    Forced { values }
}

/// Puts the user's values back after the frame, except where the user changed a toggle
/// during it (that change is theirs and stays).
pub fn restore(forced: Forced, prefs: &mut ViewPrefs, metrics: &mut bool) {
    for (name, user, step) in forced.values {
        if let Some(v) = slot(prefs, metrics, name)
            && *v == step
        {
            *v = user;
        }
    }
}

/// The step the picture shows, if a lesson is open.
pub fn current_step(picture: Option<&LessonPicture>) -> Option<&Step> {
    picture.and_then(|p| p.lesson.steps.get(p.index))
}
