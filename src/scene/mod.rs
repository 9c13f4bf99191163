//! One description of what Figure 1 draws — curves, arrows, styles, captions — shared by
//! the live plot (egui_plot, in `app`) and the exported images ([`svg`], [`raster`],
//! [`animation`]), so that they never disagree.
//!
//! A [`Panel`] is a list of marks in data coordinates plus its title and caption lines; a
//! [`Figure`] is a grid of panels with a title. Nothing here draws: renderers do.

pub mod animation;
pub mod lesson;
pub mod raster;
pub mod svg;

use std::path::{Path, PathBuf};

use crate::sim::analysis::{Analysis, DReading, density_histogram, z_line};
use crate::sim::check::{Range, SettingError};
use crate::sim::distribution::Noise;
use crate::sim::forces::Forces;
use crate::sim::story::{Capture, Stage};
use crate::sim::substep::{Event, Phase, SubStep};
use crate::sim::view::{Framing, ViewRange, common_view};

/// A colour, 8 bits per channel, alpha not premultiplied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgba(pub u8, pub u8, pub u8, pub u8);

impl Rgba {
    /// An opaque colour.
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self(r, g, b, 255)
    }

    /// An opaque grey.
    pub const fn gray(v: u8) -> Self {
        Self(v, v, v, 255)
    }

    /// The same colour with alpha `a`.
    pub const fn alpha(self, a: u8) -> Self {
        Self(self.0, self.1, self.2, a)
    }

    /// "#rrggbb".
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Alpha as a fraction.
    pub fn opacity(self) -> f64 {
        f64::from(self.3) / 255.0
    }
}

/// The colours of every mark.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Palette {
    /// Page background.
    pub background: Rgba,
    /// p_data, the axis lines and text (the paper's black).
    pub ink: Rgba,
    /// p_g (the paper's green).
    pub generator: Rgba,
    /// D(x) (the paper's blue).
    pub discriminator: Rgba,
    /// The D* overlay.
    pub optimal: Rgba,
    /// The z → x arrows.
    pub arrows: Rgba,
    /// (c)'s arrows before the G update.
    pub arrows_before: Rgba,
    /// Histogram of generated samples.
    pub histogram: Rgba,
    /// Ticks of real samples.
    pub real: Rgba,
    /// Reference lines such as −log 4, and unmet bounds.
    pub reference: Rgba,
    /// A second series in a metrics plot.
    pub secondary: Rgba,
    /// Met bounds.
    pub good: Rgba,
    /// What a slow-motion sub-step touches, and the forces on generated samples.
    pub highlight: Rgba,
}

impl Palette {
    /// Black ink on white, as printed in the paper.
    pub const LIGHT: Self = Self {
        background: Rgba::gray(255),
        ink: Rgba::gray(0),
        generator: Rgba::rgb(0, 140, 40),
        discriminator: Rgba::rgb(20, 70, 220),
        optimal: Rgba::rgb(220, 110, 0),
        arrows: Rgba::gray(90),
        arrows_before: Rgba::gray(190),
        histogram: Rgba(0, 140, 40, 60),
        real: Rgba::gray(40),
        reference: Rgba::rgb(200, 30, 30),
        secondary: Rgba::rgb(150, 60, 170),
        good: Rgba::rgb(0, 120, 40),
        highlight: Rgba::rgb(200, 0, 130),
    };

    /// Light ink on a dark background.
    pub const DARK: Self = Self {
        background: Rgba::gray(27),
        ink: Rgba::gray(235),
        generator: Rgba::rgb(90, 220, 110),
        discriminator: Rgba::rgb(110, 160, 255),
        optimal: Rgba::rgb(255, 170, 60),
        arrows: Rgba::gray(170),
        arrows_before: Rgba::gray(105),
        histogram: Rgba(90, 220, 110, 60),
        real: Rgba::gray(210),
        reference: Rgba::rgb(255, 90, 90),
        secondary: Rgba::rgb(220, 130, 240),
        good: Rgba::rgb(90, 220, 110),
        highlight: Rgba::rgb(255, 110, 205),
    };
}

/// How a line is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dash {
    /// Continuous.
    Solid,
    /// Round dots `spacing` pixels apart.
    Dotted {
        /// Pixels between dot centres.
        spacing: u8,
    },
    /// Dashes `length` pixels long with gaps of the same length.
    Dashed {
        /// Dash length in pixels.
        length: u8,
    },
}

/// Colour, width (pixels at 1× scale) and dash of a line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stroke {
    /// Colour.
    pub color: Rgba,
    /// Width in pixels.
    pub width: f32,
    /// Dash pattern.
    pub dash: Dash,
}

/// A polyline in data coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// Legend entry; empty for none.
    pub label: String,
    /// Points (x, y).
    pub points: Vec<[f64; 2]>,
    /// How it is drawn.
    pub stroke: Stroke,
}

/// Arrows from `from[i]` to `to[i]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrowSet {
    /// Legend entry; empty for none.
    pub label: String,
    /// Tails.
    pub from: Vec<[f64; 2]>,
    /// Heads.
    pub to: Vec<[f64; 2]>,
    /// Colour and width.
    pub stroke: Stroke,
    /// Head length in pixels.
    pub tip: f32,
}

/// A bar chart (a histogram).
#[derive(Clone, Debug, PartialEq)]
pub struct Bars {
    /// Legend entry.
    pub label: String,
    /// Bar centres.
    pub centres: Vec<f64>,
    /// Bar heights.
    pub heights: Vec<f64>,
    /// Bar width in data units.
    pub width: f64,
    /// Fill colour.
    pub fill: Rgba,
}

/// How a set of marks is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkShape {
    /// An upward tick (samples on the x line or the z line).
    Tick,
    /// A filled dot (values on a curve, such as D at a minibatch).
    Dot,
}

/// Marks at points: samples as ticks on the x or z line, or values as dots on a curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Marks {
    /// Legend entry.
    pub label: String,
    /// Mark positions.
    pub points: Vec<[f64; 2]>,
    /// Colour.
    pub color: Rgba,
    /// Tick or dot.
    pub shape: MarkShape,
}

/// Text placed in data coordinates (its left edge, vertically centred).
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// Anchor.
    pub at: [f64; 2],
    /// Text.
    pub text: String,
    /// Size in pixels.
    pub size: f32,
    /// Italic (variables such as x and z).
    pub italic: bool,
    /// Colour.
    pub color: Rgba,
}

/// A caption line under a panel.
#[derive(Clone, Debug, PartialEq)]
pub struct CaptionLine {
    /// Text.
    pub text: String,
    /// Colour.
    pub color: Rgba,
    /// Smaller type for the numbers.
    pub small: bool,
}

/// One plot: marks in data coordinates, drawn in this order (bars, curves, marks, arrows,
/// labels), with a title and caption lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// Title, e.g. "(b)".
    pub title: String,
    /// Visible x range.
    pub x_range: (f64, f64),
    /// Visible y range.
    pub y_range: (f64, f64),
    /// The y axis' name for renderers that draw axes.
    pub y_axis_label: String,
    /// Histogram.
    pub bars: Option<Bars>,
    /// Lines (axes first, then the curves in legend order).
    pub curves: Vec<Curve>,
    /// Tick marks and dots, in legend order.
    pub marks: Vec<Marks>,
    /// Arrow sets.
    pub arrows: Vec<ArrowSet>,
    /// Text.
    pub labels: Vec<Label>,
    /// Caption and evidence, under the plot.
    pub caption: Vec<CaptionLine>,
    /// The height at which the z line is drawn, if it is.
    pub z_line: Option<f64>,
}

/// Panels in a grid with a title.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// Title line.
    pub title: String,
    /// Panels, row by row.
    pub panels: Vec<Panel>,
    /// Panels per row.
    pub columns: usize,
    /// Background.
    pub background: Rgba,
    /// Text colour.
    pub ink: Rgba,
}

/// Which optional layers the figure shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Overlays {
    /// The optimal discriminator D*.
    pub d_star: bool,
    /// A histogram of a minibatch of generated samples.
    pub histogram: bool,
    /// A minibatch of real samples as ticks on the x line.
    pub real_samples: bool,
    /// The z line and the z → x arrows.
    pub arrows: bool,
    /// The force −∂L_G/∂x on each generated sample, as an arrow on the x line.
    pub forces: bool,
}

impl Default for Overlays {
    fn default() -> Self {
        Self {
            d_star: true,
            histogram: false,
            real_samples: false,
            arrows: true,
            forces: false,
        }
    }
}

/// What one Figure 1 panel is drawn from.
#[derive(Clone, Copy, Debug)]
pub struct PanelInput<'a> {
    /// Curves on the panel's x grid.
    pub curves: &'a Analysis,
    /// The x range shown.
    pub view: ViewRange,
    /// p_z, for the z line's extent.
    pub noise: &'a Noise,
    /// A minibatch of generated samples (for the histogram), possibly empty.
    pub generated: &'a [f64],
    /// A minibatch of data samples (for the ticks), possibly empty.
    pub real: &'a [f64],
    /// (c): each arrow's (z, G(z)) before the G update.
    pub arrows_before: &'a [(f64, f64)],
    /// (c): p_g before the G update, on the same grid (empty for none).
    pub p_g_before: &'a [f64],
    /// A fixed top of the y axis (animations keep their axes still); `None` fits it.
    pub y_max: Option<f64>,
    /// The forces on `generated` (drawn when [`Overlays::forces`] is on).
    pub forces: Option<&'a Forces>,
    /// Whether G trains through the oracle D* (Proposition 2): D* is drawn as D.
    pub d_is_oracle: bool,
    /// Algorithm 1 in slow motion: the sub-step just run, highlighted.
    pub slow: Option<SlowInput<'a>>,
}

/// A slow-motion sub-step, as the figure highlights it.
#[derive(Clone, Copy, Debug)]
pub struct SlowInput<'a> {
    /// The sub-step just run.
    pub step: &'a SubStep,
    /// The curves before it, on the panel's grid, for a sub-step that changed D or G.
    pub before: Option<&'a Analysis>,
}

impl<'a> PanelInput<'a> {
    /// The curves alone on `view`: no samples, no "before" state of (c), the y axis fitted.
    pub fn new(curves: &'a Analysis, view: ViewRange, noise: &'a Noise) -> Self {
        Self {
            curves,
            view,
            noise,
            generated: &[],
            real: &[],
            arrows_before: &[],
            p_g_before: &[],
            y_max: None,
            forces: None,
            d_is_oracle: false,
            slow: None,
        }
    }
}

/// The legend names, shared by every renderer.
pub const P_DATA: &str = "p_data";
/// Legend name of p_g.
pub const P_G: &str = "p_g";
/// Legend name of D.
pub const D_NAME: &str = "D(x)";
/// Legend name of a critic's output (Wasserstein, hinge), drawn on its own scale.
pub const CRITIC_NAME: &str = "critic f(x)";
/// Legend name of (d)'s guide line at D = 1/2.
pub const HALF_NAME: &str = "D = 1/2";
/// Legend name of D when the oracle trains G: D* drawn in D's style.
pub const D_ORACLE: &str = "D = D* (oracle)";
/// Legend name of D*.
pub const D_STAR: &str = "D*(x) = p_data/(p_data + p_g)";
/// D* is drawn where p_data + p_g is at least this share of its peak.
pub const D_STAR_MASS: f64 = 1e-3;
/// Short legend name of D* where space is tight.
pub const D_STAR_SHORT: &str = "D*(x)";
/// Legend name of the arrows.
pub const ARROWS: &str = "x = G(z)";

/// Figure 1 for one state: p_data black dotted, p_g green solid, D blue dashed, optional
/// D* and samples, and the z line below the x line with an arrow from each z to G(z);
/// with the forces on the generated samples and a slow-motion sub-step's highlights when
/// the input has them.
pub fn figure1_panel(input: &PanelInput<'_>, overlays: Overlays, palette: &Palette) -> Panel {
    panel_with_push_scale(input, overlays, palette, None)
}

/// [`figure1_panel`], with the forces drawn so that a push of `push_longest` (when given)
/// takes [`PUSH_SHARE`] of the view: panels side by side share the scale.
fn panel_with_push_scale(
    input: &PanelInput<'_>,
    overlays: Overlays,
    palette: &Palette,
    push_longest: Option<f64>,
) -> Panel {
    let curves = input.curves;
    let ViewRange { lo: x_lo, hi: x_hi } = input.view;
    let y_hi = input.y_max.unwrap_or_else(|| fitted_y_top(curves));
    let z_level = -0.32 * y_hi;
    // A slow-motion sub-step draws on the z line, so the z line is shown with it.
    let z_line_shown = overlays.arrows || input.slow.is_some();
    let y_lo = if z_line_shown {
        z_level - 0.1 * y_hi
    } else {
        -0.08 * y_hi
    };
    let phase = input.slow.map(|s| s.step.phase());
    let line = |color, width, dash| Stroke { color, width, dash };
    let mut panel = Panel {
        title: String::new(),
        x_range: (x_lo, x_hi),
        y_range: (y_lo, y_hi),
        y_axis_label: "density, D(x)".to_owned(),
        bars: None,
        curves: Vec::new(),
        marks: Vec::new(),
        arrows: Vec::new(),
        labels: Vec::new(),
        caption: Vec::new(),
        z_line: z_line_shown.then_some(z_level),
    };
    if overlays.histogram && !input.generated.is_empty() {
        let (centres, heights) = density_histogram(input.generated, (x_lo, x_hi), 40);
        panel.bars = Some(Bars {
            label: "samples of G (histogram)".to_owned(),
            centres,
            heights,
            width: (x_hi - x_lo) / 40.0,
            fill: palette.histogram,
        });
    }
    if z_line_shown {
        panel.curves.push(Curve {
            label: String::new(),
            points: vec![[x_lo, 0.0], [x_hi, 0.0]],
            stroke: line(palette.ink, 1.0, Dash::Solid),
        });
    }
    panel.curves.push(Curve {
        label: P_DATA.to_owned(),
        points: series(curves, &curves.p_data, y_hi),
        stroke: line(palette.ink, 2.5, Dash::Dotted { spacing: 6 }),
    });
    // Sub-step 8 shows p_g before G's step, as (c) shows it before the G update.
    let g_before = input
        .slow
        .filter(|_| phase == Some(Phase::GeneratorUpdate))
        .and_then(|s| s.before);
    let p_g_before = g_before.map_or(input.p_g_before, |b| b.p_g.as_slice());
    if !p_g_before.is_empty() {
        panel.curves.push(Curve {
            label: "p_g before".to_owned(),
            points: series(curves, p_g_before, y_hi),
            stroke: line(palette.generator.alpha(110), 1.5, Dash::Solid),
        });
    }
    panel.curves.push(Curve {
        label: P_G.to_owned(),
        points: series(curves, &curves.p_g, y_hi),
        stroke: line(palette.generator, 2.5, Dash::Solid),
    });
    add_discriminator(&mut panel, input, y_hi, palette);
    if overlays.d_star && !input.d_is_oracle {
        let stroke = line(palette.optimal, 1.5, Dash::Dashed { length: 4 });
        add_d_star(&mut panel, curves, D_STAR_SHORT, stroke);
    }
    // While a sub-step is shown, only its own minibatches are drawn: the published ones
    // (data ticks, forces) are other samples and would be taken for the sub-step's.
    if overlays.real_samples && !input.real.is_empty() && phase.is_none() {
        panel.marks.push(Marks {
            label: "data samples".to_owned(),
            points: input.real.iter().map(|&x| [x, -0.03 * y_hi]).collect(),
            color: palette.real,
            shape: MarkShape::Tick,
        });
    }
    if z_line_shown {
        let arrows_before = g_before.map_or(input.arrows_before, |b| b.arrows.as_slice());
        add_z_line(&mut panel, input, arrows_before, z_level, y_hi, palette);
    }
    if overlays.forces && phase.is_none() {
        add_forces(&mut panel, input, (y_hi, push_longest), palette);
    }
    if let Some(slow) = input.slow {
        add_sub_step(&mut panel, input, slow, z_level, y_hi, palette);
    }
    panel
}

/// The force on each generated sample, as an arrow just above the x line.
fn add_forces(
    panel: &mut Panel,
    input: &PanelInput<'_>,
    (y_hi, push_longest): (f64, Option<f64>),
    palette: &Palette,
) {
    let Some(forces) = input.forces.filter(|f| !f.x.is_empty()) else {
        return;
    };
    // Side by side each panel is titled with its run, loss and all: the label stays short.
    let what = match (input.d_is_oracle, push_longest.is_some()) {
        (true, _) => format!("push -dL_G/dx through D* ({})", forces.loss),
        (false, false) => format!("push -dL_G/dx ({})", forces.loss),
        (false, true) => "push -dL_G/dx".to_owned(),
    };
    panel.arrows.push(push_arrows(
        &forces.x,
        &forces.current,
        (&what, push_longest),
        input.view,
        y_hi,
        palette.highlight,
    ));
}

/// A series on the panel's grid, clipped at 1.5 times the top of the y axis.
fn series(curves: &Analysis, ys: &[f64], y_hi: f64) -> Vec<[f64; 2]> {
    curves
        .x
        .iter()
        .zip(ys)
        .map(|(&x, &y)| [x, y.min(y_hi * 1.5)])
        .collect()
}

/// D: the network's D(x) (or a critic on its own scale), D* in its place when the oracle
/// trains G, and faint under it the D of before a sub-step that changed D.
fn add_discriminator(panel: &mut Panel, input: &PanelInput<'_>, y_hi: f64, palette: &Palette) {
    let curves = input.curves;
    let d_stroke = Stroke {
        color: palette.discriminator,
        width: 2.5,
        dash: Dash::Dashed { length: 10 },
    };
    if input.d_is_oracle && curves.d_reading == DReading::Probability {
        add_d_star(panel, curves, D_ORACLE, d_stroke);
        return;
    }
    let before = input.slow.and_then(|s| {
        let label = match s.step.phase() {
            Phase::HeadStart => "D before the head start",
            Phase::DiscriminatorUpdate => "5. D before its step",
            _ => return None,
        };
        s.before.map(|b| (label, b))
    });
    let faint = Stroke {
        color: palette.discriminator.alpha(120),
        width: 1.5,
        dash: Dash::Dashed { length: 5 },
    };
    match curves.d_reading {
        DReading::Probability => {
            if let Some((label, b)) = before {
                panel.curves.push(Curve {
                    label: label.to_owned(),
                    points: series(curves, &b.d, y_hi),
                    stroke: faint,
                });
            }
            panel.curves.push(Curve {
                label: D_NAME.to_owned(),
                points: series(curves, &curves.d, y_hi),
                stroke: d_stroke,
            });
        }
        DReading::Critic => {
            let scale = CriticScale::of(&curves.d_raw);
            if let Some((label, b)) = before {
                panel.curves.push(Curve {
                    label: label.to_owned(),
                    points: critic_points(b, scale),
                    stroke: faint,
                });
            }
            add_critic(panel, curves, scale, d_stroke);
        }
    }
}

/// The forces' longest arrow, as a share of the view's width.
pub const PUSH_SHARE: f64 = 0.12;

/// Horizontal arrows drawn per sample sit at this many heights just above the x line.
const PUSH_LEVELS: usize = 6;

/// Heights of per-sample horizontal arrows: the samples in x order take the levels in
/// turn, so neighbours on the x line do not hide each other's arrows.
fn push_heights(x: &[f64], y_hi: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut heights = vec![0.0; x.len()];
    for (rank, &i) in order.iter().enumerate() {
        heights[i] = (0.035 + 0.03 * (rank % PUSH_LEVELS) as f64) * y_hi;
    }
    heights
}

/// A number in three significant figures, or in e-notation when small or large.
pub fn short_number(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".to_owned()
    } else if (0.01..1000.0).contains(&a) {
        let decimals = (2 - a.log10().floor() as i32).max(0) as usize;
        format!("{v:.decimals$}")
    } else {
        format!("{v:.2e}")
    }
}

/// The force on each sample `x[i]` as a horizontal arrow from it, pointing the way
/// `push[i]` pushes it, with the longest [`PUSH_SHARE`] of the view (the scale in the
/// label), or a push of `shared` when panels side by side share one scale.
fn push_arrows(
    x: &[f64],
    push: &[f64],
    (what, shared): (&str, Option<f64>),
    view: ViewRange,
    y_hi: f64,
    color: Rgba,
) -> ArrowSet {
    let ViewRange { lo, hi } = view;
    let finite = |p: f64| if p.is_finite() { p } else { 0.0 };
    let longest = push.iter().map(|p| finite(*p).abs()).fold(0.0, f64::max);
    let scale = shared.unwrap_or(longest);
    let per_unit = if scale > 0.0 {
        PUSH_SHARE * (hi - lo) / scale
    } else {
        0.0
    };
    // Side by side the panels share the label (each run's longest push is in its caption).
    let label = match shared {
        Some(_) => format!("{what}, one scale for all runs"),
        None => format!("{what}, longest = {}", short_number(longest)),
    };
    horizontal_arrows(
        label,
        x,
        |i| per_unit * finite(push[i]),
        view,
        (y_hi, color),
    )
}

/// G(z) before and after G's step as horizontal arrows; moves too small to see are drawn
/// magnified by a power of ten, which the label states.
fn move_arrows(before: &[f64], after: &[f64], view: ViewRange, y_hi: f64, color: Rgba) -> ArrowSet {
    let ViewRange { lo, hi } = view;
    let width = hi - lo;
    let largest = before
        .iter()
        .zip(after)
        .map(|(b, a)| (a - b).abs())
        .filter(|d| d.is_finite())
        .fold(0.0, f64::max);
    // Drawn, the largest move is then between 1.5 % and 15 % of the view.
    let factor = if largest > 0.0 && largest < 0.015 * width {
        10f64.powf((0.15 * width / largest).log10().floor())
    } else {
        1.0
    };
    let label = if factor > 1.0 {
        format!("8. G(z) before -> after, drawn x{factor:.0}")
    } else {
        "8. G(z) before -> after".to_owned()
    };
    horizontal_arrows(
        label,
        before,
        |i| factor * (after[i] - before[i]),
        view,
        (y_hi, color),
    )
}

/// An arrow from each `x[i]` to `x[i] + shift(i)`, at the staggered heights of
/// [`push_heights`], both ends kept inside the view.
fn horizontal_arrows(
    label: String,
    x: &[f64],
    shift: impl Fn(usize) -> f64,
    view: ViewRange,
    (y_hi, color): (f64, Rgba),
) -> ArrowSet {
    let ViewRange { lo, hi } = view;
    let heights = push_heights(x, y_hi);
    let at = |x: f64, y: f64| [x.clamp(lo, hi), y];
    ArrowSet {
        label,
        from: x.iter().zip(&heights).map(|(&x, &y)| at(x, y)).collect(),
        to: x
            .iter()
            .zip(&heights)
            .enumerate()
            .map(|(i, (&x, &y))| at(x + shift(i), y))
            .collect(),
        stroke: Stroke {
            color,
            width: 2.0,
            dash: Dash::Solid,
        },
        tip: 5.0,
    }
}

/// What a slow-motion sub-step touches, highlighted: its data or noise minibatch as ticks,
/// its arrows z -> G(z), D's values on both minibatches, the forces of G's loss, or G(z)
/// before and after G's step (D before its step is drawn with D).
fn add_sub_step(
    panel: &mut Panel,
    input: &PanelInput<'_>,
    slow: SlowInput<'_>,
    z_level: f64,
    y_hi: f64,
    palette: &Palette,
) {
    let ViewRange { lo, hi } = input.view;
    let z_to_x = z_line_position(
        input.view,
        input.noise,
        ZDirection::of(&input.curves.arrows),
    );
    let n = slow.step.number();
    let on_x = |xs: &[f64]| -> Vec<[f64; 2]> {
        xs.iter()
            .map(|&x| [x.clamp(lo, hi), -0.03 * y_hi])
            .collect()
    };
    let on_z = |zs: &[f64]| -> Vec<[f64; 2]> {
        zs.iter()
            .map(|&z| [z_to_x(z), z_level + 0.02 * y_hi])
            .collect()
    };
    let marks = |label: String, points, color, shape| Marks {
        label,
        points,
        color,
        shape,
    };
    match &slow.step.event {
        Event::HeadStart { .. } | Event::DiscriminatorUpdate(_) => {}
        Event::SampleData { x } => panel.marks.push(marks(
            format!("1. data minibatch x (m = {})", x.len()),
            on_x(x),
            palette.ink,
            MarkShape::Tick,
        )),
        Event::SampleNoise { z } | Event::GeneratorNoise { z } => panel.marks.push(marks(
            format!("{n}. noise minibatch z (m = {})", z.len()),
            on_z(z),
            palette.highlight,
            MarkShape::Tick,
        )),
        Event::Generate { z, x } => panel.arrows.push(ArrowSet {
            label: "3. x = G(z) of the minibatch".to_owned(),
            from: z.iter().map(|&z| [z_to_x(z), z_level]).collect(),
            to: x.iter().map(|&x| [x.clamp(lo, hi), 0.0]).collect(),
            stroke: Stroke {
                color: palette.highlight.alpha(170),
                width: 1.2,
                dash: Dash::Solid,
            },
            tip: 5.0,
        }),
        Event::DiscriminatorLoss {
            real,
            fake,
            d_real,
            d_fake,
            ..
        } => {
            // A critic's values are not probabilities: its minibatches are shown as ticks.
            let probability = input.curves.d_reading == DReading::Probability;
            let (shape, at) = if probability {
                (MarkShape::Dot, None)
            } else {
                (MarkShape::Tick, Some(-0.03 * y_hi))
            };
            let points = |xs: &[f64], ds: &[f64]| -> Vec<[f64; 2]> {
                xs.iter()
                    .zip(ds)
                    .map(|(&x, &d)| [x.clamp(lo, hi), at.unwrap_or(d)])
                    .collect()
            };
            panel.marks.push(marks(
                "4. D(x) on the data".to_owned(),
                points(real, d_real),
                palette.ink,
                shape,
            ));
            panel.marks.push(marks(
                "4. D(G(z)) on the generated".to_owned(),
                points(fake, d_fake),
                palette.highlight,
                shape,
            ));
        }
        Event::GeneratorLoss { x, push, .. } => panel.arrows.push(push_arrows(
            x,
            push,
            ("7. push -dL_G/dx", None),
            input.view,
            y_hi,
            palette.highlight,
        )),
        Event::GeneratorUpdate {
            x_before, x_after, ..
        } => panel.arrows.push(move_arrows(
            x_before,
            x_after,
            input.view,
            y_hi,
            palette.highlight,
        )),
    }
}

/// D* where the densities carry mass, one legend entry (`label`) for all its runs.
fn add_d_star(panel: &mut Panel, curves: &Analysis, label: &str, stroke: Stroke) {
    for (i, run) in curves
        .d_star_where_mass(D_STAR_MASS)
        .into_iter()
        .enumerate()
    {
        panel.curves.push(Curve {
            label: if i == 0 { label } else { "" }.to_owned(),
            points: run,
            stroke,
        });
    }
}

/// Where a critic's output is drawn: its range over the grid maps onto this band of the
/// probability axis (so it is seen, and not read as a probability).
const CRITIC_BAND: (f64, f64) = (0.1, 0.9);

/// How a critic's values map onto [`CRITIC_BAND`]: its range over the grid.
#[derive(Clone, Copy, Debug)]
struct CriticScale {
    lo: f64,
    hi: f64,
}

impl CriticScale {
    /// The range of the finite values of `d_raw` (0 to 0 for none).
    fn of(d_raw: &[f64]) -> Self {
        let finite = d_raw.iter().copied().filter(|f| f.is_finite());
        let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), f| {
            (lo.min(f), hi.max(f))
        });
        if lo <= hi {
            Self { lo, hi }
        } else {
            Self { lo: 0.0, hi: 0.0 }
        }
    }

    fn spread(self) -> f64 {
        self.hi - self.lo
    }

    /// Where f is drawn; a flat critic sits in the middle of the band.
    fn y(self, f: f64) -> f64 {
        let (band_lo, band_hi) = CRITIC_BAND;
        if self.spread() > 1e-12 {
            band_lo + (f - self.lo) / self.spread() * (band_hi - band_lo)
        } else {
            0.5 * (band_lo + band_hi)
        }
    }
}

/// The critic's values on `curves`' grid, mapped by `scale`.
fn critic_points(curves: &Analysis, scale: CriticScale) -> Vec<[f64; 2]> {
    curves
        .x
        .iter()
        .zip(&curves.d_raw)
        .map(|(&x, &f)| [x, scale.y(f)])
        .collect()
}

/// A critic f(x) on its own scale: mapped affinely onto [`CRITIC_BAND`], with its values
/// written at the right edge (a secondary axis) and named on the y axis.
fn add_critic(panel: &mut Panel, curves: &Analysis, scale: CriticScale, stroke: Stroke) {
    let CriticScale { lo: f_lo, hi: f_hi } = scale;
    let spread = scale.spread();
    panel.curves.push(Curve {
        label: CRITIC_NAME.to_owned(),
        points: critic_points(curves, scale),
        stroke,
    });
    let (x_lo, x_hi) = panel.x_range;
    let width = x_hi - x_lo;
    let mut ticks = vec![f_lo, f_hi];
    if spread > 1e-12 {
        ticks.insert(1, 0.5 * (f_lo + f_hi));
    }
    for f in ticks {
        let y = scale.y(f);
        panel.curves.push(Curve {
            label: String::new(),
            points: vec![[x_hi - 0.012 * width, y], [x_hi, y]],
            stroke: Stroke {
                width: 1.5,
                dash: Dash::Solid,
                ..stroke
            },
        });
        let text = format!("f = {}", tick_text(f));
        panel.labels.push(Label {
            at: [
                x_hi - 0.016 * width - text_width(&text, TICK_SIZE, width),
                y,
            ],
            text,
            size: TICK_SIZE,
            italic: false,
            color: stroke.color,
        });
    }
    panel.y_axis_label = format!(
        "density; {CRITIC_NAME}: {} … {} (right)",
        tick_text(f_lo),
        tick_text(f_hi)
    );
}

/// Size of tick values (the z line's ends, the critic's scale).
const TICK_SIZE: f32 = 15.0;

/// The width of `text` at `size` pixels in data units of a panel `x_width` wide, as the
/// exports draw it (their plot is [`svg::PLOT_WIDTH`] pixels across); used to centre or
/// right-align labels, which are anchored at their left edge.
fn text_width(text: &str, size: f32, x_width: f64) -> f64 {
    text.chars().count() as f64 * f64::from(size) * 0.52 / svg::PLOT_WIDTH * x_width
}

/// A tick value with a precision that suits it, and a true minus sign.
fn tick_text(v: f64) -> String {
    let a = v.abs();
    let text = if a >= 100.0 || (v.fract() == 0.0 && a < 1e6) {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 0.01 || a == 0.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.1e}")
    };
    text.replace('-', "−")
}

/// The top of the y axis when nothing fixes it. D lives on [0, 1]; densities share the
/// axis as in the paper. A spike in p_g may not flatten the data: the axis stops at three
/// times the data's peak.
fn fitted_y_top(curves: &Analysis) -> f64 {
    let peak_data = curves.p_data.iter().copied().fold(0.0, f64::max);
    let peak_g = curves.p_g.iter().copied().fold(0.0, f64::max);
    1.1_f64
        .max(1.15 * peak_data)
        .max((1.15 * peak_g).min(3.0 * peak_data.max(0.4)))
}

/// Which way the z line runs under the x line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZDirection {
    /// Smallest z at the left, as an axis usually runs.
    Increasing,
    /// Largest z at the left: G is decreasing, and drawn this way its arrows do not cross.
    Reversed,
}

impl ZDirection {
    /// The direction in which G is increasing over most of the z line: reversed when
    /// more pairs of `arrows` (z, G(z)) are in opposite order in z and in G(z) than in the
    /// same order, so that as few arrows as possible cross.
    pub fn of(arrows: &[(f64, f64)]) -> Self {
        let (mut same, mut opposite) = (0usize, 0usize);
        for (i, &(z_i, x_i)) in arrows.iter().enumerate() {
            for &(z_j, x_j) in arrows.iter().skip(i + 1) {
                let order = (z_j - z_i) * (x_j - x_i);
                if order > 0.0 {
                    same += 1;
                } else if order < 0.0 {
                    opposite += 1;
                }
            }
        }
        if opposite > same {
            Self::Reversed
        } else {
            Self::Increasing
        }
    }
}

/// Where the z line draws z, in x units: the z line spans the middle 80 % of the view,
/// running the way `direction` says.
pub fn z_line_position(
    view: ViewRange,
    noise: &Noise,
    direction: ZDirection,
) -> impl Fn(f64) -> f64 {
    let ViewRange { lo: x_lo, hi: x_hi } = view;
    let (z_lo, z_hi) = z_line(noise);
    let left = x_lo + 0.1 * (x_hi - x_lo);
    let right = x_hi - 0.1 * (x_hi - x_lo);
    move |z: f64| {
        let t = (z - z_lo) / (z_hi - z_lo);
        match direction {
            ZDirection::Increasing => left + t * (right - left),
            ZDirection::Reversed => right - t * (right - left),
        }
    }
}

/// The z line at `z_level` below the x line, run in the direction that makes G increasing
/// (its end values written under its ends), an arrow from each z to G(z) (and (c)'s arrows
/// before the G update), and the two lines' names.
fn add_z_line(
    panel: &mut Panel,
    input: &PanelInput<'_>,
    arrows_before: &[(f64, f64)],
    z_level: f64,
    y_hi: f64,
    palette: &Palette,
) {
    let ViewRange { lo: x_lo, hi: x_hi } = input.view;
    let width = x_hi - x_lo;
    let direction = ZDirection::of(&input.curves.arrows);
    let z_to_x = z_line_position(input.view, input.noise, direction);
    let (z_lo, z_hi) = z_line(input.noise);
    let line = |color, width| Stroke {
        color,
        width,
        dash: Dash::Solid,
    };
    panel.curves.push(Curve {
        label: String::new(),
        points: vec![[z_to_x(z_lo), z_level], [z_to_x(z_hi), z_level]],
        stroke: line(palette.ink, 1.0),
    });
    let arrows = |pairs: &[(f64, f64)], label: &str, color: Rgba| ArrowSet {
        label: label.to_owned(),
        from: pairs.iter().map(|&(z, _)| [z_to_x(z), z_level]).collect(),
        to: pairs
            .iter()
            .map(|&(_, x)| [x.clamp(x_lo, x_hi), 0.0])
            .collect(),
        stroke: line(color, 1.2),
        tip: 6.0,
    };
    if !arrows_before.is_empty() {
        panel
            .arrows
            .push(arrows(arrows_before, "G(z) before", palette.arrows_before));
    }
    panel
        .arrows
        .push(arrows(&input.curves.arrows, ARROWS, palette.arrows));
    let name = |at, text: &str| Label {
        at,
        text: text.to_owned(),
        size: 20.0,
        italic: true,
        color: palette.ink,
    };
    // The two names one above the other at the plot's left, clear of the z line's end
    // value however narrow the plot is drawn (the line starts a tenth of the way in).
    panel
        .labels
        .push(name([x_lo + 0.015 * width, z_level], "z"));
    panel
        .labels
        .push(name([x_lo + 0.015 * width, -0.07 * y_hi], "x"));
    // The z values at the line's ends (reversed, the larger is at the left).
    for z in [z_lo, z_hi] {
        let text = tick_text(z);
        panel.labels.push(Label {
            at: [
                z_to_x(z) - 0.5 * text_width(&text, TICK_SIZE, width),
                z_level - 0.055 * y_hi,
            ],
            text,
            size: TICK_SIZE,
            italic: false,
            color: palette.ink,
        });
    }
}

/// (d)'s thin grey line at D = 1/2, drawn under D (so D's blue dashes lie on it where the
/// discriminator cannot tell the two distributions apart).
fn add_half_guide(panel: &mut Panel, palette: &Palette) {
    let (x_lo, x_hi) = panel.x_range;
    let guide = Curve {
        label: HALF_NAME.to_owned(),
        points: vec![[x_lo, 0.5], [x_hi, 0.5]],
        stroke: Stroke {
            color: palette.ink.alpha(120),
            width: 1.0,
            dash: Dash::Solid,
        },
    };
    let at = panel
        .curves
        .iter()
        .position(|c| c.label == D_NAME)
        .unwrap_or(panel.curves.len());
    panel.curves.insert(at, guide);
}

/// Panels per row for runs side by side: two side by side, three or four in a 2 × 2 grid.
pub fn side_by_side_columns(runs: usize) -> usize {
    if runs <= 2 { runs.max(1) } else { 2 }
}

/// One Figure 1 panel per run of a comparison, on shared axes, each titled with its run's
/// label: every input's `view` must be the same x range (each run analysed on it), the y
/// axis is the tallest run's, and the pushes share one scale (the longest push of any run
/// takes [`PUSH_SHARE`] of the view), so a push that vanishes beside another looks it.
pub fn side_by_side_panels(
    runs: &[(String, PanelInput<'_>)],
    overlays: Overlays,
    palette: &Palette,
) -> Vec<Panel> {
    let y_max = runs
        .iter()
        .map(|(_, input)| input.y_max.unwrap_or_else(|| fitted_y_top(input.curves)))
        .fold(0.0, f64::max);
    let longest = runs
        .iter()
        .filter_map(|(_, input)| input.forces)
        .flat_map(|f| f.current.iter().copied().filter(|p| p.is_finite()))
        .fold(0.0, |a: f64, p| a.max(p.abs()));
    runs.iter()
        .map(|(title, input)| {
            debug_assert_eq!(input.view, runs[0].1.view, "one x range for every run");
            let shared = PanelInput {
                y_max: Some(y_max),
                ..*input
            };
            let mut panel = panel_with_push_scale(&shared, overlays, palette, Some(longest));
            panel.title.clone_from(title);
            panel
        })
        .collect()
}

/// A comparison's runs now as one figure: a panel per run on shared axes (the LIVE
/// framing of every run's densities, 600 points), each captioned with its overrides and
/// its exact numbers; with `forces`, the pushes on 128 equal-probability z drawn to one
/// scale. For `ganscope compare --out` and slides.
pub fn comparison_figure(
    comparison: &crate::sim::compare::Comparison,
    forces: bool,
    palette: &Palette,
) -> Figure {
    use crate::sim::analysis::AnalysisOptions;
    use crate::sim::forces::{forces as pushes_on, quantile_noise};
    let view = Framing::LIVE.frame(comparison.span(&Framing::LIVE));
    let curves = comparison.curves_on(view, 600);
    let runs = comparison.runs();
    let pushes: Vec<Forces> = runs
        .iter()
        .map(|run| pushes_on(run.trainer(), &quantile_noise(run.trainer(), 128)))
        .collect();
    let inputs: Vec<(String, PanelInput<'_>)> = runs
        .iter()
        .zip(&curves)
        .zip(&pushes)
        .map(|((run, c), push)| {
            let input = PanelInput {
                forces: Some(push),
                ..PanelInput::new(c, view, &run.trainer().settings().noise)
            };
            (run.label().to_owned(), input)
        })
        .collect();
    let overlays = Overlays {
        forces,
        ..Overlays::default()
    };
    let mut panels = side_by_side_panels(&inputs, overlays, palette);
    let specs = &comparison.spec().runs;
    for (((panel, run), spec), push) in panels.iter_mut().zip(runs).zip(specs).zip(&pushes) {
        let m = Analysis::new(&run.trainer().model(), &AnalysisOptions::default()).metrics;
        let mut numbers = match run.divergence() {
            Some(d) => format!("stopped: {d}"),
            None => format!(
                "JSD {:.4}, C(G) {:.4}, p_g mean {:.3}, std {:.3}",
                m.jsd, m.c_g, m.p_g_mean, m.p_g_std
            ),
        };
        if forces {
            let longest = push.current.iter().fold(0.0, |a: f64, p| a.max(p.abs()));
            numbers += &format!(", longest push {}", short_number(longest));
        }
        for text in [spec.overrides.join(", "), numbers] {
            panel.caption.push(CaptionLine {
                text,
                color: palette.ink,
                small: true,
            });
        }
    }
    let spec = comparison.spec();
    let title = format!(
        "{}, iteration {} (seed {}): {}",
        spec.name,
        comparison.iteration(),
        spec.base.seed,
        spec.watch
    );
    side_by_side_figure(title, panels, palette)
}

/// Runs side by side as one figure ([`side_by_side_panels`] under a title).
pub fn side_by_side_figure(title: String, panels: Vec<Panel>, palette: &Palette) -> Figure {
    Figure {
        title,
        columns: side_by_side_columns(panels.len()),
        panels,
        background: palette.background,
        ink: palette.ink,
    }
}

/// The analysed state of one captured stage: what its panel is drawn from.
#[derive(Clone, Debug)]
pub struct StagePicture {
    /// Which stage.
    pub stage: Stage,
    /// Curves on the figure's common x range.
    pub curves: Analysis,
    /// (c)'s arrows before the G update.
    pub arrows_before: Vec<(f64, f64)>,
    /// (c)'s p_g before the G update.
    pub p_g_before: Vec<f64>,
    /// How it was reached.
    pub how: String,
    /// Evidence lines, each with whether it met its bound.
    pub evidence: Vec<EvidenceLine>,
    /// The iteration of the captured state.
    pub iteration: u64,
}

/// One line of a stage's evidence, as its caption prints it.
#[derive(Clone, Debug, PartialEq)]
pub struct EvidenceLine {
    /// "name = value (< bound)".
    pub text: String,
    /// Whether the value met its bound (an unmet one is drawn in the warning colour).
    pub passed: bool,
    /// The number behind the line (the app's hover explains it).
    pub measured: crate::sim::story::Evidence,
}

/// The analysed four stages on one x range (the union of every stage's data and p_g).
#[derive(Clone, Debug)]
pub struct StoryPicture {
    /// The stages in order.
    pub stages: Vec<StagePicture>,
    /// The common x range.
    pub view: ViewRange,
    /// p_z.
    pub noise: Noise,
    /// The run's seed and preset description for the title.
    pub seed: u64,
}

impl StoryPicture {
    /// Analyses the captures on a common x range.
    pub fn new(captures: &[Capture]) -> Self {
        use crate::sim::analysis::AnalysisOptions;
        // Every arrow head of (c)'s "before" set is in view too.
        let view = common_view(
            captures.iter().map(|c| c.end.model()),
            captures
                .iter()
                .flat_map(|c| c.arrows_before.iter().map(|&(_, x)| x)),
            &Framing::STORY,
        );
        let opts = AnalysisOptions {
            grid_points: 600,
            x_range: Some(view.into()),
            ..AnalysisOptions::default()
        };
        let stages = captures
            .iter()
            .map(|c| StagePicture {
                stage: c.stage,
                curves: Analysis::new(&c.drawn.model(), &opts),
                arrows_before: c.arrows_before.clone(),
                p_g_before: if c.arrows_before.is_empty() {
                    Vec::new()
                } else {
                    Analysis::new(&c.start.model(), &opts).p_g
                },
                how: c.how.clone(),
                evidence: c
                    .evidence
                    .iter()
                    .map(|e| EvidenceLine {
                        text: e.line(),
                        passed: e.passed(),
                        measured: e.clone(),
                    })
                    .collect(),
                iteration: c.end.counters().iteration,
            })
            .collect();
        let fallback = Noise::Uniform {
            low: -1.0,
            high: 1.0,
        };
        let (noise, seed) = captures.first().map_or((fallback, 0), |c| {
            (c.end.settings().noise.clone(), c.end.settings().seed)
        });
        Self {
            stages,
            view,
            noise,
            seed,
        }
    }

    /// Each panel's numbers as CSV files, for re-plotting or checking the figure:
    /// `a.csv` … `d.csv` with x, p_data, p_g, D and D* on the panel's grid, and
    /// `a-arrows.csv` … with each arrow's z, where the z line draws it (in x units) and
    /// G(z). Returns (file name, contents) pairs.
    pub fn curves_csv(&self) -> Vec<(String, String)> {
        let mut files = Vec::new();
        for s in &self.stages {
            let letter = s.stage.label().trim_matches(['(', ')']);
            let c = &s.curves;
            // As the panel draws it: the z line runs the way that makes G increasing.
            let z_to_x = z_line_position(self.view, &self.noise, ZDirection::of(&c.arrows));
            let mut grid = String::from("x,p_data,p_g,d,d_star\n");
            for j in 0..c.x.len() {
                grid += &format!(
                    "{},{},{},{},{}\n",
                    c.x[j], c.p_data[j], c.p_g[j], c.d[j], c.d_star[j]
                );
            }
            files.push((format!("{letter}.csv"), grid));
            let mut arrows = String::from("z,z_line_x,g_z\n");
            for &(z, x) in &c.arrows {
                arrows += &format!("{z},{},{x}\n", z_to_x(z));
            }
            files.push((format!("{letter}-arrows.csv"), arrows));
        }
        files
    }

    /// The panel of stage `i`, with its caption and evidence.
    pub fn panel(&self, i: usize, palette: &Palette) -> Option<Panel> {
        let s = self.stages.get(i)?;
        let mut panel = figure1_panel(
            &PanelInput {
                curves: &s.curves,
                view: self.view,
                noise: &self.noise,
                generated: &[],
                real: &[],
                arrows_before: &s.arrows_before,
                p_g_before: &s.p_g_before,
                y_max: None,
                forces: None,
                d_is_oracle: false,
                slow: None,
            },
            Overlays {
                d_star: s.stage == Stage::B,
                histogram: false,
                real_samples: false,
                arrows: true,
                forces: false,
            },
            palette,
        );
        panel.title = s.stage.label().to_owned();
        if s.stage == Stage::D && s.curves.d_reading == DReading::Probability {
            add_half_guide(&mut panel, palette);
        }
        panel.caption.push(CaptionLine {
            text: s.stage.caption().to_owned(),
            color: palette.ink,
            small: false,
        });
        panel.caption.push(CaptionLine {
            text: s.how.clone(),
            color: palette.ink,
            small: true,
        });
        for line in &s.evidence {
            panel.caption.push(CaptionLine {
                text: line.text.clone(),
                color: if line.passed {
                    palette.ink
                } else {
                    palette.reference
                },
                small: true,
            });
        }
        Some(panel)
    }

    /// The four-panel figure (2 × 2).
    pub fn figure(&self, palette: &Palette) -> Figure {
        Figure {
            title: format!(
                "Figure 1 of Goodfellow et al. (2014), reproduced by ganscope (seed {}): \
                 p_data dotted, p_g green solid, D blue dashed",
                self.seed
            ),
            panels: (0..self.stages.len())
                .filter_map(|i| self.panel(i, palette))
                .collect(),
            columns: 2,
            background: palette.background,
            ink: palette.ink,
        }
    }
}

/// Why a figure file cannot be written; every message names the file.
#[derive(Debug)]
pub enum FileError {
    /// The file name is empty.
    NoFileName,
    /// The path names no file (it ends in `..` or is a root).
    NotAFileName(PathBuf),
    /// The path is an existing folder.
    IsFolder(PathBuf),
    /// The folder the file would go in does not exist.
    NoFolder {
        /// The file.
        path: PathBuf,
        /// Its missing folder.
        folder: PathBuf,
    },
    /// What should be the file's folder is something else.
    NotAFolder {
        /// The file.
        path: PathBuf,
        /// What is there instead of a folder.
        folder: PathBuf,
    },
    /// The file exists and was not to be replaced.
    Exists(PathBuf),
    /// The file name's extension names no format that is written there.
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// The accepted endings, e.g. ".png or .svg".
        expected: &'static str,
    },
    /// The system refused the write.
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoFileName => write!(f, "no file name given"),
            Self::NotAFileName(path) => write!(f, "{} is not a file name", path.display()),
            Self::IsFolder(path) => write!(f, "cannot write {}: it is a folder", path.display()),
            Self::NoFolder { path, folder } => write!(
                f,
                "cannot write {}: the folder {} does not exist",
                path.display(),
                folder.display()
            ),
            Self::NotAFolder { path, folder } => write!(
                f,
                "cannot write {}: {} is not a folder",
                path.display(),
                folder.display()
            ),
            Self::Exists(path) => write!(
                f,
                "{} already exists (choose another name or replace it)",
                path.display()
            ),
            Self::UnknownFormat { path, expected } => write!(
                f,
                "{}: expected a file name ending in {expected}",
                path.display()
            ),
            Self::Write { path, source } => {
                write!(f, "cannot write {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Write { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Accepted size factors of an image (1 = the figure's own pixel size).
pub const SCALE: Range = Range::closed(0.25, 4.0);

/// Checks an image's size factor (`--scale`) against [`SCALE`].
pub fn check_scale(scale: f32) -> Result<(), SettingError> {
    if SCALE.contains(f64::from(scale)) {
        Ok(())
    } else {
        // The f32 as typed ("4.1"), not its widened f64 ("4.099999904632568").
        Err(SettingError::new("--scale", scale, &SCALE.expected()))
    }
}

/// The file's name and its folder ("." for a bare name), after the checks that need no
/// write: a name is given, it is not a folder, its folder is one, and without `replace`
/// it does not exist yet.
fn destination_parts(path: &Path, replace: bool) -> Result<(&std::ffi::OsStr, &Path), FileError> {
    if path.as_os_str().is_empty() {
        return Err(FileError::NoFileName);
    }
    if path.is_dir() {
        return Err(FileError::IsFolder(path.to_path_buf()));
    }
    let Some(name) = path.file_name() else {
        return Err(FileError::NotAFileName(path.to_path_buf()));
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !folder.exists() {
        return Err(FileError::NoFolder {
            path: path.to_path_buf(),
            folder: folder.to_path_buf(),
        });
    }
    if !folder.is_dir() {
        return Err(FileError::NotAFolder {
            path: path.to_path_buf(),
            folder: folder.to_path_buf(),
        });
    }
    if !replace && path.exists() {
        return Err(FileError::Exists(path.to_path_buf()));
    }
    Ok((name, folder))
}

/// A file name beside `path` that no other writer uses (this process, and a count in it).
fn temp_beside(path: &Path, name: &std::ffi::OsStr) -> PathBuf {
    static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".{}-{n}.ganscope-tmp", std::process::id()));
    path.with_file_name(temp_name)
}

/// Checks, before any work, that [`write_file`] can write `path`: the checks it makes
/// itself, and a trial file created and removed in the folder (so a read-only folder is
/// found now, not after a long run).
pub fn check_destination(path: &Path, replace: bool) -> Result<(), FileError> {
    let (name, _) = destination_parts(path, replace)?;
    let temp = temp_beside(path, name);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .map_err(|source| FileError::Write {
            path: path.to_path_buf(),
            source,
        })?;
    // The trial file is empty and ours: failing to remove it is not worth an error.
    let _ = std::fs::remove_file(&temp);
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file beside it, so a failed write leaves
/// any existing file whole. Without `replace`, an existing file is refused.
pub fn write_file(path: &Path, bytes: &[u8], replace: bool) -> Result<(), FileError> {
    let (name, _) = destination_parts(path, replace)?;
    let temp = temp_beside(path, name);
    let failed = |source: std::io::Error| {
        let _ = std::fs::remove_file(&temp);
        FileError::Write {
            path: path.to_path_buf(),
            source,
        }
    };
    std::fs::write(&temp, bytes).map_err(failed)?;
    std::fs::rename(&temp, path).map_err(failed)
}

/// The image formats a figure can be written in, by file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    /// Raster, via resvg.
    Png,
    /// Vector, as written.
    Svg,
}

impl ImageFormat {
    /// The format named by `path`'s extension, or an error naming the accepted ones.
    pub fn of(path: &Path) -> Result<Self, FileError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("png") => Ok(Self::Png),
            Some("svg") => Ok(Self::Svg),
            _ => Err(FileError::UnknownFormat {
                path: path.to_path_buf(),
                expected: ".png or .svg",
            }),
        }
    }

    /// The file's bytes for an SVG document (a PNG rasterised at `scale`).
    pub fn encode(self, svg: &str, scale: f32) -> Result<Vec<u8>, raster::RenderError> {
        match self {
            Self::Svg => Ok(svg.as_bytes().to_vec()),
            Self::Png => raster::png(svg, scale),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Curves for a panel whose G maps the z line through `g`, on [-3, 3].
    fn analysis_with(g: impl Fn(f64) -> f64) -> Analysis {
        let x: Vec<f64> = (0..200).map(|j| -3.0 + 0.03 * (j as f64 + 0.5)).collect();
        let bump = |m: f64| x.iter().map(|x| (-(x - m).powi(2) / 0.5).exp()).collect();
        Analysis {
            dx: 0.03,
            p_data: bump(0.0),
            p_g: bump(0.3),
            d: vec![0.5; x.len()],
            d_raw: vec![0.0; x.len()],
            d_star: vec![0.5; x.len()],
            arrows: (0..25)
                .map(|i| {
                    let z = -1.0 + (i as f64 + 0.5) / 12.5;
                    (z, g(z))
                })
                .collect(),
            x,
            ..Analysis::default()
        }
    }

    fn panel_of(curves: &Analysis) -> Panel {
        let noise = Noise::Uniform {
            low: -1.0,
            high: 1.0,
        };
        figure1_panel(
            &PanelInput::new(curves, ViewRange { lo: -3.0, hi: 3.0 }, &noise),
            Overlays::default(),
            &Palette::LIGHT,
        )
    }

    /// Whether any two arrows cross: their tails on the z line and their heads on the x
    /// line in different orders.
    fn some_cross(set: &ArrowSet) -> bool {
        let n = set.from.len();
        (0..n).any(|i| {
            (i + 1..n)
                .any(|j| (set.from[j][0] - set.from[i][0]) * (set.to[j][0] - set.to[i][0]) < 0.0)
        })
    }

    #[test]
    fn the_z_line_runs_the_way_that_makes_g_increasing_so_no_arrows_cross() {
        // A decreasing G: drawn with z_min at the left every arrow would cross every other.
        let decreasing = analysis_with(|z| 0.2 - 1.5 * z - 0.3 * z.powi(3));
        assert_eq!(ZDirection::of(&decreasing.arrows), ZDirection::Reversed);
        let panel = panel_of(&decreasing);
        let Some(arrows) = panel.arrows.iter().find(|a| a.label == ARROWS) else {
            panic!("no arrows");
        };
        assert!(!some_cross(arrows), "arrows cross on a reversed z line");
        // The z line says so: its larger end value is written at the left.
        let ends: Vec<&Label> = panel
            .labels
            .iter()
            .filter(|l| l.text == "1" || l.text == "−1")
            .collect();
        let [first, second] = ends.as_slice() else {
            panic!("the z line's ends are not labelled: {:?}", panel.labels);
        };
        let (left, right) = if first.at[0] < second.at[0] {
            (first, second)
        } else {
            (second, first)
        };
        assert_eq!((left.text.as_str(), right.text.as_str()), ("1", "−1"));

        // An increasing G: nothing changes, z_min stays at the left.
        let increasing = analysis_with(|z| 0.2 + 1.5 * z + 0.3 * z.powi(3));
        assert_eq!(ZDirection::of(&increasing.arrows), ZDirection::Increasing);
        let panel = panel_of(&increasing);
        let Some(arrows) = panel.arrows.iter().find(|a| a.label == ARROWS) else {
            panic!("no arrows");
        };
        assert!(!some_cross(arrows));
        let z_to_x = z_line_position(
            ViewRange { lo: -3.0, hi: 3.0 },
            &Noise::Uniform {
                low: -1.0,
                high: 1.0,
            },
            ZDirection::Increasing,
        );
        assert!(z_to_x(-1.0) < z_to_x(1.0));
        assert!(
            (z_to_x(-1.0) - (-2.4)).abs() < 1e-12,
            "the middle 80 % of the view"
        );
    }

    #[test]
    fn a_critic_is_drawn_on_its_own_labelled_scale_not_as_a_probability() {
        let mut critic = analysis_with(|z| z);
        critic.d_reading = DReading::Critic;
        // A small critic, whose σ(f) would sit flat at 0.5.
        critic.d_raw = critic.x.iter().map(|x| 0.02 * x - 0.01).collect();
        critic.d = critic
            .d_raw
            .iter()
            .map(|f| 1.0 / (1.0 + (-f).exp()))
            .collect();
        let panel = panel_of(&critic);
        assert!(panel.curves.iter().all(|c| c.label != D_NAME));
        let Some(curve) = panel.curves.iter().find(|c| c.label == CRITIC_NAME) else {
            panic!("no critic curve");
        };
        let ys = curve.points.iter().map(|p| p[1]);
        let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
            (a.min(y), b.max(y))
        });
        // Over half the height above the x line, where σ(f) would span 0.03.
        let above = panel.y_range.1;
        assert!(
            hi - lo > 0.5 * above,
            "the critic spans {lo}..{hi} of {above}"
        );
        assert!(
            panel.y_axis_label.contains("critic f(x): −0.07 … 0.05"),
            "{}",
            panel.y_axis_label
        );
        let ticks: Vec<&str> = panel
            .labels
            .iter()
            .filter(|l| l.text.starts_with("f = "))
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(ticks, ["f = −0.07", "f = −0.01", "f = 0.05"]);
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ganscope-scene-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn a_destination_is_checked_before_any_work_and_each_refusal_names_the_file() {
        let dir = temp_dir("dest");
        let file = dir.join("f.svg");
        assert!(check_destination(&file, false).is_ok());
        assert!(!file.exists(), "the trial file is removed");
        assert!(
            std::fs::read_dir(&dir).expect("listed").next().is_none(),
            "no trial file is left behind"
        );
        write_file(&file, b"<svg/>", false).expect("written");
        let refusals = [
            (PathBuf::new(), "no file name"),
            (file.clone(), "already exists"),
            (dir.clone(), "it is a folder"),
            (dir.join("no/such/f.svg"), "does not exist"),
            (file.join("g.svg"), "is not a folder"),
        ];
        for (path, needle) in refusals {
            let Err(e) = check_destination(&path, false) else {
                panic!("{} accepted", path.display());
            };
            let text = e.to_string();
            assert!(text.contains(needle), "{text}");
            assert!(text.contains(&path.display().to_string()), "{text}");
            assert!(write_file(&path, b"x", false).is_err());
        }
        assert!(
            check_destination(&file, true).is_ok(),
            "replacing is allowed"
        );
        assert_eq!(std::fs::read(&file).expect("read"), b"<svg/>");
    }

    #[test]
    fn formats_and_scales_are_refused_by_name() {
        assert_eq!(
            ImageFormat::of(Path::new("a.PNG")).ok(),
            Some(ImageFormat::Png)
        );
        let e = ImageFormat::of(Path::new("a.jpg")).expect_err("jpg is refused");
        assert_eq!(
            e.to_string(),
            "a.jpg: expected a file name ending in .png or .svg"
        );
        assert!(check_scale(1.0).is_ok());
        let e = check_scale(5.0).expect_err("too big");
        assert_eq!(e.field, "--scale");
        assert_eq!(
            e.to_string(),
            "--scale = 5 is not accepted: expected a number in [0.25, 4]"
        );
        let e = check_scale(4.1).expect_err("too big");
        assert_eq!(e.value, "4.1");
    }
}
