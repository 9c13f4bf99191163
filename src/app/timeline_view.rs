//! The timeline under the figure: a scrub bar over the moments recorded so far (see
//! [`crate::sim::timeline`]). Dragging it shows the figure, the arrows and the metric
//! cursor at that moment while the live run waits; "Continue from here" branches the run
//! from it; the onion skin draws p_g at a few earlier moments, fading.

use std::sync::Arc;

use super::worker::{Command, Published};
use crate::scene::{Curve, Dash, P_G, Palette, Panel, Stroke};

/// p_g at an earlier moment, on the figure's grid (the x of [`Published::curves`]).
#[derive(Clone, Debug, PartialEq)]
pub struct OnionCurve {
    /// The moment's iteration count.
    pub iteration: u64,
    /// p_g there, one value per grid point.
    pub p_g: Vec<f64>,
}

/// What the UI shows of the timeline.
#[derive(Clone, Debug, Default)]
pub struct TimelinePicture {
    /// The iteration count of each recorded moment, oldest first.
    pub iterations: Arc<[u64]>,
    /// The moment shown instead of the live run, if any.
    pub scrub: Option<usize>,
    /// The iteration count of what the picture shows (the moment's, or the live run's).
    pub shown_iteration: u64,
    /// The live run's iteration count.
    pub live_iteration: u64,
    /// Whether the onion skin is on.
    pub onion_on: bool,
    /// The onion skin's earlier moments, nearest first (empty when it is off).
    pub onion: Arc<[OnionCurve]>,
    /// Bytes the moments hold.
    pub bytes: usize,
}

impl TimelinePicture {
    /// The slider's position: a moment, or one past the last for the live run.
    pub fn position(&self) -> usize {
        self.scrub.unwrap_or(self.iterations.len())
    }

    /// The command that shows the position `position` (one past the last: live), if it
    /// is not the one shown.
    pub fn go_to(&self, position: usize) -> Option<Command> {
        let position = position.min(self.iterations.len());
        (position != self.position())
            .then(|| Command::Scrub((position < self.iterations.len()).then_some(position)))
    }

    /// The command of a step of `delta` moments (`,` and `.`).
    pub fn step(&self, delta: isize) -> Option<Command> {
        (!self.iterations.is_empty()).then_some(Command::ScrubStep(delta))
    }
}

/// Where a step of `delta` moments from `scrub` goes (`None`: the live run), over moments
/// at `iterations` with the live run at `live_iteration`. A moment of the live run's own
/// iteration (the latest, when the run is paused) is the live run: the step passes over it.
pub fn step_target(
    iterations: &[u64],
    scrub: Option<usize>,
    live_iteration: u64,
    delta: isize,
) -> Option<usize> {
    let live = iterations.len();
    let is_live = |p: usize| p >= live || iterations.get(p) == Some(&live_iteration);
    let mut target = scrub.unwrap_or(live).saturating_add_signed(delta).min(live);
    if delta < 0 && scrub.is_none() && is_live(target) {
        target = target.saturating_sub(1);
    }
    (!is_live(target)).then_some(target)
}

/// Height the timeline's row takes under the figure.
pub fn row_height(ui: &egui::Ui) -> f32 {
    ui.spacing().interact_size.y + 2.0 * ui.spacing().item_spacing.y
}

/// Below this width (points) the row uses its short words (a projector at UI scale 2).
const COMPACT_BELOW: f32 = 900.0;

/// The scrub row: the slider over the moments (the right end is the live run), Back to
/// live, Continue from here and the onion skin switch; short words where the row is
/// narrow, each whole on hover. Returns the commands asked for.
pub fn timeline_ui(ui: &mut egui::Ui, picture: &Published) -> Vec<Command> {
    let t = &picture.timeline;
    let mut commands = Vec::new();
    let compact = ui.available_width() < COMPACT_BELOW;
    let words = |long: &'static str, short: &'static str| if compact { short } else { long };
    ui.horizontal(|ui| {
        let scrubbed = t.scrub.is_some();
        let name = ui.label("Timeline").on_hover_text(format!(
            "{} moments recorded ({:.1} MiB): every moment keeps G, D, their optimisers and the random state, \
             thinned as the run grows so memory stays bounded. , and . step back and forward, B branches",
            t.iterations.len(),
            t.bytes as f64 / f64::from(1 << 20)
        ));
        if ui
            .selectable_label(t.onion_on, words("Onion skin", "Onion"))
            .on_hover_text("Onion skin: p_g at four earlier moments, fading with age")
            .clicked()
        {
            commands.push(Command::SetOnionSkin(!t.onion_on));
        }
        // Right to left: the buttons and the label keep their room, the slider the rest.
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .add_enabled(scrubbed, egui::Button::new(words("Continue from here", "Branch")))
                .on_hover_text(
                    "Continue from here: the run goes on from this moment exactly as if training had stopped here; what came after it is dropped (B)",
                )
                .clicked()
            {
                commands.push(Command::ContinueFromScrub);
            }
            if ui
                .add_enabled(scrubbed, egui::Button::new(words("Back to live", "To live")))
                .on_hover_text("Back to the live run, as it was")
                .clicked()
            {
                commands.push(Command::Scrub(None));
            }
            let label = match (scrubbed, compact) {
                (true, false) => format!("iteration {} of {}", t.shown_iteration, t.live_iteration),
                (true, true) => format!("{}/{}", t.shown_iteration, t.live_iteration),
                (false, false) => format!("live, iteration {}", t.live_iteration),
                (false, true) => format!("live {}", t.live_iteration),
            };
            ui.label(egui::RichText::new(label).monospace());
            ui.spacing_mut().slider_width = (ui.available_width() - 8.0).max(40.0);
            let mut position = t.position();
            let iterations = Arc::clone(&t.iterations);
            let slider = egui::Slider::new(&mut position, 0..=t.iterations.len())
                .show_value(false)
                .custom_formatter(move |v, _| {
                    iterations
                        .get(v as usize)
                        .map_or_else(|| "live".to_owned(), ToString::to_string)
                });
            let dragged = ui
                .add_enabled(!t.iterations.is_empty(), slider)
                .labelled_by(name.id)
                .on_hover_text("Drag to see the run at an earlier moment (the run pauses); the right end is the live run");
            if dragged.changed() {
                commands.extend(t.go_to(position));
            }
        });
    });
    commands
}

/// Legend name of the onion skin's curves.
pub const ONION: &str = "p_g earlier (onion skin)";

/// Draws the onion skin into `panel`: p_g at the earlier moments, under the live p_g, the
/// older the fainter.
pub fn add_onion(panel: &mut Panel, picture: &Published, palette: &Palette) {
    let onion = &picture.timeline.onion;
    let x = &picture.curves.x;
    let top = 1.5 * panel.y_range.1;
    let at = panel
        .curves
        .iter()
        .position(|c| c.label == P_G)
        .unwrap_or(panel.curves.len());
    let curves = onion
        .iter()
        .enumerate()
        .filter(|(_, o)| o.p_g.len() == x.len())
        .map(|(j, o)| {
            let alpha = 150u8.saturating_sub(u8::try_from(35 * j).unwrap_or(u8::MAX));
            Curve {
                label: if j == 0 {
                    ONION.to_owned()
                } else {
                    String::new()
                },
                points: x
                    .iter()
                    .zip(&o.p_g)
                    .map(|(&x, &y)| [x, y.min(top)])
                    .collect(),
                stroke: Stroke {
                    color: palette.generator.alpha(alpha),
                    width: 1.5,
                    dash: Dash::Solid,
                },
            }
        })
        .collect::<Vec<_>>();
    panel.curves.splice(at..at, curves);
}

/// The metric plots' cursor: the progress of the moment shown, while one is.
pub fn cursor_progress(picture: &Published) -> Option<f64> {
    picture.timeline.scrub?;
    Some(
        picture
            .history
            .progress_of_iteration(picture.timeline.shown_iteration),
    )
}

/// The command of a timeline key (`,`, `.` and B), if it does something now.
pub fn key_command(picture: &Published, action: super::presenter::Action) -> Option<Command> {
    use super::presenter::Action;
    let t = &picture.timeline;
    match action {
        Action::TimelineBack => t.step(-1),
        Action::TimelineForward => t.step(1),
        Action::Branch => t.scrub.map(|_| Command::ContinueFromScrub),
        _ => None,
    }
}
