//! The side panel: every control labelled, each with a tooltip in the paper's terms. It
//! edits a draft of the settings and returns the commands to send; it changes nothing
//! itself.

use crate::sim::GObjective;
use crate::sim::activation::Activation;
use crate::sim::check::number_text;
use crate::sim::distribution::{Noise, Target};
use crate::sim::loss::LossKind;
use crate::sim::mlp::Init;
use crate::sim::optim::OptimizerKind;
use crate::sim::pace::{Pace, PaceChoice};
use crate::sim::schema::{self, Applies, Kind, Scale, Spec, Widget};
use crate::sim::settings::{NetSettings, Preset, Settings};

use super::theme::Theme;
use super::worker::{Command, Published};
use crate::scene::Overlays;

/// What the side panel edits that is not a training setting.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ViewPrefs {
    /// Optional figure layers.
    pub overlays: Overlays,
    /// Light or dark.
    pub theme: Theme,
    /// UI zoom (also Ctrl + / Ctrl −).
    pub scale: f32,
    /// How fast a playing run goes.
    pub pace: PaceChoice,
    /// The metric plots' x axis.
    pub metrics: super::metrics::MetricsView,
    /// The "G vs z" view beside the figure: G(z) against the ideal map T*(z).
    pub g_vs_z: bool,
    /// The mode bars beside the figure (mixture targets only).
    pub modes: bool,
}

impl Default for ViewPrefs {
    fn default() -> Self {
        Self {
            overlays: Overlays::default(),
            theme: Theme::Light,
            scale: 1.0,
            pace: PaceChoice::Lecture,
            metrics: super::metrics::MetricsView::default(),
            g_vs_z: false,
            modes: true,
        }
    }
}

/// The side panel's runtime state (not saved).
#[derive(Clone, Debug)]
pub struct ControlsState {
    /// Text pasted into the settings-string box.
    pub paste: String,
    /// Why the last pasted string was refused.
    pub error: Option<String>,
    /// Edits refused for being out of range.
    pub refusals: Refusals,
    /// The pace of the lesson in use (the last preset chosen): what "lecture" plays at.
    pub lesson_pace: Pace,
    /// The "Pause when" editor of the "See why" section.
    pub breakpoints: super::why_controls::BreakpointEditor,
    /// The comparison the "Compare" section starts.
    pub compare: super::compare_view::CompareChoice,
}

impl Default for ControlsState {
    fn default() -> Self {
        Self {
            paste: String::new(),
            error: None,
            refusals: Refusals::default(),
            lesson_pace: Preset::named("fig1").map_or(Pace::Fastest, |p| p.pace),
            breakpoints: super::why_controls::BreakpointEditor::default(),
            compare: super::compare_view::CompareChoice::default(),
        }
    }
}

/// Draws the controls; returns the commands they ask for.
pub fn controls_ui(
    ui: &mut egui::Ui,
    draft: &mut Settings,
    prefs: &mut ViewPrefs,
    state: &mut ControlsState,
    export: &mut super::export::ExportState,
    picture: &Published,
) -> Vec<Command> {
    let mut out = Vec::new();
    state.refusals.begin();
    let mut model_open = false;
    // Side by side plays its comparison's own lesson pace.
    let lesson_pace = picture
        .compare
        .as_ref()
        .map_or(state.lesson_pace, |c| c.pace);
    egui::ScrollArea::vertical().show(ui, |ui| {
        run_ui(ui, prefs, lesson_pace, picture, &mut out);
        ui.separator();
        // Side by side trains its own runs: the single run's settings wait, greyed out.
        let single = picture.compare.is_none();
        if !single {
            ui.weak("Side by side is on: the settings below are the single run's, as it waits");
        }
        ui.add_enabled_ui(single, |ui| {
            algorithm_ui(ui, draft, &mut state.refusals, &mut out);
            ui.separator();
            // Folded by default: a new run is the rarer wish, and the live controls and
            // exports then fit a projector's height.
            model_open = egui::CollapsingHeader::new("Model and data (apply resets)")
                .default_open(false)
                .show(ui, |ui| {
                    model_ui(ui, draft, &mut state.refusals, picture, &mut out)
                })
                .body_returned
                .is_some();
        });
        ui.separator();
        out.extend(super::why_controls::why_ui(ui, prefs, state, picture));
        ui.separator();
        out.extend(super::compare_view::controls_ui(
            ui,
            &mut state.compare,
            picture,
            prefs.pace,
            state.lesson_pace,
        ));
        ui.separator();
        view_ui(ui, prefs);
        ui.separator();
        share_ui(ui, state, picture, &mut out);
        super::export::export_buttons_ui(ui, export, picture);
    });
    state.refusals.end(model_open);
    out
}

fn share_ui(
    ui: &mut egui::Ui,
    share: &mut ControlsState,
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
                .hint_text("a ganscope1: string or lesson:NAME")
                .desired_width(190.0),
        );
        if ui
            .button("Load string")
            .on_hover_text("Start a new run from a pasted settings string")
            .clicked()
        {
            // `lesson:NAME` (or `lesson:FILE`) opens a lesson instead.
            if let Some(what) = super::lesson_view::lesson_string(&share.paste) {
                match crate::sim::lesson::Lesson::named_or_file(what) {
                    Ok(lesson) => {
                        share.error = None;
                        out.push(Command::Lesson(Some(Box::new(lesson))));
                    }
                    Err(e) => share.error = Some(e),
                }
            } else {
                match Settings::from_line(&share.paste) {
                    Ok(settings) => {
                        share.error = None;
                        out.push(Command::Load(settings));
                    }
                    Err(e) => share.error = Some(e.to_string()),
                }
            }
        }
    });
    if let Some(e) = &share.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
}

fn run_ui(
    ui: &mut egui::Ui,
    prefs: &mut ViewPrefs,
    lesson_pace: Pace,
    picture: &Published,
    out: &mut Vec<Command>,
) {
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
                "One iteration: k discriminator steps, then the generator steps (right arrow)",
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
    ui.horizontal_wrapped(|ui| {
        ui.label("pace").on_hover_text(
            "How fast Play goes; the lesson's own pace plays each preset's story over tens of seconds",
        );
        for choice in PaceChoice::ALL {
            if ui
                .selectable_label(prefs.pace == choice, choice.name())
                .on_hover_text(choice.explanation())
                .clicked()
            {
                prefs.pace = choice;
                out.push(Command::SetPace(choice.pace(lesson_pace)));
            }
        }
    });
}

/// Values typed or dragged outside their accepted range, by field (`training.lr_d`,
/// `target.means[1]`): refused, and shown beside the control until a valid edit, until the
/// control is no longer drawn, or until the settings are replaced.
#[derive(Clone, Debug, Default)]
pub struct Refusals {
    messages: std::collections::BTreeMap<String, String>,
    /// The fields drawn this frame.
    drawn: std::collections::BTreeSet<String>,
}

impl Refusals {
    /// The refusal shown for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.messages.get(field).map(String::as_str)
    }

    /// Forgets every refusal (new settings replaced the ones refused).
    pub fn clear(&mut self) {
        self.messages.clear();
    }

    /// Starts a frame.
    fn begin(&mut self) {
        self.drawn.clear();
    }

    /// Ends a frame: a refusal whose control was not drawn (a removed mode, another
    /// optimiser's or loss's setting) is forgotten; while the model and data section is
    /// folded, its refusals are kept.
    fn end(&mut self, model_drawn: bool) {
        let Self { messages, drawn } = self;
        let folded = |field: &str| {
            let key = field.split('[').next().unwrap_or(field);
            !model_drawn && schema::find(key).is_some_and(|s| s.applies == Applies::Reset)
        };
        messages.retain(|field, _| drawn.contains(field) || folded(field));
    }
}

/// The tooltip of a setting: its description and its key in settings files.
fn tooltip(spec: &Spec) -> String {
    format!("{}\n{}", spec.description(), spec.key)
}

/// The control the schema describes for one numeric setting (or one element of a list,
/// named by `field`). Drawing never changes the value: a slider shows a value beyond its
/// span as it is, and an edit outside the accepted range is refused, with the range
/// shown beside the control. Returns whether the value changed.
fn number_ui<T: egui::emath::Numeric>(
    ui: &mut egui::Ui,
    spec: &Spec,
    field: &str,
    value: &mut T,
    refusals: &mut Refusals,
) -> bool {
    refusals.drawn.insert(field.to_owned());
    // Edited as an f64 whatever the type, so that a typed −5 or 2.5 for a whole number is
    // refused rather than clamped or truncated by the widget.
    let old = value.to_f64();
    let mut edited = old;
    // The box shows `short_number(old)`; reading that text back gives `old` itself, so
    // focusing a box and leaving it changes nothing.
    let shown = short_number(old);
    let parse = move |text: &str| {
        let text = text.trim();
        if text == shown {
            Some(old)
        } else {
            text.parse::<f64>().ok()
        }
    };
    let response = match spec.widget {
        Widget::Slider(lo, hi) => {
            let mut slider = egui::Slider::new(&mut edited, lo..=hi)
                .logarithmic(spec.scale == Scale::Log)
                .clamping(egui::SliderClamping::Never)
                .custom_formatter(|v, _| short_number(v))
                .custom_parser(parse)
                .update_while_editing(false)
                .text(spec.label);
            if spec.range.whole {
                slider = slider.integer();
            }
            ui.add(slider)
        }
        // A numeric setting always names its widget; `Own` is for flags and choices.
        Widget::Drag(_) | Widget::Own => ui.add(
            egui::DragValue::new(&mut edited)
                .speed(match spec.widget {
                    Widget::Drag(speed) => speed,
                    _ => 1.0,
                })
                .max_decimals_opt(spec.range.whole.then_some(0))
                .custom_formatter(|v, _| short_number(v))
                .custom_parser(parse)
                .update_while_editing(false)
                .prefix(format!("{} ", spec.label)),
        ),
    };
    response.on_hover_text(tooltip(spec));
    let mut changed = false;
    if edited.to_bits() != old.to_bits() {
        if spec.range.contains(edited) {
            *value = T::from_f64(edited);
            refusals.messages.remove(field);
            changed = true;
        } else {
            refusals.messages.insert(
                field.to_owned(),
                format!(
                    "{} {} refused: accepts {}",
                    spec.label,
                    number_text(edited),
                    spec.range.expected()
                ),
            );
        }
    }
    if let Some(message) = refusals.get(field) {
        ui.colored_label(ui.visuals().error_fg_color, message);
    }
    changed
}

/// A number as it is when that is short, else to 4 significant digits below 1e-3
/// (in scientific notation) and 6 decimals above.
fn short_number(v: f64) -> String {
    if v != 0.0 && v.abs() < 1e-3 {
        let text = format!("{v:.3e}");
        // 5.000e-4 → 5e-4, 2.500e-8 → 2.5e-8.
        match text.split_once('e') {
            Some((mantissa, exponent)) if mantissa.contains('.') => {
                let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
                format!("{mantissa}e{exponent}")
            }
            _ => text,
        }
    } else {
        let exact = v.to_string();
        if exact.len() <= 9 {
            return exact;
        }
        let text = format!("{v:.6}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// A flag of the schema as a checkbox.
fn flag_ui(ui: &mut egui::Ui, spec: &Spec, value: &mut bool) {
    ui.checkbox(value, spec.label).on_hover_text(tooltip(spec));
}

/// A choice of the schema as a menu over `all`, named as in settings files.
fn choice_ui<E: Copy + PartialEq>(
    ui: &mut egui::Ui,
    spec: &Spec,
    value: &mut E,
    all: &[E],
    name: fn(E) -> &'static str,
) {
    egui::ComboBox::new(spec.key, spec.label)
        .selected_text(name(*value))
        .show_ui(ui, |ui| {
            for &option in all {
                ui.selectable_value(value, option, name(option));
            }
        })
        .response
        .on_hover_text(tooltip(spec));
}

fn algorithm_ui(
    ui: &mut egui::Ui,
    draft: &mut Settings,
    refusals: &mut Refusals,
    out: &mut Vec<Command>,
) {
    ui.heading("Algorithm 1 (live)");
    let before = draft.training.clone();
    let t = &mut draft.training;
    number_ui(ui, &schema::K, schema::K.key, &mut t.k, refusals);
    number_ui(
        ui,
        &schema::G_STEPS,
        schema::G_STEPS.key,
        &mut t.g_steps,
        refusals,
    );
    number_ui(ui, &schema::LR_D, schema::LR_D.key, &mut t.lr_d, refusals);
    number_ui(ui, &schema::LR_G, schema::LR_G.key, &mut t.lr_g, refusals);
    let decay = &schema::LR_DECAY_ITERS;
    number_ui(ui, decay, decay.key, &mut t.lr_decay_iters, refusals);
    choice_ui(
        ui,
        &schema::LOSS,
        &mut t.loss,
        &LossKind::ALL,
        LossKind::name,
    );
    choice_ui(
        ui,
        &schema::OPTIMIZER,
        &mut t.optimizer,
        &OptimizerKind::ALL,
        OptimizerKind::name,
    );
    match t.optimizer {
        OptimizerKind::Momentum => {
            let m = &schema::MOMENTUM;
            number_ui(ui, m, m.key, &mut t.momentum, refusals);
        }
        OptimizerKind::Adam => {
            for (spec, value) in [
                (&schema::BETA1, &mut t.beta1),
                (&schema::BETA2, &mut t.beta2),
                (&schema::EPS, &mut t.eps),
            ] {
                number_ui(ui, spec, spec.key, value, refusals);
            }
        }
        OptimizerKind::Sgd => {}
    }
    let m = &schema::BATCH_SIZE;
    number_ui(ui, m, m.key, &mut t.batch_size, refusals);
    match t.loss {
        LossKind::WassersteinClip => {
            number_ui(ui, &schema::CLIP, schema::CLIP.key, &mut t.clip, refusals);
        }
        LossKind::WassersteinGp => {
            let gp = &schema::GP_WEIGHT;
            number_ui(ui, gp, gp.key, &mut t.gp_weight, refusals);
        }
        _ => {}
    }
    choice_ui(
        ui,
        &schema::G_OBJECTIVE,
        &mut t.g_objective,
        &GObjective::ALL,
        GObjective::label,
    );
    if t.g_objective == GObjective::DAscent {
        let r = &schema::ASCENT_ROUND;
        number_ui(ui, r, r.key, &mut t.ascent_round, refusals);
        flag_ui(ui, &schema::ASCENT_KEEP, &mut t.ascent_keep);
    }
    if *t != before {
        out.push(Command::SetTraining(t.clone()));
    }
}

/// The specs of one network's architecture.
struct NetSpecs {
    name: &'static str,
    width: &'static Spec,
    depth: &'static Spec,
    activation: &'static Spec,
    init: &'static Spec,
}

const G_SPECS: NetSpecs = NetSpecs {
    name: "G",
    width: &schema::G_WIDTH,
    depth: &schema::G_DEPTH,
    activation: &schema::G_ACTIVATION,
    init: &schema::G_INIT,
};

const D_SPECS: NetSpecs = NetSpecs {
    name: "D",
    width: &schema::D_WIDTH,
    depth: &schema::D_DEPTH,
    activation: &schema::D_ACTIVATION,
    init: &schema::D_INIT,
};

fn net_ui(ui: &mut egui::Ui, specs: &NetSpecs, net: &mut NetSettings, refusals: &mut Refusals) {
    ui.horizontal_wrapped(|ui| {
        ui.label(specs.name);
        number_ui(ui, specs.width, specs.width.key, &mut net.width, refusals);
        number_ui(ui, specs.depth, specs.depth.key, &mut net.depth, refusals);
    });
    ui.horizontal_wrapped(|ui| {
        choice_ui(
            ui,
            specs.activation,
            &mut net.activation,
            &Activation::ALL,
            Activation::name,
        );
        choice_ui(ui, specs.init, &mut net.init, &Init::ALL, Init::name);
    });
}

/// Buttons for a family's kinds; choosing another one starts it at the schema's defaults.
fn kind_ui(ui: &mut egui::Ui, spec: &Spec, current: &'static str) -> Option<&'static str> {
    let Kind::Choice(names, _) = spec.kind else {
        return None;
    };
    let mut chosen = None;
    ui.horizontal(|ui| {
        ui.label(spec.label).on_hover_text(tooltip(spec));
        for name in names() {
            if ui
                .selectable_label(current == name, name)
                .on_hover_text(tooltip(spec))
                .clicked()
                && current != name
            {
                chosen = Some(name);
            }
        }
    });
    chosen
}

fn target_ui(ui: &mut egui::Ui, target: &mut Target, refusals: &mut Refusals) {
    if let Some(kind) = kind_ui(ui, &schema::TARGET_KIND, target.kind())
        && let Ok(fresh) = Target::with_defaults(kind)
    {
        *target = fresh;
    }
    match target {
        Target::Gaussian { mean, std } => {
            ui.horizontal_wrapped(|ui| {
                let (m, s) = (&schema::TARGET_MEAN, &schema::TARGET_STD);
                number_ui(ui, m, m.key, mean, refusals);
                number_ui(ui, s, s.key, std, refusals);
            });
        }
        Target::Uniform { low, high } => {
            ui.horizontal_wrapped(|ui| {
                let (l, h) = (&schema::TARGET_LOW, &schema::TARGET_HIGH);
                number_ui(ui, l, l.key, low, refusals);
                number_ui(ui, h, h.key, high, refusals);
            });
        }
        Target::Mixture {
            weights,
            means,
            stds,
        } => mixture_ui(ui, weights, means, stds, refusals),
    }
}

/// The σ of an added mixture component: the schema's default component's.
fn new_component_std() -> f64 {
    match schema::TARGET_STDS.kind {
        Kind::Numbers(defaults, _) => defaults.first().copied().unwrap_or(1.0),
        _ => 1.0,
    }
}

/// The mixture's components, one row each, with buttons to add, remove and balance them.
fn mixture_ui(
    ui: &mut egui::Ui,
    weights: &mut Vec<f64>,
    means: &mut Vec<f64>,
    stds: &mut Vec<f64>,
    refusals: &mut Refusals,
) {
    let specs = [
        &schema::TARGET_WEIGHTS,
        &schema::TARGET_MEANS,
        &schema::TARGET_STDS,
    ];
    for i in 0..weights.len() {
        ui.horizontal_wrapped(|ui| {
            for (spec, list) in specs.iter().zip([&mut *weights, &mut *means, &mut *stds]) {
                if let Some(value) = list.get_mut(i) {
                    number_ui(ui, spec, &format!("{}[{i}]", spec.key), value, refusals);
                }
            }
        });
    }
    let equalize = |weights: &mut Vec<f64>| {
        let n = weights.len() as f64;
        weights.iter_mut().for_each(|w| *w = 1.0 / n);
    };
    ui.horizontal(|ui| {
        let room = weights.len() < schema::MAX_COMPONENTS;
        if ui
            .add_enabled(room, egui::Button::new("add mode"))
            .on_hover_text(
                "A new component 3 to the right of the last, σ 0.5; the weights become equal",
            )
            .on_disabled_hover_text(format!("At most {} components", schema::MAX_COMPONENTS))
            .clicked()
        {
            weights.push(0.0);
            means.push(means.last().copied().unwrap_or(0.0) + 3.0);
            stds.push(new_component_std());
            equalize(weights);
        }
        if ui
            .add_enabled(weights.len() > 1, egui::Button::new("remove mode"))
            .on_hover_text("Remove the last component; the weights become equal")
            .on_disabled_hover_text("A mixture keeps at least one component")
            .clicked()
        {
            weights.pop();
            means.pop();
            stds.pop();
            equalize(weights);
        }
        if ui
            .button("equal weights")
            .on_hover_text("Every component gets weight 1/n")
            .clicked()
        {
            equalize(weights);
        }
    });
}

fn noise_ui(ui: &mut egui::Ui, noise: &mut Noise, refusals: &mut Refusals) {
    if let Some(kind) = kind_ui(ui, &schema::NOISE_KIND, noise.kind())
        && let Ok(fresh) = Noise::with_defaults(kind)
    {
        *noise = fresh;
    }
    ui.horizontal_wrapped(|ui| match noise {
        Noise::Uniform { low, high } => {
            let (l, h) = (&schema::NOISE_LOW, &schema::NOISE_HIGH);
            number_ui(ui, l, l.key, low, refusals);
            number_ui(ui, h, h.key, high, refusals);
        }
        Noise::Normal { mean, std } => {
            let (m, s) = (&schema::NOISE_MEAN, &schema::NOISE_STD);
            number_ui(ui, m, m.key, mean, refusals);
            number_ui(ui, s, s.key, std, refusals);
        }
    });
}

fn model_ui(
    ui: &mut egui::Ui,
    draft: &mut Settings,
    refusals: &mut Refusals,
    picture: &Published,
    out: &mut Vec<Command>,
) {
    net_ui(ui, &G_SPECS, &mut draft.generator, refusals);
    net_ui(ui, &D_SPECS, &mut draft.discriminator, refusals);
    target_ui(ui, &mut draft.target, refusals);
    noise_ui(ui, &mut draft.noise, refusals);
    flag_ui(ui, &schema::STANDARDIZE, &mut draft.scaling.standardize);
    flag_ui(ui, &schema::GAUSSIANIZE_Z, &mut draft.scaling.gaussianize_z);
    let pretrain = &schema::D_PRETRAIN_STEPS;
    number_ui(
        ui,
        pretrain,
        pretrain.key,
        &mut draft.training.d_pretrain_steps,
        refusals,
    );
    number_ui(
        ui,
        &schema::SEED,
        schema::SEED.key,
        &mut draft.seed,
        refusals,
    );
    let pending = picture.settings.needs_reset(draft);
    let invalid = draft.validate().err();
    let label = if pending {
        "Apply and reset *"
    } else {
        "Apply and reset"
    };
    let why_not = match &invalid {
        Some(e) => format!("Not yet: {e}"),
        None => "Nothing here differs from the run in progress".to_owned(),
    };
    if ui
        .add_enabled(pending && invalid.is_none(), egui::Button::new(label))
        .on_hover_text("Model, data, noise and seed changes start a new run")
        .on_disabled_hover_text(why_not)
        .clicked()
    {
        out.push(Command::Apply(draft.clone()));
    }
    if let Some(e) = invalid {
        ui.colored_label(ui.visuals().error_fg_color, format!("Not yet: {e}"));
    }
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
    let [lo, hi] = super::presenter::UI_SCALE.extremes();
    ui.add(egui::Slider::new(&mut prefs.scale, lo as f32..=hi as f32).text("UI scale"))
        .on_hover_text("For projectors; Ctrl + and Ctrl − work too");
}

/// The presets menu, each with its lesson; returns the one chosen.
pub fn presets_ui(ui: &mut egui::Ui) -> Option<&'static Preset> {
    let mut chosen = None;
    ui.menu_button("Presets", |ui| {
        for preset in &Preset::ALL {
            ui.horizontal(|ui| {
                if ui
                    .button(preset.name)
                    .on_hover_text(preset.lesson)
                    .clicked()
                {
                    chosen = Some(preset);
                    ui.close();
                }
                ui.label(egui::RichText::new(preset.lesson).weak());
            });
        }
    });
    chosen
}
