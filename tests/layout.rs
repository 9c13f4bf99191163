//! The layout at a projector's size (1280 x 720 at UI scale 2, i.e. 640 x 360 points at 2
//! pixels per point), in presenter mode and out of it, on both tabs: no two widgets
//! overlap, none is cut off, and in presenter mode the figure takes most of the window.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT as _, Queryable as _};
#[path = "common/ui.rs"]
mod ui;
use ui::run_until;

use ganscope::app::GanscopeApp;
use ganscope::sim::Settings;

/// A 1280 x 720 window at UI scale 2.
fn projector() -> Harness<'static, GanscopeApp> {
    Harness::builder()
        .with_size([640.0, 360.0])
        .with_pixels_per_point(2.0)
        .build_eframe(|_| {
            GanscopeApp::new_inline(Settings::preset("fig1").expect("preset")).expect("valid")
        })
}

/// A drawn widget: what it is, where, and what of it is visible.
#[derive(Debug)]
struct Drawn {
    role: Role,
    label: String,
    rect: egui::Rect,
    /// The part inside its clip rectangle (a scroll area's view, a panel).
    visible: egui::Rect,
}

/// Every node of the last frame's accessibility tree with a rectangle, with the part of it
/// egui left visible (from the frame's widget rectangles, which are clipped).
fn drawn(h: &Harness<'_, GanscopeApp>) -> Vec<Drawn> {
    let clipped: std::collections::HashMap<u64, egui::Rect> = h.ctx.viewport(|v| {
        v.prev_pass
            .widgets
            .layers()
            .flat_map(|(_, rects)| rects.iter())
            .map(|w| (w.id.value(), w.interact_rect))
            .collect()
    });
    let ppp = h.ctx.pixels_per_point();
    h.query_all(By::new().predicate(|_| true))
        .filter_map(|n| {
            let a = n.accesskit_node();
            let b = a.bounding_box()?;
            let rect = egui::Rect::from_min_max(
                egui::pos2(b.x0 as f32 / ppp, b.y0 as f32 / ppp),
                egui::pos2(b.x1 as f32 / ppp, b.y1 as f32 / ppp),
            );
            Some(Drawn {
                role: a.role(),
                label: a.label().or_else(|| a.value()).unwrap_or_default(),
                rect,
                visible: clipped
                    .get(&a.locate().0.0)
                    .map_or(rect, |c| c.intersect(rect)),
            })
        })
        .collect()
}

/// Roles of what a user clicks, drags or types into, and of text.
fn shows_something(role: Role) -> bool {
    matches!(
        role,
        Role::Button
            | Role::CheckBox
            | Role::Slider
            | Role::SpinButton
            | Role::ComboBox
            | Role::TextInput
            | Role::DisclosureTriangle
            | Role::ProgressIndicator
            | Role::Label
            | Role::Unknown
    )
}

/// What the window shows: the widgets and text with a visible part.
fn on_screen(h: &Harness<'_, GanscopeApp>) -> (Vec<Drawn>, Vec<egui::Rect>) {
    let all = drawn(h);
    let bars = all
        .iter()
        .filter(|d| d.role == Role::ScrollBar)
        .map(|d| d.rect)
        .collect();
    let shown = all
        .into_iter()
        .filter(|d| shows_something(d.role) && d.visible.is_positive())
        .collect();
    (shown, bars)
}

/// Every pair of shown things whose visible parts overlap (a combo box and its own label
/// share a name and a rectangle by design, and are not counted).
fn overlaps(shown: &[Drawn]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, a) in shown.iter().enumerate() {
        for b in &shown[i + 1..] {
            let both = a.visible.intersect(b.visible);
            let same = a.label == b.label && !a.label.is_empty();
            if both.width() > 0.5 && both.height() > 0.5 && !same {
                out.push(format!(
                    "{:?} {:?} {:?} over {:?} {:?} {:?}",
                    a.role, a.label, a.visible, b.role, b.label, b.visible
                ));
            }
        }
    }
    out
}

/// What is partly hidden: outside the window, or clipped other than by a scroll area
/// (whose scroll bar stands to its right, in its rows).
fn cut_off(shown: &[Drawn], bars: &[egui::Rect], window: egui::Rect) -> Vec<String> {
    let scrolled = |d: &Drawn| {
        bars.iter().any(|b| {
            b.min.x >= d.visible.max.x - 1.0
                && d.visible.min.y >= b.min.y - 1.0
                && d.visible.max.y <= b.max.y + 1.0
        })
    };
    shown
        .iter()
        .filter(|d| {
            let outside = !window.expand(0.5).contains_rect(d.visible);
            let clipped = d.visible.area() < 0.98 * d.rect.area();
            outside || (clipped && !scrolled(d))
        })
        .map(|d| format!("{:?} {:?} {:?} of {:?}", d.role, d.label, d.visible, d.rect))
        .collect()
}

fn assert_tidy(h: &Harness<'_, GanscopeApp>, what: &str) {
    let (shown, bars) = on_screen(h);
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(640.0, 360.0));
    let over = overlaps(&shown);
    assert!(over.is_empty(), "{what}: overlapping:\n{}", over.join("\n"));
    let cut = cut_off(&shown, &bars, window);
    assert!(cut.is_empty(), "{what}: cut off:\n{}", cut.join("\n"));
}

#[test]
fn presenter_mode_at_a_projectors_size_overlaps_nothing_and_the_figure_fills_the_window() {
    let mut h = projector();
    h.run_steps(2);
    h.key_press(egui::Key::P);
    h.run_steps(3);
    assert!(h.state().presenter().on, "P turns presenter mode on");
    assert!(h.query_by_label("k (D steps)").is_none(), "no side panel");
    assert_tidy(&h, "presenter mode, Live tab");
    let plot = h.state().figure_plot_rect().expect("the figure is drawn");
    let share = plot.area() / (640.0 * 360.0);
    assert!(
        share >= 0.6,
        "the plot area is {:.0} % of the window",
        100.0 * share
    );

    // The keys keep working, and ? lists them over the figure.
    h.key_press(egui::Key::Space);
    h.run_steps(3);
    assert!(h.state().picture().playing, "Space plays in presenter mode");
    h.key_press(egui::Key::Space);
    h.event(egui::Event::Text("?".to_owned()));
    h.run_steps(2);
    // Too many keys for one a row at 360 points: two a row, in short words, all on screen.
    let bounds = |h: &Harness<'_, GanscopeApp>, label: &str| {
        let b = h.get_by_label(label).accesskit_node().bounding_box();
        let b = b.expect("drawn");
        let ppp = f64::from(h.ctx.pixels_per_point());
        egui::Rect::from_min_max(
            egui::pos2((b.x0 / ppp) as f32, (b.y0 / ppp) as f32),
            egui::pos2((b.x1 / ppp) as f32, (b.y1 / ppp) as f32),
        )
    };
    let first = bounds(&h, "play or pause");
    let last = bounds(&h, "Ctrl + and Ctrl - change the UI scale.");
    assert!(
        first.min.y >= 0.0 && last.max.y <= 360.0,
        "the list runs off: {first:?} {last:?}"
    );
    let _list = h.get_by_label("presenter mode");
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(
        h.query_by_label("Ctrl + and Ctrl - change the UI scale.")
            .is_none()
    );
    assert!(h.state().presenter().on, "Esc closes the list first");

    // The Figure 1 tab shows one panel at a time; the arrows go through them.
    h.get_by_label("Figure 1").click();
    h.run_steps(2);
    run_until(&mut h, 600, |a| a.picture().story.picture.is_some());
    h.run_steps(3);
    assert!(h.query_by_label("Replay (a)").is_some(), "one panel: (a)");
    assert!(h.query_by_label("Replay (b)").is_none(), "one panel only");
    assert_tidy(&h, "presenter mode, Figure 1 tab, (a)");
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(2);
    assert!(h.query_by_label("Replay (b)").is_some(), "right arrow: (b)");
    // Two quick presses in one frame (a clicker) go two panels on; Page Down is the same.
    h.key_press(egui::Key::ArrowRight);
    h.key_press(egui::Key::PageDown);
    h.run_steps(2);
    assert_eq!(h.state().story_view().shown, ganscope::sim::story::Stage::D);
    assert_tidy(&h, "presenter mode, Figure 1 tab, (d)");
    h.snapshot("presenter_1280x720_scale_2_figure_1_d");
    h.key_press(egui::Key::P);
    h.run_steps(2);
    assert!(!h.state().presenter().on, "P again leaves presenter mode");
    assert!(
        h.query_all_by_label("k (D steps)").next().is_some(),
        "the side panel is back"
    );
    assert_tidy(&h, "normal layout, Figure 1 tab, (d)");
}

#[test]
fn the_normal_layout_at_a_projectors_size_overlaps_nothing() {
    let mut h = projector();
    h.run_steps(3);
    assert_tidy(&h, "Live tab");
    // The window is short: the figure keeps most of the height beside the side panel and
    // the metric plots follow it, one scroll down (they were squeezed to a strip before).
    let plot = h.state().figure_plot_rect().expect("the figure is drawn");
    assert!(
        plot.height() >= 0.4 * 360.0,
        "the plot is {:.0} points tall of 360",
        plot.height()
    );
    assert!(
        h.query_by_label("Wasserstein-1").is_some(),
        "the plots are there"
    );
    h.key_press(egui::Key::F);
    h.run_steps(2);
    assert_tidy(&h, "Figure 1 tab before a run");
}

#[test]
fn the_see_why_views_fit_a_projector_one_at_a_time_when_they_must() {
    let mut h = projector();
    h.run_steps(2);
    h.key_press(egui::Key::P);
    h.run_steps(2);
    // Forces and G vs z on, then slow motion a few sub-steps in.
    h.key_press(egui::Key::X);
    h.run_steps(2);
    assert_tidy(&h, "presenter mode, forces on");
    h.key_press(egui::Key::Z);
    h.run_steps(2);
    // Two views do not fit 360 points: the one turned on last shows, under their names.
    assert!(
        h.query_by_label("pushes").is_some(),
        "the names of the views"
    );
    assert!(
        h.query_by_label("T*(z)").is_some(),
        "G vs z, turned on last, shows"
    );
    assert!(
        h.query_by_label("Push on each G(z)").is_none(),
        "one view at a time"
    );
    assert_tidy(&h, "presenter mode, forces and G vs z on");
    h.get_by_label("pushes").click();
    h.run_steps(2);
    assert!(
        h.query_by_label("Push on each G(z)").is_some(),
        "chosen by its name"
    );
    assert!(h.query_by_label("T*(z)").is_none());
    h.key_press(egui::Key::S);
    h.run_steps(2);
    for _ in 0..5 {
        h.key_press(egui::Key::ArrowRight);
        h.run_steps(2);
    }
    assert_eq!(
        h.state().picture().slow.as_ref().map(|s| s.progress.0),
        Some(5)
    );
    assert_tidy(&h, "presenter mode, slow motion at sub-step 5");
    let plot = h.state().figure_plot_rect().expect("the figure is drawn");
    // Under the sub-step's two lines and a longer legend, beside the column.
    assert!(
        plot.area() / (640.0 * 360.0) >= 0.25,
        "the figure keeps a quarter of the window: {plot:?}"
    );
}

#[test]
fn two_runs_side_by_side_fit_a_projector_in_presenter_mode_and_out_of_it() {
    let mut h = projector();
    h.run_steps(2);
    h.key_press(egui::Key::P);
    h.run_steps(2);
    // C starts the comparison chosen in the side panel (saturation: two runs); the forces on.
    h.key_press(egui::Key::C);
    h.run_steps(2);
    h.key_press(egui::Key::X);
    for _ in 0..3 {
        h.key_press(egui::Key::ArrowRight);
        h.run_steps(2);
    }
    let compare = h
        .state()
        .picture()
        .compare
        .clone()
        .expect("side by side is on");
    assert_eq!((compare.runs.len(), compare.iteration), (2, 3));
    assert_eq!(
        h.query_all_by_label_contains("longest push").count(),
        2,
        "each panel titled with its run and its longest push"
    );
    assert_tidy(&h, "presenter mode, side by side, forces on");
    h.key_press(egui::Key::P);
    h.run_steps(3);
    assert!(!h.state().presenter().on);
    assert_tidy(&h, "normal layout, side by side, forces on");
    h.key_press(egui::Key::C);
    h.run_steps(2);
    assert!(h.state().picture().compare.is_none(), "C again leaves");
}

#[test]
fn a_lesson_in_presenter_mode_fits_a_projector_and_the_keys_list_stays_on_screen() {
    let mut h = projector();
    h.run_steps(2);
    h.key_press(egui::Key::P);
    h.run_steps(2);
    let lesson = ganscope::sim::lesson::Lesson::named("figure1").expect("built in");
    for command in
        ganscope::app::lesson_view::open_commands(&lesson, ganscope::sim::pace::PaceChoice::Fastest)
    {
        h.state_mut().send(command);
    }
    h.run_steps(4);
    assert!(
        h.query_by_label_contains("Step 1 of 4").is_some(),
        "the lesson bar shows"
    );
    assert!(h.query_by_label("Next ->").is_some());
    assert_tidy(&h, "presenter mode, a lesson open");
    let plot = h.state().figure_plot_rect().expect("the figure is drawn");
    assert!(
        plot.height() >= 100.0,
        "the figure keeps room under the lesson bar: {plot:?}"
    );
    h.event(egui::Event::Text("?".to_owned()));
    h.run_steps(2);
    let b = h
        .get_by_label("Ctrl + and Ctrl - change the UI scale.")
        .accesskit_node()
        .bounding_box()
        .expect("drawn");
    let ppp = f64::from(h.ctx.pixels_per_point());
    assert!(b.y1 / ppp <= 360.0, "the keys list runs off: {b:?}");
}
