//! The desktop app driven through its real UI by labels (egui_kittest), training inline so
//! that every click takes effect on the next frame.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
#[path = "common/ui.rs"]
mod ui;
use ui::run_until;

use ganscope::app::GanscopeApp;
use ganscope::sim::Settings;

fn app(preset: &str) -> Harness<'static, GanscopeApp> {
    Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_eframe(move |_| {
            GanscopeApp::new_inline(Settings::preset(preset).expect("preset")).expect("valid")
        })
}

/// Presses a button of the side panel, which may be scrolled out of view (the panel is
/// taller than the window).
fn press_below(h: &mut Harness<'static, GanscopeApp>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run_steps(2);
    h.get_by_label(label).click_accesskit();
}

fn iteration(h: &Harness<'_, GanscopeApp>) -> u64 {
    h.state().picture().counters.iteration
}

#[test]
fn play_then_pause_advances_then_holds_the_iteration_count() {
    let mut h = app("fig1");
    h.run_steps(2);
    assert_eq!(iteration(&h), 0);
    h.get_by_label("Play").click();
    h.run_steps(10);
    let running = iteration(&h);
    assert!(running > 0, "playing must train");
    h.get_by_label("Pause").click();
    h.run_steps(3);
    let paused = iteration(&h);
    h.run_steps(10);
    assert_eq!(iteration(&h), paused, "paused must hold");
    assert!(!h.state().picture().playing);
}

#[test]
fn one_step_is_k_discriminator_steps_and_one_generator_step() {
    let mut h = app("fig1");
    h.get_by_role_and_label(Role::Slider, "k (D steps)")
        .set_value_accesskit(3.0);
    h.run_steps(3);
    assert_eq!(h.state().picture().settings.training.k, 3);
    h.get_by_label("Step").click();
    h.run_steps(3);
    let c = h.state().picture().counters;
    assert_eq!((c.iteration, c.d_steps, c.g_steps), (1, 3, 1));
    h.get_by_label("D step").click();
    h.run_steps(2);
    h.get_by_label("G step").click();
    h.run_steps(2);
    let c = h.state().picture().counters;
    assert_eq!((c.iteration, c.d_steps, c.g_steps), (1, 4, 2));
}

#[test]
fn k_learning_rate_and_loss_change_mid_run_without_reset() {
    let mut h = app("fig1");
    for _ in 0..5 {
        h.get_by_label("Step").click();
        h.run_steps(2);
    }
    assert_eq!(iteration(&h), 5);
    h.get_by_role_and_label(Role::Slider, "k (D steps)")
        .set_value_accesskit(2.0);
    h.get_by_role_and_label(Role::Slider, "learning rate D")
        .set_value_accesskit(0.002);
    h.run_steps(2);
    h.get_by_label("loss").click();
    h.run_steps(2);
    h.get_by_label("least-squares").click();
    h.run_steps(3);
    let t = &h.state().picture().settings.training;
    assert_eq!(t.k, 2);
    assert!((t.lr_d - 0.002).abs() < 1e-9, "lr_d = {}", t.lr_d);
    assert_eq!(t.loss, ganscope::sim::LossKind::LeastSquares);
    let before = h.state().picture().counters;
    h.get_by_label("Step").click();
    h.run_steps(2);
    let after = h.state().picture().counters;
    assert_eq!(after.iteration, 6, "no reset");
    assert_eq!(after.d_steps - before.d_steps, 2, "the new k is in force");
}

#[test]
fn a_divergent_setting_shows_the_banner_and_back_to_last_good_state_restores() {
    let mut h = app("fig1");
    h.get_by_role_and_label(Role::Slider, "learning rate D")
        .set_value_accesskit(1.0);
    h.run_steps(2);
    h.get_by_label("Step").click();
    h.run_steps(3);
    assert!(
        h.state().picture().divergence.is_some(),
        "Adam at lr 1 must diverge"
    );
    let _banner = h.get_by_label_contains("Training stopped: diverged");
    h.get_by_label("Back to last good state").click();
    h.run_steps(3);
    let p = h.state().picture();
    assert!(p.divergence.is_none());
    assert!(
        p.curves
            .p_g
            .iter()
            .chain(&p.curves.d)
            .chain(&p.curves.p_data)
            .all(|v| v.is_finite())
    );
    assert!(p.analysis.metrics.jsd.is_finite());
    // The learning rate the user set is kept, and the app says so.
    assert_eq!(p.settings.training.lr_d, 1.0);
    let _said = h.get_by_label_contains("kept your current learning rate D = 1.0");
}

#[test]
fn main_view_snapshot() {
    let mut h = app("fig1");
    for _ in 0..20 {
        h.get_by_label("Step").click();
        h.run_steps(1);
    }
    h.run_steps(2);
    assert_eq!(iteration(&h), 20);
    h.snapshot("main_view_fig1_iteration_20");
}

#[test]
fn a_pasted_settings_string_starts_that_run_and_a_bad_one_is_refused() {
    let mut h = app("fig1");
    let line = Settings::preset("collapse").expect("preset").to_line();
    // The side panel is taller than the window: bring the button into view first.
    h.get_by_label("Load string").scroll_to_me();
    h.run_steps(10);
    h.get_by_label("Load string").click();
    h.run_steps(2);
    assert!(
        h.state().picture().settings.training.g_steps == 1,
        "an empty string changes nothing"
    );
    let _refusal = h.get_by_label_contains("no ganscope1: prefix");
    h.get_by_role(Role::TextInput).focus();
    h.run_steps(1);
    h.get_by_role(Role::TextInput).type_text(&line);
    h.run_steps(2);
    h.get_by_label("Load string").click();
    h.run_steps(3);
    assert_eq!(
        h.state().picture().settings,
        Settings::preset("collapse").expect("preset")
    );
}

#[test]
fn choosing_a_preset_resets_to_it_and_shows_its_lesson() {
    let mut h = app("fig1");
    for _ in 0..3 {
        h.get_by_label("Step").click();
        h.run_steps(1);
    }
    h.get_by_label("Presets").click();
    h.run_steps(2);
    h.get_by_label("collapse").click();
    h.run_steps(3);
    let p = h.state().picture();
    assert_eq!(p.settings, Settings::preset("collapse").expect("preset"));
    assert_eq!(p.counters.iteration, 0, "a preset starts a new run");
    let _lesson = h.get_by_label_contains("Preset collapse: Two modes");
}

/// Runs frames until `done` holds (at most `limit` frames).

#[test]
fn figure_1_captures_four_panels_that_replay_and_continue_live() {
    let mut h = app("fig1");
    h.get_by_label("Figure 1").click();
    h.run_steps(2);
    assert!(
        h.state().picture().story.running.is_some(),
        "a progress bar shows"
    );
    let _bar = h.get_by_label_contains("Figure 1: capturing stage");
    run_until(&mut h, 400, |a| a.picture().story.picture.is_some());
    h.run_steps(2);
    let story = h.state().picture().story.picture.clone().expect("panels");
    assert_eq!(story.stages.len(), 4);
    let d_iteration = story.stages[3].iteration;
    let c_iteration = story.stages[2].iteration;
    // The four panels are on screen with their captions and numbers.
    let _caption = h.get_by_label_contains("In the inner loop of the algorithm D is trained");
    let _numbers = h.get_by_label_contains("max |D - D*| (central 98 % of");

    h.get_by_label("Replay (c)").click();
    h.run_steps(2);
    run_until(&mut h, 400, |a| a.picture().story.running.is_none());
    h.run_steps(1);
    assert_eq!(
        iteration(&h),
        c_iteration,
        "the replay ends where (c) ended"
    );

    h.get_by_label("Figure 1 (a)-(d)").click();
    h.run_steps(2);
    h.get_by_label("Continue from (d)").click();
    h.run_steps(10);
    let p = h.state().picture();
    assert!(p.playing, "the live run continues");
    assert!(p.counters.iteration > d_iteration);
}

#[test]
fn a_cancelled_figure_1_puts_the_run_back() {
    let mut h = app("collapse");
    for _ in 0..3 {
        h.get_by_label("Step").click();
        h.run_steps(1);
    }
    let before = h.state().picture().settings.clone();
    h.get_by_label("Figure 1").click();
    h.run_steps(2);
    // The scenario owns the trainer until it ends or is cancelled.
    h.get_by_label("Step").click();
    h.run_steps(2);
    let _busy = h.get_by_label_contains("Figure 1 is running");
    h.get_by_label("Cancel").click();
    h.run_steps(3);
    let p = h.state().picture();
    assert!(p.story.running.is_none());
    assert_eq!(p.settings, before);
    assert_eq!(p.counters.iteration, 3);

    // Choosing a preset while Figure 1 runs ends the scenario and starts the preset.
    h.get_by_label("Figure 1").click();
    h.run_steps(2);
    h.get_by_label("Presets").click();
    h.run_steps(2);
    h.get_by_label("oscillation").click();
    h.run_steps(3);
    let p = h.state().picture();
    assert!(p.story.running.is_none());
    assert_eq!(p.settings, Settings::preset("oscillation").expect("preset"));
}

#[test]
fn settings_files_save_ask_before_replacing_and_a_bad_file_changes_nothing() {
    let dir = std::env::temp_dir().join(format!("ganscope-app-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("ganscope-settings.toml");
    let mut h = app("fig1");
    h.state_mut().set_export_folder(dir.clone());

    press_below(&mut h, "Save settings file");
    h.run_steps(2);
    h.get_by_label("Save").click();
    h.run_steps(2);
    let saved = std::fs::read_to_string(&file).expect("saved");
    assert_eq!(
        Settings::from_toml(&saved).expect("valid"),
        Settings::preset("fig1").expect("preset")
    );

    // Saving again asks first; keeping the file leaves it as it was.
    std::fs::write(&file, "keep me").expect("write");
    press_below(&mut h, "Save settings file");
    h.run_steps(2);
    h.get_by_label("Save").click();
    h.run_steps(2);
    let _ask = h.get_by_label_contains("already exists. Replace it?");
    h.get_by_label("Keep it").click();
    h.run_steps(3);
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "keep me");

    // A malformed file is refused with the reason; the run is untouched.
    press_below(&mut h, "Step");
    h.run_steps(2);
    press_below(&mut h, "Load settings file");
    h.run_steps(2);
    h.get_by_label("Load").click();
    h.run_steps(2);
    let _why = h.get_by_label_contains("was not loaded");
    assert_eq!(iteration(&h), 1);
    h.get_by_label("Cancel").click();
    h.run_steps(2);

    // A good one starts its run.
    let collapse = Settings::preset("collapse").expect("preset");
    std::fs::write(&file, collapse.to_toml()).expect("write");
    press_below(&mut h, "Load settings file");
    h.run_steps(2);
    h.get_by_label("Load").click();
    h.run_steps(3);
    assert_eq!(h.state().picture().settings, collapse);
    assert_eq!(iteration(&h), 0);
}

#[test]
fn the_run_so_far_exports_as_a_gif_and_the_view_as_a_png() {
    let dir = std::env::temp_dir().join(format!("ganscope-app-gif-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut h = app("fig1");
    h.state_mut().set_export_folder(dir.clone());
    for _ in 0..4 {
        h.get_by_label("Step").click();
        h.run_steps(1);
    }
    press_below(&mut h, "Run as GIF");
    h.run_steps(2);
    h.get_by_label("Export").click();
    h.run_steps(1);
    let gif_path = dir.join("ganscope-run.gif");
    for _ in 0..200 {
        if gif_path.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        h.run_steps(1);
    }
    let file = std::fs::File::open(&gif_path).expect("the GIF is written");
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = options.read_info(file).expect("a GIF");
    let mut frames = 0;
    while decoder.read_next_frame().expect("frame").is_some() {
        frames += 1;
    }
    // One recorded state per published picture: the start and the four steps.
    assert!((2..=60).contains(&frames), "{frames} frames");
    h.run_steps(3);
    let _done = h.get_by_label_contains("frames at 12 fps");

    h.get_by_label("View as PNG").click();
    h.run_steps(2);
    h.get_by_label("Export").click();
    h.run_steps(2);
    let png = std::fs::read(dir.join("ganscope-view.png")).expect("the PNG is written");
    assert_eq!(&png[..4], b"\x89PNG");

    h.get_by_label("Metrics as CSV").click();
    h.run_steps(2);
    h.get_by_label("Export").click();
    h.run_steps(2);
    let csv = std::fs::read_to_string(dir.join("ganscope-metrics.csv")).expect("the CSV");
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .is_some_and(|h| h.starts_with("iteration,d_loss,g_loss"))
    );
    assert!(lines.count() >= 2, "one row per recorded picture");

    // A file that cannot be written says why, and the window stays open to try again.
    h.state_mut().set_export_folder(dir.join("no/such/folder"));
    h.get_by_label("Metrics as CSV").click();
    h.run_steps(2);
    h.get_by_label("Export").click();
    h.run_steps(2);
    let _why = h.get_by_label_contains("cannot write");
    let _still_open = h.get_by_label("Export");
}

/// Presses Play and draws frames until the run pauses by itself (at most 200).
fn play_until_paused(h: &mut Harness<'static, GanscopeApp>) {
    h.get_by_label("Play").click();
    h.run_steps(1);
    for _ in 0..200 {
        h.run_steps(1);
        if !h.state().picture().playing {
            break;
        }
    }
}

#[test]
fn the_run_pauses_where_the_learning_rates_reach_zero_and_can_be_extended() {
    let mut settings = Settings::preset("fig1").expect("preset");
    settings.training.lr_decay_iters = 30;
    let mut h = Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_eframe(move |_| GanscopeApp::new_inline(settings.clone()).expect("valid"));
    play_until_paused(&mut h);
    assert!(
        !h.state().picture().playing,
        "paused at the end of the decay"
    );
    assert_eq!(iteration(&h), 30, "not one step past it");
    let _said = h.get_by_label_contains("decayed to 0 at iteration 30: training is paused");
    h.get_by_label("Decay to 0 at 60 instead").click();
    h.run_steps(2);
    assert_eq!(h.state().picture().settings.training.lr_decay_iters, 60);
    play_until_paused(&mut h);
    assert_eq!(iteration(&h), 60);
    let _status = h.get_by_label_contains("lr D 0.00e0 G 0.00e0");
}

#[test]
fn the_lecture_pace_plays_fig1_in_slow_motion_and_fastest_is_one_click_away() {
    let mut h = app("fig1");
    h.get_by_label("lecture").click();
    h.get_by_label("Play").click();
    h.run_steps(5);
    // fig1's lesson starts at 2/3 of an iteration a second: one is due at Play, the next
    // 1.5 s later.
    assert!(h.state().picture().playing);
    assert!(iteration(&h) <= 1, "iteration {}", iteration(&h));
    h.get_by_label("fastest").click();
    h.run_steps(10);
    assert!(iteration(&h) > 20, "iteration {}", iteration(&h));
}

#[test]
fn the_keys_are_named_until_the_first_play() {
    let mut h = app("fig1");
    h.run_steps(2);
    let _hint = h.get_by_label_contains("Space: play or pause");
    h.key_press(egui::Key::Space);
    h.run_steps(3);
    assert!(h.state().picture().playing, "Space plays");
    assert!(h.query_by_label_contains("Space: play or pause").is_none());
}

#[test]
fn side_by_side_starts_from_the_side_panel_steps_both_runs_in_lockstep_and_gives_the_run_back() {
    let mut h = app("fig1");
    for _ in 0..2 {
        h.get_by_label("Step").click();
        h.run_steps(2);
    }
    let before = h.state().picture().counters;
    assert_eq!(before.iteration, 2);
    // The Compare section offers saturation first.
    press_below(&mut h, "Start side by side");
    h.run_steps(3);
    let labels = |h: &Harness<'_, GanscopeApp>| -> Vec<String> {
        let compare = h
            .state()
            .picture()
            .compare
            .clone()
            .expect("side by side is on");
        compare.runs.iter().map(|r| r.label.clone()).collect()
    };
    assert_eq!(labels(&h), ["minimax", "non-saturating"]);
    let _header = h.get_by_label_contains("Side by side: saturation");
    // The Run section's Step (scrolled out of view: pressed as a screen reader would)
    // and the right arrow step both runs, one iteration each.
    h.get_by_label("Step").click_accesskit();
    h.run_steps(2);
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(2);
    let compare = h.state().picture().compare.clone().expect("on");
    assert_eq!(compare.iteration, 2);
    assert!(compare.runs.iter().all(|r| r.counters.iteration == 2));
    // Played, both advance together.
    h.get_by_label("Play").click_accesskit();
    run_until(&mut h, 300, |a| {
        a.picture()
            .compare
            .as_ref()
            .is_some_and(|c| c.iteration >= 40)
    });
    h.get_by_label("Pause").click_accesskit();
    h.run_steps(2);
    let compare = h.state().picture().compare.clone().expect("on");
    assert!(compare.iteration >= 40);
    assert!(
        compare
            .runs
            .iter()
            .all(|r| r.counters.iteration == compare.iteration),
        "lockstep: {:?}",
        compare.runs.iter().map(|r| r.counters).collect::<Vec<_>>()
    );
    // Section 3 in numbers: the non-saturating G has moved towards the data (mean 8).
    let means: Vec<f64> = compare
        .runs
        .iter()
        .map(|r| r.analysis.metrics.p_g_mean)
        .collect();
    assert!(means[1] > means[0] + 1.0, "p_g means {means:?}");
    // The single run's controls are refused while side by side is on.
    h.key_press(egui::Key::D);
    h.run_steps(2);
    let _refused = h.get_by_label_contains("side by side is on");
    // Leaving gives the run back as it was.
    press_below(&mut h, "Stop side by side");
    h.run_steps(3);
    let p = h.state().picture();
    assert!(p.compare.is_none());
    assert_eq!(p.counters, before, "the single run is as it was");
    assert_eq!(p.settings, Settings::preset("fig1").expect("preset"));
    // A preset chosen while side by side is on leaves it and starts that run.
    h.key_press(egui::Key::C);
    h.run_steps(2);
    assert!(h.state().picture().compare.is_some(), "C starts it again");
    h.get_by_label("Presets").click();
    h.run_steps(2);
    h.get_by_label("collapse").click();
    h.run_steps(3);
    let p = h.state().picture();
    assert!(p.compare.is_none());
    assert_eq!(p.settings, Settings::preset("collapse").expect("preset"));
}
