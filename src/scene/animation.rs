//! Animated GIFs: frames drawn as SVG (the same description as every other export),
//! rasterised, quantised to 256 colours each and encoded with the `gif` crate.

use std::io::Write;

use super::raster::{Image, RenderError, rasterize};
use crate::sim::check::{Range, SettingError};
use crate::sim::view::{Framing, ViewRange, common_view};

/// The most frames an animation may have.
pub const MAX_FRAMES: usize = 600;
/// Accepted frame counts (`--frames`).
pub const FRAMES: Range = Range::whole(2, MAX_FRAMES as u64);
/// Accepted frame rates (`--fps`, frames per second).
pub const FPS: Range = Range::closed(1.0, 50.0);

/// Checks an animation's frame count and rate, naming the bad one.
pub fn check(frames: usize, fps: f64) -> Result<(), SettingError> {
    FRAMES.check("--frames", frames as f64)?;
    FPS.check("--fps", fps)
}

/// What stopped an encoding.
#[derive(Debug)]
pub enum EncodeError {
    /// The progress callback asked to stop.
    Cancelled,
    /// The frame count or rate is out of range.
    Settings(SettingError),
    /// A frame could not be drawn.
    Render(RenderError),
    /// A frame is wider or taller than a GIF can be (65 535 pixels).
    TooLarge {
        /// Pixels across.
        width: u32,
        /// Pixels down.
        height: u32,
    },
    /// A frame's size differs from the first frame's.
    FrameSize {
        /// Which frame.
        frame: usize,
        /// Its width and height.
        size: [u16; 2],
        /// The first frame's width and height.
        first: [u16; 2],
    },
    /// The GIF encoder or the output failed.
    Gif(gif::EncodingError),
}

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Cancelled => write!(f, "cancelled"),
            Self::Settings(e) => write!(f, "{e}"),
            Self::Render(e) => write!(f, "{e}"),
            Self::TooLarge { width, height } => write!(
                f,
                "a {width} × {height} frame is too big for a GIF (at most 65535 pixels a side)"
            ),
            Self::FrameSize { frame, size, first } => write!(
                f,
                "frame {frame} is {} × {}, the first was {} × {}",
                size[0], size[1], first[0], first[1]
            ),
            Self::Gif(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for EncodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Settings(e) => Some(e),
            Self::Render(e) => Some(e),
            Self::Gif(e) => Some(e),
            Self::Cancelled | Self::TooLarge { .. } | Self::FrameSize { .. } => None,
        }
    }
}

/// A rasterised frame and its size as a GIF stores it.
struct GifImage {
    image: Image,
    size: [u16; 2],
}

/// Encodes `frames` frames, frame `i` drawn by `svg_of(i)` at `scale`, looping forever at
/// `fps`. `progress(done, total)` is called after each frame and returns `false` to cancel.
pub fn encode_gif(
    out: impl Write,
    frames: usize,
    fps: f64,
    scale: f32,
    mut svg_of: impl FnMut(usize) -> String,
    mut progress: impl FnMut(usize, usize) -> bool,
) -> Result<(), EncodeError> {
    check(frames, fps).map_err(EncodeError::Settings)?;
    let delay = (100.0 / fps).round().clamp(2.0, 100.0) as u16;
    let mut draw = |i: usize| -> Result<GifImage, EncodeError> {
        let image = rasterize(&svg_of(i), scale).map_err(EncodeError::Render)?;
        let (Ok(w), Ok(h)) = (u16::try_from(image.width), u16::try_from(image.height)) else {
            return Err(EncodeError::TooLarge {
                width: image.width,
                height: image.height,
            });
        };
        Ok(GifImage {
            image,
            size: [w, h],
        })
    };
    // The first frame sets the GIF's size.
    let first = draw(0)?;
    let [width, height] = first.size;
    let mut encoder = gif::Encoder::new(out, width, height, &[]).map_err(EncodeError::Gif)?;
    encoder
        .set_repeat(gif::Repeat::Infinite)
        .map_err(EncodeError::Gif)?;
    let mut drawn = Some(first);
    for i in 0..frames {
        let GifImage { mut image, size } = match drawn.take() {
            Some(frame) => frame,
            None => draw(i)?,
        };
        if size != [width, height] {
            return Err(EncodeError::FrameSize {
                frame: i,
                size,
                first: [width, height],
            });
        }
        let mut frame = gif::Frame::from_rgba_speed(size[0], size[1], &mut image.rgba, 20);
        frame.delay = delay;
        encoder.write_frame(&frame).map_err(EncodeError::Gif)?;
        if !progress(i + 1, frames) {
            return Err(EncodeError::Cancelled);
        }
    }
    // Writes the trailer, and says so if that fails (dropping would not).
    encoder.into_inner().map_err(EncodeError::Gif)?;
    Ok(())
}

/// Most network parameters a [`Filmstrip`] holds (32 M floats, 128 MB).
pub const FILM_BUDGET: usize = 32_000_000;

/// States of a run kept for an animation: at most `capacity` evenly spread (when full,
/// every other one is dropped and the spacing doubles), so memory stays bounded however
/// long the run.
#[derive(Clone, Debug)]
pub struct Filmstrip {
    frames: Vec<(u64, crate::sim::GanModel)>,
    every: u64,
    capacity: usize,
}

impl Default for Filmstrip {
    fn default() -> Self {
        Self::new(2 * MAX_FRAMES)
    }
}

impl Filmstrip {
    /// An empty strip keeping at most `capacity` states (at least 2).
    pub fn new(capacity: usize) -> Self {
        Self {
            frames: Vec::new(),
            every: 1,
            capacity: capacity.max(2),
        }
    }

    /// Offers the state at `iteration`; kept if it falls on the current spacing.
    pub fn offer(&mut self, iteration: u64, model: impl FnOnce() -> crate::sim::GanModel) {
        if let Some(&(last, _)) = self.frames.last()
            && iteration <= last
        {
            // A rewind or reset: forget the future (and after a reset, the spacing).
            self.frames.retain(|(i, _)| *i < iteration);
            if self.frames.is_empty() {
                self.every = 1;
            }
        }
        let due = self
            .frames
            .last()
            .is_none_or(|&(last, _)| iteration >= last + self.every);
        if !due {
            return;
        }
        let model = model();
        let size = model.generator.params().len() + model.discriminator.params().len();
        // Big networks keep fewer states: at most FILM_BUDGET parameters in all (128 MB).
        let capacity = self.capacity.min((FILM_BUDGET / size.max(1)).max(2));
        self.frames.push((iteration, model));
        if self.frames.len() > capacity {
            self.every *= 2;
            let mut keep = 0usize;
            self.frames.retain(|_| {
                keep += 1;
                keep % 2 == 1
            });
        }
    }

    /// The spacing, in iterations, between kept states.
    pub fn spacing(&self) -> u64 {
        self.every
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.frames.clear();
        self.every = 1;
    }

    /// Number of states kept.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// `count` states evenly spread over the kept ones (first and last included).
    pub fn pick(&self, count: usize) -> Vec<(u64, crate::sim::GanModel)> {
        let n = self.frames.len();
        if n == 0 || count == 0 {
            return Vec::new();
        }
        let count = count.min(n);
        (0..count)
            .map(|i| {
                let j = if count == 1 {
                    n - 1
                } else {
                    i * (n - 1) / (count - 1)
                };
                self.frames[j].clone()
            })
            .collect()
    }
}

/// The one x range of an animation: every frame's data and p_g, framed as the live
/// figure frames them (see [`crate::sim::view`]), so that the axes stand still.
pub fn frames_view(frames: &[(u64, crate::sim::GanModel)]) -> ViewRange {
    common_view(frames.iter().map(|(_, model)| model), [], &Framing::LIVE)
}

/// One animation frame: Figure 1 for `model` on `view`, captioned with the iteration and
/// the exact JSD.
pub fn frame_svg(
    iteration: u64,
    model: &crate::sim::GanModel,
    view: ViewRange,
    title: &str,
    palette: &super::Palette,
) -> String {
    use crate::sim::analysis::{Analysis, AnalysisOptions};
    let curves = Analysis::new(
        model,
        &AnalysisOptions {
            grid_points: 500,
            z_cells: 2048,
            x_range: Some(view.into()),
            ..AnalysisOptions::default()
        },
    );
    let jsd = Analysis::new(
        model,
        &AnalysisOptions {
            grid_points: 500,
            z_cells: 2048,
            ..AnalysisOptions::default()
        },
    )
    .metrics
    .jsd;
    let mut panel = super::figure1_panel(
        &super::PanelInput {
            curves: &curves,
            view,
            noise: &model.noise,
            generated: &[],
            real: &[],
            arrows_before: &[],
            p_g_before: &[],
            // The data's peak is the same in every frame: fixed axes, taller p_g clipped.
            y_max: Some(1.1_f64.max(1.6 * curves.p_data.iter().copied().fold(0.0, f64::max))),
        },
        super::Overlays::default(),
        palette,
    );
    panel.title = format!("{title}   iteration {iteration}   JSD {jsd:.4}");
    super::svg::panel_svg(&panel, palette.background, palette.ink)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Settings, Trainer};

    #[test]
    fn a_filmstrip_stays_bounded_spreads_over_the_run_and_forgets_the_future_on_rewind() {
        let t = Trainer::new(Settings::preset("fig1").expect("preset")).expect("valid");
        let model = t.model();
        let mut film = Filmstrip::new(64);
        for i in 0..10_000 {
            film.offer(i, || model.clone());
        }
        assert!(film.len() <= 64 && film.len() >= 32, "{} kept", film.len());
        assert!(film.spacing() >= 128);
        let picked = film.pick(10);
        assert_eq!(picked.len(), 10);
        assert_eq!(picked.first().map(|f| f.0), Some(0));
        assert!(picked.last().map_or(0, |f| f.0) > 9_000);
        assert!(picked.windows(2).all(|w| w[0].0 < w[1].0));
        // A rewind to iteration 5 000 drops the later states.
        film.offer(5_000, || model.clone());
        assert!(film.pick(1000).iter().all(|f| f.0 <= 5_000));
        // A reset starts a fresh record with the finest spacing.
        film.offer(0, || model.clone());
        assert_eq!((film.len(), film.spacing()), (1, 1));
    }

    #[test]
    fn bad_frame_counts_and_rates_are_refused_by_name() {
        let named =
            |e: SettingError, field: &str| e.field == field && e.to_string().contains(field);
        assert!(check(1, 10.0).is_err_and(|e| named(e, "--frames")));
        assert!(check(MAX_FRAMES + 1, 10.0).is_err_and(|e| named(e, "--frames")));
        assert!(check(10, 0.5).is_err_and(|e| named(e, "--fps")));
        assert!(check(10, f64::NAN).is_err_and(|e| named(e, "--fps")));
        assert!(check(10, 12.0).is_ok());
        assert_eq!(
            check(1, 10.0).map_err(|e| e.to_string()),
            Err("--frames = 1 is not accepted: expected a whole number in [2, 600]".to_owned())
        );
    }
}
