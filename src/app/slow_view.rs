//! Algorithm 1 in slow motion: the line above the figure. It says what the sub-step just
//! run did, with its real numbers, how far the iteration has got and what the next press
//! does; the figure highlights what the sub-step touched.

use egui::RichText;

use super::worker::{Command, Published, SlowPicture};
use crate::sim::substep::Phase;

/// What the sub-step just run did, or how slow motion works before the first.
pub fn headline(slow: &SlowPicture) -> String {
    match &slow.last {
        Some(step) => step.explain(),
        None => "Slow motion: each press of -> (or Next sub-step) runs one sub-step of \
                 Algorithm 1; Space plays them at the pace, at most 4 a second"
            .to_owned(),
    }
}

/// "sub-step 4 of 8 of iteration 12 - next: 5. D's gradient step".
pub fn progress(slow: &SlowPicture, picture: &Published) -> String {
    let iteration = picture.counters.iteration;
    let (done, total) = slow.progress;
    let finished = slow.last.as_ref().is_some_and(|s| s.completes_iteration);
    let place = if finished {
        format!("iteration {iteration} complete")
    } else if total > 0 {
        format!("sub-step {done} of {total} of iteration {}", iteration + 1)
    } else {
        format!("between iterations {iteration} and {}", iteration + 1)
    };
    let next = match slow.upcoming {
        Some((round, phase)) => format!("next: {} ({round})", step_name(phase)),
        None => {
            // D's head start comes before the run's very first step.
            let head_start =
                picture.counters.d_steps == 0 && picture.settings.training.d_pretrain_steps > 0;
            let first = if head_start {
                Phase::HeadStart
            } else {
                Phase::SampleData
            };
            format!(
                "next: iteration {} starts, {}",
                iteration + 1,
                step_name(first)
            )
        }
    };
    format!("{place} - {next}")
}

/// "5. D's gradient step", or "D's head start".
fn step_name(phase: Phase) -> String {
    match phase {
        Phase::HeadStart => format!("D's head start ({})", phase.label()),
        phase => format!("{}. {}", phase.number(), phase.label()),
    }
}

/// The sub-step just run, in one line, with the next one's button.
pub fn slow_ui(ui: &mut egui::Ui, slow: &SlowPicture, picture: &Published, out: &mut Vec<Command>) {
    let headline = headline(slow);
    let progress = progress(slow, picture);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        // Each line keeps to one row on a projector: cut short, whole on hover.
        ui.add(egui::Label::new(RichText::new(&headline).strong()).truncate())
            .on_hover_text(&headline);
        ui.horizontal(|ui| {
            if ui
                .button("Next sub-step (->)")
                .on_hover_text(
                    "Run the next sub-step of Algorithm 1 (right arrow); Space plays them",
                )
                .clicked()
            {
                out.push(Command::SubStep);
            }
            if ui
                .button("Leave slow motion")
                .on_hover_text("Finish the iteration under way and train normally again (S)")
                .clicked()
            {
                out.push(Command::SetSlowMotion(false));
            }
            ui.add(egui::Label::new(&progress).truncate())
                .on_hover_text(&progress);
        });
    });
}
