//! Issue 10, "Explain this number": hovering a number of the app shows its formula with the
//! live values, hovering the figure at x reads the curves there, and the status line says
//! which breakpoint paused the run (egui_kittest, training inline).

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
#[path = "common/ui.rs"]
mod ui;
use ui::run_until;

use ganscope::app::GanscopeApp;
use ganscope::app::worker::Command;
use ganscope::sim::readout::{self, Readout, printed_result};
use ganscope::sim::{Breakpoints, Settings};

fn app(preset: &str) -> Harness<'static, GanscopeApp> {
    let h = Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_eframe(move |_| {
            GanscopeApp::new_inline(Settings::preset(preset).expect("preset")).expect("valid")
        });
    // Tooltips at once: the tests do not wait for the hover delay.
    h.ctx
        .all_styles_mut(|style| style.interaction.tooltip_delay = 0.0);
    h
}

/// `steps` iterations of Algorithm 1 through the Step button.
fn train(h: &mut Harness<'_, GanscopeApp>, steps: u64) {
    for _ in 0..steps {
        h.get_by_label("Step").click();
        h.run_steps(1);
    }
    h.run_steps(2);
    assert_eq!(h.state().picture().counters.iteration, steps);
}

/// The text of the one label containing `part`.
fn label_with(h: &Harness<'_, GanscopeApp>, part: &str) -> String {
    let node = h.get_by_label_contains(part);
    // AccessKit keeps a label's text in its value.
    let node = node.accesskit_node();
    node.value()
        .or_else(|| node.label())
        .unwrap_or_else(|| panic!("the label with {part:?} has no text"))
}

/// The number after `name = ` on a line of `text`, and half a unit of its last digit.
fn value_of(text: &str, name: &str) -> (f64, f64) {
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{name} = ")))
        .unwrap_or_else(|| panic!("no line {name:?} in {text:?}"));
    let head: String = line.split("  ").next().unwrap_or(line).to_owned();
    let head = head.split(':').next().unwrap_or(&head);
    printed_result(head).unwrap_or_else(|| panic!("no number in {line:?}"))
}

fn close(what: &str, (shown, half): (f64, f64), expected: f64) {
    assert!(
        (shown - expected).abs() <= 2.0 * half + 1e-4 * expected.abs(),
        "{what}: shown {shown}, read {expected}"
    );
}

#[test]
fn hovering_the_jsd_of_the_status_line_shows_its_definition_and_theorem_1_with_live_values() {
    let mut h = app("fig1");
    train(&mut h, 20);
    let a = h.state().picture().analysis.clone();
    let jsd = a.metrics.jsd;
    let part = format!("JSD {}", readout::number(jsd));
    h.get_by_label(&part).hover();
    h.run_steps(3);
    let (kl_data, kl_g) = readout::jsd_halves(&a);
    let sum = format!(
        "= 1/2 x {} + 1/2 x {} = {}",
        readout::number(kl_data),
        readout::number(kl_g),
        readout::number(jsd)
    );
    let tooltip = label_with(&h, &sum);
    assert!(tooltip.contains("M = (p_data + p_g)/2"), "{tooltip}");
    let theorem = readout::c_g_formula(jsd);
    assert!(tooltip.contains(&theorem), "{tooltip} lacks {theorem}");
    // The printed C(G) is the C(G) the status line shows.
    let (c_g, half) = printed_result(&theorem).expect("a number");
    assert!(
        (c_g - a.metrics.c_g).abs() <= half,
        "{c_g} vs {}",
        a.metrics.c_g
    );
}

#[test]
fn hovering_the_figure_at_x_reads_p_data_p_g_d_and_d_star_there() {
    let mut h = app("fig1");
    train(&mut h, 30);
    let rect = h
        .state()
        .figure_plot_rect()
        .expect("the live figure is drawn");
    for t in [0.43, 0.61] {
        let pointer = egui::pos2(rect.left() + t * rect.width(), rect.center().y);
        h.hover_at(pointer);
        h.run_steps(3);
        let picture = h.state().picture();
        let (lo, hi) = (picture.view.lo, picture.view.hi);
        let x = lo + f64::from((pointer.x - rect.left()) / rect.width()) * (hi - lo);
        let r = Readout::at(&picture.curves, &picture.ideal, x);
        let text = label_with(&h, "p_data(x) = ");
        close("x", value_of(&text, "x"), x);
        close("p_data", value_of(&text, "p_data(x)"), r.p_data);
        close("p_g", value_of(&text, "p_g(x)"), r.p_g);
        close("D", value_of(&text, "D(x)"), r.d);
        let d_star = text
            .split_once("D*(x) = p_data(x) / (p_data(x) + p_g(x))\n  = ")
            .and_then(|(_, rest)| rest.lines().next())
            .unwrap_or_else(|| panic!("no D* formula in {text:?}"));
        close("D*", printed_result(d_star).expect("a number"), r.d_star);
        assert!(
            r.p_g > 0.0 && !r.z_preimages.is_empty(),
            "x = {x} lies under p_g"
        );
        let z = readout::number(r.z_preimages[0]);
        assert!(
            text.contains(&format!("x = G(z) for z = {z}")),
            "{text} lacks z = {z}"
        );
    }
}

#[test]
fn the_status_line_says_which_breakpoint_paused_the_run_and_that_the_oracle_is_on() {
    let mut h = app("fig1");
    h.run_steps(2);
    let list = Breakpoints::parse("iteration=5").expect("a breakpoint");
    h.state_mut().send(Command::SetBreakpoints(list));
    h.run_steps(2);
    h.get_by_label("Play").click();
    run_until(&mut h, 200, |app| app.picture().fired.is_some());
    let picture = h.state().picture();
    assert_eq!(picture.counters.iteration, 5);
    assert!(!picture.playing, "the breakpoint paused the run");
    h.run_steps(2);
    let line = label_with(&h, "breakpoint: iteration=5 held at iteration 5");
    assert!(line.ends_with("iteration = 5"), "{line}");
    assert!(h.query_by_label("oracle D on").is_none());
    h.state_mut().send(Command::SetOracle(true));
    h.run_steps(3);
    assert!(h.state().picture().oracle);
    h.get_by_label("oracle D on").hover();
    h.run_steps(3);
    label_with(&h, "Proposition 2: before each G step D is replaced by");
}
