//! Side by side in the app: one Figure 1 panel per run on shared axes (two side by side,
//! three or four in a 2 x 2 grid), each titled with its run's label, above the metric plots
//! overlaid with one colour per run; the side panel's "Compare" section that starts and
//! stops it; and the status line while it is on. The worker trains the runs
//! ([`super::side_by_side`]); this only draws and sends commands.

use egui_plot::{HLine, Line, Plot};

use super::figure::plot_shown_ui;
use super::history::Row;
use super::legend::{LegendEntry, Swatch, legend_ui};
use super::side_by_side::{ComparePicture, RunPicture};
use super::theme::Palette;
use super::worker::{Command, Published};
use crate::scene::{self, Dash, Overlays, PanelInput};
use crate::sim::compare::{ComparisonSpec, READY_MADE};
use crate::sim::pace::{Pace, PaceChoice};

/// −log 4, the global minimum of C(G) (Theorem 1).
const MINUS_LOG4: f64 = -1.386_294_361_119_890_6;

/// The side panel's choice of ready-made comparison (not saved).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompareChoice {
    /// Index into [`READY_MADE`].
    pub index: usize,
}

impl CompareChoice {
    /// The chosen comparison's name.
    pub fn name(&self) -> &'static str {
        READY_MADE.get(self.index).map_or("saturation", |r| r.name)
    }
}

/// The commands that start the chosen comparison on the run's seed, or leave side by side
/// (back to the run as it was). In the "lecture" pace the comparison plays at its preset's
/// pace, and the run at its own again afterwards.
pub fn start_or_stop(
    picture: &Published,
    choice: &CompareChoice,
    pace: PaceChoice,
    lesson_pace: Pace,
) -> Vec<Command> {
    if picture.compare.is_some() {
        let mut out = vec![Command::Compare(None)];
        if pace == PaceChoice::Lecture {
            out.push(Command::SetPace(lesson_pace));
        }
        return out;
    }
    start(picture, choice.name(), pace)
}

/// The commands that start the comparison `name` on the run's seed.
fn start(picture: &Published, name: &str, pace: PaceChoice) -> Vec<Command> {
    // A ready-made name always makes a spec; the worker checks it again in full.
    let Ok(spec) = ComparisonSpec::named(name) else {
        return Vec::new();
    };
    let spec = spec.with_seed(picture.settings.seed);
    let mut out = Vec::new();
    if pace == PaceChoice::Lecture {
        out.push(Command::SetPace(spec.pace));
    }
    out.push(Command::Compare(Some(spec)));
    out
}

/// The side panel's "Compare" section: the ready-made comparisons in a combo box and a
/// Start / Stop button; returns the commands to send.
pub fn controls_ui(
    ui: &mut egui::Ui,
    choice: &mut CompareChoice,
    picture: &Published,
    pace: PaceChoice,
    lesson_pace: Pace,
) -> Vec<Command> {
    let mut out = Vec::new();
    ui.heading("Compare");
    let running = picture.compare.as_ref().map(|c| c.name.clone());
    egui::ComboBox::from_label("comparison")
        .selected_text(choice.name())
        .show_ui(ui, |ui| {
            for (i, ready) in READY_MADE.iter().enumerate() {
                ui.selectable_value(&mut choice.index, i, ready.name)
                    .on_hover_text(ready.watch);
            }
        })
        .response
        .on_hover_text("Runs from one seed that differ in one setting, trained in lockstep");
    let chosen = READY_MADE.get(choice.index);
    if let Some(ready) = chosen {
        let runs: Vec<&str> = ready.runs.iter().map(|(label, _)| *label).collect();
        ui.label(egui::RichText::new(format!("{} on {}", runs.join(" vs "), ready.preset)).weak())
            .on_hover_text(ready.watch);
    }
    ui.horizontal_wrapped(|ui| {
        let (label, tooltip) = if running.is_some() {
            (
                "Stop side by side",
                "Back to the single run, as it was when side by side began (C)",
            )
        } else {
            (
                "Start side by side",
                "Train the chosen runs in lockstep on this run's seed, each in its own panel; the run waits as it is (C)",
            )
        };
        if ui.button(label).on_hover_text(tooltip).clicked() {
            out.extend(start_or_stop(picture, choice, pace, lesson_pace));
        }
        if let Some(running) = &running
            && running != choice.name()
            && ui
                .button(format!("Switch to {}", choice.name()))
                .on_hover_text("Start the chosen comparison instead, from iteration 0")
                .clicked()
        {
            out.extend(start(picture, choice.name(), pace));
        }
    });
    out
}

/// A run's panel title: its label, and its JSD (and longest push, when the pushes are
/// drawn) or where it diverged.
fn run_title(run: &RunPicture, pushes: bool) -> String {
    if let Some(d) = &run.divergence {
        return format!("{}: diverged in iteration {}", run.label, d.iteration);
    }
    let mut title = format!("{}: JSD {:.4}", run.label, run.analysis.metrics.jsd);
    if pushes {
        let longest = run
            .forces
            .current
            .iter()
            .filter(|p| p.is_finite())
            .fold(0.0, |a: f64, p| a.max(p.abs()));
        title += &format!(", longest push {}", scene::short_number(longest));
    }
    title
}

/// Side by side in the central panel: the header, the panels on shared axes under one
/// legend and, when `metrics`, the overlaid metric plots; returns the commands its button
/// sends.
pub fn compare_ui(
    ui: &mut egui::Ui,
    compare: &ComparePicture,
    (overlays, scene_palette): (Overlays, &scene::Palette),
    palette: Palette,
    metrics: bool,
) -> Vec<Command> {
    let mut out = Vec::new();
    header_ui(ui, compare, &mut out);
    let share = if metrics { 0.58 } else { 1.0 };
    let height = ui.available_height() * share;
    panels_ui(ui, compare, (overlays, scene_palette), height);
    if metrics {
        ui.separator();
        // As the single run's: two rows of plots need this height, or they scroll.
        const READABLE: f32 = 300.0;
        if ui.available_height() >= READABLE {
            metrics_ui(ui, compare, palette);
        } else {
            egui::ScrollArea::vertical()
                .id_salt("compare-metrics")
                .show(ui, |ui| {
                    ui.allocate_ui(egui::vec2(ui.available_width(), READABLE), |ui| {
                        metrics_ui(ui, compare, palette);
                    });
                });
        }
    }
    out
}

/// The comparison's name, base and seed, the way back, and what to watch.
fn header_ui(ui: &mut egui::Ui, compare: &ComparePicture, out: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(egui::RichText::new(format!("Side by side: {}", compare.name)).strong());
        let on = compare
            .preset
            .as_ref()
            .map_or(String::new(), |p| format!("{p}, "));
        ui.label(format!("({on}seed {})", compare.seed));
        if ui
            .button("Leave side by side")
            .on_hover_text("Back to the single run, as it was (C)")
            .clicked()
        {
            out.push(Command::Compare(None));
        }
    });
    // One line, so the panels keep the room: the whole of it on hover.
    let text = format!("Watch: {}", compare.watch);
    ui.add(egui::Label::new(egui::RichText::new(&text).weak()).truncate())
        .on_hover_text(text);
}

/// The runs' panels on shared axes, filling `height`.
fn panels_ui(
    ui: &mut egui::Ui,
    compare: &ComparePicture,
    (overlays, scene_palette): (Overlays, &scene::Palette),
    height: f32,
) {
    let bottom = ui.cursor().top() + height;
    let inputs: Vec<(String, PanelInput<'_>)> = compare
        .runs
        .iter()
        .map(|run| {
            let input = PanelInput {
                generated: &run.generated,
                real: &run.real,
                forces: Some(&run.forces),
                ..PanelInput::new(&run.curves, compare.view, &run.settings.noise)
            };
            (run_title(run, overlays.forces), input)
        })
        .collect();
    let panels = scene::side_by_side_panels(&inputs, overlays, scene_palette);
    // One legend for all: the runs' entries, each name once (a critic's run adds its own).
    let mut legend: Vec<LegendEntry> = Vec::new();
    for entry in panels.iter().flat_map(super::legend::panel_entries) {
        if legend.iter().all(|e| e.label != entry.label) {
            legend.push(entry);
        }
    }
    legend_ui(ui, &legend);
    let height = bottom - ui.cursor().top();
    let columns = scene::side_by_side_columns(panels.len());
    let rows = panels.len().div_ceil(columns).max(1);
    let spacing = ui.spacing().item_spacing;
    let cell = egui::vec2(
        (ui.available_width() - spacing.x * (columns as f32 - 1.0)) / columns as f32,
        (height - spacing.y * (rows as f32 - 1.0)) / rows as f32,
    );
    for (r, row) in panels.chunks(columns).enumerate() {
        ui.horizontal_top(|ui| {
            for (c, panel) in row.iter().enumerate() {
                let down = egui::Layout::top_down(egui::Align::Min);
                ui.allocate_ui_with_layout(cell, down, |ui| {
                    ui.set_max_width(cell.x);
                    ui.add(egui::Label::new(egui::RichText::new(&panel.title).strong()).truncate());
                    let id = format!("compare-panel-{}", r * columns + c);
                    plot_shown_ui(ui, &id, panel, c == 0);
                });
            }
        });
    }
}

/// Which record an overlaid plot reads.
#[derive(Clone, Copy)]
enum Source {
    /// The minibatch numbers of every chunk.
    Minibatch,
    /// The exact metrics of every picture.
    Exact,
}

/// A dashed reference line: its name and where it is (read from the first run).
type Reference = (&'static str, fn(&RunPicture) -> f64);

/// One overlaid plot: a number of each run, one line per run.
struct Overlaid {
    title: &'static str,
    value: fn(&Row) -> f64,
    source: Source,
    /// The dashed line it is measured against, if any (of the first run).
    reference: Option<Reference>,
}

/// The overlaid plots, in grid order.
const PLOTS: [Overlaid; 6] = [
    Overlaid {
        title: "JSD(p_data || p_g)",
        value: |r| r.jsd,
        source: Source::Exact,
        reference: None,
    },
    Overlaid {
        title: "C(G) = -log 4 + 2 JSD",
        value: |r| r.c_g,
        source: Source::Exact,
        reference: Some(("-log 4", |_| MINUS_LOG4)),
    },
    Overlaid {
        title: "max |D - D*| (Proposition 1)",
        value: |r| r.d_gap,
        source: Source::Exact,
        reference: None,
    },
    Overlaid {
        title: "p_g mean",
        value: |r| r.p_g_mean,
        source: Source::Exact,
        reference: Some(("target mean", |run| run.analysis.metrics.data_mean)),
    },
    Overlaid {
        title: "p_g std",
        value: |r| r.p_g_std,
        source: Source::Exact,
        reference: Some(("target std", |run| run.analysis.metrics.data_std)),
    },
    Overlaid {
        title: "|grad G| (minibatch)",
        value: |r| r.g_grad,
        source: Source::Minibatch,
        reference: None,
    },
];

/// The legend naming the runs, then the plots in a 3 x 2 grid with a shared x axis
/// (iterations) and cursor.
fn metrics_ui(ui: &mut egui::Ui, compare: &ComparePicture, palette: Palette) {
    let mut entries: Vec<LegendEntry> = compare
        .runs
        .iter()
        .zip(palette.runs)
        .map(|(run, color)| LegendEntry {
            label: run.label.clone(),
            swatch: Swatch::Line {
                color,
                width: 2.0,
                dash: Dash::Solid,
            },
        })
        .collect();
    entries.push(LegendEntry {
        label: "reference (-log 4, the target's mean and std)".to_owned(),
        swatch: Swatch::Line {
            color: palette.reference,
            width: 1.0,
            dash: Dash::Dashed { length: 6 },
        },
    });
    legend_ui(ui, &entries);
    let link = ui.scope_id().with("compare-metrics-link");
    let columns = 3;
    let spacing = ui.spacing().item_spacing;
    let egui::Vec2 {
        x: width,
        y: cell_height,
    } = super::metrics::grid_cell_size(ui, columns);
    egui::Grid::new("compare-metrics-grid")
        .spacing(spacing)
        .show(ui, |ui| {
            for (i, plot) in PLOTS.iter().enumerate() {
                ui.allocate_ui(egui::vec2(width, cell_height), |ui| {
                    ui.vertical(|ui| {
                        ui.add(
                            egui::Label::new(egui::RichText::new(plot.title).strong()).truncate(),
                        );
                        Plot::new(plot.title)
                            .width(width)
                            .height(ui.available_height().max(24.0))
                            .link_axis(link, [true, false])
                            .link_cursor(link, [true, false])
                            .x_axis_label("iteration")
                            .show(ui, |plot_ui| {
                                overlaid_lines(plot_ui, plot, compare, palette)
                            });
                    });
                });
                if i % columns == columns - 1 {
                    ui.end_row();
                }
            }
        });
}

/// One overlaid plot's lines: each run's in its colour, and the reference dashed.
fn overlaid_lines(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    plot: &Overlaid,
    compare: &ComparePicture,
    palette: Palette,
) {
    for (run, color) in compare.runs.iter().zip(palette.runs) {
        let history = match plot.source {
            Source::Minibatch => &run.minibatch_history,
            Source::Exact => &run.history,
        };
        // Plotted against iterations (D's head start is inside the first one).
        let points: Vec<[f64; 2]> = history
            .rows()
            .iter()
            .map(|row| [row.iteration, (plot.value)(row)])
            .filter(|[_, y]| y.is_finite())
            .collect();
        plot_ui.line(Line::new(run.label.clone(), points).color(color).width(2.0));
    }
    if let (Some((name, value)), Some(first)) = (plot.reference, compare.runs.first()) {
        plot_ui.hline(
            HLine::new(name, value(first))
                .color(palette.reference)
                .width(1.0)
                .style(super::figure::line_style(Dash::Dashed { length: 6 })),
        );
    }
}

/// The status line while side by side is on: the iteration, the state and each run's
/// JSD, cut to the window (all of it on hover).
pub fn status_ui(ui: &mut egui::Ui, compare: &ComparePicture) {
    let state = if compare.playing {
        format!("playing, {:.0} it/s", compare.iterations_per_second)
    } else {
        "paused".to_owned()
    };
    let runs: Vec<String> = compare
        .runs
        .iter()
        .map(|run| match &run.divergence {
            Some(d) => format!("{}: diverged in iteration {}", run.label, d.iteration),
            None => format!(
                "{}: JSD {:.4}, C(G) {:.4}",
                run.label, run.analysis.metrics.jsd, run.analysis.metrics.c_g
            ),
        })
        .collect();
    let text = format!(
        "side by side, iteration {}   {state}   {}",
        compare.iteration,
        runs.join("   ")
    );
    ui.add(egui::Label::new(text.clone()).truncate())
        .on_hover_text(text);
}
