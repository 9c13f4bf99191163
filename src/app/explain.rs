//! "Explain this number": hovering a metric shows its formula with the live values.
//! (Placeholder hooks; the views are being built.)

use super::figure::PanelShown;
use super::worker::Published;
use crate::scene::Palette;

/// Hovering the live figure at x: p_data, p_g, D and D* there, and the z that map to x.
pub fn figure_hover_ui(
    _ui: &mut egui::Ui,
    _shown: &PanelShown,
    _picture: &Published,
    _palette: &Palette,
) {
}
