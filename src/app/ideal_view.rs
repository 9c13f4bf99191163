//! The G vs z view. (Placeholder hook.)

use super::theme::Palette;
use super::worker::Published;

/// G(z) against the ideal map T*(z).
pub fn g_vs_z_ui(_ui: &mut egui::Ui, _picture: &Published, _palette: Palette) {}
