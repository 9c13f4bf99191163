//! Legends drawn beside a plot rather than on its curves: each entry is a short sample of
//! the line in its real colour, width and dash (dotted p_data, solid p_g, dashed D), or
//! the mark it names, followed by its label.

use egui::{Color32, Pos2, Rect, Sense, Shape, Stroke, Vec2};

use super::theme::color;
use crate::scene::{ArrowSet, Dash, MarkShape, Panel};

/// How an entry's sample is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Swatch {
    /// A line of this colour, width (points) and dash.
    Line {
        /// Colour.
        color: Color32,
        /// Width in points.
        width: f32,
        /// Dash pattern.
        dash: Dash,
    },
    /// A filled bar (a histogram).
    Bar(Color32),
    /// An upward arrow (x = G(z)).
    Arrow(Color32),
    /// Upward tick marks (samples on the x line).
    Ticks(Color32),
    /// Dots (values on a curve).
    Dots(Color32),
    /// A rightward arrow (a push or a move along the x line).
    SideArrow(Color32),
}

impl Swatch {
    /// A line drawn with the scene's stroke.
    pub fn line(stroke: crate::scene::Stroke) -> Self {
        Self::Line {
            color: color(stroke.color),
            width: stroke.width,
            dash: stroke.dash,
        }
    }
}

/// One legend entry.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendEntry {
    /// What it names.
    pub label: String,
    /// How it looks in the plot.
    pub swatch: Swatch,
}

/// The legend of a figure panel: its named curves, bars, marks and arrows, in the order
/// they are drawn.
pub fn panel_entries(panel: &Panel) -> Vec<LegendEntry> {
    let mut out = Vec::new();
    if let Some(bars) = &panel.bars {
        out.push(LegendEntry {
            label: bars.label.clone(),
            swatch: Swatch::Bar(color(bars.fill)),
        });
    }
    out.extend(
        panel
            .curves
            .iter()
            .filter(|c| !c.label.is_empty())
            .map(|c| LegendEntry {
                label: c.label.clone(),
                swatch: Swatch::line(c.stroke),
            }),
    );
    out.extend(panel.marks.iter().map(|m| LegendEntry {
        label: m.label.clone(),
        swatch: match m.shape {
            MarkShape::Tick => Swatch::Ticks(color(m.color)),
            MarkShape::Dot => Swatch::Dots(color(m.color)),
        },
    }));
    out.extend(
        panel
            .arrows
            .iter()
            .filter(|a| !a.label.is_empty())
            .map(|a| LegendEntry {
                label: a.label.clone(),
                swatch: if along_the_x_line(a) {
                    Swatch::SideArrow(color(a.stroke.color))
                } else {
                    Swatch::Arrow(color(a.stroke.color))
                },
            }),
    );
    out
}

/// Whether every arrow of the set is horizontal (pushes and moves along the x line).
fn along_the_x_line(set: &ArrowSet) -> bool {
    !set.from.is_empty() && set.from.iter().zip(&set.to).all(|(a, b)| a[1] == b[1])
}

/// Draws `entries` in one row (wrapping when the row is too narrow).
pub fn legend_ui(ui: &mut egui::Ui, entries: &[LegendEntry]) {
    ui.horizontal_wrapped(|ui| {
        for entry in entries {
            entry_ui(ui, entry);
            // At a row's end the gap would widen the row past its edge: the next entry
            // starts a new row anyway.
            let gap = ui.spacing().item_spacing.x * 2.0;
            if ui.available_size_before_wrap().x >= gap {
                ui.add_space(gap);
            }
        }
    });
}

/// One entry: the sample, then the label; both start a new row together when the entry
/// does not fit in what is left of this one.
fn entry_ui(ui: &mut egui::Ui, entry: &LegendEntry) {
    let height = ui.text_style_height(&egui::TextStyle::Body);
    let size = Vec2::new(2.2 * height, height);
    let galley = egui::WidgetText::from(entry.label.as_str()).into_galley(
        ui,
        Some(egui::TextWrapMode::Extend),
        f32::INFINITY,
        egui::TextStyle::Body,
    );
    let needed = size.x + ui.spacing().item_spacing.x + galley.size().x;
    let row_started = ui.cursor().min.x > ui.max_rect().left() + 0.5;
    let left = ui.available_size_before_wrap().x;
    if row_started && needed > left {
        // Filling the row's rest makes the entry wrap as a whole, with the row spacing
        // of a wrap.
        ui.allocate_space(Vec2::new(left, 0.0));
    }
    let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
    if ui.is_rect_visible(rect) {
        ui.painter().extend(swatch_shapes(entry.swatch, rect));
    }
    // A label longer than a whole row (a narrow panel) is cut short, whole on hover,
    // rather than wrapped under its own swatch.
    if galley.size().x > ui.available_size_before_wrap().x + 0.5 {
        ui.add(egui::Label::new(&entry.label).truncate())
            .on_hover_text(&entry.label);
    } else {
        ui.label(&entry.label);
    }
}

/// The shapes of a swatch filling `rect`.
fn swatch_shapes(swatch: Swatch, rect: Rect) -> Vec<Shape> {
    let y = rect.center().y;
    let line = [Pos2::new(rect.left(), y), Pos2::new(rect.right(), y)];
    match swatch {
        Swatch::Line { color, width, dash } => match dash {
            Dash::Solid => vec![Shape::line_segment(line, Stroke::new(width, color))],
            Dash::Dotted { spacing } => {
                Shape::dotted_line(&line, color, f32::from(spacing), 0.6 * width.max(1.5))
            }
            Dash::Dashed { length } => Shape::dashed_line(
                &line,
                Stroke::new(width, color),
                f32::from(length),
                f32::from(length),
            ),
        },
        Swatch::Bar(fill) => vec![Shape::rect_filled(
            rect.shrink2(Vec2::new(4.0, 2.0)),
            0.0,
            fill,
        )],
        Swatch::Arrow(color) => {
            let x = rect.center().x;
            let (top, bottom) = (rect.top() + 1.0, rect.bottom() - 1.0);
            let tip = 0.3 * rect.height();
            let stroke = Stroke::new(1.5, color);
            vec![
                Shape::line_segment([Pos2::new(x, bottom), Pos2::new(x, top)], stroke),
                Shape::line_segment([Pos2::new(x - tip, top + tip), Pos2::new(x, top)], stroke),
                Shape::line_segment([Pos2::new(x + tip, top + tip), Pos2::new(x, top)], stroke),
            ]
        }
        Swatch::SideArrow(color) => {
            let (left, right) = (rect.left() + 2.0, rect.right() - 2.0);
            let tip = 0.3 * rect.height();
            let stroke = Stroke::new(2.0, color);
            vec![
                Shape::line_segment([Pos2::new(left, y), Pos2::new(right, y)], stroke),
                Shape::line_segment(
                    [Pos2::new(right - tip, y - tip), Pos2::new(right, y)],
                    stroke,
                ),
                Shape::line_segment(
                    [Pos2::new(right - tip, y + tip), Pos2::new(right, y)],
                    stroke,
                ),
            ]
        }
        Swatch::Dots(color) => (0..3)
            .map(|i| {
                let x = rect.left() + rect.width() * (0.25 + 0.25 * i as f32);
                Shape::circle_filled(Pos2::new(x, y), 0.15 * rect.height(), color)
            })
            .collect(),
        Swatch::Ticks(color) => (0..3)
            .map(|i| {
                let x = rect.left() + rect.width() * (0.25 + 0.25 * i as f32);
                Shape::line_segment(
                    [Pos2::new(x, rect.bottom() - 1.0), Pos2::new(x, y - 1.0)],
                    Stroke::new(1.5, color),
                )
            })
            .collect(),
    }
}
