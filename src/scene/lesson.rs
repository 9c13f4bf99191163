//! A lesson's slides: each step's end as a figure (one Figure 1 panel, or the
//! side-by-side panels of a `compare` step), titled with the step and captioned with the
//! numbers, for `ganscope lesson --out`.

use crate::sim::analysis::{Analysis, AnalysisOptions};
use crate::sim::forces::{forces, oracle_forces, quantile_noise};
use crate::sim::lesson::{Lesson, Step, StepReport};
use crate::sim::trainer::Trainer;
use crate::sim::view::{Framing, densities_span};

use super::{CaptionLine, Figure, Overlays, Palette, PanelInput, comparison_figure, figure1_panel};

/// The layers a step shows: the figure's defaults with the step's `show` and `hide`.
pub fn step_overlays(step: &Step) -> Overlays {
    let mut o = Overlays::default();
    for (name, layer) in [
        ("d-star", &mut o.d_star),
        ("arrows", &mut o.arrows),
        ("forces", &mut o.forces),
        ("histogram", &mut o.histogram),
        ("real-samples", &mut o.real_samples),
    ] {
        if let Some(on) = step.shows(name) {
            *layer = on;
        }
    }
    o
}

/// The slide of step `report.index` of `lesson`: the run (or, for a `compare` step, its
/// side-by-side runs) as the step left it.
pub fn step_figure(
    lesson: &Lesson,
    report: &StepReport,
    trainer: &Trainer,
    comparison: Option<&crate::sim::compare::Comparison>,
    palette: &Palette,
) -> Figure {
    let step = &lesson.steps[report.index - 1];
    let overlays = step_overlays(step);
    let title = format!(
        "{}: step {} of {}, {}",
        lesson.title,
        report.index,
        lesson.steps.len(),
        step.title
    );
    let mut figure = match comparison {
        Some(c) => comparison_figure(c, overlays.forces, palette),
        None => single(step, trainer, overlays, palette),
    };
    if comparison.is_none() {
        let line = |text: String| CaptionLine {
            text,
            color: palette.ink,
            small: true,
        };
        if let Some(panel) = figure.panels.first_mut() {
            // Two short lines: one long one wraps mid-number under a single panel.
            let n = &report.numbers;
            panel.caption.push(line(format!(
                "iteration {}, JSD {:.4}, C(G) {:.4}",
                n.iteration, n.jsd, n.c_g
            )));
            let mut second = format!(
                "max |D - D*| {:.3}, p_g mean {:.3}, std {:.3}",
                n.d_gap, n.p_g_mean, n.p_g_std
            );
            if let Some(modes) = &n.modes {
                let masses: Vec<String> = modes.iter().map(|m| format!("{:.2}", m.mass)).collect();
                second += &format!(", mode masses {}", masses.join("/"));
            }
            panel.caption.push(line(second));
            panel.caption.push(line(format!(
                "{} after {} {}",
                report.outcome,
                report.units,
                step.train.unit()
            )));
        }
    }
    figure.title = title;
    figure
}

fn single(step: &Step, trainer: &Trainer, overlays: Overlays, palette: &Palette) -> Figure {
    let model = trainer.model();
    let view = Framing::LIVE.frame(densities_span(&model, &Framing::LIVE));
    let curves = Analysis::new(
        &model,
        &AnalysisOptions {
            grid_points: 600,
            x_range: Some(view.into()),
            ..AnalysisOptions::default()
        },
    );
    let z = quantile_noise(trainer, 128);
    let pushes = if step.oracle {
        oracle_forces(trainer, &z)
    } else {
        forces(trainer, &z)
    };
    let input = PanelInput {
        forces: Some(&pushes),
        d_is_oracle: step.oracle,
        ..PanelInput::new(&curves, view, &trainer.settings().noise)
    };
    let mut panel = figure1_panel(&input, overlays, palette);
    panel.title = step.title.clone();
    Figure {
        title: String::new(),
        panels: vec![panel],
        columns: 1,
        background: palette.background,
        ink: palette.ink,
    }
}
