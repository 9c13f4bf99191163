//! Figure 1 of the paper, live: p_data black dotted, p_g green solid, D blue dashed, the
//! x line with the z line below it and an arrow from each z up to G(z).

use egui_plot::{
    Arrows, Bar, BarChart, Corner, Legend, Line, LineStyle, MarkerShape, Plot, PlotBounds, Points,
    Text,
};

use super::theme::Palette;
use super::worker::Published;
use crate::sim::analysis::{density_histogram, z_line};

/// Which optional layers the figure shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Overlays {
    /// The optimal discriminator D*.
    pub d_star: bool,
    /// A histogram of a minibatch of generated samples.
    pub histogram: bool,
    /// A minibatch of real samples as ticks on the x line.
    pub real_samples: bool,
    /// The z line and the z → x arrows.
    pub arrows: bool,
}

impl Default for Overlays {
    fn default() -> Self {
        Self {
            d_star: true,
            histogram: false,
            real_samples: false,
            arrows: true,
        }
    }
}

/// Draws the figure into the available space.
pub fn figure_ui(ui: &mut egui::Ui, picture: &Published, overlays: Overlays, palette: Palette) {
    let curves = &picture.curves;
    let (x_lo, x_hi) = picture.view;
    let peak_data = curves.p_data.iter().copied().fold(0.0, f64::max);
    let peak_g = curves.p_g.iter().copied().fold(0.0, f64::max);
    // D lives on [0, 1]; densities share the axis as in the paper. A spike in p_g may not
    // flatten the data: the axis stops at three times the data's peak.
    let y_hi = 1.1_f64
        .max(1.15 * peak_data)
        .max((1.15 * peak_g).min(3.0 * peak_data.max(0.4)));
    let z_level = -0.32 * y_hi;
    let y_lo = if overlays.arrows {
        z_level - 0.12 * y_hi
    } else {
        -0.08 * y_hi
    };

    let series = |ys: &[f64]| -> Vec<[f64; 2]> {
        curves
            .x
            .iter()
            .zip(ys)
            .map(|(&x, &y)| [x, y.min(y_hi * 1.5)])
            .collect()
    };
    Plot::new("figure1")
        .legend(Legend::default().position(Corner::LeftTop))
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .show_grid(false)
        .y_axis_label("density, D(x)")
        .show(ui, |plot| {
            plot.set_plot_bounds(PlotBounds::from_min_max([x_lo, y_lo], [x_hi, y_hi]));
            if overlays.histogram && !picture.generated.is_empty() {
                plot.bar_chart(histogram(&picture.generated, (x_lo, x_hi), palette));
            }
            plot.line(
                Line::new("p_data", series(&curves.p_data))
                    .color(palette.ink)
                    .width(2.5)
                    .style(LineStyle::Dotted { spacing: 6.0 }),
            );
            plot.line(
                Line::new("p_g", series(&curves.p_g))
                    .color(palette.generator)
                    .width(2.5),
            );
            plot.line(
                Line::new("D(x)", series(&curves.d))
                    .color(palette.discriminator)
                    .width(2.5)
                    .style(LineStyle::Dashed { length: 10.0 }),
            );
            if overlays.d_star {
                plot.line(
                    Line::new("D*(x) = p_data/(p_data + p_g)", series(&curves.d_star))
                        .color(palette.optimal)
                        .width(1.5)
                        .style(LineStyle::Dashed { length: 4.0 }),
                );
            }
            if overlays.real_samples && !picture.real.is_empty() {
                let ticks: Vec<[f64; 2]> =
                    picture.real.iter().map(|&x| [x, -0.03 * y_hi]).collect();
                plot.points(
                    Points::new("data samples", ticks)
                        .shape(MarkerShape::Up)
                        .radius(3.0)
                        .color(palette.real),
                );
            }
            if overlays.arrows {
                // The x line, the z line, and x = G(z) for evenly spaced z.
                let axis = |name: &str, y: f64| {
                    Line::new(name, vec![[x_lo, y], [x_hi, y]])
                        .color(palette.ink)
                        .width(1.0)
                };
                plot.line(axis("", 0.0));
                let pairs = &curves.arrows;
                let (z_lo, z_hi) = z_line(&picture.settings.noise);
                let left = x_lo + 0.1 * (x_hi - x_lo);
                let right = x_hi - 0.1 * (x_hi - x_lo);
                let z_to_screen = |z: f64| left + (z - z_lo) / (z_hi - z_lo) * (right - left);
                plot.line(
                    Line::new("", vec![[left, z_level], [right, z_level]])
                        .color(palette.ink)
                        .width(1.0),
                );
                let origins: Vec<[f64; 2]> = pairs
                    .iter()
                    .map(|&(z, _)| [z_to_screen(z), z_level])
                    .collect();
                let tips: Vec<[f64; 2]> = pairs
                    .iter()
                    .map(|&(_, x)| [x.clamp(x_lo, x_hi), 0.0])
                    .collect();
                plot.arrows(
                    Arrows::new("x = G(z)", origins, tips)
                        .color(palette.arrows)
                        .tip_length(5.0),
                );
                plot.text(
                    Text::new(
                        "",
                        [left - 0.03 * (x_hi - x_lo), z_level].into(),
                        egui::RichText::new("z").size(20.0).italics(),
                    )
                    .color(palette.ink),
                );
                plot.text(
                    Text::new(
                        "",
                        [x_lo + 0.02 * (x_hi - x_lo), -0.06 * y_hi].into(),
                        egui::RichText::new("x").size(20.0).italics(),
                    )
                    .color(palette.ink),
                );
            }
        });
}

/// The generated samples' histogram (40 bins across the view) as a bar chart.
fn histogram(samples: &[f64], range: (f64, f64), palette: Palette) -> BarChart {
    let (centres, heights) = density_histogram(samples, range, 40);
    let width = (range.1 - range.0) / 40.0;
    let bars = centres
        .iter()
        .zip(heights)
        .map(|(&x, h)| Bar::new(x, h).width(width).fill(palette.histogram))
        .collect();
    BarChart::new("samples of G (histogram)", bars).color(palette.histogram)
}
