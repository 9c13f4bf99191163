//! Mode coverage beside the figure, for mixture targets: a bar per mode of p_g's exact
//! mass there with the data's weight w_i beside it, and §6's alarm when a mode holds
//! under a fifth of its weight. The masses are [`crate::sim::coverage`]'s (posterior
//! responsibilities), read from the published picture.

use egui::{Color32, RichText, Sense, Stroke, Vec2};

use super::legend::{LegendEntry, Swatch, legend_ui};
use super::theme::Palette;
use super::worker::Published;
use crate::sim::coverage::{LOST_SHARE, ModeMass};

/// What the heading says on hover, in the paper's terms.
const TOOLTIP: &str = "Section 6, the Helvetica scenario: a G that maps too many z to the \
     same x leaves modes of p_data with almost none of p_g. For p_data = sum_i w_i \
     N(mu_i, sigma_i^2), mode i gets the exact p_g mass integral p_g(x) r_i(x) dx, where \
     r_i(x) = w_i N(x; mu_i, sigma_i^2) / p_data(x) shares each x between the modes (so the \
     masses sum to 1 and equal the weights w_i when p_g = p_data). The alarm: a mode holding \
     under a fifth of its weight. Coverage is not fit: JSD says how far p_g is from p_data.";

/// The grey of the data-weight bars: the ink, faint.
fn weight_fill(palette: Palette) -> Color32 {
    palette.ink.gamma_multiply(0.35)
}

/// A bar per mode with its data weight, and the alarm for any lost mode.
pub fn modes_ui(ui: &mut egui::Ui, picture: &Published, palette: Palette) {
    let Some(modes) = picture.modes.as_deref() else {
        return;
    };
    egui::ScrollArea::vertical()
        .id_salt("modes")
        .auto_shrink([false, true])
        .show(ui, |ui| {
            let compact = ui.available_width() < super::ideal_view::COMPACT_WIDTH;
            let heading = if compact {
                "Mode coverage"
            } else {
                "Mode coverage: p_g's mass per mode"
            };
            ui.label(RichText::new(heading).strong())
                .on_hover_text(TOOLTIP);
            // The alarm first: at a projector it is the line that matters.
            alarm_ui(ui, modes);
            legend_ui(
                ui,
                &[
                    LegendEntry {
                        label: "p_g mass".to_owned(),
                        swatch: Swatch::Bar(palette.generator),
                    },
                    LegendEntry {
                        label: "weight w_i".to_owned(),
                        swatch: Swatch::Bar(weight_fill(palette)),
                    },
                ],
            );
            let scale = modes
                .iter()
                .flat_map(|m| [m.mass, m.weight])
                .fold(0.0, f64::max)
                .max(1e-12);
            for (i, mode) in modes.iter().enumerate() {
                mode_ui(ui, i, mode, scale, palette);
            }
        });
}

/// A number short: one decimal when that is exact (2.0, -1.5), else up to three.
fn short(v: f64) -> String {
    let one = format!("{v:.1}");
    if (one.parse::<f64>().unwrap_or(f64::NAN) - v).abs() < 1e-12 {
        one
    } else {
        let text = format!("{v:.3}");
        text.trim_end_matches('0').to_owned()
    }
}

/// A mass: two decimals, or exponent form when under 0.01.
fn mass_text(mass: f64) -> String {
    if mass != 0.0 && mass.abs() < 0.01 {
        format!("{mass:.1e}")
    } else {
        format!("{mass:.2}")
    }
}

/// The alarm's threshold in words: "a fifth" ([`LOST_SHARE`]).
fn share_words() -> String {
    if (LOST_SHARE - 0.2).abs() < 1e-12 {
        "a fifth".to_owned()
    } else {
        format!("{LOST_SHARE} x")
    }
}

/// The red line of each lost mode.
fn alarm_ui(ui: &mut egui::Ui, modes: &[ModeMass]) {
    for (i, m) in modes.iter().enumerate().filter(|(_, m)| m.is_lost()) {
        let text = format!(
            "Mode {} (mean {}) lost: p_g puts {} there, under {} of its weight {} (section 6, the Helvetica scenario)",
            i + 1,
            short(m.mean),
            mass_text(m.mass),
            share_words(),
            short(m.weight),
        );
        ui.label(
            RichText::new(text)
                .color(Color32::from_rgb(220, 30, 30))
                .strong(),
        );
    }
}

/// One mode: its name and numbers, then the p_g bar over the data-weight bar.
fn mode_ui(ui: &mut egui::Ui, i: usize, mode: &ModeMass, scale: f64, palette: Palette) {
    let label = format!(
        "mode {} (mean {}): p_g {}, w {}",
        i + 1,
        short(mode.mean),
        mass_text(mode.mass),
        short(mode.weight)
    );
    let text = if mode.is_lost() {
        RichText::new(label).color(Color32::from_rgb(220, 30, 30))
    } else {
        RichText::new(label)
    };
    ui.label(text).on_hover_text(format!(
        "mode {}: N(mean {}, sd {}) with weight w = {}; p_g gives it {:.4}, {:.0} % of its weight",
        i + 1,
        short(mode.mean),
        short(mode.std),
        short(mode.weight),
        mode.mass,
        100.0 * mode.share()
    ));
    let height = 0.7 * ui.text_style_height(&egui::TextStyle::Body);
    for (value, fill) in [
        (mode.mass, palette.generator),
        (mode.weight, weight_fill(palette)),
    ] {
        let (rect, _) =
            ui.allocate_exact_size(Vec2::new(ui.available_width(), height), Sense::hover());
        if ui.is_rect_visible(rect) {
            let width = rect.width() * (value / scale).clamp(0.0, 1.0) as f32;
            let bar = egui::Rect::from_min_size(rect.min, Vec2::new(width, rect.height()));
            ui.painter().rect_filled(bar, 0.0, fill);
            // The row's full length, so an empty bar still shows where it would be.
            ui.painter().rect_stroke(
                rect,
                0.0,
                Stroke::new(1.0, palette.ink.gamma_multiply(0.25)),
                egui::StrokeKind::Inside,
            );
        }
    }
    ui.add_space(4.0);
}
