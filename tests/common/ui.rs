//! Helpers shared by the tests that drive the app through egui_kittest.

use egui_kittest::Harness;
use ganscope::app::GanscopeApp;

/// Runs frames until `done` holds, failing after `limit` frames.
pub fn run_until(
    h: &mut Harness<'_, GanscopeApp>,
    limit: usize,
    done: impl Fn(&GanscopeApp) -> bool,
) {
    for _ in 0..limit {
        if done(h.state()) {
            return;
        }
        h.run_steps(1);
    }
    assert!(done(h.state()), "not reached in {limit} frames");
}
