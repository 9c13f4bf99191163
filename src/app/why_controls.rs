//! The side panel's "See why" section. (Placeholder hook.)

use super::controls::{ControlsState, ViewPrefs};
use super::worker::{Command, Published};

/// Toggles of the "see why" views and the breakpoints; returns the commands they send.
pub fn why_ui(
    _ui: &mut egui::Ui,
    _prefs: &mut ViewPrefs,
    _state: &mut ControlsState,
    _picture: &Published,
) -> Vec<Command> {
    Vec::new()
}
