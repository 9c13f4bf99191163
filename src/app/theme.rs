//! Colours and line styles, in one place. Light by default, like the paper: black dotted
//! p_data on white. The dark theme maps the paper's black ink to a light one.

use egui::Color32;
use serde::{Deserialize, Serialize};

/// The app's two themes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    /// Black ink on white, as printed in the paper.
    #[default]
    Light,
    /// Light ink on a dark background.
    Dark,
}

/// The colours of every curve and mark.
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    /// p_data and the axis lines (the paper's black).
    pub ink: Color32,
    /// p_g (the paper's green).
    pub generator: Color32,
    /// D(x) (the paper's blue).
    pub discriminator: Color32,
    /// D* overlay.
    pub optimal: Color32,
    /// The z → x arrows.
    pub arrows: Color32,
    /// Histogram of generated samples.
    pub histogram: Color32,
    /// Ticks of real samples.
    pub real: Color32,
    /// Reference lines such as −log 4.
    pub reference: Color32,
    /// A second series in a metrics plot.
    pub secondary: Color32,
}

impl Theme {
    /// The palette of this theme.
    pub fn palette(self) -> Palette {
        match self {
            Self::Light => Palette {
                ink: Color32::BLACK,
                generator: Color32::from_rgb(0, 140, 40),
                discriminator: Color32::from_rgb(20, 70, 220),
                optimal: Color32::from_rgb(220, 110, 0),
                arrows: Color32::from_gray(90),
                histogram: Color32::from_rgba_unmultiplied(0, 140, 40, 60),
                real: Color32::from_gray(40),
                reference: Color32::from_rgb(200, 30, 30),
                secondary: Color32::from_rgb(150, 60, 170),
            },
            Self::Dark => Palette {
                ink: Color32::from_gray(235),
                generator: Color32::from_rgb(90, 220, 110),
                discriminator: Color32::from_rgb(110, 160, 255),
                optimal: Color32::from_rgb(255, 170, 60),
                arrows: Color32::from_gray(170),
                histogram: Color32::from_rgba_unmultiplied(90, 220, 110, 60),
                real: Color32::from_gray(210),
                reference: Color32::from_rgb(255, 90, 90),
                secondary: Color32::from_rgb(220, 130, 240),
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
