//! Mode coverage bars. (Placeholder hook.)

use super::theme::Palette;
use super::worker::Published;

/// A bar per mode with the data's weight beside it, and the alarm.
pub fn modes_ui(_ui: &mut egui::Ui, _picture: &Published, _palette: Palette) {}
