//! The metrics panel: small plots over the run, sharing the x axis and the cursor, so
//! hovering one reads the same moment in all. A row of choices above them picks the span of
//! the x axis (the whole run, the last iterations, or a logarithmic axis); each live change
//! of the training settings is a labelled vertical line; steps taken outside iterations (D
//! trained alone in Figure 1's stage (b)) are shaded stretches of the axis.

use egui_plot::{GridInput, GridMark, HLine, HoverPosition, Legend, Line, LineStyle, Plot, Span};
use serde::{Deserialize, Serialize};

use crate::sim::LossKind;

use super::history::{History, Row};
use super::theme::Palette;
use super::worker::Published;

/// −log 4, the global minimum of C(G) (Theorem 1).
const MINUS_LOG4: f64 = -1.386_294_361_119_890_6;

/// How much of the run the metric plots span (saved with the view preferences).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsView {
    /// The whole run, the last iterations, or a logarithmic axis.
    pub axis: IterationAxis,
    /// How many iterations [`IterationAxis::Recent`] shows.
    pub recent_iterations: u64,
}

impl Default for MetricsView {
    fn default() -> Self {
        Self {
            axis: IterationAxis::WholeRun,
            recent_iterations: 1000,
        }
    }
}

/// The span and scale of the metric plots' x axis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum IterationAxis {
    /// From the first iteration to now, linear.
    #[default]
    WholeRun,
    /// The last [`MetricsView::recent_iterations`] iterations, linear.
    Recent,
    /// The whole run on a logarithmic axis, so early dynamics are not squashed into a sliver.
    Logarithmic,
}

/// The shortest stretch of single steps shaded and named (a few D-key presses are not).
const SHADED_SINGLE_STEPS: f64 = 20.0;

/// This frame's mapping from a row's progress (see [`super::history::Place`]) to plot x.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct XMapping {
    /// Linear or log10(progress + 1).
    logarithmic: bool,
    /// Rows before this progress are not drawn.
    from: f64,
}

impl XMapping {
    /// The mapping `view` asks for, given the record so far.
    pub fn new(view: &MetricsView, history: &History, iteration_now: u64) -> Self {
        let from = match view.axis {
            IterationAxis::Recent => history
                .progress_at_iteration(iteration_now.saturating_sub(view.recent_iterations))
                .unwrap_or(0.0),
            IterationAxis::WholeRun | IterationAxis::Logarithmic => f64::NEG_INFINITY,
        };
        Self {
            logarithmic: view.axis == IterationAxis::Logarithmic,
            from,
        }
    }

    /// Plot x of `progress` (log10(progress + 1) on a logarithmic axis).
    pub fn x(&self, progress: f64) -> f64 {
        if self.logarithmic {
            (progress.max(0.0) + 1.0).log10()
        } else {
            progress
        }
    }

    /// The progress at plot x (the inverse of [`Self::x`]).
    pub fn progress(&self, x: f64) -> f64 {
        if self.logarithmic {
            10f64.powf(x) - 1.0
        } else {
            x
        }
    }

    /// Whether `progress` is in the span drawn.
    pub fn shows(&self, progress: f64) -> bool {
        progress >= self.from
    }
}

/// One line of a plot: its legend name, the number it reads from a row, and what the loss
/// must be for the number to mean what its name says.
struct Series {
    name: &'static str,
    value: fn(&Row) -> f64,
    needs: Needs,
}

/// What a series needs of the training loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Needs {
    /// Any loss.
    Nothing,
    /// D a classifier, D(x) a probability (cross-entropy or least squares): V(D, G) of a
    /// Wasserstein or hinge critic squashed by a sigmoid is no value function of anything.
    Classifier,
}

/// Whether D is a classifier under `loss` (rather than an unbounded critic).
fn classifies(loss: LossKind) -> bool {
    match loss {
        LossKind::Minimax | LossKind::NonSaturating | LossKind::LeastSquares => true,
        LossKind::WassersteinClip | LossKind::WassersteinGp | LossKind::Hinge => false,
    }
}

impl Series {
    fn shown(&self, loss: LossKind) -> bool {
        match self.needs {
            Needs::Nothing => true,
            Needs::Classifier => classifies(loss),
        }
    }
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
    /// D's and G's losses at the equilibrium of the loss in use, where they are fixed.
    LossesAtEquilibrium,
}

/// D's and G's minibatch losses where p_g = p_data and D is optimal, for the losses where
/// these are fixed numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Equilibrium {
    /// D's loss there.
    pub d_loss: Option<f64>,
    /// G's loss there.
    pub g_loss: Option<f64>,
}

/// [`Equilibrium`] for `loss`. Cross-entropy: D* = 1/2, so D's loss is 2 log 2 = log 4, G's
/// log(1/2) (minimax) or −log(1/2) (non-saturating). Least squares: D = 1/2, D's loss
/// ½(¼) + ½(¼), G's ½(¼). Wasserstein: E f(G(z)) − E f(x) = 0 for any critic, G's loss
/// −E f(G(z)) depends on the critic's offset. Hinge: the best critic lies in [−1, 1], so D's
/// loss is (1 − f) + (1 + f) = 2; G's depends on f.
pub fn equilibrium(loss: LossKind) -> Equilibrium {
    let ln2 = std::f64::consts::LN_2;
    let (d_loss, g_loss) = match loss {
        LossKind::Minimax => (Some(2.0 * ln2), Some(-ln2)),
        LossKind::NonSaturating => (Some(2.0 * ln2), Some(ln2)),
        LossKind::LeastSquares => (Some(0.25), Some(0.125)),
        LossKind::WassersteinClip | LossKind::WassersteinGp => (Some(0.0), None),
        LossKind::Hinge => (Some(2.0), None),
    };
    Equilibrium { d_loss, g_loss }
}

/// One small plot of the metrics panel.
struct MetricPlot {
    /// Its title under the loss in use.
    title: fn(LossKind) -> String,
    source: Source,
    series: &'static [Series],
    reference: Reference,
}

const fn series(name: &'static str, value: fn(&Row) -> f64) -> Series {
    Series {
        name,
        value,
        needs: Needs::Nothing,
    }
}

/// The plots, in grid order.
const PLOTS: [MetricPlot; 6] = [
    MetricPlot {
        title: |loss| {
            let what = if classifies(loss) { "" } else { " critic" };
            format!("minibatch losses ({loss}{what})")
        },
        source: Source::Minibatch,
        series: &[
            series("D loss", |r| r.d_loss),
            series("G loss", |r| r.g_loss),
        ],
        reference: Reference::LossesAtEquilibrium,
    },
    MetricPlot {
        title: |loss| {
            if classifies(loss) {
                "V(D, G) and C(G)".to_owned()
            } else {
                "C(G) = -log 4 + 2 JSD (a critic has no V(D, G))".to_owned()
            }
        },
        source: Source::Exact,
        series: &[
            Series {
                name: "V(D, G)",
                value: |r| r.value,
                needs: Needs::Classifier,
            },
            series("C(G)", |r| r.c_g),
        ],
        reference: Reference::MinusLog4,
    },
    MetricPlot {
        title: |_| "JSD(p_data || p_g)".to_owned(),
        source: Source::Exact,
        series: &[series("JSD", |r| r.jsd)],
        reference: Reference::Nothing,
    },
    MetricPlot {
        title: |_| "Wasserstein-1".to_owned(),
        source: Source::Exact,
        series: &[series("W1", |r| r.w1)],
        reference: Reference::Nothing,
    },
    MetricPlot {
        title: |_| "p_g mean and std".to_owned(),
        source: Source::Exact,
        series: &[series("mean", |r| r.p_g_mean), series("std", |r| r.p_g_std)],
        reference: Reference::TargetMoments,
    },
    MetricPlot {
        title: |_| "gradient norms".to_owned(),
        source: Source::Minibatch,
        series: &[
            series("|grad D|", |r| r.d_grad),
            series("|grad G|", |r| r.g_grad),
        ],
        reference: Reference::Nothing,
    },
];

/// Draws the metric plots with the view kept in egui's memory (until the app passes its
/// saved [`MetricsView`] to [`MetricsView::ui`]).
pub fn metrics_ui(ui: &mut egui::Ui, picture: &Published, palette: Palette) {
    let id = egui::Id::unique("ganscope-metrics-view");
    let mut view: MetricsView = ui.data_mut(|d| *d.get_persisted_mut_or_default(id));
    view.ui(ui, picture, palette);
    ui.data_mut(|d| d.insert_persisted(id, view));
}

impl MetricsView {
    /// The choice of x axis in one row, then the plots in a grid filling the space left.
    pub fn ui(&mut self, ui: &mut egui::Ui, picture: &Published, palette: Palette) {
        let changed = self.axis_ui(ui, picture);
        let mapping = XMapping::new(self, &picture.minibatch_history, picture.counters.iteration);
        plots_ui(ui, picture, palette, mapping, changed);
    }

    /// The row of x-axis choices; returns whether the choice changed.
    fn axis_ui(&mut self, ui: &mut egui::Ui, picture: &Published) -> bool {
        let before = *self;
        ui.horizontal(|ui| {
            ui.label("x axis:");
            ui.selectable_value(&mut self.axis, IterationAxis::WholeRun, "whole run");
            ui.selectable_value(&mut self.axis, IterationAxis::Recent, "last");
            let n = ui.add(
                egui::DragValue::new(&mut self.recent_iterations)
                    .range(10..=100_000_000)
                    .speed(10.0)
                    .suffix(" iterations"),
            );
            if n.changed() {
                self.axis = IterationAxis::Recent;
            }
            ui.selectable_value(&mut self.axis, IterationAxis::Logarithmic, "log scale");
            ui.separator();
            ui.weak(axis_caption(&picture.minibatch_history));
        });
        *self != before
    }
}

/// What the x axis counts, said honestly: iterations, plus single steps when there were any.
fn axis_caption(history: &History) -> String {
    let single = history.last_place().map_or(0.0, |p| p.single_steps());
    if single < 0.5 {
        "x: iterations of Algorithm 1".to_owned()
    } else {
        format!("x: iterations + {single} steps outside them (D only / G only, one each, shaded)")
    }
}

/// The grid of plots.
fn plots_ui(
    ui: &mut egui::Ui,
    picture: &Published,
    palette: Palette,
    mapping: XMapping,
    refit: bool,
) {
    let link = ui.scope_id().with("metrics-link");
    let columns = 3;
    let spacing = ui.spacing().item_spacing;
    let width = (ui.available_width() - spacing.x * (columns as f32 - 1.0)) / columns as f32;
    let height =
        (ui.available_height() - spacing.y) / 2.0 - ui.text_style_height(&egui::TextStyle::Body);
    let loss = picture.settings.training.loss;
    egui::Grid::new("metrics-grid")
        .spacing(spacing)
        .show(ui, |ui| {
            for (i, plot) in PLOTS.iter().enumerate() {
                ui.vertical(|ui| {
                    ui.label(egui::RichText::new((plot.title)(loss)).strong());
                    let mut shown = Plot::new(plot.series.first().map_or("plot", |s| s.name))
                        .width(width)
                        .height(height.max(60.0))
                        .legend(Legend::default())
                        .link_axis(link, [true, false])
                        .link_cursor(link, [true, false])
                        .x_axis_formatter(move |mark, _| tick_label(mapping, mark.value))
                        .label_formatter(|pos| Some(hover_label(picture, mapping, pos)));
                    if mapping.logarithmic {
                        shown = shown.x_grid_spacer(log_marks);
                    }
                    if refit {
                        shown = shown.reset();
                    }
                    let response = shown.show(ui, |plot_ui| {
                        plot_lines_ui(plot_ui, plot, picture, palette, mapping);
                    });
                    marker_labels_ui(ui, &response.transform, picture, mapping, palette);
                });
                if i % columns == columns - 1 {
                    ui.end_row();
                }
            }
        });
}

/// A tick's text: the progress at plot x, as a whole number ("12k" for 12 000).
fn tick_label(mapping: XMapping, x: f64) -> String {
    let progress = mapping.progress(x);
    if progress < -0.5 {
        return String::new();
    }
    let n = progress.round();
    if n.abs() >= 10_000.0 && (n / 1000.0).fract().abs() < 1e-9 {
        format!("{}k", n / 1000.0)
    } else {
        format!("{n}")
    }
}

/// Grid marks of a logarithmic axis: where progress is 1, 2 and 5 times a power of ten
/// (and 0), decades drawn strongest.
fn log_marks(input: GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    let mut marks = vec![GridMark {
        value: 0.0,
        step_size: 1.0,
    }];
    for decade in 0..12 {
        for (mantissa, step_size) in [(1.0, 1.0), (2.0, 0.3), (5.0, 0.3)] {
            let progress = mantissa * 10f64.powi(decade);
            marks.push(GridMark {
                value: (progress + 1.0).log10(),
                step_size,
            });
        }
    }
    marks.retain(|m| (lo..=hi).contains(&m.value));
    marks
}

/// The hover text: the series, the iteration (and single steps) under the cursor, the value.
fn hover_label(picture: &Published, mapping: XMapping, pos: &HoverPosition<'_>) -> String {
    let (name, point) = match pos {
        HoverPosition::NearDataPoint {
            plot_name,
            position,
            ..
        } => (*plot_name, position),
        HoverPosition::Elsewhere { position } => ("", position),
    };
    let progress = mapping.progress(point.x).max(0.0);
    let iteration = picture.minibatch_history.iteration_at(progress).round();
    let single = (progress - iteration).round();
    let at = if single >= 1.0 {
        format!("iteration {iteration} + {single} single steps")
    } else {
        format!("iteration {iteration}")
    };
    format!("{name}\n{at}\n{:.4}", point.y)
}

/// One plot's series, its reference lines, the shaded single-step phases and the markers'
/// lines.
fn plot_lines_ui(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    plot: &MetricPlot,
    picture: &Published,
    palette: Palette,
    mapping: XMapping,
) {
    let history = match plot.source {
        Source::Minibatch => &picture.minibatch_history,
        Source::Exact => &picture.history,
    };
    let loss = picture.settings.training.loss;
    let colors = [palette.discriminator, palette.generator];
    let color_of = |j: usize| {
        if plot.series.len() == 1 {
            palette.ink
        } else {
            colors[j % 2]
        }
    };
    for (j, series) in plot.series.iter().enumerate() {
        if !series.shown(loss) {
            continue;
        }
        // A loss that does not exist yet (NaN before the first step) is not drawn.
        let points: Vec<[f64; 2]> = history
            .points(series.value)
            .filter(|[progress, y]| y.is_finite() && mapping.shows(*progress))
            .map(|[progress, y]| [mapping.x(progress), y])
            .collect();
        plot_ui.line(Line::new(series.name, points).color(color_of(j)).width(1.5));
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
        Reference::LossesAtEquilibrium => {
            let at = equilibrium(loss);
            for (j, value) in [at.d_loss, at.g_loss].into_iter().enumerate() {
                if let Some(y) = value {
                    let name = format!(
                        "{} at p_g = p_data",
                        plot.series.get(j).map_or("", |s| s.name)
                    );
                    plot_ui.hline(dashed(&name, y).color(color_of(j).gamma_multiply(0.7)));
                }
            }
        }
    }
    for phase in picture
        .minibatch_history
        .single_step_phases(SHADED_SINGLE_STEPS)
    {
        if !mapping.shows(phase.end) {
            continue;
        }
        let range = mapping.x(phase.start.max(mapping.from))..=mapping.x(phase.end);
        plot_ui.span(
            Span::new(phase.trained.label(), range)
                .fill(palette.reference.gamma_multiply(0.12))
                .border_width(0.0),
        );
    }
    for marker in picture.markers.iter() {
        if mapping.shows(marker.place.progress) {
            plot_ui.vline(
                egui_plot::VLine::new(marker.label(), mapping.x(marker.place.progress))
                    .color(palette.reference)
                    .style(LineStyle::Dotted { spacing: 4.0 })
                    .width(1.0),
            );
        }
    }
}

/// The markers' labels, written up their lines from the bottom of the plot; a label that
/// would overlap the one before is left out (the line stays).
fn marker_labels_ui(
    ui: &egui::Ui,
    transform: &egui_plot::PlotTransform,
    picture: &Published,
    mapping: XMapping,
    palette: Palette,
) {
    let frame = *transform.frame();
    let painter = ui.painter().with_clip_rect(frame);
    let font = egui::TextStyle::Small.resolve(ui.style());
    let mut last_right = f32::NEG_INFINITY;
    for marker in picture.markers.iter() {
        if !mapping.shows(marker.place.progress) {
            continue;
        }
        let x = transform.position_from_point_x(mapping.x(marker.place.progress));
        let galley = painter.layout(
            marker.label(),
            font.clone(),
            palette.reference,
            frame.height() - 8.0,
        );
        let thickness = galley.size().y;
        if x + 2.0 < last_right || !frame.x_range().contains(x) {
            continue;
        }
        let at = egui::pos2(x + 2.0, frame.bottom() - 4.0);
        painter.add(
            egui::epaint::TextShape::new(at, galley, palette.reference)
                .with_angle(-std::f32::consts::FRAC_PI_2),
        );
        last_right = x + 2.0 + thickness;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::loss::{discriminator_loss, generator_loss};

    #[test]
    fn the_log_axis_maps_progress_to_log10_and_back() {
        let view = MetricsView {
            axis: IterationAxis::Logarithmic,
            ..MetricsView::default()
        };
        let mapping = XMapping::new(&view, &History::default(), 0);
        assert_eq!(mapping.x(0.0), 0.0);
        assert!((mapping.x(999.0) - 3.0).abs() < 1e-12);
        assert!((mapping.progress(mapping.x(12_345.0)) - 12_345.0).abs() < 1e-6);
        assert_eq!(tick_label(mapping, 2.0), "99");
        assert_eq!(tick_label(mapping, (10_001.0f64).log10()), "10k");
        let linear = XMapping::new(&MetricsView::default(), &History::default(), 0);
        assert_eq!(linear.x(999.0), 999.0);
    }

    #[test]
    fn log_marks_fall_on_round_iterations() {
        let mapping = XMapping {
            logarithmic: true,
            from: f64::NEG_INFINITY,
        };
        let marks = log_marks(GridInput {
            bounds: (0.0, 3.5),
            base_step_size: 0.01,
        });
        let labels: Vec<String> = marks.iter().map(|m| tick_label(mapping, m.value)).collect();
        assert_eq!(
            labels,
            [
                "0", "1", "2", "5", "10", "20", "50", "100", "200", "500", "1000", "2000"
            ]
        );
    }

    #[test]
    fn the_recent_span_starts_where_the_iteration_n_back_was_reached() {
        use super::super::history::Place;
        use crate::sim::trainer::Counters;
        let mut h = History::default();
        for i in 0..=5000u64 {
            let counters = Counters {
                iteration: i,
                d_steps: i,
                g_steps: i,
            };
            let place = Place {
                progress: i as f64,
                counters,
            };
            h.push(place, Row::default());
        }
        let view = MetricsView {
            axis: IterationAxis::Recent,
            recent_iterations: 1000,
        };
        let mapping = XMapping::new(&view, &h, 5000);
        assert!(mapping.shows(4000.0));
        assert!(!mapping.shows(3999.0));
    }

    #[test]
    fn equilibrium_losses_are_the_losses_of_the_optimal_d_on_equal_distributions() {
        // Raw outputs of an optimal D when p_g = p_data: logit 0 (D = 1/2) for the
        // cross-entropy losses, 1/2 for least squares, any constant in [-1, 1] for critics.
        for loss in LossKind::ALL {
            let raw = match loss {
                LossKind::LeastSquares => 0.5,
                LossKind::Minimax | LossKind::NonSaturating => 0.0,
                LossKind::WassersteinClip | LossKind::WassersteinGp | LossKind::Hinge => 0.3,
            };
            let out = [raw; 8];
            let (mut gr, mut gf) = ([0.0; 8], [0.0; 8]);
            let d = discriminator_loss::<f64>(loss, &out, &out, &mut gr, &mut gf);
            let g = generator_loss::<f64>(loss, &out, &mut gf);
            let at = equilibrium(loss);
            let expected_d = at.d_loss.expect("every loss fixes D's loss there");
            assert!((d - expected_d).abs() < 1e-9, "{loss}: D loss {d}");
            match at.g_loss {
                Some(expected_g) => assert!((g - expected_g).abs() < 1e-9, "{loss}: G {g}"),
                None => assert!(!classifies(loss), "{loss}: a classifier's G loss is fixed"),
            }
        }
    }

    #[test]
    fn v_of_d_and_g_is_drawn_only_for_classifiers() {
        let Some(v_plot) = PLOTS.get(1) else {
            panic!("the V(D, G) plot");
        };
        let shown = |loss| v_plot.series.iter().filter(|s| s.shown(loss)).count();
        assert_eq!(shown(LossKind::NonSaturating), 2);
        assert_eq!(shown(LossKind::LeastSquares), 2);
        assert_eq!(shown(LossKind::WassersteinGp), 1);
        assert_eq!(shown(LossKind::Hinge), 1);
        assert!((v_plot.title)(LossKind::Hinge).starts_with("C(G)"));
    }
}
