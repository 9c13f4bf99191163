//! Panels and figures as SVG text, written by hand. The PNG and GIF exports rasterise this
//! same text (see [`super::raster`]), so every export draws the same marks.

use std::fmt::Write as _;

use super::{Curve, Dash, Figure, MarkShape, Panel, Rgba, Stroke};

/// Plot area of one panel, in pixels.
pub const PLOT_WIDTH: f64 = 760.0;
/// Plot height.
pub const PLOT_HEIGHT: f64 = 430.0;
const MARGIN: f64 = 24.0;
const TITLE_SIZE: f64 = 22.0;
/// The caption's type size.
const CAPTION_SIZE: f64 = 18.0;
/// The evidence lines' type size: smaller than the caption, yet (at 0.89 of it) as
/// readable on a projector.
const SMALL_SIZE: f64 = 16.0;
const LEGEND_SIZE: f64 = 16.0;
/// Height of the legend band above each plot.
const LEGEND_BAND: f64 = 30.0;
/// Font families, most wanted first; the rasteriser has the first.
pub const FONT_FAMILY: &str = "Ubuntu, 'DejaVu Sans', Arial, sans-serif";
/// Average glyph advance as a fraction of the size, for wrapping: Ubuntu Light (the PNG's
/// font) is about 0.5, DejaVu Sans (a common SVG fallback) about 0.55.
const ADVANCE: f64 = 0.56;

/// The whole figure as an SVG document.
pub fn figure_svg(figure: &Figure) -> String {
    let columns = figure.columns.max(1);
    let rows = figure.panels.len().div_ceil(columns).max(1);
    let cell_w = PLOT_WIDTH + 2.0 * MARGIN;
    let captions: Vec<Vec<CaptionText>> = figure
        .panels
        .iter()
        .map(|p| wrapped_caption(p, PLOT_WIDTH))
        .collect();
    let legends: Vec<Vec<Vec<LegendEntry<'_>>>> = figure.panels.iter().map(legend_rows).collect();
    // Every row's legend as tall as its tallest, so its plots line up.
    let legend_bands: Vec<f64> = (0..rows)
        .map(|r| {
            legends
                .iter()
                .skip(r * columns)
                .take(columns)
                .map(|l| LEGEND_BAND * l.len().max(1) as f64)
                .fold(LEGEND_BAND, f64::max)
        })
        .collect();
    // Every row as tall as its tallest caption, so panels line up.
    let row_heights: Vec<f64> = (0..rows)
        .map(|r| {
            let tallest = captions
                .iter()
                .skip(r * columns)
                .take(columns)
                .map(|c| caption_height(c))
                .fold(0.0, f64::max);
            legend_bands[r] + PLOT_HEIGHT + TITLE_SIZE * 1.6 + tallest + MARGIN
        })
        .collect();
    let title_lines = wrap(
        &figure.title,
        TITLE_SIZE,
        columns as f64 * cell_w - MARGIN * 2.0,
    );
    let header = TITLE_SIZE * 1.4 * title_lines.len() as f64 + MARGIN;
    let width = columns as f64 * cell_w;
    let height = header + row_heights.iter().sum::<f64>();
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{FONT_FAMILY}">"#
    );
    out.push('\n');
    let _ = writeln!(
        out,
        r#"<rect width="100%" height="100%" fill="{}"/>"#,
        figure.background.hex()
    );
    for (i, line) in title_lines.iter().enumerate() {
        let _ = writeln!(
            out,
            r#"<text x="{MARGIN}" y="{:.1}" font-size="{TITLE_SIZE}" fill="{}">{}</text>"#,
            MARGIN + TITLE_SIZE * (1.0 + 1.4 * i as f64),
            figure.ink.hex(),
            escape(line)
        );
    }
    let mut top = header;
    for (r, (row_h, band)) in row_heights.iter().zip(&legend_bands).enumerate() {
        for c in 0..columns {
            let i = r * columns + c;
            let (Some(panel), Some(legend)) = (figure.panels.get(i), legends.get(i)) else {
                break;
            };
            let left = c as f64 * cell_w + MARGIN;
            legend_into(&mut out, legend, panel, left, top);
            panel_into(&mut out, panel, left, top + band);
            let mut y = top + band + PLOT_HEIGHT + TITLE_SIZE * 1.5;
            let _ = writeln!(
                out,
                r#"<text x="{:.1}" y="{y:.1}" font-size="{TITLE_SIZE}" text-anchor="middle" font-weight="bold" fill="{}">{}</text>"#,
                left + PLOT_WIDTH / 2.0,
                figure.ink.hex(),
                escape(&panel.title)
            );
            y += TITLE_SIZE * 0.4;
            for CaptionText { text, size, color } in &captions[i] {
                y += size * 1.3;
                let _ = writeln!(
                    out,
                    r#"<text x="{left:.1}" y="{y:.1}" font-size="{size}" fill="{}">{}</text>"#,
                    color.hex(),
                    escape(text)
                );
            }
        }
        top += row_h;
    }
    out.push_str("</svg>\n");
    out
}

/// One panel alone (the live view's export), with its caption if it has one.
pub fn panel_svg(panel: &Panel, background: Rgba, ink: Rgba) -> String {
    figure_svg(&Figure {
        title: String::new(),
        panels: vec![panel.clone()],
        columns: 1,
        background,
        ink,
    })
}

/// One wrapped line of a caption, as drawn.
struct CaptionText {
    text: String,
    /// Font size in pixels.
    size: f64,
    color: Rgba,
}

fn caption_height(lines: &[CaptionText]) -> f64 {
    lines.iter().map(|line| line.size * 1.3).sum()
}

fn wrapped_caption(panel: &Panel, width: f64) -> Vec<CaptionText> {
    let mut out = Vec::new();
    for line in &panel.caption {
        let size = if line.small { SMALL_SIZE } else { CAPTION_SIZE };
        for text in wrap(&line.text, size, width) {
            out.push(CaptionText {
                text,
                size,
                color: line.color,
            });
        }
    }
    out
}

/// Greedy word wrap by estimated advance.
fn wrap(text: &str, size: f64, width: f64) -> Vec<String> {
    let per_line = ((width / (size * ADVANCE)) as usize).max(10);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > per_line {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// XML text escaping.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Maps data coordinates to the panel's pixels.
struct Frame {
    left: f64,
    top: f64,
    x: (f64, f64),
    y: (f64, f64),
}

impl Frame {
    fn px(&self, [x, y]: [f64; 2]) -> (f64, f64) {
        let (x0, x1) = self.x;
        let (y0, y1) = self.y;
        (
            self.left + (x - x0) / (x1 - x0).max(1e-12) * PLOT_WIDTH,
            self.top + (y1 - y) / (y1 - y0).max(1e-12) * PLOT_HEIGHT,
        )
    }
}

fn stroke_attrs(s: &Stroke) -> String {
    let dash = match s.dash {
        Dash::Solid => String::new(),
        Dash::Dotted { spacing } => {
            format!(r#" stroke-dasharray="0.01 {spacing}" stroke-linecap="round""#)
        }
        Dash::Dashed { length } => format!(r#" stroke-dasharray="{length} {}""#, length / 2 + 3),
    };
    format!(
        r#"stroke="{}" stroke-opacity="{:.3}" stroke-width="{}" fill="none" stroke-linejoin="round"{dash}"#,
        s.color.hex(),
        s.color.opacity(),
        s.stroke_width()
    )
}

impl Stroke {
    /// Dotted lines are drawn a little heavier so the dots read as a line.
    fn stroke_width(&self) -> f32 {
        match self.dash {
            Dash::Dotted { .. } => self.width * 1.3,
            _ => self.width,
        }
    }
}

fn polyline(out: &mut String, frame: &Frame, curve: &Curve) {
    if curve.points.len() < 2 {
        return;
    }
    let mut d = String::new();
    for (i, &p) in curve.points.iter().enumerate() {
        let (x, y) = frame.px(p);
        let _ = write!(d, "{}{x:.2},{y:.2}", if i == 0 { "M" } else { " L" });
    }
    let _ = writeln!(out, r#"<path d="{d}" {}/>"#, stroke_attrs(&curve.stroke));
}

fn arrow_head(out: &mut String, from: (f64, f64), to: (f64, f64), tip: f64, color: Rgba) {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let len = dx.hypot(dy);
    if len < 1e-9 {
        return;
    }
    let (ux, uy) = (dx / len, dy / len);
    let tip = tip.min(len);
    let (bx, by) = (to.0 - ux * tip, to.1 - uy * tip);
    let half = 0.45 * tip;
    let _ = writeln!(
        out,
        r#"<path d="M{:.2},{:.2} L{:.2},{:.2} L{:.2},{:.2} Z" fill="{}" fill-opacity="{:.3}"/>"#,
        to.0,
        to.1,
        bx - uy * half,
        by + ux * half,
        bx + uy * half,
        by - ux * half,
        color.hex(),
        color.opacity()
    );
}

fn panel_into(out: &mut String, panel: &Panel, left: f64, top: f64) {
    let frame = Frame {
        left,
        top,
        x: panel.x_range,
        y: panel.y_range,
    };
    // Marks outside the plot (a spike of p_g) are clipped to it.
    let clip = format!("plot-{}-{}", left.round(), top.round());
    let _ = writeln!(
        out,
        r#"<clipPath id="{clip}"><rect x="{left:.1}" y="{top:.1}" width="{PLOT_WIDTH}" height="{PLOT_HEIGHT}"/></clipPath><g clip-path="url(#{clip})">"#
    );
    if let Some(bars) = &panel.bars {
        for (&c, &h) in bars.centres.iter().zip(&bars.heights) {
            let (x0, y0) = frame.px([c - bars.width / 2.0, h]);
            let (x1, y1) = frame.px([c + bars.width / 2.0, 0.0]);
            let _ = writeln!(
                out,
                r#"<rect x="{x0:.2}" y="{y0:.2}" width="{:.2}" height="{:.2}" fill="{}" fill-opacity="{:.3}"/>"#,
                (x1 - x0).max(0.0),
                (y1 - y0).max(0.0),
                bars.fill.hex(),
                bars.fill.opacity()
            );
        }
    }
    for curve in &panel.curves {
        polyline(out, &frame, curve);
    }
    for marks in &panel.marks {
        for &p in &marks.points {
            mark(out, frame.px(p), marks.shape, marks.color);
        }
    }
    for set in &panel.arrows {
        for (&a, &b) in set.from.iter().zip(&set.to) {
            let (pa, pb) = (frame.px(a), frame.px(b));
            let _ = writeln!(
                out,
                r#"<path d="M{:.2},{:.2} L{:.2},{:.2}" {}/>"#,
                pa.0,
                pa.1,
                pb.0,
                pb.1,
                stroke_attrs(&set.stroke)
            );
            arrow_head(out, pa, pb, f64::from(set.tip), set.stroke.color);
        }
    }
    for label in &panel.labels {
        let (x, y) = frame.px(label.at);
        let _ = writeln!(
            out,
            r#"<text x="{x:.1}" y="{:.1}" font-size="{}"{} fill="{}">{}</text>"#,
            y + f64::from(label.size) * 0.35,
            label.size,
            if label.italic {
                r#" font-style="italic""#
            } else {
                ""
            },
            label.color.hex(),
            escape(&label.text)
        );
    }
    out.push_str("</g>\n");
}

/// One mark at pixel `(x, y)`: an upward tick (a small triangle) or a dot.
fn mark(out: &mut String, (x, y): (f64, f64), shape: MarkShape, color: Rgba) {
    match shape {
        MarkShape::Tick => {
            let _ = writeln!(
                out,
                r#"<path d="M{:.2},{:.2} L{:.2},{:.2} L{:.2},{:.2} Z" fill="{}" fill-opacity="{:.3}"/>"#,
                x,
                y - 4.0,
                x - 3.0,
                y + 2.0,
                x + 3.0,
                y + 2.0,
                color.hex(),
                color.opacity()
            );
        }
        MarkShape::Dot => {
            let _ = writeln!(
                out,
                r#"<circle cx="{x:.2}" cy="{y:.2}" r="3.5" fill="{}" fill-opacity="{:.3}"/>"#,
                color.hex(),
                color.opacity()
            );
        }
    }
}

/// How a legend entry shows its mark.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LegendKey {
    /// A stretch of the line.
    Line,
    /// A stretch of the line with an arrow head.
    Arrow,
    /// Three marks of this shape.
    Marks(MarkShape),
}

/// One entry of a panel's legend.
struct LegendEntry<'a> {
    label: &'a str,
    stroke: Stroke,
    key: LegendKey,
}

impl LegendEntry<'_> {
    /// Its width in pixels: the key, the label and the gap after it.
    fn width(&self) -> f64 {
        40.0 + self.label.chars().count() as f64 * LEGEND_SIZE * ADVANCE + 22.0
    }
}

/// The legend's entries (curves, marks, arrows), in rows that fit the plot's width.
fn legend_rows(panel: &Panel) -> Vec<Vec<LegendEntry<'_>>> {
    // An empty label means "not in the legend" (axes, the z line).
    let lines = panel.curves.iter().map(|c| LegendEntry {
        label: &c.label,
        stroke: c.stroke,
        key: LegendKey::Line,
    });
    let marks = panel.marks.iter().map(|m| LegendEntry {
        label: &m.label,
        stroke: Stroke {
            color: m.color,
            width: 1.0,
            dash: Dash::Solid,
        },
        key: LegendKey::Marks(m.shape),
    });
    let arrows = panel.arrows.iter().map(|a| LegendEntry {
        label: &a.label,
        stroke: a.stroke,
        key: LegendKey::Arrow,
    });
    let mut rows: Vec<Vec<LegendEntry<'_>>> = vec![Vec::new()];
    let mut used = 0.0;
    for entry in lines
        .chain(marks)
        .chain(arrows)
        .filter(|e| !e.label.is_empty())
    {
        let width = entry.width();
        if used > 0.0 && used + width > PLOT_WIDTH {
            rows.push(Vec::new());
            used = 0.0;
        }
        used += width;
        if let Some(row) = rows.last_mut() {
            row.push(entry);
        }
    }
    rows
}

/// The legend as rows of entries above the plot (never over the curves).
fn legend_into(
    out: &mut String,
    rows: &[Vec<LegendEntry<'_>>],
    panel: &Panel,
    left: f64,
    top: f64,
) {
    let ink = panel
        .curves
        .first()
        .map_or(Rgba::gray(0), |c| c.stroke.color);
    for (r, row) in rows.iter().enumerate() {
        let mid = top + LEGEND_BAND * (r as f64 + 0.5);
        let mut x = left;
        for entry in row {
            let LegendEntry { label, stroke, key } = entry;
            match key {
                LegendKey::Marks(shape) => {
                    for i in 0..3 {
                        mark(
                            out,
                            (x + 6.0 + 11.0 * f64::from(i), mid + 2.0),
                            *shape,
                            stroke.color,
                        );
                    }
                }
                LegendKey::Line | LegendKey::Arrow => {
                    let _ = writeln!(
                        out,
                        r#"<path d="M{:.1},{mid:.1} L{:.1},{mid:.1}" {}/>"#,
                        x,
                        x + 34.0,
                        stroke_attrs(stroke)
                    );
                }
            }
            if *key == LegendKey::Arrow {
                arrow_head(out, (x, mid), (x + 36.0, mid), 7.0, stroke.color);
            }
            let _ = writeln!(
                out,
                r#"<text x="{:.1}" y="{:.1}" font-size="{LEGEND_SIZE}" fill="{}">{}</text>"#,
                x + 40.0,
                mid + LEGEND_SIZE * 0.35,
                ink.hex(),
                escape(label)
            );
            x += entry.width();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::CaptionLine;

    /// The font sizes of the `<text>` elements whose text is `needle`.
    fn sizes_of(svg: &str, needle: &str) -> Vec<f64> {
        svg.lines()
            .filter(|l| l.starts_with("<text") && l.contains(needle))
            .filter_map(|l| {
                let rest = l.split("font-size=\"").nth(1)?;
                rest.split('"').next()?.parse().ok()
            })
            .collect()
    }

    #[test]
    fn evidence_lines_are_at_least_four_fifths_of_the_caption_size() {
        let line = |text: &str, small| CaptionLine {
            text: text.to_owned(),
            color: Rgba::gray(0),
            small,
        };
        let panel = Panel {
            title: "(a)".to_owned(),
            x_range: (0.0, 1.0),
            y_range: (0.0, 1.0),
            y_axis_label: String::new(),
            bars: None,
            curves: Vec::new(),
            marks: Vec::new(),
            arrows: Vec::new(),
            labels: Vec::new(),
            caption: vec![
                line("Consider an adversarial pair", false),
                line("JSD = 0.0276 (< 0.0600)", true),
            ],
            z_line: None,
        };
        let svg = panel_svg(&panel, Rgba::gray(255), Rgba::gray(0));
        let caption = sizes_of(&svg, "Consider an adversarial pair");
        let evidence = sizes_of(&svg, "JSD = 0.0276");
        let (Some(&caption), Some(&evidence)) = (caption.first(), evidence.first()) else {
            panic!("caption or evidence missing: {svg}");
        };
        assert!(
            evidence >= 0.8 * caption,
            "evidence {evidence} px against the caption's {caption} px"
        );
        assert!(
            evidence < caption,
            "the numbers stay a size below the caption"
        );
    }
}
