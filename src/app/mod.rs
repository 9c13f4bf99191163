//! The desktop app: Figure 1 live while the GAN trains. It draws what the trainer
//! publishes and sends it commands; all maths lives in [`crate::sim`].

pub mod compare_view;
pub mod controls;
pub mod explain;
pub mod export;
pub mod figure;
pub mod forces_view;
pub mod history;
pub mod ideal_view;
pub mod legend;
pub mod lesson_view;
pub mod metrics;
pub mod modes_view;
pub mod presenter;
pub mod side_by_side;
pub mod slow_view;
pub mod story_view;
pub mod theme;
pub mod timeline_view;
pub mod why_controls;
pub mod worker;

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::sim::settings::Settings;
use controls::ViewPrefs;
use worker::{Command, Published, ThreadedWorker, Worker};

/// How the app was started.
#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    /// Print frame-time and training-speed statistics and close after this many seconds
    /// (training the benchmark's reference workload at full speed).
    pub stats_exit_after: Option<f64>,
    /// Start in presenter mode: no side panel, the figure filling the window.
    pub presenter: bool,
    /// The UI scale to start with (checked against [`presenter::UI_SCALE`] by the caller),
    /// replacing the saved one.
    pub ui_scale: Option<f32>,
    /// A lesson to open with (checked by the caller).
    pub lesson: Option<crate::sim::lesson::Lesson>,
}

/// Opens the window and runs until it is closed.
pub fn run(options: &AppOptions) -> Result<(), String> {
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1600.0, 1000.0])
            .with_min_inner_size([900.0, 600.0])
            .with_title("ganscope"),
        ..Default::default()
    };
    let options = options.clone();
    eframe::run_native(
        "ganscope",
        native,
        Box::new(move |cc| Ok(Box::new(GanscopeApp::new(cc, &options)?))),
    )
    .map_err(|e| e.to_string())
}

/// What survives a restart.
#[derive(Default, Serialize, Deserialize)]
#[serde(default)]
struct Persisted {
    /// The settings file text: RON cannot read back the settings' tagged enums.
    settings_toml: Option<String>,
    prefs: ViewPrefs,
    /// Where the save and load windows suggest files.
    export_folder: Option<std::path::PathBuf>,
    /// The GIF's frame count and rate.
    gif: Option<(usize, f64)>,
}

enum Backend {
    /// Training on its own thread (the app).
    Threaded(ThreadedWorker),
    /// Training inside `logic()` under a time budget (tests: deterministic stepping).
    Inline(Box<Worker>),
}

/// Frame CPU times and training progress, for `--stats`.
struct FrameStats {
    started: Instant,
    exit_after: f64,
    warmup_done: Option<(Instant, u64)>,
    frame_ms: Vec<f64>,
    /// Whole minutes since the start for which the memory line has been printed.
    memory_minutes: u64,
}

/// The app.
pub struct GanscopeApp {
    draft: Settings,
    prefs: ViewPrefs,
    applied_scale: f32,
    backend: Backend,
    picture: Published,
    pending: Vec<Command>,
    stats: Option<FrameStats>,
    saved: Option<Settings>,
    share: controls::ControlsState,
    /// The lesson of the preset in use, until the model or data change.
    caption: Option<String>,
    /// Which view the central panel shows.
    tab: Tab,
    /// Exports and the settings file.
    export: export::ExportState,
    /// The Figure 1 panels last shown (a new set switches to their tab).
    seen_story: Option<std::sync::Arc<crate::scene::StoryPicture>>,
    /// Whether the run has played (or been stepped with the keys) yet: until then the top
    /// bar says how to start it.
    played: bool,
    /// Presenter mode, the metric plots and the key list.
    presenter: presenter::Presenter,
    /// The Figure 1 tab's layout and the panel it shows.
    story: story_view::StoryView,
    /// Where the live figure's plot area was last drawn (for layout tests).
    figure_rect: Option<egui::Rect>,
    /// The "see why" views beside the figure last frame, and the one chosen to show
    /// when they do not all fit.
    side_seen: Vec<SideView>,
    side_choice: Option<SideView>,
    /// The "Lesson" menu's file path and refusal.
    lesson_menu: lesson_view::LessonMenu,
}

/// A "see why" view in the column beside the live figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SideView {
    /// Push sizes under minimax and non-saturating, sample by sample.
    Forces,
    /// G(z) against T*(z).
    GvsZ,
    /// Mode coverage bars.
    Modes,
}

impl SideView {
    /// The view's short name, for the column's row of names.
    fn name(self) -> &'static str {
        match self {
            Self::Forces => "pushes",
            Self::GvsZ => "G vs z",
            Self::Modes => "modes",
        }
    }
}

/// The central panel's views.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    /// Figure 1 and the metrics, live.
    Live,
    /// The four captured panels of the Figure 1 scenario.
    Figure1,
}

/// Two rows of readable metric plots need this height (points).
const READABLE_METRICS: f32 = 300.0;

/// Below this height (points) of the live view, with the metric plots on, the figure keeps
/// the view and the plots follow below it in a scroll area (a projector at UI scale 2).
const SHORT_LIVE: f32 = 480.0;

/// How much of the metric plots' first line shows under the figure in a short window, so
/// that they are seen to be there.
const METRICS_PEEK: f32 = 30.0;

impl GanscopeApp {
    /// The app as launched by `cargo run`: settings restored from the last session. Fails
    /// if the training thread cannot be started.
    pub fn new(cc: &eframe::CreationContext<'_>, options: &AppOptions) -> std::io::Result<Self> {
        let persisted: Persisted = cc
            .storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        // --stats measures the benchmark's workload, so the two numbers compare.
        let mut not_restored = None;
        let restored = if options.stats_exit_after.is_some() {
            Some(Settings::reference())
        } else {
            persisted
                .settings_toml
                .and_then(|text| match Settings::from_toml(&text) {
                    Ok(settings) => Some(settings),
                    Err(e) => {
                        not_restored = Some(format!(
                            "The saved settings were not restored ({e}): starting from the fig1 preset"
                        ));
                        None
                    }
                })
        };
        let settings = restored
            .unwrap_or_else(|| Settings::preset("fig1").unwrap_or_else(|_| Settings::reference()));
        let worker = match Worker::new(settings.clone()) {
            Ok(w) => w,
            Err(_) => Worker::new(Settings::reference())
                .unwrap_or_else(|e| panic!("reference settings are valid: {e}")),
        };
        let mut initial = Box::new(worker);
        let picture = initial.publish();
        let film = initial.filmstrip();
        let ctx = cc.egui_ctx.clone();
        let threaded = ThreadedWorker::spawn(*initial, move || ctx.request_repaint())?;
        let mut app =
            Self::with_backend(Backend::Threaded(threaded), picture, persisted.prefs, film);
        app.caption = not_restored;
        app.presenter = presenter::Presenter::new(options.presenter);

        if let Some(scale) = options.ui_scale {
            app.prefs.scale = scale;
        }
        if let Some(folder) = persisted.export_folder.filter(|f| f.is_dir()) {
            app.export.folder = folder;
        }
        if let Some((frames, fps)) = persisted.gif
            && crate::scene::animation::check(frames, fps).is_ok()
        {
            (app.export.frames, app.export.fps) = (frames, fps);
        }
        if let Some(secs) = options.stats_exit_after {
            app.stats = Some(FrameStats {
                started: Instant::now(),
                exit_after: secs,
                warmup_done: None,
                frame_ms: Vec::new(),
                memory_minutes: 0,
            });
            app.prefs.pace = crate::sim::pace::PaceChoice::Fastest;
            app.pending
                .push(Command::SetPace(crate::sim::pace::Pace::Fastest));
            app.pending.push(Command::SetPlaying(true));
        } else {
            let pace = app.prefs.pace.pace(app.share.lesson_pace);
            app.pending.push(Command::SetPace(pace));
        }
        if let Some(lesson) = &options.lesson {
            app.pending
                .extend(lesson_view::open_commands(lesson, app.prefs.pace));
        }
        Ok(app)
    }

    /// An app that trains inline (for tests): every command takes effect in the next frame,
    /// and Play runs as fast as possible until a pace is chosen.
    pub fn new_inline(settings: Settings) -> Result<Self, crate::sim::SettingError> {
        let mut worker = Box::new(Worker::new(settings)?);
        let picture = worker.publish();
        let film = worker.filmstrip();
        // The worker starts unpaced, and the controls say so: tests step by frames.
        let prefs = ViewPrefs {
            pace: crate::sim::pace::PaceChoice::Fastest,
            ..ViewPrefs::default()
        };
        Ok(Self::with_backend(
            Backend::Inline(worker),
            picture,
            prefs,
            film,
        ))
    }

    fn with_backend(
        backend: Backend,
        picture: Published,
        prefs: ViewPrefs,
        film: std::sync::Arc<std::sync::Mutex<crate::scene::animation::Filmstrip>>,
    ) -> Self {
        Self {
            draft: picture.settings.clone(),
            applied_scale: 0.0,
            prefs,
            backend,
            picture,
            pending: Vec::new(),
            stats: None,
            saved: None,
            share: controls::ControlsState::default(),
            caption: None,
            tab: Tab::Live,
            export: export::ExportState::new(film),
            seen_story: None,
            played: false,
            presenter: presenter::Presenter::new(false),
            story: story_view::StoryView::default(),
            figure_rect: None,
            side_seen: Vec::new(),
            side_choice: None,
            lesson_menu: lesson_view::LessonMenu::default(),
        }
    }

    /// Suggests files in `folder` in the save and load windows (tests; the app starts in
    /// the current folder and then follows the last file written or read).
    pub fn set_export_folder(&mut self, folder: std::path::PathBuf) {
        self.export.folder = folder;
    }

    /// The latest published picture of the run (what is on screen).
    pub fn picture(&self) -> &Published {
        &self.picture
    }

    /// Sends `command` to the run with the next frame, as a control would (tests use it
    /// for commands whose controls live elsewhere, such as breakpoints).
    pub fn send(&mut self, command: Command) {
        self.pending.push(command);
    }

    /// Presenter mode, the metric plots and the key list as they are now.
    pub fn presenter(&self) -> presenter::Presenter {
        self.presenter
    }

    /// Where the live figure's plot area (inside its axes) was last drawn, in points;
    /// `None` until the Live tab has been drawn.
    pub fn figure_plot_rect(&self) -> Option<egui::Rect> {
        self.figure_rect
    }

    /// Which panel the Figure 1 tab shows when it shows one at a time.
    pub fn story_view(&self) -> &story_view::StoryView {
        &self.story
    }

    fn send_pending(&mut self) {
        let commands = std::mem::take(&mut self.pending);
        match &mut self.backend {
            Backend::Threaded(t) => commands.into_iter().for_each(|c| t.send(c)),
            Backend::Inline(w) => {
                let any = !commands.is_empty();
                commands.into_iter().for_each(|c| w.handle(c));
                // A scenario gets longer slices so tests need fewer frames.
                let budget = if w.story_running() { 100 } else { 4 };
                let ran = w.work(Duration::from_millis(budget));
                if any || ran {
                    self.picture = w.publish();
                }
            }
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        use presenter::Action;
        for action in presenter::pressed(ctx) {
            // Someone stepping with the keys has found them: the hint can go.
            if matches!(action, Action::Forward | Action::StepD | Action::StepG) {
                self.played = true;
            }
            let on_figure_tab = self.tab == Tab::Figure1;
            let in_lesson = self.picture.lesson.is_some() && !on_figure_tab;
            match action {
                Action::Forward if in_lesson => self.pending.push(Command::LessonNext),
                Action::Back if in_lesson => self.pending.push(Command::LessonBack),
                Action::Reset if in_lesson => self.pending.push(Command::LessonReplay),
                Action::PlayPause => self
                    .pending
                    .push(Command::SetPlaying(!self.picture.playing)),
                Action::Forward if on_figure_tab => self.story.next(),
                Action::Forward => self.pending.push(Command::StepIteration),
                Action::Back if on_figure_tab => self.story.back(),
                Action::Back => {}
                Action::StepD => self.pending.push(Command::StepDiscriminator),
                Action::StepG => self.pending.push(Command::StepGenerator),
                Action::Reset => self.pending.push(Command::Reset),
                Action::Presenter => self.presenter.toggle(),
                Action::Metrics => self.presenter.metrics = !self.presenter.metrics,
                Action::LiveTab => self.tab = Tab::Live,
                Action::FigureTab => self.tab = Tab::Figure1,
                Action::Numbers => self.story.numbers = !self.story.numbers,
                Action::SlowMotion => self
                    .pending
                    .push(Command::SetSlowMotion(self.picture.slow.is_none())),
                Action::Oracle => self.pending.push(Command::SetOracle(!self.picture.oracle)),
                Action::Forces => {
                    self.prefs.overlays.forces = !self.prefs.overlays.forces;
                }
                Action::GvsZ => self.prefs.g_vs_z = !self.prefs.g_vs_z,
                Action::Compare => {
                    self.tab = Tab::Live;
                    self.pending.extend(compare_view::start_or_stop(
                        &self.picture,
                        &self.share.compare,
                        self.prefs.pace,
                        self.share.lesson_pace,
                    ));
                }
                Action::TimelineBack | Action::TimelineForward | Action::Branch => {
                    self.tab = Tab::Live;
                    self.pending
                        .extend(timeline_view::key_command(&self.picture, action));
                }
                Action::Keys => self.presenter.keys = !self.presenter.keys,
                Action::Escape if self.presenter.keys => self.presenter.keys = false,
                Action::Escape => {
                    if self.presenter.on {
                        self.presenter.toggle();
                    }
                }
            }
        }
    }

    fn record_frame(&mut self, ctx: &egui::Context, elapsed: Duration) {
        let iteration = self.picture.counters.iteration;
        let Some(stats) = &mut self.stats else { return };
        let since = stats.started.elapsed().as_secs_f64();
        // The first second is start-up (shader compilation, first layouts).
        if since < 1.0 {
            return;
        }
        if stats.warmup_done.is_none() {
            stats.warmup_done = Some((Instant::now(), iteration));
            // The memory after start-up, which the minutes' figures are growth from.
            print_memory(0, iteration);
        }
        stats.frame_ms.push(elapsed.as_secs_f64() * 1e3);
        let minutes = (since / 60.0) as u64;
        if minutes > stats.memory_minutes {
            stats.memory_minutes = minutes;
            print_memory(minutes, iteration);
        }
        if since >= stats.exit_after {
            print_stats(stats, iteration);
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            self.stats = None;
        }
    }
}

/// The panels of [`GanscopeApp::ui`], one method each, in the order they are drawn.
impl GanscopeApp {
    /// The top panel: the title bar, the divergence banner, the scenario's progress and
    /// the messages. Returns the lesson of a preset chosen here.
    fn top_panel_ui(
        &mut self,
        ui: &mut egui::Ui,
        palette: theme::Palette,
        commands: &mut Vec<Command>,
    ) -> Option<String> {
        let new_caption = self.top_bar_ui(ui, commands);
        if let Some(lesson) = self.picture.lesson.clone() {
            lesson_view::bar_ui(ui, &lesson, commands);
        }
        if !self.played {
            ui.label(egui::RichText::new(presenter::launch_hint(self.presenter.on)).strong());
        }
        let picture = &self.picture;
        if let Some(d) = &picture.divergence {
            divergence_banner_ui(ui, d, commands);
        }
        story_progress_ui(ui, picture, commands);
        if let Some(command) = export::gif_progress_ui(ui, &self.export) {
            self.export.apply(command);
        }
        schedule_end_ui(ui, picture, commands);
        if let Some(e) = &picture.story.error {
            ui.colored_label(palette.reference, e);
        }
        // Side by side has its own line of what to watch.
        if let Some(caption) = self
            .caption
            .as_ref()
            .filter(|_| picture.compare.is_none() && picture.lesson.is_none())
        {
            let text = egui::RichText::new(caption).strong();
            if self.presenter.on {
                // One line, so the figure keeps the window: the whole lesson on hover.
                ui.add(egui::Label::new(text).truncate());
            } else {
                ui.label(text);
            }
        }
        if let Some(notice) = &picture.notice {
            ui.label(egui::RichText::new(notice).strong());
        }
        if let Some(e) = &picture.error {
            ui.colored_label(palette.reference, format!("Not applied: {e}"));
        }
        new_caption
    }

    /// The title, the presets menu, the Figure 1 button, the tabs and the view's
    /// switches. Returns the lesson of a preset chosen here.
    fn top_bar_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) -> Option<String> {
        let mut new_caption = None;
        ui.horizontal_wrapped(|ui| {
            ui.heading("ganscope");
            if self.presenter.on {
                let play = if self.picture.playing { "Pause" } else { "Play" };
                if ui.button(play).on_hover_text("Space").clicked() {
                    commands.push(Command::SetPlaying(!self.picture.playing));
                }
            }
            if let Some(preset) = controls::presets_ui(ui) {
                // "lecture" follows the lesson: each preset has its own pace.
                self.share.lesson_pace = preset.pace;
                if self.prefs.pace == crate::sim::pace::PaceChoice::Lecture {
                    commands.push(Command::SetPace(preset.pace));
                }
                let settings = preset.settings();
                self.draft = settings.clone();
                new_caption = Some(format!("Preset {}: {}", preset.name, preset.lesson));
                commands.push(Command::Load(settings));
            }
            if ui
                .add_enabled(self.picture.story.running.is_none(), egui::Button::new("Figure 1"))
                .on_hover_text("Run the paper's Figure 1 (a)-(d) as a seeded scenario on the fig1 preset (current seed) and show the four panels")
                .on_disabled_hover_text("Figure 1 or a replay is running: wait for it or press Cancel")
                .clicked()
            {
                self.draft = self.picture.settings.clone();
                commands.push(Command::Figure1);
                self.tab = Tab::Live;
            }
            // Presenter mode keeps its one row: a lesson is opened from the normal view or
            // with --lesson, and its bar has the ways on and out.
            let open = self.picture.lesson.is_some();
            let menu = (!self.presenter.on)
                .then(|| lesson_view::menu_ui(ui, &mut self.lesson_menu, open))
                .flatten();
            if let Some(command) = menu {
                self.tab = Tab::Live;
                commands.push(command);
            }
            ui.separator();
            ui.selectable_value(&mut self.tab, Tab::Live, "Live")
                .on_hover_text("The run as it trains, with its metrics (L)");
            ui.selectable_value(&mut self.tab, Tab::Figure1, "Figure 1 (a)-(d)")
                .on_hover_text("The four captured panels of the Figure 1 scenario (F)");
            ui.separator();
            if ui
                .selectable_label(self.presenter.on, "Presenter")
                .on_hover_text("Hide the controls so the figure fills the window; the keys keep working (P)")
                .clicked()
            {
                self.presenter.toggle();
            }
            if ui
                .selectable_label(self.presenter.keys, "Keys")
                .on_hover_text("The keyboard shortcuts (?)")
                .clicked()
            {
                self.presenter.keys = !self.presenter.keys;
            }
            // The reference, where the row has room for it (the legend names the lines).
            if ui.available_size_before_wrap().x >= 240.0 {
                ui.add(
                    egui::Label::new(
                        egui::RichText::new(
                            "Goodfellow et al. (2014), Figure 1: p_data dotted, p_g solid green, D dashed blue, x = G(z) arrows",
                        )
                        .weak(),
                    )
                    .truncate(),
                );
            }
        });
        new_caption
    }

    /// The bottom line: counters, state (and why a breakpoint paused the run), speed and
    /// the paper's numbers, each with its formula on hover.
    fn status_bar_ui(&self, ui: &mut egui::Ui) {
        match &self.picture.compare {
            Some(compare) => compare_view::status_ui(ui, compare),
            None => explain::status_bar_ui(ui, &self.picture),
        }
    }

    /// The controls; returns the commands they ask for.
    fn side_panel_ui(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        controls::controls_ui(
            ui,
            &mut self.draft,
            &mut self.prefs,
            &mut self.share,
            &mut self.export,
            &self.picture,
        )
    }

    /// The tabs and the view of the selected one; returns the commands its buttons send.
    fn central_panel_ui(&mut self, ui: &mut egui::Ui, palette: theme::Palette) -> Vec<Command> {
        let scene_palette = self.prefs.theme.scene_palette();
        match self.tab {
            Tab::Figure1 => self
                .story
                .ui(ui, &self.picture, &scene_palette, self.presenter.on),
            Tab::Live => {
                self.live_view_ui(ui, palette);
                Vec::new()
            }
        }
    }

    /// Figure 1 of the live run (with slow motion's line above it and the "see why"
    /// views beside it when on), above its metrics unless they are hidden.
    fn live_view_ui(&mut self, ui: &mut egui::Ui, palette: theme::Palette) {
        if let Some(compare) = self.picture.compare.clone() {
            let scene_palette = self.prefs.theme.scene_palette();
            let commands = compare_view::compare_ui(
                ui,
                &compare,
                (self.prefs.overlays, &scene_palette),
                palette,
                self.presenter.metrics,
            );
            self.pending.extend(commands);
            return;
        }
        if let Some(slow) = &self.picture.slow {
            slow_view::slow_ui(ui, slow, &self.picture, &mut self.pending);
        }
        // Presenter mode keeps the window for the figure: the timeline shows there once a
        // moment is shown (, or .).
        let timeline = !self.presenter.on || self.picture.timeline.scrub.is_some();
        let row = if timeline {
            timeline_view::row_height(ui)
        } else {
            0.0
        };
        let available = ui.available_height();
        if self.presenter.metrics && available < SHORT_LIVE {
            // A short window (a projector at UI scale 2): the figure keeps all but a peek
            // of the height, and the metric plots follow below it, one scroll away.
            let figure_height = (available - row - METRICS_PEEK).max(0.0);
            egui::ScrollArea::vertical()
                .id_salt("live")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    self.figure_row_ui(ui, figure_height, timeline, palette);
                    ui.separator();
                    self.readable_metrics_ui(ui, palette);
                });
            return;
        }
        let share = if self.presenter.metrics { 0.58 } else { 1.0 };
        self.figure_row_ui(ui, (available - row) * share, timeline, palette);
        if self.presenter.metrics {
            ui.separator();
            // Two rows of readable plots need this height; less scrolls them rather than
            // squash them under the status line.
            if ui.available_height() >= READABLE_METRICS {
                self.prefs.metrics.ui(ui, &self.picture, palette);
            } else {
                egui::ScrollArea::vertical()
                    .id_salt("metrics")
                    .show(ui, |ui| self.readable_metrics_ui(ui, palette));
            }
        }
    }

    /// The metric plots at the height two readable rows of them need (inside a scroll
    /// area when the window is shorter).
    fn readable_metrics_ui(&mut self, ui: &mut egui::Ui, palette: theme::Palette) {
        ui.allocate_ui(egui::vec2(ui.available_width(), READABLE_METRICS), |ui| {
            self.prefs.metrics.ui(ui, &self.picture, palette);
        });
    }

    /// The figure `height` tall with the "see why" views beside it, then the timeline
    /// row if `timeline`.
    fn figure_row_ui(
        &mut self,
        ui: &mut egui::Ui,
        height: f32,
        timeline: bool,
        palette: theme::Palette,
    ) {
        let scene_palette = self.prefs.theme.scene_palette();
        let column = self.side_views();
        let width = ui.available_width();
        let figure_width = if column.is_empty() {
            width
        } else {
            width * 0.66
        };
        let shown = ui
            .horizontal_top(|ui| {
                let down = egui::Layout::top_down(egui::Align::Min);
                let figure =
                    ui.allocate_ui_with_layout(egui::vec2(figure_width, height), down, |ui| {
                        figure::figure_ui(ui, &self.picture, self.prefs.overlays, &scene_palette)
                    });
                if !column.is_empty() {
                    let size = egui::vec2(ui.available_width(), height);
                    ui.allocate_ui_with_layout(size, down, |ui| {
                        self.side_views_ui(ui, &column, palette);
                    });
                }
                figure.inner
            })
            .inner;
        explain::figure_hover_ui(ui, &shown, &self.picture, &scene_palette);
        self.figure_rect = Some(shown.rect);
        if timeline {
            self.pending
                .extend(timeline_view::timeline_ui(ui, &self.picture));
        }
    }

    /// The "see why" views to show beside the figure, top to bottom.
    fn side_views(&self) -> Vec<SideView> {
        let mut views = Vec::new();
        if self.prefs.overlays.forces {
            views.push(SideView::Forces);
        }
        if self.prefs.g_vs_z {
            views.push(SideView::GvsZ);
        }
        if self.prefs.modes && self.picture.modes.is_some() {
            views.push(SideView::Modes);
        }
        views
    }

    /// The column beside the figure: each view gets an equal share of its height, or,
    /// where that would squash them (a projector), the column shows one at a time under
    /// a row of their names, the one turned on last first.
    fn side_views_ui(&mut self, ui: &mut egui::Ui, views: &[SideView], palette: theme::Palette) {
        /// Points a view needs to show its plot under its lines of text.
        const MIN_VIEW: f32 = 230.0;
        if let Some(&new) = views.iter().find(|v| !self.side_seen.contains(v)) {
            self.side_choice = Some(new);
        }
        self.side_seen = views.to_vec();
        let one_at_a_time =
            views.len() > 1 && ui.available_height() / (views.len() as f32) < MIN_VIEW;
        let chosen;
        let views = if one_at_a_time {
            let choice = self
                .side_choice
                .filter(|c| views.contains(c))
                .unwrap_or(views[0]);
            ui.horizontal(|ui| {
                for &view in views {
                    if ui
                        .selectable_label(view == choice, view.name())
                        .on_hover_text("The views do not all fit: one at a time")
                        .clicked()
                    {
                        self.side_choice = Some(view);
                    }
                }
            });
            chosen = [choice];
            &chosen[..]
        } else {
            views
        };
        let each = ui.available_height() / views.len() as f32;
        let width = ui.available_width();
        for view in views {
            let down = egui::Layout::top_down(egui::Align::Min);
            ui.allocate_ui_with_layout(egui::vec2(width, each), down, |ui| match view {
                SideView::Forces => forces_view::comparison_ui(ui, &self.picture, palette),
                SideView::GvsZ => ideal_view::g_vs_z_ui(ui, &self.picture, palette),
                SideView::Modes => modes_view::modes_ui(ui, &self.picture, palette),
            });
        }
    }

    /// The save and load windows; returns the command of one that finished.
    fn export_windows_ui(&mut self, ctx: &egui::Context) -> Option<Command> {
        let picture = &self.picture;
        let overlays = self.prefs.overlays;
        let scene_palette = self.prefs.theme.scene_palette();
        let live_svg = || {
            let mut panel = figure::live_panel(picture, overlays, &scene_palette);
            panel.title = format!(
                "iteration {}   JSD {:.4}   seed {}",
                picture.counters.iteration, picture.analysis.metrics.jsd, picture.settings.seed
            );
            crate::scene::svg::panel_svg(&panel, scene_palette.background, scene_palette.ink)
        };
        let command =
            export::export_windows_ui(ctx, &mut self.export, picture, live_svg, &scene_palette)?;
        if let Command::Load(s) = &command {
            self.draft = s.clone();
        }
        Some(command)
    }

    /// Queues the frame's commands for the worker, with what they change in the view.
    fn queue(
        &mut self,
        ctx: &egui::Context,
        mut commands: Vec<Command>,
        new_caption: Option<String>,
    ) {
        // A new run chosen while side by side is on (a preset, a file or string, Figure 1)
        // ends side by side first, so it is not refused.
        if self.picture.compare.is_some()
            && commands
                .iter()
                .any(|c| matches!(c, Command::Load(_) | Command::Figure1))
        {
            commands.insert(0, Command::Compare(None));
        }
        if commands
            .iter()
            .any(|c| matches!(c, Command::ReplayStage(_) | Command::ContinueFrom(_)))
        {
            self.tab = Tab::Live;
        }
        if !commands.is_empty() {
            ctx.request_repaint();
        }
        // A lesson plays at the pace chosen, "lecture" meaning the lesson's own.
        let lesson_pace = commands.iter().find_map(|c| match c {
            Command::Lesson(Some(lesson)) => Some(self.prefs.pace.pace(lesson.lecture_pace)),
            _ => None,
        });
        commands.extend(lesson_pace.map(Command::SetPace));
        // A preset's lesson stays up until other settings replace the model or data.
        if commands
            .iter()
            .any(|c| matches!(c, Command::Apply(_) | Command::Load(_)))
        {
            self.caption = new_caption;
        }
        self.pending.extend(commands);
    }
}

/// The red banner of a stopped run, with its two ways out.
fn divergence_banner_ui(
    ui: &mut egui::Ui,
    d: &crate::sim::Divergence,
    commands: &mut Vec<Command>,
) {
    egui::Frame::new()
        .fill(egui::Color32::from_rgb(190, 30, 30))
        .inner_margin(6.0)
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    egui::RichText::new(format!("Training stopped: {d}"))
                        .color(egui::Color32::WHITE)
                        .strong(),
                );
                if ui.button("Back to last good state").clicked() {
                    commands.push(Command::Rewind);
                }
                if ui.button("Reset").clicked() {
                    commands.push(Command::Reset);
                }
            });
        });
}

/// Once the learning-rate decay has reached 0 the run is paused: says so, with ways on.
fn schedule_end_ui(ui: &mut egui::Ui, picture: &Published, commands: &mut Vec<Command>) {
    let training = &picture.settings.training;
    if picture.playing || !training.schedule_ended(picture.counters.iteration) {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(
            egui::RichText::new(format!(
                "The learning rates have decayed to 0 at iteration {}: training is paused.",
                training.lr_decay_iters
            ))
            .strong(),
        );
        let longer = training.lr_decay_iters.saturating_mul(2);
        if ui
            .button(format!("Decay to 0 at {longer} instead"))
            .on_hover_text(
                "Doubles training.lr_decay_iters: the rates rise again and fall to 0 there",
            )
            .clicked()
        {
            commands.push(Command::SetTraining(
                crate::sim::settings::TrainingSettings {
                    lr_decay_iters: longer,
                    ..training.clone()
                },
            ));
        }
        if ui
            .button("Keep the rates constant")
            .on_hover_text("Sets training.lr_decay_iters to 0: no decay")
            .clicked()
        {
            commands.push(Command::SetTraining(
                crate::sim::settings::TrainingSettings {
                    lr_decay_iters: 0,
                    ..training.clone()
                },
            ));
        }
    });
}

/// The progress bar of a running scenario or replay, with Cancel.
fn story_progress_ui(ui: &mut egui::Ui, picture: &Published, commands: &mut Vec<Command>) {
    if let Some(worker::StoryProgress {
        fraction,
        stage,
        kind,
    }) = picture.story.running
    {
        ui.horizontal(|ui| {
            let what = match kind {
                worker::StoryKind::Replay => "Replaying",
                worker::StoryKind::Scenario => "Figure 1: capturing",
            };
            ui.add(
                egui::ProgressBar::new(fraction as f32)
                    .text(format!("{what} stage {}", stage.label()))
                    .desired_width(360.0),
            );
            if ui
                .button("Cancel")
                .on_hover_text("Stop; a cancelled Figure 1 puts the run back as it was")
                .clicked()
            {
                commands.push(Command::CancelStory);
            }
        });
    }
}

/// The process's resident set size and its peak, in MiB, from /proc/self/status (Linux;
/// `None` elsewhere).
pub fn resident_mib() -> Option<(f64, f64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .map(|kib| kib / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

#[expect(clippy::print_stdout, reason = "--stats reports on standard output")]
fn print_memory(minutes: u64, iteration: u64) {
    if let Some((rss, peak)) = resident_mib() {
        println!(
            "minute {minutes}: iteration {iteration}, RSS {rss:.1} MiB, peak RSS {peak:.1} MiB"
        );
    }
}

#[expect(clippy::print_stdout, reason = "--stats reports on standard output")]
fn print_stats(stats: &mut FrameStats, iteration: u64) {
    let times = &mut stats.frame_ms;
    times.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        times
            .get(((times.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let (since, at) = stats.warmup_done.unwrap_or((stats.started, 0));
    let rate = (iteration - at) as f64 / since.elapsed().as_secs_f64().max(1e-9);
    println!(
        "frames {}: frame CPU time p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; training {:.0} iterations/s",
        times.len(),
        pick(0.5),
        pick(0.99),
        times.last().copied().unwrap_or(0.0),
        rate
    );
    if let Some((rss, peak)) = resident_mib() {
        println!("memory at the end: RSS {rss:.1} MiB, peak RSS {peak:.1} MiB");
    }
}

impl eframe::App for GanscopeApp {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        // eframe measures each frame's CPU time (egui pass and tessellation).
        if let Some(cpu) = frame.info().cpu_usage {
            self.record_frame(ctx, Duration::from_secs_f32(cpu));
        }
        let before_run = self.picture.settings.clone();
        let before = self.picture.settings.training.clone();
        self.shortcuts(ctx);
        self.send_pending();
        if let Backend::Threaded(t) = &self.backend
            && let Some(p) = t.take()
        {
            self.picture = p;
        }
        let fresh = match (&self.picture.story.picture, &self.seen_story) {
            (Some(new), Some(old)) => !std::sync::Arc::ptr_eq(new, old),
            (Some(_), None) => true,
            _ => false,
        };
        self.played |= self.picture.playing;
        if fresh {
            self.seen_story.clone_from(&self.picture.story.picture);
            self.tab = Tab::Figure1;
        }
        // A new run from the worker (Figure 1, a replay, a loaded file) shows its settings.
        if before_run.needs_reset(&self.picture.settings) {
            self.draft = self.picture.settings.clone();
            self.share.refusals.clear();
        }
        // A live change, rewind or reset changes the training settings under the controls.
        // D's head start applies with a new run: an edit of it waits for Apply and reset.
        let now = &self.picture.settings.training;
        if *now != before {
            let pending_head_start = self.draft.training.d_pretrain_steps;
            self.draft.training = now.clone();
            if now.d_pretrain_steps == before.d_pretrain_steps {
                self.draft.training.d_pretrain_steps = pending_head_start;
            }
        }
        if self.applied_scale != self.prefs.scale {
            ctx.set_zoom_factor(self.prefs.scale);
            self.applied_scale = self.prefs.scale;
        }
        ctx.set_visuals(self.prefs.theme.visuals());
        if matches!(self.backend, Backend::Inline(_))
            && (self.picture.playing || self.picture.story.running.is_some())
        {
            ctx.request_repaint();
        }
        // eframe saves only from a frame: an idle app with unsaved settings asks for one.
        if self.saved.as_ref() != Some(&self.picture.settings) {
            ctx.request_repaint_after(self.auto_save_interval() + Duration::from_millis(500));
        }
        if self.stats.is_some() {
            // Only to notice the end of the measurement; frames otherwise come from the trainer.
            ctx.request_repaint_after(Duration::from_millis(250));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        // Taken before the side panel can switch the theme: messages and metrics keep the
        // frame's starting colours (the figure already follows the switch).
        let palette = self.prefs.theme.palette();
        // A lesson's step shows its views for the frame; the user's own come back after.
        let step = lesson_view::current_step(self.picture.lesson.as_deref()).cloned();
        let forced =
            lesson_view::force(step.as_ref(), &mut self.prefs, &mut self.presenter.metrics);
        let mut commands = Vec::new();
        let mut new_caption = None;
        egui::Panel::top("top").show(ui, |ui| {
            new_caption = self.top_panel_ui(ui, palette, &mut commands);
        });
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar_ui(ui));
        if !self.presenter.on {
            // At most two fifths of the window: the figure keeps the rest on a projector.
            let widest = (0.4 * ui.available_width()).max(200.0);
            egui::Panel::left("controls")
                .default_size(330.0_f32.min(widest))
                .size_range(180.0..=widest)
                .show(ui, |ui| commands.extend(self.side_panel_ui(ui)));
        }
        egui::CentralPanel::default_margins()
            .show(ui, |ui| commands.extend(self.central_panel_ui(ui, palette)));
        commands.extend(self.export_windows_ui(ui.ctx()));
        self.presenter.keys_ui(ui.ctx());
        lesson_view::restore(forced, &mut self.prefs, &mut self.presenter.metrics);
        self.queue(ui.ctx(), commands, new_caption);
    }

    fn auto_save_interval(&self) -> Duration {
        // Settings are small; saving often means a killed app loses little.
        Duration::from_secs(5)
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.saved = Some(self.picture.settings.clone());
        eframe::set_value(
            storage,
            eframe::APP_KEY,
            &Persisted {
                settings_toml: Some(self.picture.settings.to_toml()),
                prefs: self.prefs.clone(),
                export_folder: Some(self.export.folder.clone()),
                gif: Some((self.export.frames, self.export.fps)),
            },
        );
    }
}
