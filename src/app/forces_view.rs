//! The forces on generated samples beside the figure: for the samples whose pushes the
//! figure draws, the size of the push under the minimax and under the non-saturating
//! generator loss on a log axis, with both means, so §3's saturation is seen live.

use egui::RichText;
use egui_plot::{GridMark, HLine, HoverPosition, MarkerShape, Plot, PlotBounds, Points};

use super::theme::Palette;
use super::worker::Published;
use crate::scene::short_number;
use crate::sim::LossKind;
use crate::sim::forces::{Forces, MeanPush};

/// The view's tooltip, in the paper's terms.
const ABOUT: &str = "Each point is one sample x = G(z) of the minibatch whose pushes the figure draws \
(X). Its height is |dL_G/dx| there, through the current D (or D* with the oracle), under each \
generator loss, on a log axis.\n\nSection 3 of the paper: early in learning D rejects G's samples \
with high confidence, and log(1 - D(G(z))) saturates: the minimax push sigma(l) dl/dx vanishes as \
D(G(z)) -> 0. Maximising log D(G(z)) instead (non-saturating) pushes with (1 - D(G(z))) dl/dx, \
strongest exactly there. Same fixed point, much stronger gradients early on.";

/// The summary's parts: "mean |push|: ", "minimax 0.0031", ", ", "non-saturating 0.41",
/// ", ratio 1:130".
fn summary_parts(mean: MeanPush) -> [String; 5] {
    let ratio = match mean.non_saturating_over_minimax() {
        Some(r) if r >= 1.0 => format!("ratio 1:{}", short_number(r)),
        Some(r) if r > 0.0 => format!("ratio {}:1", short_number(1.0 / r)),
        _ => "ratio -".to_owned(),
    };
    [
        "mean |push|: ".to_owned(),
        format!("minimax {}", short_number(mean.minimax)),
        ", ".to_owned(),
        format!("non-saturating {}", short_number(mean.non_saturating)),
        format!(", {ratio}"),
    ]
}

/// "mean |push|: minimax 0.0031, non-saturating 0.41, ratio 1:130".
pub fn summary(mean: MeanPush) -> String {
    summary_parts(mean).concat()
}

/// The summary with each loss in its points' colour (it is the plot's legend too).
fn summary_job(ui: &egui::Ui, mean: MeanPush, palette: Palette) -> egui::text::LayoutJob {
    let [head, minimax, comma, non_saturating, ratio] = summary_parts(mean);
    let font = egui::TextStyle::Body.resolve(ui.style());
    let ink = ui.visuals().text_color();
    let mut job = egui::text::LayoutJob::default();
    for (text, color) in [
        (head, ink),
        (minimax, palette.reference),
        (comma, ink),
        (non_saturating, palette.discriminator),
        (ratio, ink),
    ] {
        job.append(&text, 0.0, egui::TextFormat::simple(font.clone(), color));
    }
    job
}

/// Which of the two is the run's own loss.
fn whose(forces: &Forces, oracle: bool) -> String {
    let through = if oracle { ", through D* (oracle)" } else { "" };
    match forces.loss {
        LossKind::Minimax | LossKind::NonSaturating => {
            format!("run's loss: {}{through}", forces.loss)
        }
        other => format!("run's loss: {other} (both read D's output as a logit){through}"),
    }
}

/// (x, log10 |push|) of the samples with a positive push.
fn log_points(x: &[f64], push: &[f64]) -> Vec<[f64; 2]> {
    x.iter()
        .zip(push)
        .filter(|(_, p)| p.is_finite() && **p != 0.0)
        .map(|(&x, p)| [x, p.abs().log10()])
        .collect()
}

/// The x range of the samples, padded, and at least a tenth of the figure's `view_width`
/// wide (so a collapsed G's samples still spread across the plot).
fn sample_range(x: &[f64], view_width: f64) -> (f64, f64) {
    let (lo, hi) = x
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    if lo > hi {
        return (0.0, 1.0);
    }
    let half = (0.55 * (hi - lo)).max(0.05 * view_width).max(1e-6);
    let mid = 0.5 * (lo + hi);
    (mid - half, mid + half)
}

/// A decade mark as a number: 0.01, 0.1, 1, 10, 100, else 1e-3.
fn decade(mark: GridMark, _range: &std::ops::RangeInclusive<f64>) -> String {
    let k = mark.value.round();
    if (mark.value - k).abs() > 1e-9 {
        return String::new();
    }
    match k as i32 {
        -2 => "0.01".to_owned(),
        -1 => "0.1".to_owned(),
        0 => "1".to_owned(),
        1 => "10".to_owned(),
        2 => "100".to_owned(),
        k => format!("1e{k}"),
    }
}

/// Push sizes under minimax and non-saturating for the displayed minibatch.
pub fn comparison_ui(ui: &mut egui::Ui, picture: &Published, palette: Palette) {
    let forces = &picture.forces;
    ui.label(RichText::new("Push on each G(z)").strong())
        .on_hover_text(ABOUT);
    ui.label(summary_job(ui, forces.mean_push(), palette))
        .on_hover_text(ABOUT);
    ui.label(RichText::new(whose(forces, picture.oracle)).weak());
    let minimax = log_points(&forces.x, &forces.minimax);
    let non_saturating = log_points(&forces.x, &forces.non_saturating);
    let ys = minimax.iter().chain(&non_saturating).map(|p| p[1]);
    // The x range is the samples' own: on the figure's whole view a collapsed G's
    // samples would be one vertical stripe.
    let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
        (a.min(y), b.max(y))
    });
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (-3.0, 0.0) };
    // At least a decade and a half, so one point alone still has an axis.
    let mid = 0.5 * (lo + hi);
    let half = (0.5 * (hi - lo)).max(0.75) + 0.25;
    let (x_lo, x_hi) = sample_range(&forces.x, picture.view.hi - picture.view.lo);
    let mean = forces.mean_push();
    let log_mean = |m: f64| (m > 0.0 && m.is_finite()).then(|| m.log10());
    Plot::new("forces comparison")
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .show_crosshair(false)
        .y_axis_label("|push|")
        .x_axis_label("x")
        .y_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 1.0, 1.0]))
        .y_axis_formatter(decade)
        .label_formatter(|pos| {
            let (name, p) = match pos {
                HoverPosition::NearDataPoint {
                    plot_name,
                    position,
                    ..
                } => (*plot_name, position),
                HoverPosition::Elsewhere { position } => ("", position),
            };
            Some(format!(
                "{name}\nx = {:.3}\n|push| = {}",
                p.x,
                short_number(10f64.powf(p.y))
            ))
        })
        .show(ui, |plot| {
            plot.set_plot_bounds(PlotBounds::from_min_max(
                [x_lo, mid - half],
                [x_hi, mid + half],
            ));
            // The means as dashed lines, the samples as points: hollow diamonds over
            // filled dots, so equal pushes (an untrained D) show both.
            for (name, m, color) in [
                ("mean, minimax", mean.minimax, palette.reference),
                (
                    "mean, non-saturating",
                    mean.non_saturating,
                    palette.discriminator,
                ),
            ] {
                if let Some(y) = log_mean(m) {
                    plot.hline(
                        HLine::new(name, y)
                            .color(color)
                            .style(egui_plot::LineStyle::Dashed { length: 8.0 }),
                    );
                }
            }
            plot.points(
                Points::new("minimax", minimax)
                    .shape(MarkerShape::Circle)
                    .filled(true)
                    .radius(2.5)
                    .color(palette.reference),
            );
            plot.points(
                Points::new("non-saturating", non_saturating)
                    .shape(MarkerShape::Diamond)
                    .filled(false)
                    .radius(4.0)
                    .color(palette.discriminator),
            );
        });
}
