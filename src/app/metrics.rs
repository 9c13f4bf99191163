//! The metrics panel: small plots over the run, sharing the x axis and the cursor, so
//! hovering one reads the same moment in all. A row of choices above them picks the span of
//! the x axis (the whole run, the last iterations, or a logarithmic axis); each live change
//! of the training settings is a labelled vertical line; steps taken outside iterations (D
//! trained alone in Figure 1's stage (b)) are shaded stretches of the axis.

use egui_plot::{GridInput, GridMark, HLine, HoverPosition, Line, LineStyle, Plot, Span, VLine};
use serde::{Deserialize, Serialize};

use crate::scene::Dash;
use crate::sim::LossKind;
use crate::sim::readout;
use crate::sim::trainer::Player;

use super::history::{History, Place, Row, SingleStepPhase};
use super::legend::{LegendEntry, Swatch, legend_ui};
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
            IterationAxis::Recent => {
                history.progress_of_iteration(iteration_now.saturating_sub(view.recent_iterations))
            }
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

/// One line of a plot: its legend name, the number it reads from a row, what the loss
/// must be for the number to mean what its name says, and its formula with a row's values
/// (the hover of a point).
struct Series {
    name: &'static str,
    value: fn(&Row) -> f64,
    needs: Needs,
    explain: fn(&Row, &Published) -> String,
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

const fn series(
    name: &'static str,
    value: fn(&Row) -> f64,
    explain: fn(&Row, &Published) -> String,
) -> Series {
    Series {
        name,
        value,
        needs: Needs::Nothing,
        explain,
    }
}

/// A minibatch loss's formula with the row's value, after what it is at the equilibrium.
fn loss_explained(player: Player, loss_value: f64, picture: &Published) -> String {
    let t = &picture.settings.training;
    let at = equilibrium(t.loss);
    let fixed = match player {
        Player::Discriminator => at.d_loss,
        Player::Generator => at.g_loss,
    };
    let note = fixed.map_or(String::new(), |v| {
        format!(
            "At p_g = p_data with the best D it is {}.\n",
            readout::number(v)
        )
    });
    format!(
        "{note}{}",
        readout::loss_formula(t.loss, player, t.batch_size, loss_value, None)
    )
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
            series(
                "D loss",
                |r| r.d_loss,
                |r, p| loss_explained(Player::Discriminator, r.d_loss, p),
            ),
            series(
                "G loss",
                |r| r.g_loss,
                |r, p| loss_explained(Player::Generator, r.g_loss, p),
            ),
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
                explain: |r, _| readout::value_formula(r.value, None),
            },
            series("C(G)", |r| r.c_g, |r, _| readout::c_g_formula(r.jsd)),
        ],
        reference: Reference::MinusLog4,
    },
    MetricPlot {
        title: |_| "JSD(p_data || p_g)".to_owned(),
        source: Source::Exact,
        series: &[series(
            "JSD",
            |r| r.jsd,
            |r, _| readout::jsd_formula(r.jsd, None),
        )],
        reference: Reference::Nothing,
    },
    MetricPlot {
        title: |_| "Wasserstein-1".to_owned(),
        source: Source::Exact,
        series: &[series(
            "W1",
            |r| r.w1,
            |r, _| readout::w1_formula(r.w1, None),
        )],
        reference: Reference::Nothing,
    },
    MetricPlot {
        title: |_| "p_g mean and std".to_owned(),
        source: Source::Exact,
        series: &[
            series(
                "mean",
                |r| r.p_g_mean,
                |r, p| readout::mean_formula(r.p_g_mean, p.analysis.metrics.data_mean),
            ),
            series(
                "std",
                |r| r.p_g_std,
                |r, p| readout::std_formula(r.p_g_std, p.analysis.metrics.data_std),
            ),
        ],
        reference: Reference::TargetMoments,
    },
    MetricPlot {
        title: |_| "gradient norms".to_owned(),
        source: Source::Minibatch,
        series: &[
            series(
                "|grad D|",
                |r| r.d_grad,
                |r, _| readout::grad_norm_formula(Player::Discriminator, r.d_grad),
            ),
            series(
                "|grad G|",
                |r| r.g_grad,
                |r, _| readout::grad_norm_formula(Player::Generator, r.g_grad),
            ),
        ],
        reference: Reference::Nothing,
    },
];

impl MetricsView {
    /// The choice of x axis in one row, then the plots in a grid filling the space left.
    pub fn ui(&mut self, ui: &mut egui::Ui, picture: &Published, palette: Palette) {
        // Where the plots do not fit (a projector at UI scale 2) the app scrolls them: the
        // panel spans the whole width and leaves a floating scroll bar room at its right.
        let scroll = ui.spacing().scroll;
        let bar = scroll.bar_width + scroll.bar_inner_margin + scroll.bar_outer_margin;
        let size = ui.available_size();
        ui.set_min_width(size.x);
        ui.allocate_ui(egui::vec2(size.x - bar, size.y), |ui| {
            let changed = self.axis_ui(ui, picture);
            let mapping =
                XMapping::new(self, &picture.minibatch_history, picture.counters.iteration);
            plots_ui(ui, picture, palette, mapping, changed);
        });
    }

    /// The row of x-axis choices; returns whether the choice changed.
    fn axis_ui(&mut self, ui: &mut egui::Ui, picture: &Published) -> bool {
        let before = *self;
        // Wrapped: at a projector's size the caption goes to a second line, not off the edge.
        ui.horizontal_wrapped(|ui| {
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
            ui.add_space(ui.spacing().item_spacing.x);
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
        format!("x: iterations of Algorithm 1, and shaded: {single} single D or G steps")
    }
}

/// The least height of a plot: a narrow cell (a projector at UI scale 2) wraps its title and
/// legend over several lines, and the plot takes what is left rather than overflow the cell.
const MIN_PLOT_HEIGHT: f32 = 24.0;

/// The grid of plots, each under its title and legend.
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
    let egui::Vec2 {
        x: width,
        y: cell_height,
    } = grid_cell_size(ui, columns);
    let loss = picture.settings.training.loss;
    let phases = picture
        .minibatch_history
        .single_step_phases(SHADED_SINGLE_STEPS);
    egui::Grid::new("metrics-grid")
        .spacing(spacing)
        .show(ui, |ui| {
            for (i, plot) in PLOTS.iter().enumerate() {
                ui.allocate_ui(egui::vec2(width, cell_height), |ui| {
                    ui.vertical(|ui| {
                        ui.label(egui::RichText::new((plot.title)(loss)).strong());
                        legend_ui(ui, &legend_entries(plot, picture, palette));
                        let ticks = IterationTicks {
                            history: &picture.minibatch_history,
                            mapping,
                        };
                        let phases = &phases;
                        let mut shown = Plot::new(plot.series.first().map_or("plot", |s| s.name))
                            .width(width)
                            .height(ui.available_height().max(MIN_PLOT_HEIGHT))
                            .link_axis(link, [true, false])
                            .link_cursor(link, [true, false])
                            .x_grid_spacer(move |input| ticks.marks(input, phases))
                            .x_axis_formatter(move |mark, _| ticks.label(mark.value))
                            .label_formatter(|pos| Some(hover_label(plot, picture, mapping, pos)));
                        if refit {
                            shown = shown.reset();
                        }
                        let response = shown.show(ui, |plot_ui| {
                            plot_lines_ui(plot_ui, plot, picture, palette, mapping);
                        });
                        marker_labels_ui(ui, &response.transform, picture, mapping, palette);
                    });
                });
                if i % columns == columns - 1 {
                    ui.end_row();
                }
            }
        });
}

/// How one kind of line of the metric plots is drawn; the plot and its legend both read it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Look {
    color: egui::Color32,
    width: f32,
    dash: Dash,
}

impl Look {
    /// A series' line.
    fn series(color: egui::Color32) -> Self {
        Self {
            color,
            width: 1.5,
            dash: Dash::Solid,
        }
    }

    /// A reference line (-log 4, the target's moments, the losses at equilibrium).
    fn reference(palette: Palette) -> Self {
        Self {
            color: palette.reference,
            width: 1.0,
            dash: Dash::Dashed { length: 6 },
        }
    }

    /// A live setting change.
    fn marker(palette: Palette) -> Self {
        Self {
            color: palette.reference,
            width: 1.0,
            dash: Dash::Dotted { spacing: 4 },
        }
    }

    fn line_style(self) -> LineStyle {
        super::figure::line_style(self.dash)
    }

    fn swatch(self) -> Swatch {
        Swatch::Line {
            color: self.color,
            width: self.width,
            dash: self.dash,
        }
    }
}

/// The fill of a stretch of single steps: a faint wash of ink, under everything.
/// The size of one plot in a grid of `columns` × 2 plots filling the space left, with
/// room for a scroll bar at the right: where the plots do not fit (a projector at UI scale
/// 2) the app scrolls them, and a floating bar must not cover the last column.
pub fn grid_cell_size(ui: &egui::Ui, columns: usize) -> egui::Vec2 {
    let spacing = ui.spacing().item_spacing;
    let scroll = ui.spacing().scroll;
    let bar = scroll.bar_width + scroll.bar_inner_margin + scroll.bar_outer_margin;
    egui::vec2(
        (ui.available_width() - bar - spacing.x * (columns as f32 - 1.0)) / columns as f32,
        (ui.available_height() - spacing.y) / 2.0,
    )
}

fn phase_fill(palette: Palette) -> egui::Color32 {
    palette.ink.gamma_multiply(0.07)
}

/// The colour of a plot's `j`-th series: D's and G's colours for pairs, ink when alone.
fn series_color(plot: &MetricPlot, j: usize, palette: Palette) -> egui::Color32 {
    match plot.series.len() {
        1 => palette.ink,
        _ if j.is_multiple_of(2) => palette.discriminator,
        _ => palette.generator,
    }
}

/// What a plot's reference lines are called in its legend, if it has any now.
fn reference_name(reference: Reference, loss: LossKind) -> Option<&'static str> {
    match reference {
        Reference::Nothing => None,
        Reference::MinusLog4 => Some("-log 4"),
        Reference::TargetMoments => Some("target mean, std"),
        Reference::LossesAtEquilibrium => {
            let at = equilibrium(loss);
            (at.d_loss.is_some() || at.g_loss.is_some()).then_some("at p_g = p_data")
        }
    }
}

/// A plot's legend: its series and its reference lines, each with the look it has in the
/// plot. Markers and shaded phases carry their own names in the plot.
fn legend_entries(plot: &MetricPlot, picture: &Published, palette: Palette) -> Vec<LegendEntry> {
    let loss = picture.settings.training.loss;
    let mut out: Vec<LegendEntry> = plot
        .series
        .iter()
        .enumerate()
        .filter(|(_, s)| s.shown(loss))
        .map(|(j, s)| LegendEntry {
            label: s.name.to_owned(),
            swatch: Look::series(series_color(plot, j, palette)).swatch(),
        })
        .collect();
    out.extend(
        reference_name(plot.reference, loss).map(|name| LegendEntry {
            label: name.to_owned(),
            swatch: Look::reference(palette).swatch(),
        }),
    );
    out
}

/// The x axis's ticks: at round iteration counts (not round progress), so the axis reads
/// iterations and a stretch of single steps is a stretch without ticks.
#[derive(Clone, Copy)]
struct IterationTicks<'a> {
    history: &'a History,
    mapping: XMapping,
}

impl IterationTicks<'_> {
    /// Plot x of `iteration`.
    fn x(&self, iteration: u64) -> f64 {
        self.mapping
            .x(self.history.progress_of_iteration(iteration))
    }

    /// The iteration count at plot x.
    fn iteration(&self, x: f64) -> f64 {
        self.history.iteration_at(self.mapping.progress(x))
    }

    /// A tick's text: the iteration count at plot x ("12k" for 12 000).
    fn label(&self, x: f64) -> String {
        let n = self.iteration(x).round();
        if n < 0.0 {
            String::new()
        } else if n >= 10_000.0 && (n / 1000.0).fract().abs() < 1e-9 {
            format!("{}k", n / 1000.0)
        } else {
            format!("{n}")
        }
    }

    /// Grid marks in view, each with a labelled tick, none closer than a label's width:
    /// on a linear axis every round step of iterations, and the iterations on either side of
    /// each shaded phase; on a logarithmic axis 0 and 1, 2 and 5 times each power of ten,
    /// decades first.
    fn marks(&self, input: GridInput, phases: &[SingleStepPhase]) -> Vec<GridMark> {
        let (lo, hi) = input.bounds;
        // Plot units per label: `base_step_size` is about 6 points.
        let gap = 14.0 * input.base_step_size;
        let mut candidates: Vec<f64> = Vec::new();
        if self.mapping.logarithmic {
            candidates.push(self.x(0));
            for mantissa in [1, 5, 2] {
                candidates.extend((0..12).map(|decade| self.x(mantissa * 10u64.pow(decade))));
            }
        } else {
            let first = self.iteration(lo).max(0.0);
            let last = self.iteration(hi).max(first);
            let step = round_step(gap.max((last - first) / 50.0));
            let start = (first / step).floor() as u64;
            let count = ((last - first) / step) as u64 + 2;
            candidates
                .extend((start..start + count.min(1000)).map(|k| self.x((k as f64 * step) as u64)));
            // Where each shaded phase began and where the iterations went on after it.
            for phase in phases {
                candidates.push(self.x(phase.iteration));
                candidates.push(self.x(phase.iteration + 1));
            }
        }
        let mut kept: Vec<f64> = Vec::new();
        for x in candidates {
            if (lo..=hi).contains(&x) && kept.iter().all(|k| (k - x).abs() >= gap) {
                kept.push(x);
            }
        }
        kept.sort_by(f64::total_cmp);
        kept.into_iter()
            .map(|value| GridMark {
                value,
                step_size: gap,
            })
            .collect()
    }
}

/// The smallest of 1, 2 or 5 times a power of ten (at least 1) that is at least `at_least`.
fn round_step(at_least: f64) -> f64 {
    let power = 10f64.powf(at_least.max(1.0).log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= at_least)
        .unwrap_or(10.0 * power)
}

/// The hover text: near a series' point, its formula with the values of that moment;
/// elsewhere the name of the line, the iteration (and single steps) under the cursor and
/// the value.
fn hover_label(
    plot: &MetricPlot,
    picture: &Published,
    mapping: XMapping,
    pos: &HoverPosition<'_>,
) -> String {
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
    let history = match plot.source {
        Source::Minibatch => &picture.minibatch_history,
        Source::Exact => &picture.history,
    };
    // Near a point: that series; elsewhere: every series of the plot, at the nearest row.
    let loss = picture.settings.training.loss;
    let near = matches!(pos, HoverPosition::NearDataPoint { .. });
    let chosen: Vec<&Series> = plot
        .series
        .iter()
        .filter(|s| if near { s.name == name } else { s.shown(loss) })
        .collect();
    if let Some((place, row)) = history.row_near(progress)
        && !chosen.is_empty()
    {
        let formulas: Vec<String> = chosen.iter().map(|s| (s.explain)(&row, picture)).collect();
        return format!("{}\nat {}", formulas.join("\n\n"), place_label(place));
    }
    if name == "-log 4" {
        return format!(
            "-log 4 = {}: the global minimum of C(G), reached only at p_g = p_data (Theorem 1)\n{at}",
            readout::number(MINUS_LOG4)
        );
    }
    format!("{name}\n{at}\n{:.4}", point.y)
}

/// "iteration 120", or "iteration 120 + 300 single steps" after steps outside iterations.
fn place_label(place: Place) -> String {
    let iteration = place.counters.iteration;
    let single = place.single_steps().round();
    if single >= 1.0 {
        format!("iteration {iteration} + {single} single steps")
    } else {
        format!("iteration {iteration}")
    }
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
    for phase in picture
        .minibatch_history
        .single_step_phases(SHADED_SINGLE_STEPS)
    {
        if mapping.shows(phase.end) {
            let range = mapping.x(phase.start.max(mapping.from))..=mapping.x(phase.end);
            plot_ui.span(
                Span::new(phase.trained.label(), range)
                    .fill(phase_fill(palette))
                    .border_width(0.0),
            );
        }
    }
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
        let look = Look::series(series_color(plot, j, palette));
        plot_ui.line(
            Line::new(series.name, points)
                .color(look.color)
                .width(look.width),
        );
    }
    let reference = Look::reference(palette);
    let mut dashed = |name: &str, y: f64| {
        plot_ui.hline(
            HLine::new(name, y)
                .color(reference.color)
                .width(reference.width)
                .style(reference.line_style()),
        );
    };
    match plot.reference {
        Reference::Nothing => {}
        Reference::MinusLog4 => dashed("-log 4", MINUS_LOG4),
        Reference::TargetMoments => {
            let m = &picture.analysis.metrics;
            dashed("target mean", m.data_mean);
            dashed("target std", m.data_std);
        }
        Reference::LossesAtEquilibrium => {
            let at = equilibrium(loss);
            for (series, value) in plot.series.iter().zip([at.d_loss, at.g_loss]) {
                if let Some(y) = value {
                    dashed(&format!("{} at p_g = p_data", series.name), y);
                }
            }
        }
    }
    let marker = Look::marker(palette);
    for m in picture.markers.iter() {
        if mapping.shows(m.place.progress) {
            plot_ui.vline(
                VLine::new(m.label(), mapping.x(m.place.progress))
                    .color(marker.color)
                    .width(marker.width)
                    .style(marker.line_style()),
            );
        }
    }
    if let Some(progress) = super::timeline_view::cursor_progress(picture)
        && mapping.shows(progress)
    {
        plot_ui.vline(
            VLine::new("moment shown", mapping.x(progress))
                .color(palette.generator)
                .width(2.0),
        );
    }
}

/// Rows of marker labels tried, from the top of the plot down, before a label is left out.
const MARKER_LABEL_ROWS: usize = 3;

/// The markers' labels at the top of the plot, beside their lines (right of the line, or
/// left of it near the right edge); a label that finds no free row is left out (its line
/// stays, and hovering tells the iteration).
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
    let background = ui.visuals().extreme_bg_color.gamma_multiply(0.85);
    let mut taken: Vec<egui::Rect> = Vec::new();
    for marker in picture.markers.iter() {
        if !mapping.shows(marker.place.progress) {
            continue;
        }
        let x = transform.position_from_point_x(mapping.x(marker.place.progress));
        if !frame.x_range().contains(x) {
            continue;
        }
        let galley = painter.layout_no_wrap(marker.label(), font.clone(), palette.reference);
        let size = galley.size();
        let left = if x + 3.0 + size.x <= frame.right() {
            x + 3.0
        } else {
            x - 3.0 - size.x
        };
        let free = (0..MARKER_LABEL_ROWS)
            .map(|row| {
                let top = frame.top() + 2.0 + row as f32 * (size.y + 1.0);
                egui::Rect::from_min_size(egui::pos2(left, top), size)
            })
            .find(|rect| !taken.iter().any(|t| t.intersects(*rect)));
        let Some(rect) = free else {
            continue;
        };
        painter.rect_filled(rect.expand(1.0), 2.0, background);
        painter.galley(rect.min, galley, palette.reference);
        taken.push(rect.expand(2.0));
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
        let empty = History::default();
        let ticks = IterationTicks {
            history: &empty,
            mapping,
        };
        assert_eq!(ticks.label(2.0), "99");
        assert_eq!(ticks.label((10_001.0f64).log10()), "10k");
        let linear = XMapping::new(&MetricsView::default(), &History::default(), 0);
        assert_eq!(linear.x(999.0), 999.0);
    }

    /// 100 iterations, then 1000 D-only steps, then 100 iterations more.
    fn with_a_d_only_phase() -> History {
        use super::super::history::Place;
        use crate::sim::trainer::Counters;
        let mut h = History::default();
        let mut place = Place::default();
        let mut counters = Counters::default();
        for step in 0..1200 {
            if (100..1100).contains(&step) {
                counters.d_steps += 1;
            } else {
                counters.iteration += 1;
                counters.d_steps += 1;
                counters.g_steps += 1;
            }
            place = place.advanced_to(counters, 2);
            h.push(place, Row::default());
        }
        h
    }

    #[test]
    fn ticks_fall_on_round_iterations_and_skip_a_d_only_phase() {
        let h = with_a_d_only_phase();
        let linear = IterationTicks {
            history: &h,
            mapping: XMapping::new(&MetricsView::default(), &h, 200),
        };
        let phases = h.single_step_phases(SHADED_SINGLE_STEPS);
        let input = || GridInput {
            bounds: (0.0, 1200.0),
            base_step_size: 50.0 / 14.0,
        };
        let labels: Vec<String> = linear
            .marks(input(), &phases)
            .iter()
            .map(|m| linear.label(m.value))
            .collect();
        assert_eq!(labels, ["0", "50", "100", "150", "200"]);
        let xs: Vec<f64> = linear
            .marks(input(), &phases)
            .iter()
            .map(|m| m.value)
            .collect();
        assert_eq!(
            xs,
            [0.0, 50.0, 100.0, 1150.0, 1200.0],
            "150 comes after the phase"
        );

        let log = IterationTicks {
            history: &h,
            mapping: XMapping::new(
                &MetricsView {
                    axis: IterationAxis::Logarithmic,
                    ..MetricsView::default()
                },
                &h,
                200,
            ),
        };
        let input = GridInput {
            bounds: (0.0, 3.1),
            base_step_size: 0.001,
        };
        let labels: Vec<String> = log
            .marks(input, &phases)
            .iter()
            .map(|m| log.label(m.value))
            .collect();
        assert_eq!(labels, ["0", "1", "2", "5", "10", "20", "50", "100", "200"]);
    }

    #[test]
    fn round_steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(round_step(0.3), 1.0);
        assert_eq!(round_step(3.0), 5.0);
        assert_eq!(round_step(17.0), 20.0);
        assert_eq!(round_step(500.0), 500.0);
        assert_eq!(round_step(501.0), 1000.0);
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
    fn hovering_a_point_shows_its_formula_with_the_values_of_that_moment() {
        use super::super::worker::{Command, Worker};
        use crate::sim::Settings;
        let mut w = Worker::new(Settings::preset("fig1").expect("preset")).expect("valid");
        for _ in 0..20 {
            w.handle(Command::StepIteration);
        }
        let p = w.publish();
        let mapping = XMapping::new(&MetricsView::default(), &p.minibatch_history, 20);
        let at = |plot: &MetricPlot, name: &str, history: &History, value: fn(&Row) -> f64| {
            let (Some(place), Some(row)) = (history.places().last(), history.rows().last()) else {
                panic!("a recorded row");
            };
            let pos = HoverPosition::NearDataPoint {
                plot_name: name,
                position: egui_plot::PlotPoint::new(place.progress, value(row)),
                index: 0,
            };
            (hover_label(plot, &p, mapping, &pos), *row)
        };
        let (text, row) = at(&PLOTS[1], "C(G)", &p.history, |r| r.c_g);
        let formula = readout::c_g_formula(row.jsd);
        assert_eq!(text, format!("{formula}\nat iteration 20"));
        let (shown, half) = readout::printed_result(&formula).expect("a number");
        assert!(
            (shown - row.c_g).abs() <= half,
            "{shown} vs C(G) {}",
            row.c_g
        );
        // Elsewhere in the plot: both of its series at the nearest moment.
        let elsewhere = HoverPosition::Elsewhere {
            position: egui_plot::PlotPoint::new(19.7, -1.0),
        };
        let text = hover_label(&PLOTS[1], &p, mapping, &elsewhere);
        assert!(
            text.contains(&readout::value_formula(row.value, None)),
            "{text}"
        );
        assert!(text.contains(&formula), "{text}");
        let (text, row) = at(&PLOTS[0], "D loss", &p.minibatch_history, |r| r.d_loss);
        assert!(
            text.starts_with("At p_g = p_data with the best D it is 1.386."),
            "{text}"
        );
        let formula = text.trim_end_matches("\nat iteration 20");
        let (shown, half) = readout::printed_result(formula).expect("a number");
        assert!(
            (shown - row.d_loss).abs() <= half,
            "{text} vs {}",
            row.d_loss
        );
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
