//! Presenter mode and the keyboard: one table of shortcuts read by the key handling, the
//! launch hint and the `?` overlay, so the three never disagree.

use crate::sim::check::{Range, SettingError};

/// What a shortcut does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Play or pause.
    PlayPause,
    /// One iteration (Live tab); the next panel (Figure 1 tab, one at a time).
    Forward,
    /// The previous panel (Figure 1 tab, one at a time).
    Back,
    /// One step of D alone.
    StepD,
    /// One step of G alone.
    StepG,
    /// Fresh networks, same settings.
    Reset,
    /// Presenter mode on or off.
    Presenter,
    /// The metric plots on or off.
    Metrics,
    /// The Live tab.
    LiveTab,
    /// The Figure 1 tab.
    FigureTab,
    /// The Figure 1 panels' numbers on or off.
    Numbers,
    /// Algorithm 1 in slow motion on or off.
    SlowMotion,
    /// The oracle D (Proposition 2) on or off.
    Oracle,
    /// The forces on generated samples on or off.
    Forces,
    /// The G-versus-z view on or off.
    GvsZ,
    /// Side by side: start the comparison chosen in the side panel, or leave it.
    Compare,
    /// This list on or off.
    Keys,
    /// Leave presenter mode or close this list.
    Escape,
    /// The timeline: one moment back.
    TimelineBack,
    /// The timeline: one moment forward (past the last: the live run).
    TimelineForward,
    /// The timeline: continue from the moment shown.
    Branch,
}

/// A shortcut: its key, how the list names the key, and what it does.
#[derive(Clone, Copy, Debug)]
pub struct Shortcut {
    /// The key.
    pub key: egui::Key,
    /// The key as the list shows it.
    pub name: &'static str,
    /// What it does, in a few words.
    pub does: &'static str,
    /// What it does, for the one-line hint at launch.
    pub short: &'static str,
    /// The action.
    pub action: Action,
}

const fn shortcut(
    key: egui::Key,
    name: &'static str,
    (does, short): (&'static str, &'static str),
    action: Action,
) -> Shortcut {
    Shortcut {
        key,
        name,
        does,
        short,
        action,
    }
}

/// Every shortcut, in the order the `?` list shows them.
pub const SHORTCUTS: [Shortcut; 23] = {
    use egui::Key;
    [
        shortcut(
            Key::Space,
            "Space",
            ("play or pause", "play or pause"),
            Action::PlayPause,
        ),
        shortcut(
            Key::ArrowRight,
            "right arrow",
            (
                "one iteration (Figure 1 tab: next panel; lesson: next step)",
                "one iteration",
            ),
            Action::Forward,
        ),
        shortcut(
            Key::ArrowLeft,
            "left arrow",
            (
                "Figure 1 tab: previous panel; lesson: back a step",
                "previous panel",
            ),
            Action::Back,
        ),
        // A presentation clicker sends Page Down and Page Up.
        shortcut(
            Key::PageDown,
            "Page Down",
            ("as the right arrow (a presentation clicker)", "next"),
            Action::Forward,
        ),
        shortcut(
            Key::PageUp,
            "Page Up",
            ("as the left arrow", "previous"),
            Action::Back,
        ),
        shortcut(
            Key::D,
            "D",
            ("one step of D alone", "one step of D"),
            Action::StepD,
        ),
        shortcut(
            Key::G,
            "G",
            ("one step of G alone", "one step of G"),
            Action::StepG,
        ),
        shortcut(
            Key::R,
            "R",
            ("reset: fresh networks (lesson: replay the step)", "reset"),
            Action::Reset,
        ),
        shortcut(
            Key::P,
            "P",
            (
                "presenter mode: the figure fills the window",
                "presenter mode",
            ),
            Action::Presenter,
        ),
        shortcut(
            Key::M,
            "M",
            ("metric plots on or off", "metric plots"),
            Action::Metrics,
        ),
        shortcut(Key::L, "L", ("the Live tab", "Live tab"), Action::LiveTab),
        shortcut(
            Key::F,
            "F",
            ("the Figure 1 (a)-(d) tab", "Figure 1 tab"),
            Action::FigureTab,
        ),
        shortcut(
            Key::N,
            "N",
            ("Figure 1 tab: the numbers under each panel", "numbers"),
            Action::Numbers,
        ),
        shortcut(
            Key::S,
            "S",
            (
                "Algorithm 1 in slow motion: the right arrow runs one sub-step",
                "slow motion",
            ),
            Action::SlowMotion,
        ),
        shortcut(
            Key::X,
            "X",
            (
                "forces on the generated samples x = G(z)",
                "forces on samples",
            ),
            Action::Forces,
        ),
        shortcut(
            Key::Z,
            "Z",
            (
                "the G vs z view: G(z) against the ideal map T*(z)",
                "G vs z",
            ),
            Action::GvsZ,
        ),
        shortcut(
            Key::O,
            "O",
            (
                "the oracle D: D := D* at every G step (Proposition 2)",
                "oracle D",
            ),
            Action::Oracle,
        ),
        shortcut(
            Key::C,
            "C",
            (
                "side by side: start the comparison chosen under Compare (saturation), or leave it",
                "side by side",
            ),
            Action::Compare,
        ),
        shortcut(
            Key::Comma,
            ",",
            ("timeline: one moment back", "moment back"),
            Action::TimelineBack,
        ),
        shortcut(
            Key::Period,
            ".",
            (
                "timeline: one moment forward (the end: live)",
                "moment forward",
            ),
            Action::TimelineForward,
        ),
        shortcut(
            Key::B,
            "B",
            (
                "timeline: continue from the moment shown (branch)",
                "branch here",
            ),
            Action::Branch,
        ),
        shortcut(
            Key::Questionmark,
            "?",
            ("this list", "all keys"),
            Action::Keys,
        ),
        shortcut(
            Key::Escape,
            "Esc",
            (
                "leave presenter mode, close this list",
                "leave presenter mode",
            ),
            Action::Escape,
        ),
    ]
};

/// The actions whose keys were pressed this frame, once per press (a clicker's quick
/// double press goes two panels on), in the order pressed; none while a text box has the
/// keyboard.
pub fn pressed(ctx: &egui::Context) -> Vec<Action> {
    if ctx.egui_wants_keyboard_input() {
        return Vec::new();
    }
    ctx.input(|i| {
        i.events
            .iter()
            .filter_map(|e| match e {
                // "?" arrives as shift + slash on most layouts; F1 is the usual help key.
                egui::Event::Text(t) if t == "?" => Some(Action::Keys),
                egui::Event::Key {
                    key: egui::Key::F1,
                    pressed: true,
                    ..
                } => Some(Action::Keys),
                egui::Event::Key {
                    key,
                    pressed: true,
                    modifiers,
                    ..
                } if !modifiers.command => SHORTCUTS
                    .iter()
                    .find(|s| s.key == *key && s.action != Action::Keys)
                    .map(|s| s.action),
                _ => None,
            })
            .collect()
    })
}

/// The UI scales the app accepts (the side panel's slider and `--ui-scale`).
pub const UI_SCALE: Range = Range::closed(0.75, 2.5);

/// Checks a `--ui-scale` before the window opens.
pub fn check_ui_scale(scale: f32) -> Result<(), SettingError> {
    if UI_SCALE.contains(f64::from(scale)) {
        Ok(())
    } else {
        Err(SettingError::new("--ui-scale", scale, &UI_SCALE.expected()))
    }
}

/// The view's runtime state: presenter mode, the metric plots and the key list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Presenter {
    /// The side panel hidden, the figure filling the window.
    pub on: bool,
    /// The metric plots shown (off by default in presenter mode).
    pub metrics: bool,
    /// The `?` list shown.
    pub keys: bool,
}

impl Presenter {
    /// The normal view, or presenter mode.
    pub fn new(on: bool) -> Self {
        Self {
            on,
            metrics: !on,
            keys: false,
        }
    }

    /// Turns presenter mode on or off; the metric plots follow (hidden when it starts, back
    /// when it ends).
    pub fn toggle(&mut self) {
        self.on = !self.on;
        self.metrics = !self.on;
    }

    /// The `?` list as a window in the middle, while it is open.
    pub fn keys_ui(&mut self, ctx: &egui::Context) {
        if !self.keys {
            return;
        }
        let mut open = true;
        egui::Window::new("Keys")
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                // One row a key where the window is tall enough; else (a projector at UI
                // scale 2) two keys a row in their short words, each whole on hover.
                let row = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
                let room = ctx.content_rect().height() - 4.0 * row;
                let per_row = if row * SHORTCUTS.len() as f32 <= room {
                    1
                } else {
                    2
                };
                egui::Grid::new("keys")
                    .num_columns(2 * per_row)
                    .striped(true)
                    .show(ui, |ui| {
                        for (i, s) in SHORTCUTS.iter().enumerate() {
                            ui.label(egui::RichText::new(s.name).strong());
                            if per_row == 1 {
                                ui.label(s.does);
                            } else {
                                ui.label(s.short).on_hover_text(s.does);
                            }
                            if (i + 1) % per_row == 0 {
                                ui.end_row();
                            }
                        }
                    });
                ui.label("Ctrl + and Ctrl - change the UI scale.");
            });
        self.keys &= open;
    }
}

/// The line shown until the first Play: the commonest keys.
pub fn launch_hint(presenter: bool) -> String {
    let keys: &[Action] = if presenter {
        &[Action::PlayPause, Action::Escape, Action::Keys]
    } else {
        &[
            Action::PlayPause,
            Action::Forward,
            Action::Presenter,
            Action::Keys,
        ]
    };
    // Each action by its first key (the arrows, not Page Down).
    keys.iter()
        .filter_map(|action| SHORTCUTS.iter().find(|s| s.action == *action))
        .map(|s| format!("{}: {}", s.name, s.short))
        .collect::<Vec<_>>()
        .join("    ")
}
