//! The metrics panel: small plots over iterations, sharing the x axis and the cursor, so
//! hovering one reads the same moment in all.

use egui_plot::{HLine, Legend, Line, LineStyle, Plot};

use super::history::Row;
use super::theme::Palette;
use super::worker::Published;

/// −log 4, the global minimum of C(G) (Theorem 1).
const MINUS_LOG4: f64 = -1.386_294_361_119_890_6;

type Series = (&'static str, fn(&Row) -> f64);

/// The plots, each with its series (the first two from the minibatch record).
const PANELS: [(&str, &[Series]); 6] = [
    (
        "minibatch losses",
        &[("D loss", |r| r.d_loss), ("G loss", |r| r.g_loss)],
    ),
    (
        "V(D, G) and C(G)",
        &[("V(D, G)", |r| r.value), ("C(G)", |r| r.c_g)],
    ),
    ("JSD(p_data || p_g)", &[("JSD", |r| r.jsd)]),
    ("Wasserstein-1", &[("W1", |r| r.w1)]),
    (
        "p_g mean and std",
        &[("mean", |r| r.p_g_mean), ("std", |r| r.p_g_std)],
    ),
    (
        "gradient norms",
        &[("|grad D|", |r| r.d_grad), ("|grad G|", |r| r.g_grad)],
    ),
];

/// Draws the metric plots in a grid filling the available space.
pub fn metrics_ui(ui: &mut egui::Ui, picture: &Published, palette: Palette) {
    let exact = picture.history.rows();
    let minibatch = picture.minibatch_history.rows();
    let link = ui.scope_id().with("metrics-link");
    let columns = 3;
    let spacing = ui.spacing().item_spacing;
    let width = (ui.available_width() - spacing.x * (columns as f32 - 1.0)) / columns as f32;
    let height =
        (ui.available_height() - spacing.y) / 2.0 - ui.text_style_height(&egui::TextStyle::Body);
    egui::Grid::new("metrics-grid")
        .spacing(spacing)
        .show(ui, |ui| {
            for (i, (title, series)) in PANELS.iter().enumerate() {
                ui.vertical(|ui| {
                    ui.label(egui::RichText::new(*title).strong());
                    let colors = [palette.discriminator, palette.generator];
                    Plot::new(*title)
                        .width(width)
                        .height(height.max(60.0))
                        .legend(Legend::default())
                        .link_axis(link, [true, false])
                        .link_cursor(link, [true, false])
                        .show(ui, |plot| {
                            let rows = if matches!(*title, "minibatch losses" | "gradient norms") {
                                minibatch
                            } else {
                                exact
                            };
                            for (j, (name, get)) in series.iter().enumerate() {
                                let points: Vec<[f64; 2]> =
                                    rows.iter().map(|r| [r.iteration, get(r)]).collect();
                                let color = if series.len() == 1 {
                                    palette.ink
                                } else {
                                    colors[j % 2]
                                };
                                plot.line(Line::new(*name, points).color(color).width(1.5));
                            }
                            match *title {
                                "V(D, G) and C(G)" => plot.hline(
                                    HLine::new("-log 4", MINUS_LOG4)
                                        .color(palette.reference)
                                        .style(LineStyle::Dashed { length: 6.0 }),
                                ),
                                "p_g mean and std" => {
                                    let m = &picture.analysis.metrics;
                                    for (name, v) in
                                        [("target mean", m.data_mean), ("target std", m.data_std)]
                                    {
                                        plot.hline(
                                            HLine::new(name, v)
                                                .color(palette.reference)
                                                .style(LineStyle::Dashed { length: 6.0 }),
                                        );
                                    }
                                }
                                _ => {}
                            }
                        });
                });
                if i % columns == columns - 1 {
                    ui.end_row();
                }
            }
        });
}
