//! Issue 10 in the app: the forces on generated samples (§3's saturation, drawn on the x
//! line and compared beside the figure) and Algorithm 1 in slow motion, driven through
//! the app's keys and buttons.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use ganscope::app::GanscopeApp;
use ganscope::app::figure::live_panel;
use ganscope::app::worker::{Command, Published, Worker};
use ganscope::scene::{D_NAME, D_ORACLE, Overlays, PUSH_SHARE, Palette, Panel};
use ganscope::sim::analysis::{Analysis, AnalysisOptions};
use ganscope::sim::forces::oracle_forces;
use ganscope::sim::substep::Phase;
use ganscope::sim::{Settings, Trainer};

fn worker(preset: &str) -> Worker {
    Worker::new(Settings::preset(preset).expect("preset")).expect("valid settings")
}

fn with_forces() -> Overlays {
    Overlays {
        forces: true,
        ..Overlays::default()
    }
}

/// The arrow set of the forces on the published samples, if the panel has one.
fn push_arrows(panel: &Panel) -> Option<&ganscope::scene::ArrowSet> {
    panel.arrows.iter().find(|a| a.label.starts_with("push"))
}

#[test]
fn the_published_minimax_push_vanishes_once_d_is_confident_and_not_before() {
    let mut w = worker("vanishing");
    let untrained = w.publish().forces.mean_push();
    let ratio = untrained.non_saturating / untrained.minimax;
    assert!(
        (0.5..=2.0).contains(&ratio),
        "untrained D: non-saturating / minimax push {ratio:.3} ({untrained:?})"
    );
    // D's head start, as slow motion's first sub-step.
    w.handle(Command::SetSlowMotion(true));
    w.handle(Command::SubStep);
    let p = w.publish();
    let last = p.slow.as_ref().and_then(|s| s.last.as_ref());
    assert_eq!(last.map(|s| s.phase()), Some(Phase::HeadStart));
    let after = p.forces.mean_push();
    assert!(
        after.non_saturating >= 10.0 * after.minimax,
        "after D's head start the minimax push {:.3e} must be 10x below the non-saturating {:.3e}",
        after.minimax,
        after.non_saturating
    );
    assert_eq!(
        p.forces.x, p.generated,
        "the pushes are on the drawn samples"
    );
    // The column beside the figure writes both means and their ratio.
    let line = ganscope::app::forces_view::summary(after);
    assert!(line.starts_with("mean |push|: minimax "), "{line}");
    assert!(line.contains(", ratio 1:"), "{line}");
    #[expect(clippy::print_stderr, reason = "the measured numbers, for the README")]
    {
        eprintln!("vanishing, untrained D: {untrained:?}; after the head start: {after:?}: {line}");
    }
}

#[test]
fn the_forces_overlay_draws_one_arrow_per_sample_pointing_as_it_is_pushed() {
    let mut w = worker("fig1");
    for _ in 0..20 {
        w.handle(Command::StepIteration);
    }
    let p = w.publish();
    let palette = Palette::LIGHT;
    let off = live_panel(&p, Overlays::default(), &palette);
    assert!(push_arrows(&off).is_none(), "no forces unless asked for");
    let on = live_panel(&p, with_forces(), &palette);
    let Some(set) = push_arrows(&on) else {
        panic!(
            "no push arrows in {:?}",
            on.arrows.iter().map(|a| &a.label).collect::<Vec<_>>()
        );
    };
    assert_eq!(set.from.len(), p.generated.len(), "one arrow per sample");
    let width = p.view.hi - p.view.lo;
    let mut longest: f64 = 0.0;
    for ((from, to), f) in set.from.iter().zip(&set.to).zip(&p.forces.current) {
        let dx = to[0] - from[0];
        assert_eq!(from[1], to[1], "pushes lie along the x line");
        assert!(from[1] > 0.0, "just above the x line");
        assert!(
            dx * f >= 0.0,
            "the arrow points the way the sample is pushed"
        );
        longest = longest.max(dx.abs());
    }
    assert!(
        (longest - PUSH_SHARE * width).abs() < 1e-9 * width,
        "the longest arrow is {PUSH_SHARE} of the view: {longest} of {width}"
    );
    assert!(set.label.contains("longest = "), "{}", set.label);
    // Everything else is as without the overlay.
    assert_eq!(on.curves, off.curves);
}

#[test]
fn with_the_oracle_the_forces_are_d_stars_and_d_star_is_drawn_as_d() {
    let settings = Settings::preset("fig1").expect("preset");
    let mut w = Worker::new(settings.clone()).expect("valid");
    w.handle(Command::SetOracle(true));
    for _ in 0..3 {
        w.handle(Command::StepIteration);
    }
    let p = w.publish();
    assert!(p.oracle);
    let mut t = Trainer::new(settings).expect("valid");
    ganscope::sim::oracle::run(&mut t, 3).expect("finite");
    assert_eq!(p.counters, t.counters());
    assert_eq!(p.forces, oracle_forces(&t, &p.z), "the forces through D*");
    let panel = live_panel(&p, with_forces(), &Palette::LIGHT);
    let labels: Vec<&str> = panel.curves.iter().map(|c| c.label.as_str()).collect();
    assert!(labels.contains(&D_ORACLE), "{labels:?}");
    assert!(
        !labels.contains(&D_NAME),
        "the untrained network's D is not drawn"
    );
    assert!(
        push_arrows(&panel).is_some_and(|a| a.label.contains("through D*")),
        "{:?}",
        panel.arrows.iter().map(|a| &a.label).collect::<Vec<_>>()
    );
}

fn app(settings: Settings) -> Harness<'static, GanscopeApp> {
    Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_eframe(move |_| GanscopeApp::new_inline(settings).expect("valid"))
}

fn picture<'h>(h: &'h Harness<'_, GanscopeApp>) -> &'h Published {
    h.state().picture()
}

#[test]
fn slow_motion_runs_one_iteration_sub_step_by_sub_step_and_lands_where_a_step_does() {
    let settings = Settings::preset("fig1").expect("preset");
    let mut h = app(settings.clone());
    h.run_steps(2);
    h.key_press(egui::Key::S);
    h.run_steps(2);
    assert!(picture(&h).slow.is_some(), "S turns slow motion on");
    let _how = h.get_by_label_contains("each press of -> (or Next sub-step)");
    let _next = h.get_by_label_contains("next: iteration 1 starts, 1. sample m data x");
    let order = [
        Phase::SampleData,
        Phase::SampleNoise,
        Phase::Generate,
        Phase::DiscriminatorLoss,
        Phase::DiscriminatorUpdate,
        Phase::GeneratorNoise,
        Phase::GeneratorLoss,
        Phase::GeneratorUpdate,
    ];
    for (i, phase) in order.into_iter().enumerate() {
        // The arrow key for the D half, the button for the G half.
        if i < 5 {
            h.key_press(egui::Key::ArrowRight);
        } else {
            h.get_by_label("Next sub-step (->)").click();
        }
        h.run_steps(2);
        let p = picture(&h);
        let Some(slow) = &p.slow else {
            panic!("slow motion went off at sub-step {}", i + 1)
        };
        let Some(step) = &slow.last else {
            panic!("no sub-step ran at press {}", i + 1)
        };
        assert_eq!(step.phase(), phase, "press {}", i + 1);
        let explained = step.explain();
        assert!(
            explained.contains(&format!("{}. ", phase.number())),
            "{explained}"
        );
        let _line = h.get_by_label(&explained);
        if let Some(&next) = order.get(i + 1) {
            assert_eq!(
                p.counters.iteration,
                0,
                "mid-iteration at sub-step {}",
                i + 1
            );
            let _progress = h.get_by_label_contains(&format!(
                "sub-step {} of 8 of iteration 1 - next: {}. {}",
                i + 1,
                next.number(),
                next.label()
            ));
        } else {
            let _done = h.get_by_label_contains("iteration 1 complete - next: iteration 2 starts");
        }
        if phase == Phase::DiscriminatorUpdate {
            let panel = live_panel(p, Overlays::default(), &Palette::LIGHT);
            let before = panel.curves.iter().find(|c| c.label.contains("D before"));
            let now = panel.curves.iter().find(|c| c.label == D_NAME);
            let (Some(before), Some(now)) = (before, now) else {
                panic!("sub-step 5 draws D before and after its step");
            };
            assert_ne!(before.points, now.points, "D's step changed D");
        }
        if phase == Phase::GeneratorUpdate {
            let panel = live_panel(p, Overlays::default(), &Palette::LIGHT);
            assert!(panel.curves.iter().any(|c| c.label == "p_g before"));
            assert!(
                panel
                    .arrows
                    .iter()
                    .any(|a| a.label.starts_with("8. G(z) before -> after"))
            );
        }
    }
    // One plain iteration from the same settings: the same counters, statistics and
    // networks (their outputs over the grid, bit for bit).
    let mut t = Trainer::new(settings).expect("valid");
    t.iteration().expect("finite");
    let p = picture(&h);
    assert_eq!(p.counters, t.counters());
    assert_eq!(p.stats, t.stats());
    let plain = Analysis::new(&t.model(), &AnalysisOptions::default());
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&p.analysis.x), bits(&plain.x), "the grid");
    assert_eq!(bits(&p.analysis.d_raw), bits(&plain.d_raw), "D differs");
    assert_eq!(bits(&p.analysis.p_g), bits(&plain.p_g), "G differs (p_g)");
    let g_of_z = |a: &Analysis| {
        a.arrows
            .iter()
            .map(|(_, x)| x.to_bits())
            .collect::<Vec<_>>()
    };
    assert_eq!(g_of_z(&p.analysis), g_of_z(&plain), "G differs (G(z))");
    // Leaving slow motion turns it off and changes nothing more between iterations.
    h.get_by_label("Leave slow motion").click();
    h.run_steps(2);
    let p = picture(&h);
    assert!(p.slow.is_none());
    assert_eq!(p.counters, t.counters());
}

#[test]
fn the_live_view_export_draws_the_forces_and_the_sub_step_as_the_app_does() {
    let mut w = worker("vanishing");
    w.handle(Command::StepIteration);
    let p = w.publish();
    let palette = Palette::LIGHT;
    let panel = live_panel(&p, with_forces(), &palette);
    let svg = ganscope::scene::svg::panel_svg(&panel, palette.background, palette.ink);
    let Some(set) = push_arrows(&panel) else {
        panic!("no push arrows");
    };
    assert!(svg.contains(&set.label), "the legend names the pushes");
}
