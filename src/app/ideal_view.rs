//! The G vs z view: the learned G(z) against the ideal map T*(z) = F_data⁻¹(F_z(z)) that
//! makes p_g = p_data exactly, with G's folds shaded and the mass G misplaces. Everything
//! drawn comes from [`crate::sim::ideal::IdealView`]; this file only formats and draws it.

use egui::{Color32, RichText};
use egui_plot::{Line, LineStyle, Plot, PlotBounds, Span};

use super::legend::{LegendEntry, Swatch, legend_ui};
use super::theme::Palette;
use super::worker::Published;
use crate::scene::Dash;
use crate::sim::ideal::{Direction, EMPTY_DENSITY, IdealView};

/// What the view's heading says on hover, in the paper's terms.
const TOOLTIP: &str = "Section 4: p_g = p_data is the global optimum of C(G). In one dimension \
     the increasing map that reaches it is T*(z) = F_data^-1(F_z(z)): it pushes p_z onto \
     p_data exactly. Where the green G(z) leaves the dotted T*(z), p_g differs from p_data; \
     shaded z intervals are folds, where G runs back and several z land on one x. The \
     misplaced mass is the integral of max(0, p_g - p_data) over the x where p_data is below \
     1e-3 of its peak (plus any p_g beyond the analysis grid): mass G puts where T* puts \
     essentially none. A decreasing G can still make p_g = p_data, as the mirror map \
     F_data^-1(1 - F_z(z)). Z shows or hides this view.";

/// The line style of the mirror map: fainter and sparser than T*.
const MIRROR_DOTS: f32 = 9.0;

/// Below this width (points) the view uses short labels: a projector at UI scale 2 gives
/// the column about 220.
pub const COMPACT_WIDTH: f32 = 320.0;

/// G(z) against the ideal map T*(z): its legend, numbers and plot, filling the space given.
pub fn g_vs_z_ui(ui: &mut egui::Ui, picture: &Published, palette: Palette) {
    let view = picture.ideal.as_ref();
    let compact = ui.available_width() < COMPACT_WIDTH;
    let heading = if compact {
        "G vs z"
    } else {
        "G vs z: G against the ideal generator T*"
    };
    ui.label(RichText::new(heading).strong())
        .on_hover_text(TOOLTIP);
    if view.z.is_empty() {
        ui.label("No G to draw yet.");
        return;
    }
    let decreasing = view.direction == Some(Direction::Decreasing);
    legend_ui(
        ui,
        &entries(palette, decreasing, !view.folds.is_empty(), compact),
    );
    numbers_ui(ui, view, compact);
    plot_ui(ui, picture, palette);
}

/// The colour of the mirror map: the ink, faint.
fn mirror_color(palette: Palette) -> Color32 {
    palette.ink.gamma_multiply(0.45)
}

/// The colour of a fold's shading.
fn fold_fill(palette: Palette) -> Color32 {
    palette.reference.gamma_multiply(0.18)
}

/// The legend: G, T*, the mirror map when G decreases, folds when there are any.
fn entries(palette: Palette, decreasing: bool, folds: bool, compact: bool) -> Vec<LegendEntry> {
    let t_star = if compact {
        "T*(z)"
    } else {
        "T*(z) = F_data^-1(F_z(z))"
    };
    let mut out = vec![
        LegendEntry {
            label: "G(z)".to_owned(),
            swatch: Swatch::Line {
                color: palette.generator,
                width: 2.5,
                dash: Dash::Solid,
            },
        },
        LegendEntry {
            label: t_star.to_owned(),
            swatch: Swatch::Line {
                color: palette.ink,
                width: 2.5,
                dash: Dash::Dotted { spacing: 6 },
            },
        },
    ];
    if decreasing {
        out.push(LegendEntry {
            label: if compact { "mirror" } else { "mirror of T*" }.to_owned(),
            swatch: Swatch::Line {
                color: mirror_color(palette),
                width: 2.0,
                dash: Dash::Dotted { spacing: 9 },
            },
        });
    }
    if folds {
        out.push(LegendEntry {
            label: if compact { "fold" } else { "fold of G" }.to_owned(),
            swatch: Swatch::Bar(fold_fill(palette)),
        });
    }
    out
}

/// A mass as a percentage, readable however small.
fn percent(mass: f64) -> String {
    let p = 100.0 * mass;
    if p == 0.0 {
        "0 %".to_owned()
    } else if p >= 0.01 {
        format!("{p:.2} %")
    } else {
        format!("{p:.1e} %")
    }
}

/// The misplaced mass, the largest gaps and the folds: one line each, or (compact) the
/// numbers alone with their definitions on hover.
fn numbers_ui(ui: &mut egui::Ui, view: &IdealView, compact: bool) {
    let misplaced = percent(view.misplaced_mass);
    let gap = view.max_gap();
    let mirror = view.max_gap_to_mirror();
    let folds: Vec<String> = view
        .folds
        .iter()
        .map(|(a, b)| format!("[{a:.2}, {b:.2}]"))
        .collect();
    let definition = format!(
        "misplaced mass: the integral of max(0, p_g - p_data) over the x where p_data < \
         {EMPTY_DENSITY:.0e} of its peak, plus any p_g beyond the analysis grid. max |G - T*|: \
         the largest gap between G(z) and T*(z) over the z line{}",
        if mirror.is_some() {
            "; mirror = F_data^-1(1 - F_z(z)), the decreasing map with p_g = p_data"
        } else {
            ""
        }
    );
    let mut lines = Vec::new();
    if compact {
        let mut line = format!("misplaced {misplaced}, max |G - T*| {gap:.2}");
        if let Some(mirror) = mirror {
            line += &format!(", |G - mirror| {mirror:.2}");
        }
        lines.push(line);
    } else {
        // One short line each, the definitions on hover: the plot keeps the height.
        lines.push(format!(
            "misplaced mass {misplaced}   max |G - T*| = {gap:.3}"
        ));
        if let Some(mirror) = mirror {
            lines.push(format!("G decreases: max |G - mirror| = {mirror:.3}"));
        }
    }
    if !folds.is_empty() {
        let s = if folds.len() == 1 { "" } else { "s" };
        lines.push(format!(
            "{} fold{s} at z in {}",
            folds.len(),
            folds.join(", ")
        ));
    }
    for line in lines {
        ui.label(line).on_hover_text(&definition);
    }
}

/// x over z: G solid green, T* dotted ink, the mirror map faint, folds shaded.
fn plot_ui(ui: &mut egui::Ui, picture: &Published, palette: Palette) {
    let view = picture.ideal.as_ref();
    let (z_lo, z_hi) = match (view.z.first(), view.z.last()) {
        (Some(&lo), Some(&hi)) if hi > lo => (lo, hi),
        _ => return,
    };
    // The figure's x range, widened to hold all of G: the two plots read alike.
    let (x_lo, x_hi) = view
        .g
        .iter()
        .filter(|x| x.is_finite())
        .fold((picture.view.lo, picture.view.hi), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    let pad = 0.04 * (x_hi - x_lo).max(1e-9);
    let points = |xs: &[f64]| -> Vec<[f64; 2]> {
        view.z
            .iter()
            .zip(xs)
            .filter(|(_, x)| x.is_finite())
            .map(|(&z, &x)| [z, x.clamp(x_lo - 2.0 * pad, x_hi + 2.0 * pad)])
            .collect()
    };
    Plot::new("g_vs_z")
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .show_crosshair(false)
        .show_grid(false)
        .x_axis_label("z")
        .y_axis_label("x")
        .show(ui, |plot| {
            plot.set_plot_bounds(PlotBounds::from_min_max(
                [z_lo, x_lo - pad],
                [z_hi, x_hi + pad],
            ));
            for &(a, b) in &view.folds {
                plot.span(
                    Span::new("", a.min(b)..=a.max(b))
                        .fill(fold_fill(palette))
                        .border_width(0.0),
                );
            }
            if !view.mirror.is_empty() {
                plot.line(
                    Line::new("mirror", points(&view.mirror))
                        .color(mirror_color(palette))
                        .width(2.0)
                        .style(LineStyle::Dotted {
                            spacing: MIRROR_DOTS,
                        }),
                );
            }
            plot.line(
                Line::new("T*(z)", points(&view.t_star))
                    .color(palette.ink)
                    .width(2.5)
                    .style(LineStyle::Dotted { spacing: 6.0 }),
            );
            plot.line(
                Line::new("G(z)", points(&view.g))
                    .color(palette.generator)
                    .width(2.5),
            );
        });
}
