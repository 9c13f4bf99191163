//! The exports' buttons and the GIF's progress, driven through the app (egui_kittest,
//! training inline so that every click takes effect on the next frame).

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use ganscope::app::GanscopeApp;
use ganscope::sim::Settings;

fn app(preset: &str) -> Harness<'static, GanscopeApp> {
    // Tall enough that the side panel's export buttons are in view without scrolling
    // (the hover tests need them drawn).
    Harness::builder()
        .with_size([1600.0, 1400.0])
        .build_eframe(move |_| {
            GanscopeApp::new_inline(Settings::preset(preset).expect("preset")).expect("valid")
        })
}

fn gif_disabled(h: &Harness<'_, GanscopeApp>) -> bool {
    h.get_by_label("Run as GIF").accesskit_node().is_disabled()
}

/// Whether hovering "Run as GIF" shows a tooltip containing `text`. The tooltip shows at
/// once (the GIF thread keeps going meanwhile); other tooltips wait as usual afterwards.
fn gif_tooltip_says(h: &mut Harness<'_, GanscopeApp>, text: &str) -> bool {
    let usual = h.ctx.global_style().interaction.tooltip_delay;
    h.ctx
        .all_styles_mut(|style| style.interaction.tooltip_delay = 0.0);
    h.get_by_label("Run as GIF").hover();
    h.run_steps(3);
    let shown = h.query_by_label_contains(text).is_some();
    h.ctx
        .all_styles_mut(|style| style.interaction.tooltip_delay = usual);
    shown
}

/// Draws frames (giving the GIF thread time) until `done` holds, at most `limit` times.
fn wait_until(
    h: &mut Harness<'_, GanscopeApp>,
    limit: usize,
    done: impl Fn(&Harness<'_, GanscopeApp>) -> bool,
) {
    for _ in 0..limit {
        if done(h) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        h.run_steps(1);
    }
    assert!(done(h), "not reached in {limit} frames");
}

#[test]
fn run_as_gif_says_why_it_is_disabled_until_the_run_has_two_states() {
    let mut h = app("fig1");
    h.run_steps(2);
    assert!(gif_disabled(&h), "one recorded state is not an animation");
    assert!(gif_tooltip_says(
        &mut h,
        "Nothing recorded yet: play or step the run first"
    ));
    for _ in 0..2 {
        h.get_by_label("Step").click();
        h.run_steps(2);
    }
    assert!(!gif_disabled(&h), "three states make a GIF");
}

#[test]
fn the_gif_progress_shows_at_the_top_and_cancel_writes_nothing() {
    let dir = std::env::temp_dir().join(format!("ganscope-export-view-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut h = app("fig1");
    h.state_mut().set_export_folder(dir.clone());
    // Enough recorded states that 60 frames take seconds to write.
    h.get_by_label("fastest").click();
    h.get_by_label("Play").click();
    h.run_steps(80);
    h.get_by_label("Pause").click();
    h.run_steps(2);
    h.get_by_label("Run as GIF").click();
    h.run_steps(2);
    h.get_by_label("Export").click();
    h.run_steps(2);
    let bar = h.get_by_label_contains("GIF frame");
    assert!(
        bar.rect().top() < 120.0,
        "in the top panel: {:?}",
        bar.rect()
    );
    assert!(gif_disabled(&h), "one GIF at a time");
    assert!(gif_tooltip_says(&mut h, "A GIF is being written"));
    h.get_by_label("Cancel GIF").click();
    wait_until(&mut h, 200, |h| {
        h.query_by_label_contains("GIF frame").is_none()
    });
    h.run_steps(2);
    let _said = h.get_by_label_contains("GIF not saved: cancelled");
    assert!(
        !dir.join("ganscope-run.gif").exists(),
        "a cancelled GIF writes nothing"
    );
    assert!(!gif_disabled(&h), "ready for the next GIF");
}

#[test]
fn figure_1_records_its_run_from_the_seeded_start() {
    use ganscope::app::worker::{Command, Worker};
    let mut w = Worker::new(Settings::preset("collapse").expect("preset")).expect("valid");
    w.handle(Command::StepIteration);
    w.publish();
    w.handle(Command::Figure1);
    // As the threaded app: a slice of work before the first picture.
    w.work(std::time::Duration::from_millis(40));
    w.publish();
    let film = w.filmstrip();
    let iterations = film.lock().expect("film").iterations();
    assert_eq!(iterations.len(), 2, "{iterations:?}");
    assert_eq!(iterations.first(), Some(&0), "{iterations:?}");
    assert!(iterations.last() > Some(&0), "{iterations:?}");
}
