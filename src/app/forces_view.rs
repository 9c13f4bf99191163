//! The forces on generated samples beside the figure. (Placeholder hook.)

use super::theme::Palette;
use super::worker::Published;

/// Push sizes under minimax and non-saturating for the displayed minibatch.
pub fn comparison_ui(_ui: &mut egui::Ui, _picture: &Published, _palette: Palette) {}
