//! Figure 1 (a)–(d) in the app: the four captured panels, 2 × 2, each with the paper's
//! caption, the numbers that prove it, and buttons to replay it or continue from it.

use super::figure::panel_ui;
use super::theme::color;
use super::worker::{Command, Published};
use crate::scene::Palette;
use crate::sim::story::Stage;

/// The Figure 1 tab; returns the commands its buttons send.
pub fn story_ui(ui: &mut egui::Ui, picture: &Published, palette: &Palette) -> Vec<Command> {
    let mut out = Vec::new();
    let Some(story) = &picture.story.picture else {
        ui.vertical_centered(|ui| {
            ui.add_space(40.0);
            ui.label(
                "Figure 1 runs a seeded scenario on the fig1 preset and captures the paper's \
                 four stages, with the numbers that prove each one.",
            );
            if let Some(e) = &picture.story.error {
                ui.colored_label(color(palette.reference), e);
            }
            if picture.story.running.is_none() && ui.button("Run Figure 1").clicked() {
                out.push(Command::Figure1);
            }
        });
        return out;
    };
    let busy = picture.story.running.is_some();
    let cell_h = (ui.available_height() / 2.0 - 8.0).max(200.0);
    egui::ScrollArea::vertical().show(ui, |ui| {
        for row in 0..2 {
            ui.columns(2, |cols| {
                for (c, col) in cols.iter_mut().enumerate() {
                    let i = row * 2 + c;
                    let (Some(stage), Some(panel)) = (
                        story.stages.get(i).map(|s| s.stage),
                        story.panel(i, palette),
                    ) else {
                        continue;
                    };
                    col.set_min_height(cell_h);
                    col.horizontal(|ui| out.extend(stage_buttons_ui(ui, stage, busy)));
                    col.allocate_ui(egui::vec2(col.available_width(), cell_h * 0.62), |ui| {
                        panel_ui(ui, &format!("story_{i}"), &panel, false);
                    });
                    for line in &panel.caption {
                        let mut text = egui::RichText::new(&line.text).color(color(line.color));
                        if line.small {
                            text = text.small();
                        }
                        col.label(text);
                    }
                }
            });
            ui.separator();
        }
    });
    out
}

/// A panel's heading with its Replay and Continue buttons; returns the commands they send.
fn stage_buttons_ui(ui: &mut egui::Ui, stage: Stage, busy: bool) -> Vec<Command> {
    let label = stage.label();
    ui.heading(label);
    let mut out = Vec::new();
    if ui
        .add_enabled(!busy, egui::Button::new(format!("Replay {label}")))
        .on_hover_text("Run this stage again, live and slowed down, from the state it started in")
        .on_disabled_hover_text("Figure 1 or a replay is running: wait for it or press Cancel")
        .clicked()
    {
        out.push(Command::ReplayStage(stage));
    }
    let continue_hint = match stage {
        Stage::D => {
            "Load the training's state at (d) and keep training live (its own D: the panel \
             draws the fresh D of the test)"
        }
        Stage::A | Stage::B | Stage::C => "Load the state this panel shows and keep training live",
    };
    if ui
        .add_enabled(!busy, egui::Button::new(format!("Continue from {label}")))
        .on_hover_text(continue_hint)
        .on_disabled_hover_text("Figure 1 or a replay is running: wait for it or press Cancel")
        .clicked()
    {
        out.push(Command::ContinueFrom(stage));
    }
    out
}
