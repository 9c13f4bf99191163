//! Figure 1 of the paper, live: draws a [`Panel`] of the shared figure description (the
//! same one the PNG, SVG and GIF exports draw) with egui_plot.

use egui_plot::{
    Arrows, Bar, BarChart, Line, LineStyle, MarkerShape, Plot, PlotBounds, Points, Text,
};

use super::theme::color;
use super::worker::Published;
use crate::scene::{
    Dash, MarkShape, Overlays, Palette, Panel, PanelInput, SlowInput, figure1_panel,
};

/// The live view's panel for a published picture: with the forces on its samples (when
/// [`Overlays::forces`] is on), D* as D under the oracle, and slow motion's sub-step.
pub fn live_panel(picture: &Published, overlays: Overlays, palette: &Palette) -> Panel {
    let slow = picture.slow.as_ref().and_then(|slow| {
        slow.last.as_deref().map(|step| SlowInput {
            step,
            before: slow.before.as_deref(),
        })
    });
    figure1_panel(
        &PanelInput {
            generated: &picture.generated,
            real: &picture.real,
            forces: Some(&picture.forces),
            d_is_oracle: picture.oracle,
            slow,
            ..PanelInput::new(&picture.curves, picture.view, &picture.settings.noise)
        },
        overlays,
        palette,
    )
}

/// Where a drawn panel is: its plot area, its data-to-screen mapping and whether the
/// pointer is over it.
#[derive(Clone, Copy, Debug)]
pub struct PanelShown {
    /// The plot area inside the axes.
    pub rect: egui::Rect,
    /// Data coordinates to screen points and back.
    pub transform: egui_plot::PlotTransform,
    /// The pointer's position over the plot area, if it is there.
    pub hover: Option<egui::Pos2>,
    /// The height of the z line in plot units, if the panel draws it.
    pub z_line: Option<f64>,
}

/// Draws the live figure into the available space; returns where its plot area is.
pub fn figure_ui(
    ui: &mut egui::Ui,
    picture: &Published,
    overlays: Overlays,
    palette: &Palette,
) -> PanelShown {
    let mut panel = live_panel(picture, overlays, palette);
    super::timeline_view::add_onion(&mut panel, picture, palette);
    panel_shown_ui(ui, "figure1", &panel, true)
}

/// egui_plot's style for a scene dash pattern.
pub fn line_style(dash: Dash) -> LineStyle {
    match dash {
        Dash::Solid => LineStyle::Solid,
        Dash::Dotted { spacing } => LineStyle::Dotted {
            spacing: f32::from(spacing),
        },
        Dash::Dashed { length } => LineStyle::Dashed {
            length: f32::from(length),
        },
    }
}

/// Draws `panel` with egui_plot (fixed bounds, no zoom or drag) under its legend, which
/// shows each line in its real dash and never covers the curves; returns where the plot
/// area (inside the axes) is.
pub fn panel_ui(ui: &mut egui::Ui, id: &str, panel: &Panel, y_label: bool) -> egui::Rect {
    panel_shown_ui(ui, id, panel, y_label).rect
}

/// As [`panel_ui`], also returning the mapping and the pointer.
pub fn panel_shown_ui(ui: &mut egui::Ui, id: &str, panel: &Panel, y_label: bool) -> PanelShown {
    super::legend::legend_ui(ui, &super::legend::panel_entries(panel));
    plot_shown_ui(ui, id, panel, y_label)
}

/// As [`panel_shown_ui`] without the legend (panels side by side share one).
pub fn plot_shown_ui(ui: &mut egui::Ui, id: &str, panel: &Panel, y_label: bool) -> PanelShown {
    let (x_lo, x_hi) = panel.x_range;
    let (y_lo, y_hi) = panel.y_range;
    let mut plot = Plot::new(id)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        // A pointer resting on the figure at a projector draws no lines across it.
        .show_crosshair(false)
        .show_grid(false);
    if y_label {
        plot = plot.y_axis_label(panel.y_axis_label.clone());
    }
    let shown = plot.show(ui, |plot| {
        plot.set_plot_bounds(PlotBounds::from_min_max([x_lo, y_lo], [x_hi, y_hi]));
        if let Some(bars) = &panel.bars {
            let fill = color(bars.fill);
            let items = bars
                .centres
                .iter()
                .zip(&bars.heights)
                .map(|(&x, &h)| Bar::new(x, h).width(bars.width).fill(fill))
                .collect();
            plot.bar_chart(BarChart::new(bars.label.clone(), items).color(fill));
        }
        for curve in &panel.curves {
            plot.line(
                Line::new(curve.label.clone(), curve.points.clone())
                    .color(color(curve.stroke.color))
                    .width(curve.stroke.width)
                    .style(line_style(curve.stroke.dash)),
            );
        }
        for marks in &panel.marks {
            let (shape, radius) = match marks.shape {
                MarkShape::Tick => (MarkerShape::Up, 3.0),
                MarkShape::Dot => (MarkerShape::Circle, 3.5),
            };
            plot.points(
                Points::new(marks.label.clone(), marks.points.clone())
                    .shape(shape)
                    .filled(true)
                    .radius(radius)
                    .color(color(marks.color)),
            );
        }
        for set in &panel.arrows {
            // egui_plot draws arrows 1 point wide, or 2 highlighted: the bold ones.
            plot.arrows(
                Arrows::new(set.label.clone(), set.from.clone(), set.to.clone())
                    .color(color(set.stroke.color))
                    .highlight(set.stroke.width >= 1.8)
                    .tip_length(set.tip - 1.0),
            );
        }
        for label in &panel.labels {
            let mut text = egui::RichText::new(label.text.clone()).size(label.size);
            if label.italic {
                text = text.italics();
            }
            plot.text(
                Text::new("", label.at.into(), text)
                    .anchor(egui::Align2::LEFT_CENTER)
                    .color(color(label.color)),
            );
        }
    });
    let rect = *shown.transform.frame();
    PanelShown {
        rect,
        transform: shown.transform,
        hover: shown.response.hover_pos().filter(|p| rect.contains(*p)),
        z_line: panel.z_line,
    }
}
