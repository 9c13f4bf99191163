//! "Explain this number": hovering a number shows its formula with the live values (the
//! formulas are written by [`crate::sim::readout`]); hovering the live figure at x reads
//! p_data, p_g, D and D* there and highlights the z that G maps to x.

use egui_plot::PlotPoint;

use super::figure::PanelShown;
use super::theme::color;
use super::worker::Published;
use crate::scene::{Palette, ZDirection, z_line_position};
use crate::sim::readout::{self, Readout, number};
use crate::sim::trainer::Player;

/// One part of the status line: its text and the formula its hover shows.
struct StatusPart {
    text: String,
    hover: String,
    /// Said louder: why the run paused.
    strong: bool,
}

impl StatusPart {
    fn new(text: String, hover: String) -> Self {
        Self {
            text,
            hover,
            strong: false,
        }
    }
}

/// The run's state: training, paused or diverged, and why it paused (a breakpoint), the
/// oracle D and slow motion when on.
fn state_parts(picture: &Published, parts: &mut Vec<StatusPart>) {
    let (phase, why) = if picture.divergence.is_some() {
        (
            "diverged",
            "A number became infinite or NaN: training stopped (see the banner above)",
        )
    } else if picture.playing {
        ("training", "Algorithm 1 runs continuously (Space pauses)")
    } else {
        ("paused", "Nothing trains until Play (Space) or a step")
    };
    parts.push(StatusPart::new(phase.to_owned(), why.to_owned()));
    if let Some(fired) = &picture.fired {
        parts.push(StatusPart {
            text: format!("breakpoint: {}", readout::fired_line(fired)),
            hover: readout::fired_formula(fired),
            strong: true,
        });
    }
    if picture.oracle {
        parts.push(StatusPart {
            text: "oracle D on".to_owned(),
            hover: "Proposition 2: before each G step D is replaced by\n  \
                    D*(x) = p_data(x) / (p_data(x) + p_g(x)) exactly,\n\
                    so G descends C(G) = -log 4 + 2 JSD itself; D is not trained (O)"
                .to_owned(),
            strong: true,
        });
    }
    if let Some(slow) = &picture.slow {
        let (done, of) = slow.progress;
        let text = if of > 0 {
            format!("slow motion: sub-step {done} of {of}")
        } else {
            "slow motion".to_owned()
        };
        parts.push(StatusPart {
            text,
            hover: "Algorithm 1 one sub-step at a time: Step (right arrow) runs the next, \
                    Space plays them at the chosen pace (S turns it off)"
                .to_owned(),
            strong: true,
        });
    }
}

/// The status line's parts, most important first (a narrow window drops them from the end).
fn status_parts(picture: &Published) -> Vec<StatusPart> {
    let c = picture.counters;
    let t = &picture.settings.training;
    let a = &picture.analysis;
    let m = &a.metrics;
    let mut parts = vec![StatusPart::new(
        format!("iteration {}", c.iteration),
        format!(
            "Completed iterations of Algorithm 1: each is k = {} D step(s) on a minibatch, then {} G step(s)",
            t.k, t.g_steps
        ),
    )];
    state_parts(picture, &mut parts);
    parts.push(StatusPart::new(
        format!("JSD {}", number(m.jsd)),
        format!(
            "{}\n\nTheorem 1: {}",
            readout::jsd_formula(m.jsd, Some(readout::jsd_halves(a))),
            readout::c_g_formula(m.jsd)
        ),
    ));
    parts.push(StatusPart::new(
        format!("{:.0} it/s", picture.iterations_per_second),
        "Iterations of Algorithm 1 per second, measured on the training thread \
         (the pace chosen in the controls limits it)"
            .to_owned(),
    ));
    let lr_factor = t.lr_factor(c.iteration);
    parts.push(StatusPart::new(
        format!(
            "lr D {:.2e} G {:.2e}",
            t.lr_d * lr_factor,
            t.lr_g * lr_factor
        ),
        format!(
            "{}\n\n{}",
            readout::lr_formula(t, Player::Discriminator, c.iteration),
            readout::lr_formula(t, Player::Generator, c.iteration)
        ),
    ));
    parts.push(StatusPart::new(
        format!("C(G) {:.4} (-log 4 = -1.3863)", m.c_g),
        format!(
            "The value of the game against the best D, Theorem 1; its global minimum -log 4 is reached only at p_g = p_data:\n{}",
            readout::c_g_formula(m.jsd)
        ),
    ));
    parts.push(StatusPart::new(
        format!("W1 {}", number(m.w1)),
        format!(
            "The Wasserstein-1 (earth mover's) distance between p_data and p_g:\n{}",
            readout::w1_formula(m.w1, Some(readout::w1_parts(a)))
        ),
    ));
    parts.push(StatusPart::new(
        format!("D steps {}   G steps {}", c.d_steps, c.g_steps),
        format!(
            "Parameter updates so far: D {} (k = {} per iteration, plus D's head start and single D steps), G {}",
            c.d_steps, t.k, c.g_steps
        ),
    ));
    parts
}

/// The status line: counters, state and the paper's numbers, each part with its own
/// hover. Parts that do not fit the width are left out from the end.
pub fn status_bar_ui(ui: &mut egui::Ui, picture: &Published) {
    let parts = status_parts(picture);
    let font = egui::TextStyle::Body.resolve(ui.style());
    let text_width = |text: &str| {
        ui.painter()
            .layout_no_wrap(text.to_owned(), font.clone(), egui::Color32::WHITE)
            .size()
            .x
    };
    // Parts are three spaces apart, as one line of text would have them.
    let gap = text_width("   ");
    let width = ui.available_width();
    let widths: Vec<f32> = parts.iter().map(|p| text_width(&p.text)).collect();
    let mut used = 0.0;
    let mut shown = 0;
    for (i, w) in widths.iter().enumerate() {
        let next = used + w + if i > 0 { gap } else { 0.0 };
        if next > width && i > 0 {
            break;
        }
        used = next;
        shown = i + 1;
    }
    // One text line high, as a single label would be (`horizontal` is a button high).
    let row = egui::Layout::left_to_right(egui::Align::Min);
    ui.allocate_ui_with_layout(egui::vec2(width, 0.0), row, |ui| {
        for (i, part) in parts.iter().take(shown).enumerate() {
            if i > 0 {
                ui.add_space((gap - ui.spacing().item_spacing.x).max(0.0));
            }
            let mut text = egui::RichText::new(&part.text);
            if part.strong {
                text = text.strong();
            }
            ui.add(egui::Label::new(text).truncate())
                .on_hover_text(&part.hover);
        }
    });
}

/// Seconds a still pointer keeps the figure's readout up.
pub const READOUT_REST_SECS: f32 = 3.0;

/// Hovering the live figure at x: a tooltip with p_data, p_g, D and D* there (D*'s formula
/// substituted), a line at x, and the z that map to x marked on the z line with their
/// arrows drawn bold.
pub fn figure_hover_ui(
    ui: &mut egui::Ui,
    shown: &PanelShown,
    picture: &Published,
    palette: &Palette,
) {
    let Some(pointer) = shown.hover else {
        return;
    };
    // A pointer left resting on the figure (a lecturer at a projector) must not keep a
    // readout over the curves: it goes once the pointer has been still a while.
    let still = ui.input(|i| i.pointer.time_since_last_movement());
    if still > READOUT_REST_SECS {
        return;
    }
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_secs_f32(
            READOUT_REST_SECS - still,
        ));
    let x = shown.transform.value_from_position(pointer).x;
    let reading = Readout::at(&picture.curves, &picture.ideal, x);
    let line_x = shown.transform.position_from_point_x(x);
    let line = egui::Rect::from_x_y_ranges(line_x..=line_x, shown.rect.y_range());
    highlight_ui(ui, shown, picture, palette, &reading);
    let mut tooltip = egui::Tooltip::always_open(
        ui.ctx().clone(),
        ui.layer_id(),
        egui::Id::unique("figure-readout"),
        egui::PopupAnchor::ParentRect(line),
    )
    .gap(14.0);
    // Beside the line at x (right, or left near the right edge), from the top: the point
    // being read and the z line below stay in view.
    tooltip.popup = tooltip
        .popup
        .align(egui::RectAlign::RIGHT_START)
        .align_alternatives(&[egui::RectAlign::LEFT_START]);
    tooltip.show(|ui| {
        ui.label(readout_text(&reading));
    });
}

/// The tooltip's lines, in the paper's terms.
fn readout_text(r: &Readout) -> String {
    [
        format!("x = {}", number(r.x)),
        format!(
            "p_data(x) = {}  (the data's density, dotted)",
            number(r.p_data)
        ),
        format!("p_g(x) = {}  (G's density, solid green)", number(r.p_g)),
        readout::d_line(r),
        readout::d_star_formula(r.p_data, r.p_g),
        readout::preimage_line(r),
    ]
    .join("\n")
}

/// The line at x, the curves' values on it, and each z with G(z) = x on the z line with a
/// bold arrow to x (only where the figure draws its z line).
fn highlight_ui(
    ui: &egui::Ui,
    shown: &PanelShown,
    picture: &Published,
    palette: &Palette,
    r: &Readout,
) {
    let painter = ui.painter_at(shown.rect);
    let to_screen = |x: f64, y: f64| shown.transform.position_from_point(&PlotPoint::new(x, y));
    let ink = color(palette.ink);
    let top = to_screen(r.x, 0.0);
    painter.line_segment(
        [
            egui::pos2(top.x, shown.rect.top()),
            egui::pos2(top.x, shown.rect.bottom()),
        ],
        egui::Stroke::new(1.0, ink.gamma_multiply(0.5)),
    );
    let mut dots = vec![
        (r.p_data, color(palette.ink)),
        (r.p_g, color(palette.generator)),
    ];
    if r.d_reading == crate::sim::analysis::DReading::Probability {
        dots.push((r.d, color(palette.discriminator)));
    }
    for (y, c) in dots {
        painter.circle_filled(to_screen(r.x, y), 4.0, c);
    }
    // The z line where the figure drew it (if it did).
    let Some(z_level) = shown.z_line else {
        return;
    };
    let z_to_x = z_line_position(
        picture.view,
        &picture.settings.noise,
        ZDirection::of(&picture.curves.arrows),
    );
    let arrow = color(palette.arrows);
    let stroke = egui::Stroke::new(3.0, ink);
    for &z in &r.z_preimages {
        let from = to_screen(z_to_x(z), z_level);
        painter.line_segment(
            [from, top],
            egui::Stroke::new(6.0, arrow.gamma_multiply(0.35)),
        );
        painter.line_segment([from, top], stroke);
        let dir = (top - from).normalized();
        let side = egui::vec2(-dir.y, dir.x);
        for s in [-1.0, 1.0] {
            painter.line_segment([top, top - 12.0 * dir + 5.0 * s * side], stroke);
        }
        painter.circle_filled(from, 5.0, ink);
    }
}
