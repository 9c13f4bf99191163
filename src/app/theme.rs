//! The app's two themes and their colours (the figure's own colours and line styles are
//! the scene's palette). Light by default, like the paper: black dotted p_data on white.
//! The dark theme maps the paper's black ink to a light one.

use egui::Color32;
use serde::{Deserialize, Serialize};

use crate::scene::{Palette as ScenePalette, Rgba};

/// The app's two themes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    /// Black ink on white, as printed in the paper.
    #[default]
    Light,
    /// Light ink on a dark background.
    Dark,
}

/// The colours the app draws with itself, as egui's (the figure's curves and marks take
/// theirs from the scene's palette, [`Theme::scene_palette`]).
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    /// p_data and the axis lines (the paper's black).
    pub ink: Color32,
    /// p_g (the paper's green).
    pub generator: Color32,
    /// D(x) (the paper's blue).
    pub discriminator: Color32,
    /// Reference lines such as −log 4.
    pub reference: Color32,
    /// The runs side by side, one colour each on the overlaid metric plots (none of them
    /// p_g's green or D's blue).
    pub runs: [Color32; 4],
}

/// An export colour as egui's.
pub fn color(c: Rgba) -> Color32 {
    Color32::from_rgba_unmultiplied(c.0, c.1, c.2, c.3)
}

impl Theme {
    /// The colours of this theme, as the figure description (and the exports) use them.
    pub fn scene_palette(self) -> ScenePalette {
        match self {
            Self::Light => ScenePalette::LIGHT,
            Self::Dark => ScenePalette::DARK,
        }
    }

    /// The app's own colours in this theme.
    pub fn palette(self) -> Palette {
        let p = self.scene_palette();
        Palette {
            ink: color(p.ink),
            generator: color(p.generator),
            discriminator: color(p.discriminator),
            reference: color(p.reference),
            runs: match self {
                Self::Light => [
                    Color32::from_rgb(230, 120, 0),
                    Color32::from_rgb(130, 50, 190),
                    Color32::from_rgb(0, 150, 150),
                    Color32::from_rgb(150, 90, 40),
                ],
                Self::Dark => [
                    Color32::from_rgb(255, 165, 60),
                    Color32::from_rgb(190, 130, 255),
                    Color32::from_rgb(60, 210, 210),
                    Color32::from_rgb(215, 160, 110),
                ],
            },
        }
    }

    /// egui's visuals for this theme.
    pub fn visuals(self) -> egui::Visuals {
        match self {
            Self::Light => egui::Visuals::light(),
            Self::Dark => egui::Visuals::dark(),
        }
    }
}
