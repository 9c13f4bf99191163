//! One description of what Figure 1 draws — curves, arrows, styles, captions — shared by
//! the live plot (egui_plot, in `app`) and the exported images ([`svg`], [`raster`],
//! [`animation`]), so that they never disagree.
//!
//! A [`Panel`] is a list of marks in data coordinates plus its title and caption lines; a
//! [`Figure`] is a grid of panels with a title. Nothing here draws: renderers do.

pub mod animation;
pub mod raster;
pub mod svg;

use crate::sim::analysis::{Analysis, density_histogram, z_line};
use crate::sim::distribution::Noise;
use crate::sim::story::{Capture, Stage};

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

/// Upward tick marks at points (real samples on the x line).
#[derive(Clone, Debug, PartialEq)]
pub struct Marks {
    /// Legend entry.
    pub label: String,
    /// Mark positions.
    pub points: Vec<[f64; 2]>,
    /// Colour.
    pub color: Rgba,
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
    /// Tick marks.
    pub marks: Option<Marks>,
    /// Arrow sets.
    pub arrows: Vec<ArrowSet>,
    /// Text.
    pub labels: Vec<Label>,
    /// Caption and evidence, under the plot.
    pub caption: Vec<CaptionLine>,
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

/// What one Figure 1 panel is drawn from.
#[derive(Clone, Copy, Debug)]
pub struct PanelInput<'a> {
    /// Curves on the panel's x grid.
    pub curves: &'a Analysis,
    /// The x range shown.
    pub view: (f64, f64),
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
}

/// The legend names, shared by every renderer.
pub const P_DATA: &str = "p_data";
/// Legend name of p_g.
pub const P_G: &str = "p_g";
/// Legend name of D.
pub const D_NAME: &str = "D(x)";
/// Legend name of D*.
pub const D_STAR: &str = "D*(x) = p_data/(p_data + p_g)";
/// Short legend name of D* where space is tight.
pub const D_STAR_SHORT: &str = "D*(x)";
/// Legend name of the arrows.
pub const ARROWS: &str = "x = G(z)";

/// Figure 1 for one state: p_data black dotted, p_g green solid, D blue dashed, optional
/// D* and samples, and the z line below the x line with an arrow from each z to G(z).
pub fn figure1_panel(input: &PanelInput<'_>, overlays: Overlays, palette: &Palette) -> Panel {
    let curves = input.curves;
    let (x_lo, x_hi) = input.view;
    let peak_data = curves.p_data.iter().copied().fold(0.0, f64::max);
    let peak_g = curves.p_g.iter().copied().fold(0.0, f64::max);
    // D lives on [0, 1]; densities share the axis as in the paper. A spike in p_g may not
    // flatten the data: the axis stops at three times the data's peak.
    let y_hi = input.y_max.unwrap_or_else(|| {
        1.1_f64
            .max(1.15 * peak_data)
            .max((1.15 * peak_g).min(3.0 * peak_data.max(0.4)))
    });
    let z_level = -0.32 * y_hi;
    let y_lo = if overlays.arrows {
        z_level - 0.1 * y_hi
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
    let line = |color, width, dash| Stroke { color, width, dash };
    let mut panel = Panel {
        title: String::new(),
        x_range: (x_lo, x_hi),
        y_range: (y_lo, y_hi),
        y_axis_label: "density, D(x)".to_owned(),
        bars: None,
        curves: Vec::new(),
        marks: None,
        arrows: Vec::new(),
        labels: Vec::new(),
        caption: Vec::new(),
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
    if overlays.arrows {
        panel.curves.push(Curve {
            label: String::new(),
            points: vec![[x_lo, 0.0], [x_hi, 0.0]],
            stroke: line(palette.ink, 1.0, Dash::Solid),
        });
    }
    panel.curves.push(Curve {
        label: P_DATA.to_owned(),
        points: series(&curves.p_data),
        stroke: line(palette.ink, 2.5, Dash::Dotted { spacing: 6 }),
    });
    if !input.p_g_before.is_empty() {
        panel.curves.push(Curve {
            label: "p_g before".to_owned(),
            points: series(input.p_g_before),
            stroke: line(palette.generator.alpha(110), 1.5, Dash::Solid),
        });
    }
    panel.curves.push(Curve {
        label: P_G.to_owned(),
        points: series(&curves.p_g),
        stroke: line(palette.generator, 2.5, Dash::Solid),
    });
    panel.curves.push(Curve {
        label: D_NAME.to_owned(),
        points: series(&curves.d),
        stroke: line(palette.discriminator, 2.5, Dash::Dashed { length: 10 }),
    });
    if overlays.d_star {
        panel.curves.push(Curve {
            label: D_STAR_SHORT.to_owned(),
            points: series(&curves.d_star),
            stroke: line(palette.optimal, 1.5, Dash::Dashed { length: 4 }),
        });
    }
    if overlays.real_samples && !input.real.is_empty() {
        panel.marks = Some(Marks {
            label: "data samples".to_owned(),
            points: input.real.iter().map(|&x| [x, -0.03 * y_hi]).collect(),
            color: palette.real,
        });
    }
    if overlays.arrows {
        let (z_lo, z_hi) = z_line(input.noise);
        let left = x_lo + 0.1 * (x_hi - x_lo);
        let right = x_hi - 0.1 * (x_hi - x_lo);
        let z_to_x = |z: f64| left + (z - z_lo) / (z_hi - z_lo) * (right - left);
        panel.curves.push(Curve {
            label: String::new(),
            points: vec![[left, z_level], [right, z_level]],
            stroke: line(palette.ink, 1.0, Dash::Solid),
        });
        let arrows = |pairs: &[(f64, f64)], label: &str, color: Rgba| ArrowSet {
            label: label.to_owned(),
            from: pairs.iter().map(|&(z, _)| [z_to_x(z), z_level]).collect(),
            to: pairs
                .iter()
                .map(|&(_, x)| [x.clamp(x_lo, x_hi), 0.0])
                .collect(),
            stroke: line(color, 1.2, Dash::Solid),
            tip: 6.0,
        };
        if !input.arrows_before.is_empty() {
            panel.arrows.push(arrows(
                input.arrows_before,
                "G(z) before",
                palette.arrows_before,
            ));
        }
        panel
            .arrows
            .push(arrows(&curves.arrows, ARROWS, palette.arrows));
        panel.labels.push(Label {
            at: [left - 0.04 * (x_hi - x_lo), z_level],
            text: "z".to_owned(),
            size: 20.0,
            italic: true,
            color: palette.ink,
        });
        panel.labels.push(Label {
            at: [x_lo + 0.015 * (x_hi - x_lo), -0.07 * y_hi],
            text: "x".to_owned(),
            size: 20.0,
            italic: true,
            color: palette.ink,
        });
    }
    panel
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
    /// Evidence lines and whether each met its bound.
    pub evidence: Vec<(String, bool)>,
    /// The iteration of the captured state.
    pub iteration: u64,
}

/// The analysed four stages on one x range (the union of every stage's data and p_g).
#[derive(Clone, Debug)]
pub struct StoryPicture {
    /// The stages in order.
    pub stages: Vec<StagePicture>,
    /// The common x range.
    pub view: (f64, f64),
    /// p_z.
    pub noise: Noise,
    /// The run's seed and preset description for the title.
    pub seed: u64,
}

impl StoryPicture {
    /// Analyses the captures on a common x range.
    pub fn new(captures: &[Capture]) -> Self {
        use crate::sim::analysis::{AnalysisOptions, Pushforward};
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for c in captures {
            let model = c.end.model();
            let t = &model.target;
            let pf = Pushforward::new(&model.noise, |z| model.generate(z), 1024);
            let (g_lo, g_hi) = pf.range();
            lo = lo.min(t.quantile(0.0005)).min(g_lo);
            hi = hi.max(t.quantile(0.9995)).max(g_hi);
            for &(_, x) in &c.arrows_before {
                lo = lo.min(x);
                hi = hi.max(x);
            }
        }
        if !lo.is_finite() || !hi.is_finite() || hi <= lo {
            (lo, hi) = (-1.0, 1.0);
        }
        let pad = 0.06 * (hi - lo);
        let view = (lo - pad, hi + pad);
        let opts = AnalysisOptions {
            grid_points: 600,
            x_range: Some(view),
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
                evidence: c.evidence.iter().map(|e| (e.line(), e.passed())).collect(),
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
            },
            Overlays {
                d_star: s.stage == Stage::B,
                histogram: false,
                real_samples: false,
                arrows: true,
            },
            palette,
        );
        panel.title = s.stage.label().to_owned();
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
        for (line, passed) in &s.evidence {
            panel.caption.push(CaptionLine {
                text: line.clone(),
                color: if *passed {
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

/// Writes `bytes` to `path` through a temporary file beside it, so a failed write leaves
/// any existing file whole. Without `replace`, an existing file is refused.
pub fn write_file(path: &std::path::Path, bytes: &[u8], replace: bool) -> Result<(), String> {
    let shown = path.display();
    if path.as_os_str().is_empty() {
        return Err("no file name given".to_owned());
    }
    if !replace && path.exists() {
        return Err(format!(
            "{shown} already exists (choose another name or replace it)"
        ));
    }
    let name = path
        .file_name()
        .ok_or_else(|| format!("{shown} is not a file name"))?;
    // A name no other writer uses: this process, and a count within it.
    static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".{}-{n}.ganscope-tmp", std::process::id()));
    let temp = path.with_file_name(temp_name);
    std::fs::write(&temp, bytes).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write {shown}: {e}")
    })?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write {shown}: {e}")
    })
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
    /// The format named by `path`'s extension, or a message naming the accepted ones.
    pub fn of(path: &std::path::Path) -> Result<Self, String> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("png") => Ok(Self::Png),
            Some("svg") => Ok(Self::Svg),
            _ => Err(format!(
                "{}: expected a file name ending in .png or .svg",
                path.display()
            )),
        }
    }

    /// The file's bytes for an SVG document (a PNG rasterised at `scale`).
    pub fn encode(self, svg: &str, scale: f32) -> Result<Vec<u8>, String> {
        match self {
            Self::Svg => Ok(svg.as_bytes().to_vec()),
            Self::Png => raster::png(svg, scale),
        }
    }
}
