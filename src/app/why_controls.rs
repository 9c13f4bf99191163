//! The side panel's "See why" section: the toggles of the views that show why G and D
//! move (forces, slow motion, G vs z, mode bars), the oracle D, and "Pause when", the
//! breakpoints. Each toggle reads its state from the picture or the view preferences and
//! sends a command only when clicked.

use crate::sim::breakpoint::{Breakpoint, Breakpoints, D_ON_G_CELLS, SATURATION};
use crate::sim::oracle;

use super::controls::{ControlsState, ViewPrefs};
use super::worker::{Command, Published};

const FORCES_TIP: &str = "Arrows on the x line for each generated sample of the minibatch: \
     -dL_G/dx at G(z), the push G's step gives that sample under the current loss; beside \
     the figure, the push of the same samples under the minimax and the non-saturating \
     loss (section 3: minimax saturates when D rejects G's samples). Key X.";

const SLOW_TIP: &str = "Algorithm 1 one sub-step at a time: m data x and m noise z, G(z), \
     D's loss and gradient step (D before and after), then the G half (fresh z, G's loss, \
     G's step). Step (right arrow) runs the next sub-step, Play runs them at the pace. \
     Turning it off finishes the iteration under way. Key S.";

const G_VS_Z_TIP: &str = "Beside the figure: G(z) against the ideal map T*(z) = \
     F_data^-1(F_z(z)), the increasing map that makes p_g = p_data exactly (the optimum of \
     section 4), with G's folds and the mass G puts where p_data has none. Key Z.";

const MODES_TIP: &str = "Beside the figure, for a mixture target: each mode's exact share \
     of p_g next to its data weight w_i, with section 6's alarm (the Helvetica scenario) \
     when a mode holds under a fifth of its weight.";

const ORACLE_TIP: &str = "Proposition 2: D is replaced by D*(x) = p_data(x) / (p_data(x) + \
     p_g(x)) at every G step (D is not trained); with the minimax loss G then descends \
     C(G) = -log 4 + 2 JSD(p_data || p_g), which falls. Key O.";

const PAUSE_TIP: &str = "Play pauses when a checked condition starts to hold (edge-triggered: \
     press Play and the run goes on, pausing again only once that condition has stopped \
     holding and holds anew). The conditions are checked after each chunk of up to 16 \
     iterations, so a pause can come up to 15 iterations after the condition first held, \
     except iteration N, which stops exactly at N. The line below is the same list \
     `ganscope train --until` takes.";

/// The "Pause when" editor: which conditions are checked and the values typed for them.
#[derive(Clone, Debug)]
pub struct BreakpointEditor {
    /// JSD below ε.
    pub jsd_on: bool,
    /// ε of the JSD condition, as typed.
    pub jsd_eps: String,
    /// A mode lost (mixtures).
    pub mode_lost: bool,
    /// D saturated.
    pub d_saturated: bool,
    /// ‖∇G‖ below ε.
    pub grad_on: bool,
    /// ε of the gradient condition, as typed.
    pub grad_eps: String,
    /// Iteration N.
    pub iteration_on: bool,
    /// N, as typed.
    pub iteration: String,
    /// Why the last edit was refused (nothing was sent).
    pub error: Option<String>,
    /// The worker's list the editor last showed: a different one (a run restored
    /// elsewhere) is shown afresh.
    seen: Option<Breakpoints>,
}

impl Default for BreakpointEditor {
    fn default() -> Self {
        Self {
            jsd_on: false,
            jsd_eps: "0.01".to_owned(),
            mode_lost: false,
            d_saturated: false,
            grad_on: false,
            grad_eps: "1e-4".to_owned(),
            iteration_on: false,
            iteration: "1000".to_owned(),
            error: None,
            seen: None,
        }
    }
}

impl BreakpointEditor {
    /// Shows `list` (the one in force): its conditions checked, their values in the boxes.
    fn load(&mut self, list: &Breakpoints) {
        let Self {
            jsd_on,
            jsd_eps,
            mode_lost,
            d_saturated,
            grad_on,
            grad_eps,
            iteration_on,
            iteration,
            ..
        } = self;
        (*jsd_on, *mode_lost, *d_saturated, *grad_on, *iteration_on) =
            (false, false, false, false, false);
        for b in list.list() {
            match *b {
                Breakpoint::JsdBelow(eps) => (*jsd_on, *jsd_eps) = (true, format!("{eps:?}")),
                Breakpoint::ModeLost => *mode_lost = true,
                Breakpoint::DSaturated => *d_saturated = true,
                Breakpoint::GradGBelow(eps) => {
                    (*grad_on, *grad_eps) = (true, format!("{eps:?}"));
                }
                Breakpoint::Iteration(n) => (*iteration_on, *iteration) = (true, n.to_string()),
            }
        }
        self.seen = Some(list.clone());
    }

    /// The checked conditions as a list, or why a typed value is refused.
    fn list(&self) -> Result<Breakpoints, String> {
        let parse = |what: &str, text: &str, value: &str| {
            Breakpoint::parse(text).map_err(|e| {
                let expected = e
                    .problem
                    .split_once(" is not ")
                    .map_or(e.problem.as_str(), |(_, expected)| expected);
                format!(
                    "{what}: '{}' refused, expected {expected}; nothing changed",
                    value.trim()
                )
            })
        };
        let mut out = Vec::new();
        if self.jsd_on {
            out.push(parse(
                "JSD below",
                &format!("jsd<{}", self.jsd_eps),
                &self.jsd_eps,
            )?);
        }
        if self.mode_lost {
            out.push(Breakpoint::ModeLost);
        }
        if self.d_saturated {
            out.push(Breakpoint::DSaturated);
        }
        if self.grad_on {
            out.push(parse(
                "|grad G| below",
                &format!("grad-g<{}", self.grad_eps),
                &self.grad_eps,
            )?);
        }
        if self.iteration_on {
            out.push(parse(
                "iteration N",
                &format!("iteration={}", self.iteration),
                &self.iteration,
            )?);
        }
        Ok(Breakpoints::new(out))
    }
}

/// Toggles of the "see why" views and the breakpoints; returns the commands they send.
pub fn why_ui(
    ui: &mut egui::Ui,
    prefs: &mut ViewPrefs,
    state: &mut ControlsState,
    picture: &Published,
) -> Vec<Command> {
    let mut out = Vec::new();
    ui.heading("See why");
    ui.checkbox(&mut prefs.overlays.forces, "forces on samples")
        .on_hover_text(FORCES_TIP);
    let mut slow = picture.slow.is_some();
    let slow_refused = crate::sim::substep::check(&picture.settings.training).err();
    if ui
        .add_enabled(
            !picture.oracle && slow_refused.is_none(),
            egui::Checkbox::new(&mut slow, "Algorithm 1 in slow motion"),
        )
        .on_hover_text(SLOW_TIP)
        .on_disabled_hover_text(slow_refused.map_or_else(
            || {
                "Slow motion shows Algorithm 1 with a trained D: turn the oracle D off first"
                    .to_owned()
            },
            |e| e.to_string(),
        ))
        .changed()
    {
        out.push(Command::SetSlowMotion(slow));
    }
    ui.checkbox(&mut prefs.g_vs_z, "G vs z")
        .on_hover_text(G_VS_Z_TIP);
    ui.add_enabled(
        picture.modes.is_some(),
        egui::Checkbox::new(&mut prefs.modes, "mode bars"),
    )
    .on_hover_text(MODES_TIP)
    .on_disabled_hover_text(
        "Only for a mixture target (target.kind = mixture, under Model and data): the bars \
         split p_g between the mixture's modes",
    );
    oracle_ui(ui, picture, &mut out);
    ui.add_space(4.0);
    pause_when_ui(ui, &mut state.breakpoints, picture, &mut out);
    out
}

/// The oracle D's checkbox, disabled with the reason for a loss that has no D*.
fn oracle_ui(ui: &mut egui::Ui, picture: &Published, out: &mut Vec<Command>) {
    let refused = oracle::check(&picture.settings.training).err();
    let slow = picture.slow.is_some();
    let mut on = picture.oracle;
    let response = ui
        .add_enabled(
            refused.is_none() && !slow,
            egui::Checkbox::new(&mut on, "oracle D"),
        )
        .on_hover_text(ORACLE_TIP);
    let response = match &refused {
        Some(e) => response.on_disabled_hover_text(format!("{e}. {ORACLE_TIP}")),
        None => response.on_disabled_hover_text(
            "Slow motion shows Algorithm 1 with a trained D: turn it off (S) to use the oracle D",
        ),
    };
    if response.changed() {
        out.push(Command::SetOracle(on));
    }
    if refused.is_some() {
        let t = &picture.settings.training;
        let text = if t.g_objective.is_adversarial() {
            format!(
                "oracle D needs the minimax or non-saturating loss, not {}",
                t.loss
            )
        } else {
            "oracle D needs G to learn through D (G learns by: adversarial)".to_owned()
        };
        ui.label(egui::RichText::new(text).weak());
    }
}

/// "Pause when": a checkbox (and a value) per condition, the list in force, and what
/// fired last.
fn pause_when_ui(
    ui: &mut egui::Ui,
    editor: &mut BreakpointEditor,
    picture: &Published,
    out: &mut Vec<Command>,
) {
    if editor.seen.as_ref() != Some(&picture.breakpoints) {
        editor.load(&picture.breakpoints);
    }
    // Folded by default, the list in force and what fired shown either way: the side
    // panel then fits 1600 x 1000 with its exports.
    egui::CollapsingHeader::new(egui::RichText::new("Pause when").strong())
        .id_salt("pause_when")
        .default_open(false)
        .show(ui, |ui| conditions_ui(ui, editor, picture, out))
        .header_response
        .on_hover_text(PAUSE_TIP);
    let canonical = if picture.breakpoints.is_empty() {
        egui::RichText::new("no condition checked").weak()
    } else {
        egui::RichText::new(format!("--until {}", picture.breakpoints)).monospace()
    };
    ui.label(canonical).on_hover_text(PAUSE_TIP);
    if let Some(fired) = &picture.fired {
        ui.label(egui::RichText::new(format!("Paused: {fired}")).strong());
    }
}

/// The conditions of "Pause when", each with its value; sends the list when one changes.
fn conditions_ui(
    ui: &mut egui::Ui,
    editor: &mut BreakpointEditor,
    picture: &Published,
    out: &mut Vec<Command>,
) {
    let mut edited = false;
    let value_row =
        |ui: &mut egui::Ui, on: &mut bool, label: &str, text: &mut String, tip: &str| {
            ui.horizontal(|ui| {
                let clicked = ui.checkbox(on, label).on_hover_text(tip).changed();
                // The box only for a checked condition; a value takes effect when the box
                // is left (or Enter), not at every key.
                if *on {
                    let typed = ui
                        .add(egui::TextEdit::singleline(text).desired_width(64.0))
                        .on_hover_text(tip);
                    clicked || typed.lost_focus()
                } else {
                    ui.weak(text.as_str()).on_hover_text(tip);
                    clicked
                }
            })
            .inner
        };
    edited |= value_row(
        ui,
        &mut editor.jsd_on,
        "JSD below",
        &mut editor.jsd_eps,
        "JSD(p_data || p_g) < eps, eps in (0, ln 2 = 0.693]: p_g has come close to p_data \
         (C(G) near -log 4, Theorem 1). The exact JSD of the analysis.",
    );
    edited |= ui
        .add_enabled(
            picture.modes.is_some(),
            egui::Checkbox::new(&mut editor.mode_lost, "a mode lost"),
        )
        .on_hover_text(
            "A mode of the mixture holds under a fifth of its weight w_i (the mode bars' \
             alarm; section 6, the Helvetica scenario)",
        )
        .on_disabled_hover_text("Only for a mixture target: it has modes to lose")
        .changed();
    edited |= ui
        .checkbox(&mut editor.d_saturated, "D saturated")
        .on_hover_text(format!(
            "Mean D(G(z)) over {D_ON_G_CELLS} equal-probability z is below {SATURATION} or above \
             {}: D rejects (or accepts) nearly every generated sample, so the minimax G \
             gradient vanishes (section 3)",
            1.0 - SATURATION
        ))
        .changed();
    edited |= value_row(
        ui,
        &mut editor.grad_on,
        "|grad G| below",
        &mut editor.grad_eps,
        "The norm of dL_G/dtheta_G at the last G step is under eps (eps > 0): G has all but \
         stopped moving",
    );
    edited |= value_row(
        ui,
        &mut editor.iteration_on,
        "iteration N",
        &mut editor.iteration,
        "The run has completed N iterations (N >= 1); Play stops exactly at N",
    );
    if edited {
        match editor.list() {
            Ok(list) => {
                editor.error = None;
                if list != picture.breakpoints {
                    out.push(Command::SetBreakpoints(list));
                }
            }
            Err(e) => editor.error = Some(e),
        }
    }
    if let Some(e) = &editor.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
}
