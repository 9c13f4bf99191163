//! The metrics panel: small plots over iterations, sharing the x axis and the cursor, so
//! hovering one reads the same moment in all.

use egui_plot::{HLine, Legend, Line, LineStyle, Plot};

use super::history::Row;
use super::theme::Palette;
use super::worker::Published;

/// −log 4, the global minimum of C(G) (Theorem 1).
const MINUS_LOG4: f64 = -1.386_294_361_119_890_6;

/// One line of a plot: its legend name and the number it reads from a row.
struct Series {
    name: &'static str,
    value: fn(&Row) -> f64,
}

/// Which record a plot reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// Every chunk's minibatch numbers.
    Minibatch,
    /// The exact metrics of each published picture.
    Exact,
}

/// The dashed reference lines a plot draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reference {
    /// None.
    Nothing,
    /// −log 4, C(G)'s global minimum.
    MinusLog4,
    /// The target's mean and std, which p_g's should reach.
    TargetMoments,
}

/// One small plot of the metrics panel.
struct MetricPlot {
    title: &'static str,
    source: Source,
    series: &'static [Series],
    reference: Reference,
}

const fn series(name: &'static str, value: fn(&Row) -> f64) -> Series {
    Series { name, value }
}

/// The plots, in grid order.
const PLOTS: [MetricPlot; 6] = [
    MetricPlot {
        title: "minibatch losses",
        source: Source::Minibatch,
        series: &[
            series("D loss", |r| r.d_loss),
            series("G loss", |r| r.g_loss),
        ],
        reference: Reference::Nothing,
    },
    MetricPlot {
        title: "V(D, G) and C(G)",
        source: Source::Exact,
        series: &[series("V(D, G)", |r| r.value), series("C(G)", |r| r.c_g)],
        reference: Reference::MinusLog4,
    },
    MetricPlot {
        title: "JSD(p_data || p_g)",
        source: Source::Exact,
        series: &[series("JSD", |r| r.jsd)],
        reference: Reference::Nothing,
    },
    MetricPlot {
        title: "Wasserstein-1",
        source: Source::Exact,
        series: &[series("W1", |r| r.w1)],
        reference: Reference::Nothing,
    },
    MetricPlot {
        title: "p_g mean and std",
        source: Source::Exact,
        series: &[series("mean", |r| r.p_g_mean), series("std", |r| r.p_g_std)],
        reference: Reference::TargetMoments,
    },
    MetricPlot {
        title: "gradient norms",
        source: Source::Minibatch,
        series: &[
            series("|grad D|", |r| r.d_grad),
            series("|grad G|", |r| r.g_grad),
        ],
        reference: Reference::Nothing,
    },
];

/// Draws the metric plots in a grid filling the available space.
pub fn metrics_ui(ui: &mut egui::Ui, picture: &Published, palette: Palette) {
    let link = ui.scope_id().with("metrics-link");
    let columns = 3;
    let spacing = ui.spacing().item_spacing;
    let width = (ui.available_width() - spacing.x * (columns as f32 - 1.0)) / columns as f32;
    let height =
        (ui.available_height() - spacing.y) / 2.0 - ui.text_style_height(&egui::TextStyle::Body);
    egui::Grid::new("metrics-grid")
        .spacing(spacing)
        .show(ui, |ui| {
            for (i, plot) in PLOTS.iter().enumerate() {
                ui.vertical(|ui| {
                    ui.label(egui::RichText::new(plot.title).strong());
                    Plot::new(plot.title)
                        .width(width)
                        .height(height.max(60.0))
                        .legend(Legend::default())
                        .link_axis(link, [true, false])
                        .link_cursor(link, [true, false])
                        .show(ui, |plot_ui| plot_lines_ui(plot_ui, plot, picture, palette));
                });
                if i % columns == columns - 1 {
                    ui.end_row();
                }
            }
        });
}

/// One plot's series and reference lines.
fn plot_lines_ui(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    plot: &MetricPlot,
    picture: &Published,
    palette: Palette,
) {
    let rows = match plot.source {
        Source::Minibatch => picture.minibatch_history.rows(),
        Source::Exact => picture.history.rows(),
    };
    let colors = [palette.discriminator, palette.generator];
    for (j, series) in plot.series.iter().enumerate() {
        // A loss that does not exist yet (NaN before the first step) is not drawn.
        let points: Vec<[f64; 2]> = rows
            .iter()
            .map(|r| [r.iteration, (series.value)(r)])
            .filter(|[_, y]| y.is_finite())
            .collect();
        let color = if plot.series.len() == 1 {
            palette.ink
        } else {
            colors[j % 2]
        };
        plot_ui.line(Line::new(series.name, points).color(color).width(1.5));
    }
    let dashed = |name: &str, y: f64| {
        HLine::new(name, y)
            .color(palette.reference)
            .style(LineStyle::Dashed { length: 6.0 })
    };
    match plot.reference {
        Reference::Nothing => {}
        Reference::MinusLog4 => plot_ui.hline(dashed("-log 4", MINUS_LOG4)),
        Reference::TargetMoments => {
            let m = &picture.analysis.metrics;
            plot_ui.hline(dashed("target mean", m.data_mean));
            plot_ui.hline(dashed("target std", m.data_std));
        }
    }
}
