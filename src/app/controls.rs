//! The side panel: every control labelled, each with a tooltip in the paper's terms. It
//! edits a draft of the settings and returns the commands to send; it changes nothing
//! itself.

use crate::sim::activation::Activation;
use crate::sim::distribution::{Noise, Target};
use crate::sim::loss::LossKind;
use crate::sim::optim::OptimizerKind;
use crate::sim::settings::{NetSettings, PRESETS, Settings};

use super::theme::Theme;
use super::worker::{Command, Published};
use crate::scene::Overlays;

/// What the side panel edits that is not a training setting.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ViewPrefs {
    /// Optional figure layers.
    pub overlays: Overlays,
    /// Light or dark.
    pub theme: Theme,
    /// UI zoom (also Ctrl + / Ctrl −).
    pub scale: f32,
    /// Iterations per second, or `None` for as fast as possible.
    pub speed: Option<f64>,
}

impl Default for ViewPrefs {
    fn default() -> Self {
        Self {
            overlays: Overlays::default(),
            theme: Theme::Light,
            scale: 1.0,
            speed: None,
        }
    }
}

/// The settings-string box (runtime state, not saved).
#[derive(Clone, Debug, Default)]
pub struct ShareState {
    /// Text pasted by the user.
    pub paste: String,
    /// Why the last pasted string was refused.
    pub error: Option<String>,
}

/// Draws the controls; returns the commands they ask for.
pub fn controls_ui(
    ui: &mut egui::Ui,
    draft: &mut Settings,
    prefs: &mut ViewPrefs,
    share: &mut ShareState,
    export: &mut super::export::ExportState,
    picture: &Published,
) -> Vec<Command> {
    let mut out = Vec::new();
    egui::ScrollArea::vertical().show(ui, |ui| {
        run_ui(ui, prefs, picture, &mut out);
        ui.separator();
        algorithm_ui(ui, draft, picture, &mut out);
        ui.separator();
        model_ui(ui, draft, picture, &mut out);
        ui.separator();
        view_ui(ui, prefs);
        ui.separator();
        share_ui(ui, share, picture, &mut out);
        super::export::export_buttons_ui(ui, export, picture);
    });
    out
}

fn share_ui(
    ui: &mut egui::Ui,
    share: &mut ShareState,
    picture: &Published,
    out: &mut Vec<Command>,
) {
    ui.heading("Keep and share");
    if ui
        .button("Copy settings string")
        .on_hover_text("One line with every setting and the seed: pasted into ganscope (or `ganscope train --line`) it reproduces this run")
        .clicked()
    {
        ui.ctx().copy_text(picture.settings.to_line());
    }
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut share.paste)
                .hint_text("paste a ganscope1: string")
                .desired_width(190.0),
        );
        if ui
            .button("Load string")
            .on_hover_text("Start a new run from a pasted settings string")
            .clicked()
        {
            match Settings::from_line(&share.paste) {
                Ok(settings) => {
                    share.error = None;
                    out.push(Command::Load(settings));
                }
                Err(e) => share.error = Some(e.to_string()),
            }
        }
    });
    if let Some(e) = &share.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
}

fn run_ui(ui: &mut egui::Ui, prefs: &mut ViewPrefs, picture: &Published, out: &mut Vec<Command>) {
    ui.heading("Run");
    ui.horizontal_wrapped(|ui| {
        let play = if picture.playing { "Pause" } else { "Play" };
        let buttons = [
            (
                play,
                "Run Algorithm 1 continuously, or stop (Space)",
                Command::SetPlaying(!picture.playing),
            ),
            (
                "Step",
                "One iteration: k discriminator steps, then the generator steps (→)",
                Command::StepIteration,
            ),
            (
                "D step",
                "One discriminator update alone: ascend V(D, G) with G fixed (D)",
                Command::StepDiscriminator,
            ),
            (
                "G step",
                "One generator update alone: descend G's loss with D fixed (G)",
                Command::StepGenerator,
            ),
            (
                "Reset",
                "Start again from fresh networks with the current settings (R)",
                Command::Reset,
            ),
        ];
        for (label, tooltip, command) in buttons {
            if ui.button(label).on_hover_text(tooltip).clicked() {
                out.push(command);
            }
        }
    });
    let mut fastest = prefs.speed.is_none();
    if ui
        .checkbox(&mut fastest, "As fast as possible")
        .on_hover_text("Train on a background thread at full speed")
        .changed()
    {
        prefs.speed = if fastest { None } else { Some(10.0) };
        out.push(Command::SetSpeed(prefs.speed));
    }
    if let Some(rate) = &mut prefs.speed
        && ui
            .add(
                egui::Slider::new(rate, 1.0..=10_000.0)
                    .logarithmic(true)
                    .text("iterations / s"),
            )
            .on_hover_text("Iterations of Algorithm 1 per second")
            .changed()
    {
        out.push(Command::SetSpeed(prefs.speed));
    }
}

fn algorithm_ui(
    ui: &mut egui::Ui,
    draft: &mut Settings,
    picture: &Published,
    out: &mut Vec<Command>,
) {
    ui.heading("Algorithm 1 (live)");
    let before = draft.training.clone();
    let t = &mut draft.training;
    ui.add(egui::Slider::new(&mut t.k, 1..=50).text("k (D steps)"))
        .on_hover_text("k: discriminator steps per iteration. The paper used k = 1.");
    ui.add(egui::Slider::new(&mut t.g_steps, 1..=20).text("G steps"))
        .on_hover_text("Generator steps per iteration. More than 1 is §6's warning: G trained too much without updating D collapses many z onto the same x.");
    ui.add(
        egui::Slider::new(&mut t.lr_d, 1e-5..=1.0)
            .logarithmic(true)
            .text("learning rate D"),
    )
    .on_hover_text("Step size of the discriminator's ascent of V(D, G)");
    ui.add(
        egui::Slider::new(&mut t.lr_g, 1e-5..=1.0)
            .logarithmic(true)
            .text("learning rate G"),
    )
    .on_hover_text("Step size of the generator's descent");
    egui::ComboBox::from_label("loss")
        .selected_text(t.loss.name())
        .show_ui(ui, |ui| {
            for loss in LossKind::ALL {
                ui.selectable_value(&mut t.loss, loss, loss.name());
            }
        })
        .response
        .on_hover_text("minimax: G descends log(1 − D(G(z))) (Algorithm 1). non-saturating: G ascends log D(G(z)) (§3). Also least squares, Wasserstein (clipping or gradient penalty) and hinge.");
    egui::ComboBox::from_label("optimiser")
        .selected_text(t.optimizer.name())
        .show_ui(ui, |ui| {
            for opt in OptimizerKind::ALL {
                ui.selectable_value(&mut t.optimizer, opt, opt.name());
            }
        })
        .response
        .on_hover_text("SGD, SGD with momentum (the paper's choice) or Adam. A new optimiser starts with fresh state.");
    match t.optimizer {
        OptimizerKind::Momentum => {
            ui.add(egui::Slider::new(&mut t.momentum, 0.0..=0.99).text("momentum"))
                .on_hover_text("μ in v ← μv + g, θ ← θ − ηv: the paper trained with momentum");
        }
        OptimizerKind::Adam => {
            ui.add(egui::Slider::new(&mut t.beta1, 0.0..=0.99).text("Adam beta1"))
                .on_hover_text("Decay of Adam's first-moment average (0 keeps no momentum)");
            ui.add(egui::Slider::new(&mut t.beta2, 0.9..=0.9999).text("Adam beta2"))
                .on_hover_text("Decay of Adam's second-moment average");
        }
        OptimizerKind::Sgd => {}
    }
    ui.add(
        egui::Slider::new(&mut t.batch_size, 8..=1024)
            .logarithmic(true)
            .text("minibatch m"),
    )
    .on_hover_text("m: samples of noise and of data per step");
    match t.loss {
        LossKind::WassersteinClip => {
            ui.add(
                egui::Slider::new(&mut t.clip, 0.001..=1.0)
                    .logarithmic(true)
                    .text("clip c"),
            )
            .on_hover_text("After each critic step every weight is clamped to [−c, c]");
        }
        LossKind::WassersteinGp => {
            ui.add(egui::Slider::new(&mut t.gp_weight, 0.0..=100.0).text("penalty λ"))
                .on_hover_text("λ in λ·E[max(0, |f'(x̂)| − 1)²] on points between data and samples");
        }
        _ => {}
    }
    if *t != before {
        out.push(Command::SetTraining(t.clone()));
    }
    let _ = picture;
}

fn net_ui(ui: &mut egui::Ui, name: &str, net: &mut NetSettings) {
    ui.horizontal(|ui| {
        ui.add(
            egui::DragValue::new(&mut net.width)
                .range(1..=256)
                .prefix(format!("{name} width ")),
        )
        .on_hover_text("Units in each hidden layer (1–256)");
        ui.add(
            egui::DragValue::new(&mut net.depth)
                .range(1..=4)
                .prefix("depth "),
        )
        .on_hover_text("Hidden layers (1–4)");
        egui::ComboBox::from_label(format!("{name} activation"))
            .selected_text(net.activation.name())
            .show_ui(ui, |ui| {
                for a in Activation::ALL {
                    ui.selectable_value(&mut net.activation, a, a.name());
                }
            });
    });
}

fn model_ui(ui: &mut egui::Ui, draft: &mut Settings, picture: &Published, out: &mut Vec<Command>) {
    ui.heading("Model and data (apply resets)");
    net_ui(ui, "G", &mut draft.generator);
    net_ui(ui, "D", &mut draft.discriminator);
    ui.horizontal(|ui| {
        ui.label("target");
        let kind = match draft.target {
            Target::Gaussian { .. } => 0,
            Target::Mixture { .. } => 1,
            Target::Uniform { .. } => 2,
        };
        for (i, name) in ["Gaussian", "mixture", "uniform"].into_iter().enumerate() {
            if ui.selectable_label(kind == i, name).clicked() && kind != i {
                draft.target = match i {
                    0 => Target::Gaussian {
                        mean: 4.0,
                        std: 0.5,
                    },
                    1 => Target::Mixture {
                        weights: vec![0.5, 0.5],
                        means: vec![-2.0, 2.0],
                        stds: vec![0.5, 0.5],
                    },
                    _ => Target::Uniform {
                        low: 2.0,
                        high: 6.0,
                    },
                };
            }
        }
    });
    match &mut draft.target {
        Target::Gaussian { mean, std } => {
            mean_std_ui(ui, mean, std, "p_data");
        }
        Target::Uniform { low, high } => {
            bounds_ui(ui, low, high, "p_data");
        }
        Target::Mixture {
            weights,
            means,
            stds,
        } => {
            for i in 0..weights.len() {
                ui.horizontal(|ui| {
                    ui.add(
                        egui::DragValue::new(&mut weights[i])
                            .speed(0.01)
                            .range(0.01..=1.0)
                            .prefix("w "),
                    );
                    ui.add(egui::DragValue::new(&mut means[i]).speed(0.05).prefix("μ "));
                    ui.add(
                        egui::DragValue::new(&mut stds[i])
                            .speed(0.01)
                            .range(0.01..=100.0)
                            .prefix("σ "),
                    );
                });
            }
            ui.horizontal(|ui| {
                if ui.button("add mode").clicked() && weights.len() < 8 {
                    weights.push(0.0);
                    means.push(means.last().copied().unwrap_or(0.0) + 3.0);
                    stds.push(0.5);
                    let n = weights.len() as f64;
                    weights.iter_mut().for_each(|w| *w = 1.0 / n);
                }
                if ui.button("remove mode").clicked() && weights.len() > 1 {
                    weights.pop();
                    means.pop();
                    stds.pop();
                    let n = weights.len() as f64;
                    weights.iter_mut().for_each(|w| *w = 1.0 / n);
                }
                if ui.button("equal weights").clicked() {
                    let n = weights.len() as f64;
                    weights.iter_mut().for_each(|w| *w = 1.0 / n);
                }
            });
        }
    }
    ui.horizontal(|ui| {
        ui.label("noise z");
        let uniform = matches!(draft.noise, Noise::Uniform { .. });
        if ui
            .selectable_label(uniform, "uniform")
            .on_hover_text("U(low, high), as in the paper's figure")
            .clicked()
            && !uniform
        {
            draft.noise = Noise::Uniform {
                low: -1.0,
                high: 1.0,
            };
        }
        if ui.selectable_label(!uniform, "normal").clicked() && uniform {
            draft.noise = Noise::Normal {
                mean: 0.0,
                std: 1.0,
            };
        }
    });
    match &mut draft.noise {
        Noise::Uniform { low, high } => {
            bounds_ui(ui, low, high, "p_z");
        }
        Noise::Normal { mean, std } => {
            mean_std_ui(ui, mean, std, "p_z");
        }
    }
    ui.checkbox(&mut draft.scaling.standardize, "standardise data")
        .on_hover_text("D sees (x − μ)/σ of the target and G's output is mapped back");
    ui.checkbox(&mut draft.scaling.gaussianize_z, "Gaussianise z inside G")
        .on_hover_text("G's network is fed Φ⁻¹(F_z(z)); z itself stays as drawn on the z line");
    ui.add(egui::DragValue::new(&mut draft.seed).prefix("seed "))
        .on_hover_text("The same seed and settings give the same run");
    let pending = picture.settings.needs_reset(draft);
    let label = if pending {
        "Apply and reset *"
    } else {
        "Apply and reset"
    };
    if ui
        .add_enabled(pending, egui::Button::new(label))
        .on_hover_text("Model, data, noise and seed changes start a new run")
        .clicked()
    {
        out.push(Command::Apply(draft.clone()));
    }
}

/// μ and σ of a normal distribution (or a Gaussian target).
fn mean_std_ui(ui: &mut egui::Ui, mean: &mut f64, std: &mut f64, what: &str) {
    ui.horizontal(|ui| {
        ui.add(egui::DragValue::new(mean).speed(0.05).prefix("μ "))
            .on_hover_text(format!("Mean of {what}"));
        ui.add(
            egui::DragValue::new(std)
                .speed(0.01)
                .range(0.01..=100.0)
                .prefix("σ "),
        )
        .on_hover_text(format!("Standard deviation of {what}"));
    });
}

/// The bounds of a uniform distribution.
fn bounds_ui(ui: &mut egui::Ui, low: &mut f64, high: &mut f64, what: &str) {
    ui.horizontal(|ui| {
        ui.add(egui::DragValue::new(low).speed(0.05).prefix("low "))
            .on_hover_text(format!("Lower end of {what}"));
        ui.add(egui::DragValue::new(high).speed(0.05).prefix("high "))
            .on_hover_text(format!("Upper end of {what}"));
    });
}

fn view_ui(ui: &mut egui::Ui, prefs: &mut ViewPrefs) {
    ui.heading("View");
    let o = &mut prefs.overlays;
    ui.checkbox(&mut o.d_star, "D* (optimal discriminator)")
        .on_hover_text("Proposition 1: D*(x) = p_data(x) / (p_data(x) + p_g(x))");
    ui.checkbox(&mut o.arrows, "z line and arrows x = G(z)")
        .on_hover_text("Evenly spaced z mapped by G: crowded arrows are dense p_g");
    ui.checkbox(&mut o.histogram, "histogram of generated samples")
        .on_hover_text("What a notebook would show: a histogram of one minibatch of G(z), beside the exact p_g");
    ui.checkbox(&mut o.real_samples, "data samples as ticks")
        .on_hover_text("One minibatch of x ~ p_data, the samples D sees as real");
    ui.horizontal(|ui| {
        ui.label("theme");
        ui.selectable_value(&mut prefs.theme, Theme::Light, "light")
            .on_hover_text("Black ink on white, as printed in the paper");
        ui.selectable_value(&mut prefs.theme, Theme::Dark, "dark")
            .on_hover_text("Light ink on a dark background");
    });
    ui.add(egui::Slider::new(&mut prefs.scale, 0.75..=2.5).text("UI scale"))
        .on_hover_text("For projectors; Ctrl + and Ctrl − work too");
}

/// The presets menu; returns the one chosen: its name, its lesson and its settings.
pub fn presets_ui(ui: &mut egui::Ui) -> Option<(&'static str, &'static str, Settings)> {
    let mut chosen = None;
    ui.menu_button("Presets", |ui| {
        for (name, what) in PRESETS {
            if ui.button(name).on_hover_text(what).clicked() {
                chosen = Settings::preset(name).ok().map(|s| (name, what, s));
                ui.close();
            }
        }
    });
    chosen
}
