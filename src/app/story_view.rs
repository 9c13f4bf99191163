//! Figure 1 (a)–(d) in the app: the four captured panels, 2 × 2 or one at a time (← / →),
//! each with the paper's caption, the numbers that prove it (behind a toggle), and buttons
//! to replay it or continue from it.

use super::figure::panel_ui;
use super::theme::color;
use super::worker::{Command, Published};
use crate::scene::{EvidenceLine, Palette, Panel, StoryPicture};
use crate::sim::readout::evidence_formula;
use crate::sim::story::{Evidence, Stage};

/// A 2 × 2 grid needs at least this much room per panel (points), or the panels come one
/// at a time.
const GRID_CELL: egui::Vec2 = egui::vec2(420.0, 330.0);

/// The Figure 1 tab's state: its layout, the panel shown one at a time, and whether the
/// numbers are shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoryView {
    /// Which stage is shown when one is shown at a time.
    pub shown: Stage,
    /// 2 × 2 wanted (it is used only where four panels fit and not in presenter mode).
    pub grid: bool,
    /// The evidence under each caption.
    pub numbers: bool,
    /// Whether the last frame drew the grid.
    drew_grid: bool,
}

impl Default for StoryView {
    fn default() -> Self {
        Self {
            shown: Stage::A,
            grid: true,
            numbers: true,
            drew_grid: false,
        }
    }
}

impl StoryView {
    /// The next panel (from the grid: the first, alone).
    pub fn next(&mut self) {
        if !self.leave_grid() {
            self.shown = Stage::ALL
                .into_iter()
                .find(|s| *s > self.shown)
                .unwrap_or(self.shown);
        }
    }

    /// The previous panel (from the grid: the first, alone).
    pub fn back(&mut self) {
        if !self.leave_grid() {
            self.shown = Stage::ALL
                .into_iter()
                .rev()
                .find(|s| *s < self.shown)
                .unwrap_or(self.shown);
        }
    }

    /// Switches from the grid to one panel at a time; returns whether it did.
    fn leave_grid(&mut self) -> bool {
        let was = self.drew_grid;
        self.grid = false;
        self.drew_grid = false;
        was
    }

    /// The Figure 1 tab; returns the commands its buttons send.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        picture: &Published,
        palette: &Palette,
        presenter: bool,
    ) -> Vec<Command> {
        let mut out = Vec::new();
        let Some(story) = &picture.story.picture else {
            empty_ui(ui, picture, palette, &mut out);
            return out;
        };
        let busy = picture.story.running.is_some();
        let room = ui.available_size();
        let fits = room.x >= 2.0 * GRID_CELL.x && room.y >= 2.0 * GRID_CELL.y;
        let grid = self.grid && fits && !presenter;
        self.drew_grid = grid;
        self.header_ui(ui, grid, fits && !presenter);
        // Each frame builds only the panels it draws (one of them, one at a time).
        let panel_of = |i: usize| Some((story.stages.get(i)?.stage, story.panel(i, palette)?));
        if grid {
            let panels: Vec<(Stage, Panel)> =
                (0..story.stages.len()).filter_map(panel_of).collect();
            self.grid_ui(ui, &panels, story, busy, &mut out);
        } else if let Some((stage, panel)) = story
            .stages
            .iter()
            .position(|s| s.stage == self.shown)
            .or(Some(0))
            .and_then(panel_of)
        {
            self.single_ui(ui, stage, &panel, evidence_of(story, stage), busy, &mut out);
        }
        out
    }

    /// The layout switch, the panel chooser and the numbers toggle, on one wrapping row.
    fn header_ui(&mut self, ui: &mut egui::Ui, grid: bool, grid_possible: bool) {
        ui.horizontal_wrapped(|ui| {
            let why_not = "Not enough room for four panels (or presenter mode): one at a time";
            if ui
                .add_enabled(grid_possible, egui::Button::selectable(grid, "2 x 2"))
                .on_hover_text("All four panels at once")
                .on_disabled_hover_text(why_not)
                .clicked()
            {
                self.grid = true;
            }
            if ui
                .selectable_label(!grid, "one at a time")
                .on_hover_text("One panel filling the tab; left and right arrows go through them")
                .clicked()
            {
                self.grid = false;
            }
            if !grid {
                ui.separator();
                if ui
                    .button("<")
                    .on_hover_text("Previous panel (left arrow)")
                    .clicked()
                {
                    self.back();
                }
                for stage in Stage::ALL {
                    if ui
                        .selectable_label(self.shown == stage, stage.label())
                        .clicked()
                    {
                        self.shown = stage;
                    }
                }
                if ui
                    .button(">")
                    .on_hover_text("Next panel (right arrow)")
                    .clicked()
                {
                    self.next();
                }
            }
            ui.separator();
            ui.checkbox(&mut self.numbers, "numbers")
                .on_hover_text("The measured evidence under each caption (N)");
        });
    }

    /// The four panels, 2 × 2, in a scroll area; each column keeps its half of the width
    /// (captions wrap there rather than run into the next panel).
    fn grid_ui(
        &self,
        ui: &mut egui::Ui,
        panels: &[(Stage, Panel)],
        story: &StoryPicture,
        busy: bool,
        out: &mut Vec<Command>,
    ) {
        let plot_h = (ui.available_height() / 2.0 * 0.55).max(160.0);
        let gap = 2.0 * ui.spacing().item_spacing.x;
        let column_w = ((ui.available_width() - gap - ui.spacing().scroll.allocated_width()) / 2.0)
            .max(GRID_CELL.x / 2.0);
        let column = egui::Layout::top_down(egui::Align::Min);
        egui::ScrollArea::vertical().show(ui, |ui| {
            for row in panels.chunks(2) {
                ui.horizontal_top(|ui| {
                    for (stage, panel) in row {
                        ui.allocate_ui_with_layout(egui::vec2(column_w, 0.0), column, |col| {
                            col.set_width(column_w);
                            col.horizontal_wrapped(|ui| {
                                out.extend(stage_buttons_ui(ui, *stage, busy));
                            });
                            col.allocate_ui(egui::vec2(column_w, plot_h), |ui| {
                                panel_ui(ui, &format!("story_{}", stage.label()), panel, false);
                            });
                            self.caption_ui(col, panel, evidence_of(story, *stage));
                        });
                        ui.add_space(gap);
                    }
                });
                ui.separator();
            }
        });
    }

    /// One panel filling the tab: the plot, with its caption beside it on a wide window
    /// or under it on a tall one.
    fn single_ui(
        &self,
        ui: &mut egui::Ui,
        stage: Stage,
        panel: &Panel,
        evidence: &[EvidenceLine],
        busy: bool,
        out: &mut Vec<Command>,
    ) {
        ui.horizontal_wrapped(|ui| out.extend(stage_buttons_ui(ui, stage, busy)));
        let room = ui.available_size();
        let id = format!("story_single_{}", stage.label());
        if room.x >= 1.4 * room.y {
            let text_w = (0.34 * room.x).clamp(200.0, 560.0);
            let gap = ui.spacing().item_spacing.x;
            let column = egui::Layout::top_down(egui::Align::Min);
            ui.horizontal_top(|ui| {
                ui.allocate_ui_with_layout(
                    egui::vec2(room.x - text_w - gap, room.y),
                    column,
                    |ui| {
                        panel_ui(ui, &id, panel, false);
                    },
                );
                ui.allocate_ui_with_layout(egui::vec2(text_w, room.y), column, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("story_caption")
                        .show(ui, |ui| self.caption_ui(ui, panel, evidence));
                });
            });
        } else {
            ui.allocate_ui(egui::vec2(room.x, 0.62 * room.y), |ui| {
                panel_ui(ui, &id, panel, false);
            });
            egui::ScrollArea::vertical()
                .id_salt("story_caption")
                .show(ui, |ui| self.caption_ui(ui, panel, evidence));
        }
    }

    /// The caption and, with the numbers on, the evidence, all at the caption's size so a
    /// room can read them; hovering an evidence line shows its formula with the values.
    fn caption_ui(&self, ui: &mut egui::Ui, panel: &Panel, evidence: &[EvidenceLine]) {
        let measured: Vec<Evidence> = evidence.iter().map(|e| e.measured.clone()).collect();
        for line in panel.caption.iter().filter(|l| self.numbers || !l.small) {
            let shown = ui.label(egui::RichText::new(&line.text).color(color(line.color)));
            // The panel's evidence lines are these very texts.
            if let Some(e) = evidence.iter().find(|e| e.text == line.text) {
                shown.on_hover_text(evidence_formula(&e.measured, &measured));
            }
        }
    }
}

/// The evidence lines of `stage`'s panel (none if it was not captured).
fn evidence_of(story: &StoryPicture, stage: Stage) -> &[EvidenceLine] {
    story
        .stages
        .iter()
        .find(|s| s.stage == stage)
        .map_or(&[], |s| &s.evidence)
}

/// The tab before Figure 1 has run: what it is and how to run it.
fn empty_ui(ui: &mut egui::Ui, picture: &Published, palette: &Palette, out: &mut Vec<Command>) {
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
