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

/// How many quantiles of p_g measure how far it moved (see [`p_g_quantiles`]).
pub const MOTION_QUANTILES: usize = 256;

/// p_g's quantiles F⁻¹(u) at the levels u = (i + ½)/n: G at the noise's quantiles, sorted
/// (x = G(z) pushes p_z forward; G need not be monotone, so sorting gives the quantiles).
pub fn p_g_quantiles(model: &crate::sim::GanModel, n: usize) -> Vec<f64> {
    let z: Vec<f64> = (0..n)
        .map(|i| model.noise.quantile((i as f64 + 0.5) / n as f64))
        .collect();
    let mut x = model.generate(&z);
    x.sort_by(f64::total_cmp);
    x
}

/// How far p_g moved between two states: W1(p_g, p_g') = ∫₀¹ |F⁻¹(u) − F'⁻¹(u)| du,
/// approximated by the mean over the quantiles of [`p_g_quantiles`] (same levels in both).
pub fn p_g_distance(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "quantiles at different levels");
    let sum: f64 = a.iter().zip(b).map(|(a, b)| (a - b).abs()).sum();
    sum / a.len().max(1) as f64
}

/// How far p_g moved between consecutive `states` (see [`p_g_distance`]).
pub fn motion(states: &[(u64, crate::sim::GanModel)]) -> Vec<f64> {
    let quantiles: Vec<Vec<f64>> = states
        .iter()
        .map(|(_, model)| p_g_quantiles(model, MOTION_QUANTILES))
        .collect();
    quantiles
        .windows(2)
        .map(|w| p_g_distance(&w[0], &w[1]))
        .collect()
}

/// One state of a [`Filmstrip`].
#[derive(Clone, Debug)]
struct Kept {
    iteration: u64,
    model: crate::sim::GanModel,
    /// p_g's quantiles, to measure how far it moved (see [`p_g_distance`]).
    quantiles: Vec<f64>,
}

/// States of a run kept for an animation: at most `capacity` evenly spread (when full,
/// every other one is dropped and the spacing doubles), so memory stays bounded however
/// long the run. Each carries p_g's quantiles, so that [`Filmstrip::pick`] can choose
/// frames where p_g moves without evaluating the generators again.
#[derive(Clone, Debug)]
pub struct Filmstrip {
    frames: Vec<Kept>,
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

    /// Trains `iters` iterations of Algorithm 1 and records them as the app does (the
    /// first and the last state always); `progress(fraction)` after each stretch.
    pub fn record(
        trainer: &mut crate::sim::Trainer,
        iters: u64,
        mut progress: impl FnMut(f64),
    ) -> Result<Self, crate::sim::Divergence> {
        let start = trainer.counters().iteration;
        let end = start + iters;
        let mut film = Self::default();
        film.offer(start, || trainer.model());
        while trainer.counters().iteration < end {
            let now = trainer.counters().iteration;
            // Up to the next state the strip keeps (its spacing doubles as it fills).
            trainer.run(film.spacing().min(end - now))?;
            let at = trainer.counters().iteration;
            film.offer(at, || trainer.model());
            progress((at - start) as f64 / iters as f64);
        }
        film.offer_last(trainer.counters().iteration, || trainer.model());
        Ok(film)
    }

    /// Offers the state at `iteration`; kept if it falls on the current spacing.
    pub fn offer(&mut self, iteration: u64, model: impl FnOnce() -> crate::sim::GanModel) {
        if let Some(last) = self.frames.last()
            && iteration <= last.iteration
        {
            // A rewind or reset: forget the future (and after a reset, the spacing).
            self.frames.retain(|kept| kept.iteration < iteration);
            if self.frames.is_empty() {
                self.every = 1;
            }
        }
        if self.due(iteration) {
            self.keep(iteration, model());
        }
    }

    /// Offers a run's last state: kept whether or not it falls on the spacing, so that an
    /// animation ends where the run ended.
    pub fn offer_last(&mut self, iteration: u64, model: impl FnOnce() -> crate::sim::GanModel) {
        self.frames.retain(|kept| kept.iteration < iteration);
        self.keep(iteration, model());
    }

    /// Keeps `model` as the newest state; when full, drops every other one (never the
    /// first or the newest) and doubles the spacing.
    fn keep(&mut self, iteration: u64, model: crate::sim::GanModel) {
        let size = model.generator.params().len() + model.discriminator.params().len();
        // Big networks keep fewer states: at most FILM_BUDGET parameters in all (128 MB).
        let capacity = self.capacity.min((FILM_BUDGET / size.max(1)).max(2));
        let quantiles = p_g_quantiles(&model, MOTION_QUANTILES);
        self.frames.push(Kept {
            iteration,
            model,
            quantiles,
        });
        if self.frames.len() > capacity {
            self.every *= 2;
            let newest = self.frames.len() - 1;
            let mut index = 0usize;
            self.frames.retain(|_| {
                let keep = index.is_multiple_of(2) || index == newest;
                index += 1;
                keep
            });
        }
    }

    /// Whether a state at `iteration` would be kept (it falls on the current spacing).
    fn due(&self, iteration: u64) -> bool {
        self.frames
            .last()
            .is_none_or(|last| iteration >= last.iteration + self.every)
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

    /// The iterations of the kept states, in order.
    pub fn iterations(&self) -> Vec<u64> {
        self.frames.iter().map(|kept| kept.iteration).collect()
    }

    /// `count` states (at most all of them) spaced by how far p_g moved, so that each
    /// frame of an animation shows about as much change as the next: the first and the
    /// last always, none twice. A run whose p_g never moves is spread evenly instead.
    pub fn pick(&self, count: usize) -> Vec<(u64, crate::sim::GanModel)> {
        self.states(&self.pick_by_motion(count))
    }

    /// `count` states evenly spread over the kept ones (first and last included).
    pub fn pick_evenly(&self, count: usize) -> Vec<(u64, crate::sim::GanModel)> {
        self.states(&even_indices(self.frames.len(), count))
    }

    fn states(&self, indices: &[usize]) -> Vec<(u64, crate::sim::GanModel)> {
        indices
            .iter()
            .filter_map(|&j| self.frames.get(j))
            .map(|kept| (kept.iteration, kept.model.clone()))
            .collect()
    }

    /// Indices of the kept states to show: the walk of [`motion_walk`] with the smallest
    /// step that gives at most `count` frames, then the widest steps split until there
    /// are `count`.
    fn pick_by_motion(&self, count: usize) -> Vec<usize> {
        let n = self.frames.len();
        if count >= n {
            return (0..n).collect();
        }
        if count < 2 {
            return even_indices(n, count);
        }
        let quantiles: Vec<&[f64]> = self.frames.iter().map(|k| k.quantiles.as_slice()).collect();
        let distance = |a: usize, b: usize| p_g_distance(quantiles[a], quantiles[b]);
        // path[j]: how far p_g travelled from the first state to state j, step by step.
        let mut path = vec![0.0; n];
        for j in 1..n {
            path[j] = path[j - 1] + distance(j - 1, j);
        }
        let travelled = path[n - 1];
        if !(travelled.is_finite() && travelled > 0.0) {
            return even_indices(n, count);
        }
        // No stop of the walk is farther than the whole path: the upper end gives 2 frames.
        let (mut lo, mut hi) = (0.0, travelled * (1.0 + 1e-9));
        for _ in 0..48 {
            let mid = 0.5 * (lo + hi);
            if motion_walk(n, mid, count, distance).len() > count {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let mut picked = motion_walk(n, hi, count, distance);
        // The walk is discrete: split the steps that move most (then the longest) in the
        // middle of their path until the count is reached.
        while picked.len() < count {
            let widest = picked
                .windows(2)
                .enumerate()
                .filter(|(_, w)| w[1] - w[0] >= 2)
                .max_by(|(_, v), (_, w)| {
                    let key = |w: &[usize]| (distance(w[0], w[1]), w[1] - w[0]);
                    let ((dv, sv), (dw, sw)) = (key(v), key(w));
                    dv.total_cmp(&dw).then(sv.cmp(&sw))
                });
            let Some((at, w)) = widest else { break };
            let (a, b) = (w[0], w[1]);
            // Where the path is half way (next to a jump, if the step holds one).
            let half = 0.5 * (path[a] + path[b]);
            let below = (a + 1..b).rev().find(|&m| path[m] <= half);
            let above = (a + 1..b).find(|&m| path[m] >= half);
            let middle = match (below, above) {
                _ if path[b] <= path[a] => (a + b) / 2,
                (Some(x), Some(y)) if half - path[x] <= path[y] - half => x,
                (_, Some(y)) => y,
                (Some(x), None) => x,
                (None, None) => (a + b) / 2,
            };
            picked.insert(at + 1, middle);
        }
        picked
    }
}

/// The states a walk from the first to the last shows when it stops wherever p_g has moved
/// at least `step` since the previous stop (`distance(a, b)` between kept states a and b).
/// Direct distances, not a path's length: jitter that comes back does not count as change.
/// A walk that would show more than `limit` states stops early (its length is all that
/// matters then).
fn motion_walk(
    n: usize,
    step: f64,
    limit: usize,
    distance: impl Fn(usize, usize) -> f64,
) -> Vec<usize> {
    let mut picked = vec![0];
    let mut last = 0;
    for j in 1..n {
        if distance(last, j) >= step {
            picked.push(j);
            last = j;
            if picked.len() > limit {
                return picked;
            }
        }
    }
    if last != n - 1 {
        picked.push(n - 1);
    }
    picked
}

/// `count` indices in `0..n` evenly spread (first and last included), none twice.
fn even_indices(n: usize, count: usize) -> Vec<usize> {
    if n == 0 || count == 0 {
        return Vec::new();
    }
    let count = count.min(n);
    if count == 1 {
        return vec![n - 1];
    }
    (0..count).map(|i| i * (n - 1) / (count - 1)).collect()
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
            // The data's peak is the same in every frame: fixed axes, taller p_g clipped.
            y_max: Some(1.1_f64.max(1.6 * curves.p_data.iter().copied().fold(0.0, f64::max))),
            ..super::PanelInput::new(&curves, view, &model.noise)
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
        // A run's last state is kept even off the spacing.
        film.offer_last(5_003, || model.clone());
        assert_eq!(film.iterations().last(), Some(&5_003));
        // A reset starts a fresh record with the finest spacing.
        film.offer(0, || model.clone());
        assert_eq!((film.len(), film.spacing()), (1, 1));
    }

    /// Largest step over mean step of p_g's moves between consecutive frames.
    fn unevenness(frames: &[(u64, crate::sim::GanModel)]) -> f64 {
        let steps = motion(frames);
        let mean = steps.iter().sum::<f64>() / steps.len() as f64;
        steps.iter().copied().fold(0.0, f64::max) / mean
    }

    #[test]
    fn frames_are_spaced_by_how_far_p_g_moves_so_each_shows_about_as_much_change() {
        let mut t = Trainer::new(Settings::preset("fig1").expect("preset")).expect("valid");
        let film = Filmstrip::record(&mut t, 3_000, |_| {}).expect("fig1 trains");
        let by_motion = film.pick(20);
        let evenly = film.pick_evenly(20);
        let iterations: Vec<u64> = by_motion.iter().map(|f| f.0).collect();
        assert_eq!(iterations.len(), 20);
        assert_eq!(
            (iterations.first(), iterations.last()),
            (Some(&0), Some(&3_000))
        );
        assert!(iterations.windows(2).all(|w| w[0] < w[1]), "{iterations:?}");
        // Even spacing puts fig1's first, large move (a spike spreading out) in one step.
        let (moved, even) = (unevenness(&by_motion), unevenness(&evenly));
        assert!(
            moved < 1.6,
            "spaced by motion: largest step {moved:.2} x the mean"
        );
        assert!(
            even > 3.0,
            "evenly spaced: largest step {even:.2} x the mean"
        );
        // The quick start gets several frames, not one.
        assert!(
            iterations.iter().filter(|&&i| i <= 100).count() >= 3,
            "{iterations:?}"
        );
    }

    #[test]
    fn a_still_run_is_spread_evenly_and_one_jump_is_shown_from_both_sides() {
        let mut t = Trainer::new(Settings::preset("fig1").expect("preset")).expect("valid");
        let before = t.model();
        t.run(100).expect("trains");
        let after = t.model();
        let mut still = Filmstrip::new(1_000);
        let mut jump = Filmstrip::new(1_000);
        for i in 0..100 {
            still.offer(i, || before.clone());
            jump.offer(i, || {
                if i < 50 {
                    before.clone()
                } else {
                    after.clone()
                }
            });
        }
        let iterations =
            |f: &[(u64, crate::sim::GanModel)]| f.iter().map(|s| s.0).collect::<Vec<_>>();
        assert_eq!(
            iterations(&still.pick(10)),
            iterations(&still.pick_evenly(10))
        );
        let shown = iterations(&jump.pick(10));
        assert_eq!(shown.len(), 10);
        assert!(shown.windows(2).all(|w| w[0] < w[1]), "{shown:?}");
        assert!(shown.contains(&49) && shown.contains(&50), "{shown:?}");
        assert_eq!((shown.first(), shown.last()), (Some(&0), Some(&99)));
        // Asking for more frames than states shows each state once.
        assert_eq!(jump.pick(500).len(), 100);
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
