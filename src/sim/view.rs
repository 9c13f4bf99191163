//! Which stretch of the x axis a figure of p_data, p_g and D shows: the data's central
//! 99.9 % and the support of p_g, padded. The live figure, the animation and the four
//! Figure 1 panels all ask here, so they frame the densities the same way.

use std::borrow::Borrow;

use super::analysis::Pushforward;
use super::float::Real;
use super::model::GanModel;

/// An interval [lo, hi] of the x axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewRange {
    /// Left end.
    pub lo: f64,
    /// Right end.
    pub hi: f64,
}

impl ViewRange {
    /// What a figure shows when there is nothing sensible to frame.
    pub const FALLBACK: Self = Self::new(-1.0, 1.0);

    /// The interval [lo, hi].
    pub const fn new(lo: f64, hi: f64) -> Self {
        Self { lo, hi }
    }

    /// The empty interval: the identity of [`ViewRange::union`].
    pub const fn empty() -> Self {
        Self::new(f64::INFINITY, f64::NEG_INFINITY)
    }

    /// hi − lo.
    pub fn width(self) -> f64 {
        self.hi - self.lo
    }

    /// The smallest interval holding both.
    pub fn union(self, other: Self) -> Self {
        Self::new(self.lo.min(other.lo), self.hi.max(other.hi))
    }

    /// The smallest interval holding this one and `x`.
    pub fn including(self, x: f64) -> Self {
        Self::new(self.lo.min(x), self.hi.max(x))
    }

    /// Whether `inner` lies within this interval (ends included).
    pub fn contains(self, inner: Self) -> bool {
        self.lo <= inner.lo && inner.hi <= self.hi
    }

    /// Widened at each end by `fraction` of the width.
    pub fn padded(self, fraction: f64) -> Self {
        let pad = fraction * (self.hi - self.lo);
        Self::new(self.lo - pad, self.hi + pad)
    }

    /// Whether both ends are finite and hi > lo (something a figure can show).
    pub fn is_proper(self) -> bool {
        self.lo.is_finite() && self.hi.is_finite() && self.hi > self.lo
    }

    /// This interval if it is proper, else [`ViewRange::FALLBACK`].
    pub fn or_fallback(self) -> Self {
        if self.is_proper() {
            self
        } else {
            Self::FALLBACK
        }
    }
}

impl From<ViewRange> for (f64, f64) {
    fn from(view: ViewRange) -> Self {
        (view.lo, view.hi)
    }
}

/// How the densities' span is measured and framed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Framing {
    /// Equal-probability cells of p_z pushed through G to find p_g's support.
    pub z_cells: usize,
    /// How far past the data p_g's support may pull the view, in data widths (the data's
    /// central 99.9 %); `None` follows p_g wherever it goes.
    pub runaway_widths: Option<f64>,
    /// Padding at each end, as a fraction of the span.
    pub pad: f64,
}

impl Framing {
    /// The live figure and the animation: a runaway generator may not squeeze the data
    /// into a sliver, so p_g pulls the view at most four data widths away.
    pub const LIVE: Self = Self {
        z_cells: 256,
        runaway_widths: Some(4.0),
        pad: 0.08,
    };

    /// The Figure 1 panels: every arrow head must be in view, so p_g is followed wherever
    /// it goes (the scenario's generator does not run away).
    pub const STORY: Self = Self {
        z_cells: 1024,
        runaway_widths: None,
        pad: 0.06,
    };

    /// The view for `span`: padded, or [`ViewRange::FALLBACK`] when it frames nothing.
    pub fn frame(&self, span: ViewRange) -> ViewRange {
        span.padded(self.pad).or_fallback()
    }
}

/// The data's central 99.9 % joined with p_g's support (limited as `framing` says),
/// unpadded.
pub fn densities_span<T: Real>(model: &GanModel<T>, framing: &Framing) -> ViewRange {
    let t = &model.target;
    let data = ViewRange::new(t.quantile(0.0005), t.quantile(0.9995));
    let pf = Pushforward::new(&model.noise, |z| model.generate(z), framing.z_cells);
    let (g_lo, g_hi) = pf.range();
    let (g_lo, g_hi) = match framing.runaway_widths {
        Some(widths) => {
            // Keep a runaway generator from squeezing the data into a sliver.
            let reach = widths * data.width().max(1e-6);
            (g_lo.max(data.lo - reach), g_hi.min(data.hi + reach))
        }
        None => (g_lo, g_hi),
    };
    data.union(ViewRange::new(g_lo, g_hi))
}

/// The view one model wants: its [`densities_span`], padded as `framing` says.
pub fn wanted_view<T: Real>(model: &GanModel<T>, framing: &Framing) -> ViewRange {
    framing.frame(densities_span(model, framing))
}

/// One view holding every model's span and every point of `extra` (such as arrow heads
/// drawn from an earlier state), padded; [`ViewRange::FALLBACK`] when there is nothing.
pub fn common_view<T: Real>(
    models: impl IntoIterator<Item = impl Borrow<GanModel<T>>>,
    extra: impl IntoIterator<Item = f64>,
    framing: &Framing,
) -> ViewRange {
    let span = models
        .into_iter()
        .map(|model| densities_span(model.borrow(), framing))
        .fold(ViewRange::empty(), ViewRange::union);
    framing.frame(extra.into_iter().fold(span, ViewRange::including))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Settings, Trainer};

    fn fig1_model() -> GanModel {
        let settings = Settings::preset("fig1").expect("preset");
        Trainer::new(settings).expect("valid").model()
    }

    #[test]
    fn interval_helpers_do_what_their_names_say() {
        let a = ViewRange::new(0.0, 2.0);
        let b = ViewRange::new(1.0, 5.0);
        assert_eq!(a.union(b), ViewRange::new(0.0, 5.0));
        assert_eq!(ViewRange::empty().union(a), a);
        assert_eq!(a.including(-1.0), ViewRange::new(-1.0, 2.0));
        assert!(a.union(b).contains(a) && !a.contains(b) && a.contains(a));
        assert_eq!(a.padded(0.25), ViewRange::new(-0.5, 2.5));
        assert!(!ViewRange::empty().is_proper());
        assert!(!ViewRange::new(1.0, f64::NAN).is_proper());
        assert_eq!(ViewRange::new(3.0, 3.0).or_fallback(), ViewRange::FALLBACK);
        assert_eq!(<(f64, f64)>::from(a), (0.0, 2.0));
    }

    #[test]
    fn the_view_holds_the_central_data_and_the_generator_with_padding() {
        let model = fig1_model();
        let span = densities_span(&model, &Framing::LIVE);
        let t = &model.target;
        assert!(span.contains(ViewRange::new(t.quantile(0.0005), t.quantile(0.9995))));
        let pf = Pushforward::new(&model.noise, |z| model.generate(z), 256);
        let (g_lo, g_hi) = pf.range();
        assert!(
            span.contains(ViewRange::new(g_lo, g_hi)),
            "an untrained G is near the data"
        );
        let view = wanted_view(&model, &Framing::LIVE);
        assert_eq!(view, span.padded(0.08));
        assert!(view.contains(span) && view.width() > span.width());
    }

    #[test]
    fn a_runaway_generator_pulls_the_live_view_at_most_four_data_widths_away() {
        let mut model = fig1_model();
        // Shift G far to the right: its output bias moves every G(z).
        model.generator.shift_output(1.0e4);
        let t = &model.target;
        let data = ViewRange::new(t.quantile(0.0005), t.quantile(0.9995));
        let live = densities_span(&model, &Framing::LIVE);
        assert!(live.hi <= data.hi + 4.0 * data.width() * (1.0 + 1e-12));
        assert!(live.hi > data.hi + 3.9 * data.width());
        let story = densities_span(&model, &Framing::STORY);
        assert!(story.hi > live.hi * 2.0, "the story follows p_g: {story:?}");
    }

    #[test]
    fn a_common_view_holds_every_model_and_extra_point_and_falls_back_when_empty() {
        let model = fig1_model();
        let one = wanted_view(&model, &Framing::LIVE);
        let same = common_view([&model, &model], [], &Framing::LIVE);
        assert_eq!(same, one);
        let wide = common_view([&model], [100.0], &Framing::STORY);
        assert!(wide.hi > 100.0 && wide.contains(densities_span(&model, &Framing::STORY)));
        let none: [&GanModel; 0] = [];
        assert_eq!(common_view(none, [], &Framing::LIVE), ViewRange::FALLBACK);
    }
}
