//! The exact 1-D analysis: p_g from the generator by change of variables, D* (Proposition
//! 1), V(D, G), C(G) = max_D V(D, G) (Theorem 1), the Jensen–Shannon divergence, the
//! Wasserstein-1 distance and the z → x arrows of Figure 1.

use super::distribution::Noise;
use super::float::Real;
use super::loss::LossKind;
use super::model::GanModel;

/// Resolution and extent of an analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct AnalysisOptions {
    /// Number of x bins (curve points).
    pub grid_points: usize,
    /// Number of equal-probability z cells pushed through G before the refinement splits
    /// every cell whose image is wider than half an x bin.
    pub z_cells: usize,
    /// Number of evenly spaced z values for the figure's arrows.
    pub arrows: usize,
    /// The x interval; `None` chooses one holding all of p_g and all but 2e-6 of p_data.
    pub x_range: Option<(f64, f64)>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        Self {
            grid_points: 1000,
            // Measured against 2^17 cells on trained fig1, reference, collapse and
            // vanishing runs: p_g misplaces under 1e-4 of its mass (4096 cells: under
            // 9e-5) and JSD moves by under 2e-6, while G runs on a third of the z values.
            z_cells: 1024,
            arrows: 25,
            x_range: None,
        }
    }
}

/// The image of equal-probability z cells under G: cell i, holding probability
/// `masses[i]`, maps onto the segment between `x_edges[i]` and `x_edges[i + 1]`.
///
/// Spreading each cell's mass evenly over its segment is the exact pushforward of the
/// piecewise-linear interpolant of G, i.e. Σ over preimages p_z(z)/|G'(z)| with G' taken
/// per cell. It handles folds (non-monotone G) because every preimage branch contributes
/// its own cells, and it conserves mass exactly.
#[derive(Clone, Debug)]
pub struct Pushforward {
    /// F_z at the cell edges.
    pub u_edges: Vec<f64>,
    /// The cell edges z_0 < z_1 < … < z_N.
    pub z_edges: Vec<f64>,
    /// G(z_i).
    pub x_edges: Vec<f64>,
    /// P(z_i ≤ z < z_{i+1}).
    pub masses: Vec<f64>,
}

/// Probability left out in each tail of an unbounded noise prior.
const NOISE_TAIL: f64 = 1e-9;

/// Refinement passes of the z grid against the x grid (see [`Pushforward::refine`]).
const REFINE_PASSES: usize = 2;

/// How many times each end cell of the z grid is halved.
const TAIL_SPLITS: usize = 24;

impl Pushforward {
    /// Pushes `cells` equal-probability cells of p_z through `g`.
    pub fn new(noise: &Noise, g: impl Fn(&[f64]) -> Vec<f64>, cells: usize) -> Self {
        let cells = cells.max(1);
        let tail = match noise {
            Noise::Uniform { .. } => 0.0,
            Noise::Normal { .. } => NOISE_TAIL,
        };
        // Equal-probability cells, with the two end cells split geometrically: where G
        // maps a tail of p_z far out (a Gaussianised or normal z), one wide end cell would
        // smear its mass evenly over a long stretch of x.
        let step = (1.0 - 2.0 * tail) / cells as f64;
        let mut u: Vec<f64> = Vec::with_capacity(cells + 2 * TAIL_SPLITS + 1);
        u.push(tail);
        u.extend(
            (1..=TAIL_SPLITS)
                .rev()
                .map(|j| tail + step * 0.5_f64.powi(j as i32)),
        );
        u.extend((1..cells).map(|i| tail + step * i as f64));
        u.extend((1..=TAIL_SPLITS).map(|j| 1.0 - tail - step * 0.5_f64.powi(j as i32)));
        u.push(1.0 - tail);
        let z_edges: Vec<f64> = u.iter().map(|&u| noise.quantile(u)).collect();
        let x_edges = g(&z_edges);
        let masses = u.windows(2).map(|w| w[1] - w[0]).collect();
        Self {
            u_edges: u,
            z_edges,
            x_edges,
            masses,
        }
    }

    /// Splits every cell whose image is wider than `max_width` into equal-probability
    /// parts (at most 64 per cell and pass), so that the piecewise-linear interpolant of G
    /// is fine wherever G stretches z the most. Returns whether anything was split.
    pub fn refine(
        &mut self,
        noise: &Noise,
        g: impl Fn(&[f64]) -> Vec<f64>,
        max_width: f64,
    ) -> bool {
        let mut new_u = Vec::new();
        let mut splits = Vec::with_capacity(self.masses.len());
        for (i, seg) in self.x_edges.windows(2).enumerate() {
            let width = (seg[1] - seg[0]).abs();
            let parts = if width > max_width && width.is_finite() {
                ((width / max_width).ceil() as usize).min(64)
            } else {
                1
            };
            splits.push(parts);
            let (u0, u1) = (self.u_edges[i], self.u_edges[i + 1]);
            new_u.extend((1..parts).map(|j| u0 + (u1 - u0) * j as f64 / parts as f64));
        }
        if new_u.is_empty() {
            return false;
        }
        let new_z: Vec<f64> = new_u.iter().map(|&u| noise.quantile(u)).collect();
        let new_x = g(&new_z);
        let n = self.u_edges.len() + new_u.len();
        let (mut u, mut z, mut x) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let mut k = 0;
        for (i, &parts) in splits.iter().enumerate() {
            u.push(self.u_edges[i]);
            z.push(self.z_edges[i]);
            x.push(self.x_edges[i]);
            for _ in 1..parts {
                u.push(new_u[k]);
                z.push(new_z[k]);
                x.push(new_x[k]);
                k += 1;
            }
        }
        let last = self.u_edges.len() - 1;
        u.push(self.u_edges[last]);
        z.push(self.z_edges[last]);
        x.push(self.x_edges[last]);
        self.masses = u.windows(2).map(|w| w[1] - w[0]).collect();
        self.u_edges = u;
        self.z_edges = z;
        self.x_edges = x;
        true
    }

    /// The smallest and largest x reached.
    pub fn range(&self) -> (f64, f64) {
        self.x_edges
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            })
    }

    /// Probability mass per bin of the grid `lo + j·dx`, j < n.
    pub fn bin_masses(&self, lo: f64, dx: f64, n: usize) -> Vec<f64> {
        let mut out = vec![0.0; n];
        let bin = |x: f64| ((x - lo) / dx).floor();
        for (seg, &mass) in self.x_edges.windows(2).zip(&self.masses) {
            let (a, b) = if seg[0] <= seg[1] {
                (seg[0], seg[1])
            } else {
                (seg[1], seg[0])
            };
            let (ja, jb) = (bin(a), bin(b));
            if jb < 0.0 || ja >= n as f64 {
                continue;
            }
            if ja == jb || b - a <= f64::EPSILON * a.abs().max(1.0) {
                if let Some(slot) = out.get_mut(ja as usize) {
                    *slot += mass;
                }
                continue;
            }
            let density = mass / (b - a);
            let first = ja.max(0.0) as usize;
            let last = (jb as usize).min(n - 1);
            for (j, slot) in out.iter_mut().enumerate().take(last + 1).skip(first) {
                let left = lo + j as f64 * dx;
                let overlap = b.min(left + dx) - a.max(left);
                *slot += density * overlap.max(0.0);
            }
        }
        out
    }

    /// Mean and standard deviation of p_g (each cell uniform on its segment).
    pub fn mean_std(&self) -> (f64, f64) {
        let (mut m1, mut m2, mut total) = (0.0, 0.0, 0.0);
        for (seg, &w) in self.x_edges.windows(2).zip(&self.masses) {
            let (a, b) = (seg[0], seg[1]);
            m1 += w * 0.5 * (a + b);
            m2 += w * (a * a + a * b + b * b) / 3.0;
            total += w;
        }
        let mean = m1 / total;
        (mean, (m2 / total - mean * mean).max(0.0).sqrt())
    }
}

/// p_g(x) = Σ over preimages z* of x of p_z(z*)/|G'(z*)|, with G' from the generator's
/// own backward pass: the textbook change of variables, pointwise. Preimages are found on
/// a grid of `cells` equal-probability z cells and refined by linear interpolation.
pub fn density_by_preimages<T: Real>(model: &GanModel<T>, x: f64, cells: usize) -> f64 {
    let pf = Pushforward::new(&model.noise, |z| model.generate(z), cells);
    let mut roots = Vec::new();
    for (i, seg) in pf.x_edges.windows(2).enumerate() {
        let (a, b) = (seg[0], seg[1]);
        if (a <= x && x < b) || (b <= x && x < a) {
            let t = (x - a) / (b - a);
            roots.push(pf.z_edges[i] + t * (pf.z_edges[i + 1] - pf.z_edges[i]));
        }
    }
    if roots.is_empty() {
        return 0.0;
    }
    let (_, slopes) = model.generate_with_slope(&roots);
    roots
        .iter()
        .zip(slopes)
        .map(|(&z, s)| model.noise.pdf(z) / s.abs())
        .sum()
}

/// The paper's quantities for one state of G and D.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics {
    /// JSD(p_data ‖ p_g) in nats, in [0, log 2].
    pub jsd: f64,
    /// C(G) = V(D*, G); Theorem 1: = −log 4 + 2·JSD.
    pub c_g: f64,
    /// V(D, G) with the current D.
    pub value: f64,
    /// Wasserstein-1 distance ∫|F_data − F_g| dx.
    pub w1: f64,
    /// Mean of p_g.
    pub p_g_mean: f64,
    /// Standard deviation of p_g.
    pub p_g_std: f64,
    /// Mean of p_data.
    pub data_mean: f64,
    /// Standard deviation of p_data.
    pub data_std: f64,
}

/// How D's output is to be read, and so drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DReading {
    /// D(x) is a probability that x came from the data (cross-entropy and least squares:
    /// their optimum is D* = p_data / (p_data + p_g)).
    #[default]
    Probability,
    /// D is a critic f(x) (Wasserstein, hinge): a score, higher for data, on no fixed scale
    /// and with no 1/2 to sit at; σ(f) is no probability.
    Critic,
}

impl DReading {
    /// The reading of D under `loss`.
    pub fn of(loss: LossKind) -> Self {
        match loss {
            LossKind::Minimax | LossKind::NonSaturating | LossKind::LeastSquares => {
                Self::Probability
            }
            LossKind::WassersteinClip | LossKind::WassersteinGp | LossKind::Hinge => Self::Critic,
        }
    }
}

/// Curves on an x grid plus the metrics: everything Figure 1 draws.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// Bin centres.
    pub x: Vec<f64>,
    /// Bin width.
    pub dx: f64,
    /// p_data, averaged over each bin.
    pub p_data: Vec<f64>,
    /// p_g, averaged over each bin (exact pushforward, see [`Pushforward`]).
    pub p_g: Vec<f64>,
    /// D(x) as a probability.
    pub d: Vec<f64>,
    /// D's raw output at each x: a logit, or the critic value f(x) of a critic loss.
    pub d_raw: Vec<f64>,
    /// How D's output reads: a probability, or a critic's score on no fixed scale.
    pub d_reading: DReading,
    /// D*(x) = p_data / (p_data + p_g); 1/2 where both vanish (any D is optimal there).
    pub d_star: Vec<f64>,
    /// Evenly spaced (z, G(z)) pairs for the arrows.
    pub arrows: Vec<(f64, f64)>,
    /// Probability of p_g inside the grid (1 unless an explicit range cuts it).
    pub p_g_mass_in_range: f64,
    /// The numbers.
    pub metrics: Metrics,
}

impl Analysis {
    /// Computes everything for `model` (see [`AnalysisOptions`]).
    pub fn new<T: Real>(model: &GanModel<T>, opts: &AnalysisOptions) -> Self {
        let n = opts.grid_points.max(2);
        let pf = Pushforward::new(&model.noise, |z| model.generate(z), opts.z_cells);
        let (lo, hi) = opts.x_range.unwrap_or_else(|| {
            let (g_lo, g_hi) = pf.range();
            let lo = g_lo.min(model.target.quantile(1e-6));
            let hi = g_hi.max(model.target.quantile(1.0 - 1e-6));
            let pad = 0.02 * (hi - lo).max(1e-9);
            (lo - pad, hi + pad)
        });
        let dx = (hi - lo) / n as f64;
        let mut pf = pf;
        for _ in 0..REFINE_PASSES {
            if !pf.refine(&model.noise, |z| model.generate(z), 0.5 * dx) {
                break;
            }
        }
        let x: Vec<f64> = (0..n).map(|j| lo + (j as f64 + 0.5) * dx).collect();
        let cdf: Vec<f64> = (0..=n)
            .map(|j| model.target.cdf(lo + j as f64 * dx))
            .collect();
        let mass_d: Vec<f64> = cdf.windows(2).map(|w| (w[1] - w[0]).max(0.0)).collect();
        let mass_g = pf.bin_masses(lo, dx, n);
        let raw = model.discriminator_raw(&x);
        let d: Vec<f64> = raw.iter().map(|&l| model.loss.probability(l)).collect();
        let d_star = mass_d
            .iter()
            .zip(&mass_g)
            .map(|(&a, &b)| if a + b > 0.0 { a / (a + b) } else { 0.5 })
            .collect::<Vec<_>>();

        let (p_g_mean, p_g_std) = pf.mean_std();
        let mass_in_range: f64 = mass_g.iter().sum();
        let pd = normalized(&mass_d);
        let pg = normalized(&mass_g);
        let metrics = Metrics {
            jsd: jensen_shannon(&pd, &pg),
            c_g: value_function(&pd, &pg, &d_star),
            value: value_on_raw(model, &pd, &pg, &raw),
            w1: wasserstein1(&pd, &pg, dx),
            p_g_mean,
            p_g_std,
            data_mean: model.target.mean(),
            data_std: model.target.std(),
        };
        let arrows = arrow_pairs(model, opts.arrows);
        Self {
            p_data: mass_d.iter().map(|m| m / dx).collect(),
            p_g: mass_g.iter().map(|m| m / dx).collect(),
            x,
            dx,
            d,
            d_raw: raw,
            d_reading: DReading::of(model.loss),
            d_star,
            arrows,
            p_g_mass_in_range: mass_in_range,
            metrics,
        }
    }

    /// The equal-tailed x interval [x_lo, x_hi] of grid points holding the central
    /// `fraction` of the density `p` (e.g. 0.98 of (p_data + p_g)/2): (1 − fraction)/2 of
    /// it is left out on each side.
    pub fn central_interval(&self, p: &[f64], fraction: f64) -> (f64, f64) {
        let total: f64 = p.iter().sum();
        let tail = 0.5 * (1.0 - fraction) * total;
        let mut acc = 0.0;
        let (mut lo, mut hi) = (0, p.len().saturating_sub(1));
        for (j, &v) in p.iter().enumerate() {
            if acc + v > tail {
                lo = j;
                break;
            }
            acc += v;
        }
        acc = 0.0;
        for (j, &v) in p.iter().enumerate().rev() {
            if acc + v > tail {
                hi = j;
                break;
            }
            acc += v;
        }
        (self.x[lo], self.x[hi])
    }

    /// max |f(x) − g(x)| over grid points in [lo, hi].
    pub fn max_gap(&self, f: &[f64], g: &[f64], (lo, hi): (f64, f64)) -> f64 {
        self.x
            .iter()
            .zip(f.iter().zip(g))
            .filter(|(x, _)| (lo..=hi).contains(*x))
            .fold(0.0, |m, (_, (a, b))| m.max((a - b).abs()))
    }

    /// (p_data + p_g)/2, the mixture whose central mass Proposition 1's check uses.
    pub fn mixture(&self) -> Vec<f64> {
        self.p_data
            .iter()
            .zip(&self.p_g)
            .map(|(a, b)| 0.5 * (a + b))
            .collect()
    }

    /// D* on the grid where it means something: the runs of points where p_data + p_g
    /// carries at least `relative` of its largest value. Elsewhere D* = p_data /
    /// (p_data + p_g) is a ratio of two vanishing numbers, drawn as plateaus at 0 or 1
    /// across empty space.
    pub fn d_star_where_mass(&self, relative: f64) -> Vec<Vec<[f64; 2]>> {
        let mass: Vec<f64> = self
            .p_data
            .iter()
            .zip(&self.p_g)
            .map(|(a, b)| a + b)
            .collect();
        let floor = relative * mass.iter().copied().fold(0.0, f64::max);
        let mut runs: Vec<Vec<[f64; 2]>> = Vec::new();
        let mut inside = false;
        for ((&x, &d), &m) in self.x.iter().zip(&self.d_star).zip(&mass) {
            if m >= floor && m > 0.0 {
                if !inside {
                    runs.push(Vec::new());
                }
                if let Some(run) = runs.last_mut() {
                    run.push([x, d]);
                }
                inside = true;
            } else {
                inside = false;
            }
        }
        runs
    }

    /// Proposition 1's gap: max |D − D*| over the central 98 % of (p_data + p_g)/2.
    pub fn optimality_gap(&self) -> f64 {
        let region = self.central_interval(&self.mixture(), 0.98);
        self.max_gap(&self.d, &self.d_star, region)
    }
}

fn normalized(mass: &[f64]) -> Vec<f64> {
    let total: f64 = mass.iter().sum();
    if total > 0.0 {
        mass.iter().map(|m| m / total).collect()
    } else {
        mass.to_vec()
    }
}

/// x ln(x / y) with 0 ln 0 = 0.
fn xlogx_over(x: f64, y: f64) -> f64 {
    if x > 0.0 { x * (x / y).ln() } else { 0.0 }
}

/// JSD(P ‖ Q) = ½ KL(P ‖ M) + ½ KL(Q ‖ M), M = (P + Q)/2, for probability vectors.
pub fn jensen_shannon(p: &[f64], q: &[f64]) -> f64 {
    p.iter()
        .zip(q)
        .map(|(&a, &b)| {
            let m = 0.5 * (a + b);
            0.5 * (xlogx_over(a, m) + xlogx_over(b, m))
        })
        .sum::<f64>()
        .max(0.0)
}

/// V(D, G) = Σ p ln D + Σ q ln(1 − D) for probability vectors p (data), q (model) and
/// D values in [0, 1] (0 ln 0 = 0).
pub fn value_function(p: &[f64], q: &[f64], d: &[f64]) -> f64 {
    p.iter()
        .zip(q)
        .zip(d)
        .map(|((&a, &b), &dv)| {
            let t1 = if a > 0.0 { a * dv.ln() } else { 0.0 };
            let t2 = if b > 0.0 { b * (1.0 - dv).ln() } else { 0.0 };
            t1 + t2
        })
        .sum()
}

/// V(D, G) from D's raw output: on logits ln D = −softplus(−l), ln(1 − D) = −softplus(l),
/// so a confident D gives large finite terms instead of log 0.
fn value_on_raw<T: Real>(model: &GanModel<T>, p: &[f64], q: &[f64], raw: &[f64]) -> f64 {
    use super::float::softplus;
    use super::loss::LossKind;
    if model.loss == LossKind::LeastSquares {
        let d: Vec<f64> = raw.iter().map(|&l| l.clamp(1e-12, 1.0 - 1e-12)).collect();
        return value_function(p, q, &d);
    }
    p.iter()
        .zip(q)
        .zip(raw)
        .map(|((&a, &b), &l)| -a * softplus(-l) - b * softplus(l))
        .sum()
}

/// W1 = ∫ |F_P − F_Q| dx for probability vectors on bins of width dx.
pub fn wasserstein1(p: &[f64], q: &[f64], dx: f64) -> f64 {
    let (mut fp, mut fq, mut total) = (0.0, 0.0, 0.0);
    for (&a, &b) in p.iter().zip(q) {
        fp += a;
        fq += b;
        total += (fp - fq).abs();
    }
    total * dx
}

/// A histogram of `samples` as a density on `bins` equal bins over [lo, hi): bin heights
/// such that Σ height × width = the fraction of samples inside. Returns (centres, heights).
pub fn density_histogram(
    samples: &[f64],
    (lo, hi): (f64, f64),
    bins: usize,
) -> (Vec<f64>, Vec<f64>) {
    let bins = bins.max(1);
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0.0; bins];
    for &x in samples {
        if (lo..hi).contains(&x) {
            let j = (((x - lo) / width) as usize).min(bins - 1);
            counts[j] += 1.0;
        }
    }
    let scale = 1.0 / (samples.len().max(1) as f64 * width);
    let centres = (0..bins).map(|j| lo + (j as f64 + 0.5) * width).collect();
    (centres, counts.iter().map(|c| c * scale).collect())
}

/// `n` evenly spaced z on the noise line (its range, or μ ± 2.5σ for a normal prior)
/// with their images G(z).
pub fn arrow_pairs<T: Real>(model: &GanModel<T>, n: usize) -> Vec<(f64, f64)> {
    let (lo, hi) = z_line(&model.noise);
    let z: Vec<f64> = (0..n)
        .map(|i| lo + (i as f64 + 0.5) * (hi - lo) / n as f64)
        .collect();
    let x = model.generate(&z);
    z.into_iter().zip(x).collect()
}

/// The extent of the z line drawn under the figure.
pub fn z_line(noise: &Noise) -> (f64, f64) {
    match noise {
        Noise::Uniform { low, high } => (*low, *high),
        Noise::Normal { mean, std } => (mean - 2.5 * std, mean + 2.5 * std),
    }
}
