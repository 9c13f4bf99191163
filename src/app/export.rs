//! Keep and share: exports (view PNG, Figure 1 PNG/SVG, metrics CSV, animated GIF) and the
//! settings file, each through a "save as" window that names the file, asks before replacing
//! one, and says why a write failed without losing anything. GIF encoding runs on its own
//! thread; its progress bar and Cancel button sit in the top panel ([`gif_progress_ui`]), in
//! sight however the side panel is scrolled.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::worker::{Command, Published};
use crate::scene::animation::{FPS, FRAMES, Filmstrip, encode_gif, frame_svg, frames_view};
use crate::scene::{Palette, svg, write_file};
use crate::sim::record::to_csv;
use crate::sim::settings::Settings;

/// What a save/load window does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The live figure as PNG.
    ViewPng,
    /// The four-panel Figure 1 as PNG.
    FigurePng,
    /// The four-panel Figure 1 as SVG.
    FigureSvg,
    /// The exact-metrics history as CSV.
    MetricsCsv,
    /// An animated GIF of the run so far.
    Gif,
    /// All settings and the seed as a TOML file.
    SaveSettings,
    /// Settings from a TOML file (starts a new run).
    LoadSettings,
}

impl Action {
    /// Button text.
    pub fn label(self) -> &'static str {
        match self {
            Self::ViewPng => "View as PNG",
            Self::FigurePng => "Figure 1 as PNG",
            Self::FigureSvg => "Figure 1 as SVG",
            Self::MetricsCsv => "Metrics as CSV",
            Self::Gif => "Run as GIF",
            Self::SaveSettings => "Save settings file",
            Self::LoadSettings => "Load settings file",
        }
    }

    /// The window's button that does it.
    fn verb(self) -> &'static str {
        match self {
            Self::SaveSettings => "Save",
            Self::LoadSettings => "Load",
            Self::ViewPng | Self::FigurePng | Self::FigureSvg | Self::MetricsCsv | Self::Gif => {
                "Export"
            }
        }
    }

    /// Whether it writes a file (and so asks before replacing one).
    fn writes(self) -> bool {
        self != Self::LoadSettings
    }

    fn extension(self) -> &'static str {
        match self {
            Self::ViewPng | Self::FigurePng => "png",
            Self::FigureSvg => "svg",
            Self::MetricsCsv => "csv",
            Self::Gif => "gif",
            Self::SaveSettings | Self::LoadSettings => "toml",
        }
    }

    fn default_name(self) -> &'static str {
        match self {
            Self::ViewPng => "ganscope-view.png",
            Self::FigurePng => "ganscope-figure1.png",
            Self::FigureSvg => "ganscope-figure1.svg",
            Self::MetricsCsv => "ganscope-metrics.csv",
            Self::Gif => "ganscope-run.gif",
            Self::SaveSettings | Self::LoadSettings => "ganscope-settings.toml",
        }
    }
}

/// An open save/load window.
#[derive(Clone, Debug)]
struct Dialog {
    action: Action,
    path: String,
    /// The file exists and the user is asked whether to replace it.
    confirm_replace: bool,
    error: Option<String>,
}

/// Whether a [`Notice`] reports success or failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    /// It worked.
    Done,
    /// It did not; the text says why.
    Failed,
}

/// The outcome of the last export, shown under the buttons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// What happened.
    pub text: String,
    /// Success or failure.
    pub kind: NoticeKind,
}

/// A GIF being encoded on its own thread.
struct GifJob {
    thread: std::thread::JoinHandle<()>,
    done: Arc<AtomicUsize>,
    /// Frames to write (set again by the thread once it has chosen them).
    total: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    result: Arc<Mutex<Option<Result<String, String>>>>,
}

/// What the GIF's progress line asks for.
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GifCommand {
    /// Stop encoding; nothing is written.
    Cancel,
}

/// The exports' state in the app.
pub struct ExportState {
    dialog: Option<Dialog>,
    gif: Option<GifJob>,
    /// GIF frame count.
    pub frames: usize,
    /// GIF frames per second.
    pub fps: f64,
    /// The last outcome.
    pub message: Option<Notice>,
    /// Where the next file is suggested: the folder of the last one written or read.
    pub folder: PathBuf,
    film: Arc<Mutex<Filmstrip>>,
    /// States in `film` when last looked (the trainer may hold its lock for a moment).
    recorded: usize,
}

impl ExportState {
    /// Exports reading the run's recorded states from `film`.
    pub fn new(film: Arc<Mutex<Filmstrip>>) -> Self {
        Self {
            dialog: None,
            gif: None,
            frames: 60,
            fps: 12.0,
            message: None,
            folder: std::env::current_dir().unwrap_or_default(),
            film,
            recorded: 0,
        }
    }

    /// Opens the window for `action` (the file name starts as a suggestion in the
    /// current folder).
    pub fn open(&mut self, action: Action) {
        self.dialog = Some(Dialog {
            action,
            path: self
                .folder
                .join(action.default_name())
                .display()
                .to_string(),
            confirm_replace: false,
            error: None,
        });
    }

    /// Whether a GIF is being encoded.
    pub fn encoding(&self) -> bool {
        self.gif.is_some()
    }

    /// Why "Run as GIF" cannot be used now, if it cannot.
    pub fn gif_unavailable(&self) -> Option<&'static str> {
        if self.encoding() {
            Some("A GIF is being written (progress at the top): wait for it or press Cancel GIF")
        } else if self.recorded < 2 {
            Some("Nothing recorded yet: play or step the run first (a GIF needs two states)")
        } else {
            None
        }
    }

    /// Does what the GIF's progress line asked.
    pub fn apply(&mut self, command: GifCommand) {
        match command {
            GifCommand::Cancel => {
                if let Some(job) = &self.gif {
                    job.cancel.store(true, Ordering::Relaxed);
                }
            }
        }
    }

    /// Looks again at how many states the run has recorded (kept as it was when the
    /// trainer holds the record).
    fn refresh_recorded(&mut self) {
        if let Ok(film) = self.film.try_lock() {
            self.recorded = film.len();
        }
    }
}

/// The GIF's progress as one line, with a Cancel button, while one is being written;
/// nothing otherwise. Meant for the top panel, in sight wherever the side panel is scrolled.
pub fn gif_progress_ui(ui: &mut egui::Ui, state: &ExportState) -> Option<GifCommand> {
    let job = state.gif.as_ref()?;
    let done = job.done.load(Ordering::Relaxed);
    let total = job.total.load(Ordering::Relaxed).max(1);
    let mut command = None;
    ui.horizontal(|ui| {
        ui.add(
            egui::ProgressBar::new(done as f32 / total as f32)
                .text(format!("GIF frame {done}/{total}"))
                .desired_width(240.0),
        );
        if ui
            .button("Cancel GIF")
            .on_hover_text("Stop writing the GIF; no file is written")
            .clicked()
        {
            command = Some(GifCommand::Cancel);
        }
    });
    // The thread reports by counters: look again soon.
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_millis(100));
    command
}

/// The "Keep and share" buttons of the side panel.
pub fn export_buttons_ui(ui: &mut egui::Ui, state: &mut ExportState, picture: &Published) {
    state.refresh_recorded();
    ui.label("Save or load (a window asks for the file name):");
    ui.horizontal_wrapped(|ui| {
        for action in [Action::SaveSettings, Action::LoadSettings] {
            if ui.button(action.label()).clicked() {
                state.open(action);
            }
        }
    });
    ui.horizontal_wrapped(|ui| {
        if ui
            .button(Action::ViewPng.label())
            .on_hover_text("The live figure as drawn now, with its overlays")
            .clicked()
        {
            state.open(Action::ViewPng);
        }
        let has_figure = picture.story.picture.is_some();
        for action in [Action::FigurePng, Action::FigureSvg] {
            if ui
                .add_enabled(has_figure, egui::Button::new(action.label()))
                .on_hover_text("The four panels (a)-(d) with captions and numbers")
                .on_disabled_hover_text("Run Figure 1 first (button at the top)")
                .clicked()
            {
                state.open(action);
            }
        }
        if ui
            .button(Action::MetricsCsv.label())
            .on_hover_text("The exact metrics recorded so far, one row per published picture")
            .clicked()
        {
            state.open(Action::MetricsCsv);
        }
    });
    // The spans are the accepted ranges, so the sliders cannot offer a refused value.
    let [frames_lo, frames_hi] = FRAMES.extremes();
    let [fps_lo, fps_hi] = FPS.extremes();
    ui.horizontal(|ui| {
        ui.add(
            egui::Slider::new(&mut state.frames, frames_lo as usize..=frames_hi as usize)
                .text("frames")
                .logarithmic(true),
        )
        .on_hover_text(format!(
            "Frames of the GIF (at most the {} states recorded so far), spaced by how far p_g moves \
             between them; each is captioned with its iteration",
            state.recorded
        ));
    });
    ui.horizontal(|ui| {
        ui.add(egui::Slider::new(&mut state.fps, fps_lo..=fps_hi).text("fps"))
            .on_hover_text("Frames per second of the GIF");
        let why_not = state.gif_unavailable();
        if ui
            .add_enabled(why_not.is_none(), egui::Button::new(Action::Gif.label()))
            .on_hover_text("The run so far as an animated GIF, with these frames and rate")
            .on_disabled_hover_text(why_not.unwrap_or_default())
            .clicked()
        {
            state.open(Action::Gif);
        }
    });
    if let Some(notice) = &state.message {
        let color = match notice.kind {
            NoticeKind::Done => ui.visuals().text_color(),
            NoticeKind::Failed => egui::Color32::from_rgb(200, 30, 30),
        };
        ui.colored_label(color, &notice.text);
    }
}

/// Polls the GIF thread and shows the open window. Returns a command (loading settings).
pub fn export_windows_ui(
    ctx: &egui::Context,
    state: &mut ExportState,
    picture: &Published,
    live_svg: impl FnOnce() -> String,
    palette: &Palette,
) -> Option<Command> {
    if let Some(job) = &state.gif {
        let mut finished = job.result.lock().ok().and_then(|mut r| r.take());
        if finished.is_none() && job.thread.is_finished() {
            finished = Some(Err(
                "The GIF encoder stopped unexpectedly; nothing was written.".into(),
            ));
        }
        if let Some(result) = finished {
            state.message = Some(match result {
                Ok(text) => Notice {
                    text,
                    kind: NoticeKind::Done,
                },
                Err(text) => Notice {
                    text,
                    kind: NoticeKind::Failed,
                },
            });
            state.gif = None;
        }
    }
    let mut dialog = state.dialog.take()?;
    let mut open = true;
    let mut command = None;
    let mut close = false;
    let mut outcome = None;
    egui::Window::new(dialog.action.label())
        .collapsible(false)
        .resizable(false)
        .open(&mut open)
        .show(ctx, |ui| {
            ui.label("File:");
            let edit = ui.add(
                egui::TextEdit::singleline(&mut dialog.path)
                    .desired_width(460.0)
                    .hint_text(dialog.action.default_name()),
            );
            if edit.changed() {
                dialog.confirm_replace = false;
                dialog.error = None;
            }
            let verb = dialog.action.verb();
            if dialog.confirm_replace {
                ui.colored_label(
                    egui::Color32::from_rgb(200, 120, 0),
                    format!("{} already exists. Replace it?", dialog.path.trim()),
                );
                ui.horizontal(|ui| {
                    if ui.button("Replace").clicked() {
                        outcome = Some(perform(&dialog, true, state, picture, live_svg, palette));
                    } else if ui.button("Keep it").clicked() {
                        dialog.confirm_replace = false;
                    }
                });
            } else {
                ui.horizontal(|ui| {
                    if ui.button(verb).clicked() {
                        let path = PathBuf::from(dialog.path.trim());
                        if dialog.action.writes() && path.exists() {
                            dialog.confirm_replace = true;
                        } else {
                            outcome =
                                Some(perform(&dialog, false, state, picture, live_svg, palette));
                        }
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
            }
            if let Some(e) = &dialog.error {
                ui.colored_label(egui::Color32::from_rgb(200, 30, 30), e);
            }
        });
    match outcome {
        Some(Ok((text, cmd))) => {
            state.message = Some(Notice {
                text,
                kind: NoticeKind::Done,
            });
            command = cmd;
            close = true;
        }
        Some(Err(e)) => dialog.error = Some(e),
        None => {}
    }
    if open && !close {
        state.dialog = Some(dialog);
    }
    command
}

/// Does what the window asks; an error leaves everything as it was.
fn perform(
    dialog: &Dialog,
    replace: bool,
    state: &mut ExportState,
    picture: &Published,
    live_svg: impl FnOnce() -> String,
    palette: &Palette,
) -> Result<(String, Option<Command>), String> {
    let path = PathBuf::from(dialog.path.trim());
    if path.as_os_str().is_empty() {
        return Err("Give a file name.".to_owned());
    }
    let wanted = dialog.action.extension();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if ext.as_deref() != Some(wanted) {
        return Err(format!("The file name must end in .{wanted}."));
    }
    let shown = path.display().to_string();
    if let Some(parent) = path.parent().filter(|p| p.is_dir()) {
        state.folder = parent.to_path_buf();
    }
    let write = |bytes: &[u8]| write_file(&path, bytes, replace).map_err(|e| e.to_string());
    let png = |document: &str| crate::scene::raster::png(document, 1.0).map_err(|e| e.to_string());
    match dialog.action {
        Action::LoadSettings => {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("Cannot read {shown}: {e}"))?;
            let settings =
                Settings::from_toml(&text).map_err(|e| format!("{shown} was not loaded: {e}"))?;
            Ok((
                format!("Loaded {shown}: a new run started"),
                Some(Command::Load(settings)),
            ))
        }
        Action::SaveSettings => {
            write(picture.settings.to_toml_commented().as_bytes())?;
            Ok((format!("Saved {shown}"), None))
        }
        Action::ViewPng => {
            write(&png(&live_svg())?)?;
            Ok((format!("Saved {shown}"), None))
        }
        Action::FigurePng | Action::FigureSvg => {
            let story = picture
                .story
                .picture
                .as_ref()
                .ok_or("Run Figure 1 first (button at the top).")?;
            let document = svg::figure_svg(&story.figure(palette));
            let bytes = if dialog.action == Action::FigurePng {
                png(&document)?
            } else {
                document.into_bytes()
            };
            write(&bytes)?;
            Ok((format!("Saved {shown}"), None))
        }
        Action::MetricsCsv => {
            write(metrics_csv(picture).as_bytes())?;
            Ok((format!("Saved {shown}"), None))
        }
        Action::Gif => {
            start_gif(state, path, replace, palette)?;
            Ok(("Encoding the GIF...".to_owned(), None))
        }
    }
}

/// The exact-metrics history as CSV text, in the columns `ganscope train --format csv`
/// prints.
pub fn metrics_csv(picture: &Published) -> String {
    to_csv(picture.history.rows())
}

fn start_gif(
    state: &mut ExportState,
    path: PathBuf,
    replace: bool,
    palette: &Palette,
) -> Result<(), String> {
    let recorded = state
        .film
        .lock()
        .map_err(|_| "The run's record is unavailable.".to_owned())?
        .len();
    if recorded < 2 {
        return Err("The run has fewer than two recorded states: train a little first.".into());
    }
    let wanted = state.frames;
    let fps = state.fps;
    let palette = *palette;
    let film = Arc::clone(&state.film);
    let done = Arc::new(AtomicUsize::new(0));
    let total = Arc::new(AtomicUsize::new(wanted.min(recorded)));
    let cancel = Arc::new(AtomicBool::new(false));
    let result = Arc::new(Mutex::new(None));
    let (job_done, job_total, job_cancel, job_result) = (
        Arc::clone(&done),
        Arc::clone(&total),
        Arc::clone(&cancel),
        Arc::clone(&result),
    );
    let thread = std::thread::Builder::new()
        .name("ganscope-gif".into())
        .spawn(move || {
            // Chosen here, not on the UI thread: weighing p_g's moves takes a moment.
            let frames = film.lock().map(|f| f.pick(wanted)).unwrap_or_default();
            let count = frames.len();
            total.store(count, Ordering::Relaxed);
            let mut bytes = Vec::new();
            let outcome = if count < 2 {
                Err("GIF not saved: the run was reset before its frames were chosen".to_owned())
            } else {
                let view = frames_view(&frames);
                encode_gif(
                    &mut bytes,
                    count,
                    fps,
                    1.0,
                    |i| frame_svg(frames[i].0, &frames[i].1, view, "ganscope", &palette),
                    |n, _| {
                        done.store(n, Ordering::Relaxed);
                        !cancel.load(Ordering::Relaxed)
                    },
                )
                .map_err(|e| format!("GIF not saved: {e}"))
            }
            .and_then(|()| write_file(&path, &bytes, replace).map_err(|e| e.to_string()))
            .map(|()| format!("Saved {} ({count} frames at {fps:.0} fps)", path.display()));
            if let Ok(mut slot) = result.lock() {
                *slot = Some(outcome);
            }
        })
        .map_err(|e| format!("Cannot start the GIF encoder: {e}"))?;
    state.gif = Some(GifJob {
        thread,
        done: job_done,
        total: job_total,
        cancel: job_cancel,
        result: job_result,
    });
    Ok(())
}
