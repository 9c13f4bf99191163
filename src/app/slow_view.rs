//! Algorithm 1 in slow motion: the line above the figure. (Placeholder hook.)

use super::worker::{Command, Published, SlowPicture};

/// The sub-step just run, in one line, with the next one's button.
pub fn slow_ui(
    _ui: &mut egui::Ui,
    _slow: &SlowPicture,
    _picture: &Published,
    _out: &mut Vec<Command>,
) {
}
