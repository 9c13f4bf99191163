//! The forces on generated samples beside the figure: for the samples whose pushes the
//! figure draws, the size of the push under the minimax and under the non-saturating
//! generator loss on a log axis, with both means, so §3's saturation is seen live.

use egui::RichText;
use egui_plot::{GridMark, HoverPosition, MarkerShape, Plot, PlotBounds, Points};

use super::legend::{LegendEntry, Swatch, legend_ui};
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

/// "mean |push|: minimax 0.0031, non-saturating 0.41, ratio 1:130".
pub fn summary(mean: MeanPush) -> String {
    let ratio = match mean.non_saturating_over_minimax() {
        Some(r) if r >= 1.0 => format!("ratio 1:{}", short_number(r)),
        Some(r) if r > 0.0 => format!("ratio {}:1", short_number(1.0 / r)),
        _ => "ratio -".to_owned(),
    };
    format!(
        "mean |push|: minimax {}, non-saturating {}, {ratio}",
        short_number(mean.minimax),
        short_number(mean.non_saturating)
    )
}

/// Which of the two is the run's own loss, for the heading.
fn whose(forces: &Forces, oracle: bool) -> String {
    let through = if oracle { " through D* (oracle)" } else { "" };
    match forces.loss {
        LossKind::Minimax | LossKind::NonSaturating => {
            format!("the run trains with {}{through}", forces.loss)
        }
        other => format!("the run trains with {other}; both read D's output as a logit{through}"),
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
    ui.label(RichText::new("Push on each G(z): minimax vs non-saturating").strong())
        .on_hover_text(ABOUT);
    ui.label(summary(forces.mean_push())).on_hover_text(ABOUT);
    ui.label(RichText::new(whose(forces, picture.oracle)).weak());
    let dots = |label: &str, color| LegendEntry {
        label: label.to_owned(),
        swatch: Swatch::Dots(color),
    };
    legend_ui(
        ui,
        &[
            dots("minimax", palette.reference),
            dots("non-saturating", palette.discriminator),
        ],
    );
    let minimax = log_points(&forces.x, &forces.minimax);
    let non_saturating = log_points(&forces.x, &forces.non_saturating);
    let ys = minimax.iter().chain(&non_saturating).map(|p| p[1]);
    let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
        (a.min(y), b.max(y))
    });
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (-3.0, 0.0) };
    // At least a decade and a half, so one point alone still has an axis.
    let mid = 0.5 * (lo + hi);
    let half = (0.5 * (hi - lo)).max(0.75) + 0.25;
    let (x_lo, x_hi) = (picture.view.lo, picture.view.hi);
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
            plot.points(
                Points::new("non-saturating", non_saturating)
                    .shape(MarkerShape::Diamond)
                    .filled(true)
                    .radius(3.0)
                    .color(palette.discriminator),
            );
            plot.points(
                Points::new("minimax", minimax)
                    .shape(MarkerShape::Circle)
                    .filled(true)
                    .radius(3.0)
                    .color(palette.reference),
            );
        });
}
